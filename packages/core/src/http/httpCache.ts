import * as E from '../util/either.js'
import * as t from '../util/decoder.js'
import type { HttpResponse } from '../effects/effect.js'
import { cacheError, type CacheError } from '../errors.js'
import { decodeOr, parseJson } from '../util/decode.js'

export interface HttpCacheEntry {
  /** The response as received, served again until `expiresAtMs`. */
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
    return this.getEntry(key, nowMs)?.response
  }

  /** A fresh entry with its expiry, or undefined. A stale entry is dropped. */
  getEntry(key: string, nowMs: number): HttpCacheEntry | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    this.entries.delete(key)
    if (entry.expiresAtMs <= nowMs) return undefined
    this.entries.set(key, entry) // most recently used goes last
    return entry
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

  /** The cache as JSON text, to keep it across restarts (MSAL Python's persistable http_cache). */
  serialize(): string {
    return JSON.stringify({ format: HTTP_CACHE_FORMAT, entries: this.toJSON() })
  }

  /**
   * Replaces the entries with serialized ones (expired ones are dropped on their first read).
   * Unreadable text throws an MsalError (kind CacheError) and leaves the cache as it was.
   */
  deserialize(text: string): void {
    const parsed = parseHttpCache(text)
    if (E.isLeft(parsed)) throw parsed.left
    this.entries.clear()
    for (const [key, entry] of parsed.right) this.set(key, entry.response, entry.expiresAtMs)
  }
}

export const HTTP_CACHE_FORMAT = 'msal-ts/http-cache@1'

const HttpResponseCodec = t.type({
  _tag: t.literal('HttpResponse'),
  status: t.number,
  headers: t.stringRecord,
  body: t.string,
})
const EntryCodec = t.type({ response: HttpResponseCodec, expiresAtMs: t.number })
const HttpCacheFile = t.type({
  format: t.literal(HTTP_CACHE_FORMAT),
  entries: t.array(t.refined('a [key, entry] pair', (u): u is [string, { response: HttpResponse; expiresAtMs: number }] => Array.isArray(u) && u.length === 2 && typeof u[0] === 'string' && EntryCodec.is(u[1]))),
}, 'a serialized http cache')

const parseHttpCache = (text: string): E.Either<CacheError, ReadonlyArray<readonly [string, HttpCacheEntry]>> => {
  const json = parseJson(text)
  if (E.isLeft(json)) return E.left(cacheError(`the http cache is not valid JSON (${json.left})`))
  const decoded = decodeOr(HttpCacheFile, json.right, (problem) => cacheError(`not a serialized http cache: ${problem}`))
  return E.isLeft(decoded) ? decoded : E.right(decoded.right.entries)
}
