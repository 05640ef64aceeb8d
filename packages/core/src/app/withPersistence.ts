import type { CacheAccessContext, CachePersistence } from '../cache/persistence.js'
import type { SerializableTokenCache } from '../cache/serializableTokenCache.js'
import type { TokenStore } from '../cache/tokenStore.js'

export interface PersistenceHooks<T> {
  /**
   * Where the changes belong when that is known only from the result (a sign-in learns the
   * account from the tokens it gets); it sees undefined when the work threw.
   */
  readonly contextAfter?: ((result: T | undefined) => CacheAccessContext) | undefined
  /**
   * Called instead of failing the operation when storing its changes fails (a full disk, a
   * read-only file system, an unreachable Redis): the result is still returned, and the changes
   * stay journaled for the next store. Without it, the failure fails the operation.
   */
  readonly onStoreFailure?: ((error: unknown) => void | Promise<void>) | undefined
}

/**
 * Runs one operation on the cache between its persistence's before and after hooks: load what
 * other processes stored, work, store what changed. Without a persistence the work runs as it
 * is, synchronously when it can (a cache hit stays off the event loop).
 */
export const withPersistence = <T>(
  cache: TokenStore,
  /** Who is about to touch the cache; computed only when there is a persistence to tell. */
  context: () => CacheAccessContext,
  work: () => T | Promise<T>,
  hooks: PersistenceHooks<T> = {},
): T | Promise<T> => {
  // Only a SerializableTokenCache has a persistence (read by property: a browser app's cache
  // module need not carry the serializable one).
  const persistence = (cache as { readonly persistence?: CachePersistence | undefined }).persistence
  if (persistence === undefined) return work()
  const serializable = cache as SerializableTokenCache
  return (async () => {
    const before = context()
    await persistence.beforeCacheAccess(serializable, before)
    let result: T
    try {
      result = await work()
    } catch (error) {
      // The work's own failure wins over a failure to store what it changed.
      await settleQuietly(() => persistence.afterCacheAccess(serializable, hooks.contextAfter === undefined ? before : hooks.contextAfter(undefined)))
      throw error
    }
    try {
      await persistence.afterCacheAccess(serializable, hooks.contextAfter === undefined ? before : hooks.contextAfter(result))
    } catch (error) {
      if (hooks.onStoreFailure === undefined) throw error
      await hooks.onStoreFailure(error)
    }
    return result
  })()
}

const settleQuietly = async (start: () => void | Promise<void>): Promise<void> => {
  try {
    await start()
  } catch {
    // Reported by the work's own failure.
  }
}
