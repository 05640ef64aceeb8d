import type { HttpResponse } from '../effects/effect.js'

export interface HttpCacheEntry {
  readonly response: HttpResponse
  /** Epoch milliseconds after which the entry is stale. */
  readonly expiresAtMs: number
}

export const DEFAULT_HTTP_CACHE_CAPACITY = 1024

/** The http cache key of a GET. */
export const getRequestKey = (url: string): string => `GET ${url}`

/**
 * A bounded, least-recently-used map of HTTP answers with expiry: discovery documents now,
 * throttling decisions later. Plain data, so it can be persisted and restored.
 */
export class HttpCache {
  private readonly entries = new Map<string, HttpCacheEntry>()

  constructor(readonly capacity: number = DEFAULT_HTTP_CACHE_CAPACITY) {}

  get size(): number {
    return this.entries.size
  }

  /** A fresh entry's response, or undefined. A stale entry is dropped. */
  get(key: string, nowMs: number): HttpResponse | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    this.entries.delete(key)
    if (entry.expiresAtMs <= nowMs) return undefined
    this.entries.set(key, entry) // most recently used goes last
    return entry.response
  }

  set(key: string, response: HttpResponse, expiresAtMs: number): void {
    this.entries.delete(key)
    this.entries.set(key, { response, expiresAtMs })
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string
      this.entries.delete(oldest)
    }
  }

  delete(key: string): void {
    this.entries.delete(key)
  }

  /** Entries oldest first, for persistence. */
  toJSON(): Array<[string, HttpCacheEntry]> {
    return [...this.entries]
  }
}
