import { CREDENTIAL_TYPES, userAssertionHashOf, type CacheAccessContext, type CachePut, type SerializableTokenCache } from '@msal-ts/core'

/** Names the partition an operation (or a cache entry) belongs to. */
export type Partitioner = (context: CacheAccessContext) => string

/**
 * MSAL for Node's partitioning: a user's tokens by account (`account:<home account id>`), the
 * app's own tokens by app and tenant (`app:<client id>:<tenant>`), on-behalf-of tokens by the
 * incoming assertion's hash (`obo:<hash>`, MSAL.NET's suggested cache key; case kept: base64url). Lower-cased, as the cache
 * compares these ids case-insensitively.
 */
export const defaultPartition: Partitioner = (context) =>
  context.userAssertionHash !== undefined && context.userAssertionHash !== ''
    ? `obo:${context.userAssertionHash}`
    : context.homeAccountId !== undefined && context.homeAccountId !== ''
    ? `account:${context.homeAccountId.toLowerCase()}`
    : `app:${context.clientId.toLowerCase()}:${context.realm.toLowerCase()}`

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

/**
 * The context an entry was filed in, so the same partitioner that places operations places
 * entries. Access, refresh and ID tokens and accounts carry their home account (null: the app's
 * own); fields an entry does not have (a refresh token's realm, app metadata's account) are the
 * operation's. So, by default, app metadata goes with every account partition and with its own
 * app's partitions, and a damaged entry with none of the fields stays where it was loaded from.
 */
export const contextOfEntry = (entry: unknown, operation: CacheAccessContext): CacheAccessContext => {
  if (typeof entry !== 'object' || entry === null) return operation
  const fields = entry as Record<string, unknown>
  const homeAccountId = 'home_account_id' in fields ? text(fields.home_account_id) : operation.homeAccountId
  return {
    clientId: text(fields.client_id) ?? operation.clientId,
    environment: text(fields.environment) ?? operation.environment,
    realm: text(fields.realm) ?? operation.realm,
    homeAccountId: homeAccountId === '' ? undefined : homeAccountId,
    ...(userAssertionHashOf(fields) !== undefined ? { userAssertionHash: userAssertionHashOf(fields) } : {}),
  }
}

/**
 * The cache's unified JSON restricted to the entries of one partition.
 *
 * Core has no filtered serialization, and this package may only use its public API, so this
 * filters `cache.serialize()`: every entry, usable or not, stays under the key it was stored
 * with, and unknown top-level keys (another SDK's) are kept. The in-memory cache normally holds
 * one partition plus pending changes (loading a partition replaces the rest), but two concurrent
 * operations, or a change made outside one, can leave another partition's entries in it: those
 * must never reach this partition's key.
 */
export const serializePartition = (
  cache: SerializableTokenCache,
  operation: CacheAccessContext,
  belongs: (entryContext: CacheAccessContext) => boolean,
): string => {
  const json = JSON.parse(cache.serialize()) as Record<string, unknown>
  const known = new Set<string>(CREDENTIAL_TYPES)
  const out: Record<string, unknown> = {}
  for (const [name, section] of Object.entries(json)) {
    if (!known.has(name) || typeof section !== 'object' || section === null) {
      out[name] = section
      continue
    }
    out[name] = Object.fromEntries(Object.entries(section).filter(([, entry]) => belongs(contextOfEntry(entry, operation))))
  }
  return JSON.stringify(out)
}

/**
 * The usable entries in memory that belong to other partitions, as puts. A persistence that
 * stored one partition and forgets the journal re-files these, so a change to another partition
 * (made outside any operation, or left by a failed write) waits for that partition's next write
 * instead of being lost.
 */
export const entriesOutside = (
  cache: SerializableTokenCache,
  operation: CacheAccessContext,
  belongs: (entryContext: CacheAccessContext) => boolean,
): CachePut[] =>
  CREDENTIAL_TYPES.flatMap((type) =>
    [...cache.collection(type).values()]
      .filter(({ entity }) => !belongs(contextOfEntry(entity, operation)))
      .map(({ key, entity }) => ({ type, key, entity }) as CachePut),
  )
