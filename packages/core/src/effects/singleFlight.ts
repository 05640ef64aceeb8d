/**
 * Shares one in-flight promise between identical concurrent calls, so that N callers asking for
 * the same token on a cold cache cause one network request, not N. A call that completes
 * synchronously (a cache hit) is never registered, and its key is never even computed.
 */
export class SingleFlight<V> {
  private readonly inFlight = new Map<string, Promise<V>>()

  /** The number of distinct calls currently in flight. */
  get size(): number {
    return this.inFlight.size
  }

  do(key: () => string, start: () => V | Promise<V>): V | Promise<V> {
    if (this.inFlight.size > 0) {
      const pending = this.inFlight.get(key())
      if (pending !== undefined) return pending
    }
    const result = start()
    if (!(result instanceof Promise)) return result
    const name = key()
    const shared = result.finally(() => {
      if (this.inFlight.get(name) === shared) this.inFlight.delete(name)
    })
    this.inFlight.set(name, shared)
    return shared
  }
}
