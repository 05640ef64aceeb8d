/**
 * Shares one in-flight promise between identical concurrent calls, so that N callers asking for
 * the same token on a cold cache cause one network request, not N. A call that completes
 * synchronously (a cache hit) is never registered, and its key is never even computed.
 */
export class SingleFlight<V> {
  private readonly inFlight = new Map<string, Promise<V>>()
  /** The map's size, kept here too: every call asks (cache hits included), and this object is one read where the map is two. */
  private count = 0

  /** The number of distinct calls currently in flight. */
  get size(): number {
    return this.count
  }

  do(key: () => string, start: () => V | Promise<V>): V | Promise<V> {
    if (this.count > 0) {
      const pending = this.inFlight.get(key())
      if (pending !== undefined) return pending
    }
    const result = start()
    return result instanceof Promise ? this.share(key(), result) : result
  }

  /** Registers a call already under way under `key`, until it settles; identical calls share it. */
  share(key: string, pending: Promise<V>): Promise<V> {
    const shared = pending.finally(() => {
      if (this.inFlight.get(key) === shared) {
        this.inFlight.delete(key)
        this.count = this.inFlight.size
      }
    })
    this.inFlight.set(key, shared)
    this.count = this.inFlight.size
    return shared
  }
}
