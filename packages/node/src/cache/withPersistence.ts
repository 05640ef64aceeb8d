import { SerializableTokenCache, type CacheAccessContext, type TokenCache } from '@msal-ts/core'

/**
 * Runs one operation on the cache between its persistence's before and after hooks: load what
 * other processes stored, work, store what changed. Without a persistence the work runs as it
 * is, synchronously when it can (a cache hit stays off the event loop).
 *
 * `contextAfter` names where the changes belong when that is known only from the result (a
 * sign-in learns the account from the tokens it gets); it sees undefined when the work threw.
 */
export const withPersistence = <T>(
  cache: TokenCache,
  context: CacheAccessContext,
  work: () => T | Promise<T>,
  contextAfter?: (result: T | undefined) => CacheAccessContext,
): T | Promise<T> => {
  const persistence = cache instanceof SerializableTokenCache ? cache.persistence : undefined
  if (persistence === undefined) return work()
  const serializable = cache as SerializableTokenCache
  return (async () => {
    await persistence.beforeCacheAccess(serializable, context)
    let result: T | undefined
    try {
      result = await work()
      return result
    } finally {
      await persistence.afterCacheAccess(serializable, contextAfter === undefined ? context : contextAfter(result))
    }
  })()
}
