import type { SerializableTokenCache } from './serializableTokenCache.js'

/** Who is about to touch the cache, so a distributed persistence can load just that partition. */
export interface CacheAccessContext {
  /** client_id (RFC 6749 §2.2) of the application about to touch the cache. */
  readonly clientId: string
  /** The authority's host. */
  readonly environment: string
  /** The tenant of the operation: app tokens are partitioned by it. */
  readonly realm: string
  /** The account, for operations on a user's tokens. */
  readonly homeAccountId?: string | undefined
  /** On-behalf-of: the incoming assertion's hash, which that flow's tokens are filed under (MSAL.NET's suggested cache key). */
  readonly userAssertionHash?: string | undefined
}

/**
 * Keeps a SerializableTokenCache somewhere outside the process (a file, Redis), as MSAL for
 * Node's cache plugins and MSAL Python's msal-extensions do. Applications call
 * `beforeCacheAccess` before every operation (load what others stored) and `afterCacheAccess`
 * after it (store what changed, merged with what others stored meanwhile; see
 * `SerializableTokenCache.mergeFrom`). Either may answer synchronously.
 */
export interface CachePersistence {
  /** Before an operation: load what others stored into `cache` (e.g. `cache.deserialize(text)`). */
  beforeCacheAccess(cache: SerializableTokenCache, context: CacheAccessContext): void | Promise<void>
  /** After an operation: store `cache` if `cache.hasStateChanged`, merged with what others stored meanwhile. */
  afterCacheAccess(cache: SerializableTokenCache, context: CacheAccessContext): void | Promise<void>
}
