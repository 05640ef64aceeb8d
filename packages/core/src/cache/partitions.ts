import type { CacheAccessContext } from './persistence.js'
import { userAssertionHashOf } from './schema.js'

/** Names the partition an operation (or a cache entry) belongs to, for a persistence that stores partitions apart. */
export type Partitioner = (context: CacheAccessContext) => string

/**
 * MSAL for Node's partitioning: a user's tokens by account (`account:<home account id>`), the
 * app's own tokens by app and tenant (`app:<client id>:<tenant>`), on-behalf-of tokens by the
 * incoming assertion's hash (`obo:<hash>`, MSAL.NET's suggested cache key; case kept: base64url).
 * Lower-cased, as the cache compares these ids case-insensitively.
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
  const userAssertionHash = userAssertionHashOf(fields)
  const context: { -readonly [K in keyof CacheAccessContext]: CacheAccessContext[K] } = {
    clientId: text(fields.client_id) ?? operation.clientId,
    environment: text(fields.environment) ?? operation.environment,
    realm: text(fields.realm) ?? operation.realm,
    homeAccountId: homeAccountId === '' ? undefined : homeAccountId,
  }
  if (userAssertionHash !== undefined) context.userAssertionHash = userAssertionHash
  return context
}

/** Whether an entry belongs to the operation's partition under `partition`. */
export const entryBelongsTo = (partition: Partitioner, operation: CacheAccessContext): ((entry: unknown) => boolean) => {
  const name = partition(operation)
  return (entry) => partition(contextOfEntry(entry, operation)) === name
}
