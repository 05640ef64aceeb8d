import type { CacheChange, CacheDelete } from './change.js'
import { canonicalKey } from './keys.js'
import type { RefreshTokenEntity } from './schema.js'
import { BY_OWNER, ownerKey, type TokenStore } from './tokenStore.js'

// The cache's removals (filing.ts files responses).

/** Deletes one refresh token (e.g. one the identity provider called invalid), wherever it is stored. */
export const removeRefreshToken = (cache: TokenStore, rt: RefreshTokenEntity): CacheChange => {
  const stored = cache.refreshTokens.getCanonical(canonicalKey('RefreshToken', rt))
  return { puts: [], deletes: stored === undefined ? [] : [{ type: 'RefreshToken', key: stored.key }] }
}

/** Deletes the app's own access tokens (no home account) for this client in these environments. */
export const removeClientTokens = (cache: TokenStore, clientId: string, environments: readonly string[]): CacheChange => {
  const lowerClient = clientId.toLowerCase()
  const deletes = environments.flatMap((environment) =>
    [...cache.accessTokenKeysOf(environment, null)]
      .filter((key) => cache.getAccessToken(key)?.entity.client_id?.toLowerCase() === lowerClient)
      .map((key): CacheDelete => ({ type: 'AccessToken', key })),
  )
  return { puts: [], deletes }
}

/**
 * Deletes every access token that expired before `nowSec` (epoch seconds): what MSAL Python
 * 1.31+'s TokenCache.search does as it meets them ("Automatically delete expired access tokens",
 * `int(entry["expires_on"]) < now`).
 */
export const removeExpiredAccessTokens = (cache: TokenStore, nowSec: number): CacheChange => {
  const deletes: CacheDelete[] = []
  for (const { key, entity } of cache.allAccessTokens()) {
    if (Number(entity.expires_on) < nowSec) deletes.push({ type: 'AccessToken', key })
  }
  return { puts: [], deletes }
}

export interface AccountToRemove {
  /** The account's home_account_id (`uid.utid` for Entra). */
  readonly homeAccountId: string
  /** The host the account is filed under (the cache entities' environment). */
  readonly environment: string
}

/**
 * MSAL Python's remove_account: signs the account out of this app and its family (its refresh
 * tokens whose client is this app, or whose family is the app's family) and forgets it (all its
 * access tokens, ID tokens and account entries, in every realm). Other apps' refresh tokens stay,
 * so their single sign-on still works.
 */
export const removeAccount = (cache: TokenStore, clientId: string, account: AccountToRemove): CacheChange => {
  const owner = ownerKey(account.environment, account.homeAccountId)
  const appFamily = cache.appMetadata.getCanonical(canonicalKey('AppMetadata', { environment: account.environment, client_id: clientId }))?.entity.family_id
  const lowerClient = clientId.toLowerCase()
  const deletes: CacheDelete[] = []
  for (const { key, entity } of cache.refreshTokens.lookup(BY_OWNER, owner).values()) {
    const ownRt = entity.client_id.toLowerCase() === lowerClient
    const familyRt = appFamily !== undefined && appFamily !== null && appFamily !== '' && entity.family_id === appFamily
    if (ownRt || familyRt) deletes.push({ type: 'RefreshToken', key })
  }
  for (const key of cache.accessTokenKeysOf(account.environment, account.homeAccountId)) deletes.push({ type: 'AccessToken', key })
  for (const key of cache.idTokens.lookup(BY_OWNER, owner).keys()) deletes.push({ type: 'IdToken', key })
  for (const key of cache.accounts.lookup(BY_OWNER, owner).keys()) deletes.push({ type: 'Account', key })
  return { puts: [], deletes }
}
