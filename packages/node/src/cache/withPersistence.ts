import { SerializableTokenCache, type CacheAccessContext, type TokenCache } from '@msal-ts/core'

/**
 * Runs one operation on the cache between its persistence's before and after hooks: load what
 * other processes stored, work, store what changed. Without a persistence the work runs as it
 * is, synchronously when it can (a cache hit stays off the event loop).
 */
export const withPersistence = <T>(cache: TokenCache, context: CacheAccessContext, work: () => T | Promise<T>): T | Promise<T> => {
  const persistence = cache instanceof SerializableTokenCache ? cache.persistence : undefined
  if (persistence === undefined) return work()
  const serializable = cache as SerializableTokenCache
  return (async () => {
    await persistence.beforeCacheAccess(serializable, context)
    try {
      return await work()
    } finally {
      await persistence.afterCacheAccess(serializable, context)
    }
  })()
}
