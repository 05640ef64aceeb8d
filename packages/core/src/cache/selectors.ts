import { canonicalKey } from './keys.js'
import { targetKeyOfScopes } from './targetKey.js'
import type { AccessTokenEntity, AccountEntity, AppMetadataEntity, IdTokenEntity, RefreshTokenEntity } from './schema.js'
import { ACCOUNTS_BY_ENVIRONMENT, BY_OWNER, coversScopes, ownerKey, type AccessTokenBucket, type IndexedAccessToken, type TokenStore } from './tokenStore.js'

/** A token with under this long to live counts as expired (MSAL's margin). */
export const EXPIRY_MARGIN_SECONDS = 300

export interface AccessTokenQuery extends AccessTokenBucket {
  /** The scopes wanted: a token filed under exactly these first, then any whose target covers them. */
  readonly scopes: readonly string[]
}

export type AccessTokenLookup =
  | { readonly _tag: 'Fresh'; readonly entity: AccessTokenEntity; readonly token: IndexedAccessToken }
  /** Past its `refresh_on`: refresh it, but keep it as the fallback. */
  | { readonly _tag: 'Aging'; readonly entity: AccessTokenEntity; readonly token: IndexedAccessToken }
  | {
      readonly _tag: 'Miss'
      readonly reason: 'absent' | 'expired'
      /**
       * A token inside the expiry margin that has not expired yet: not served, but better than
       * nothing when the identity provider cannot be reached.
       */
      readonly lastResort?: AccessTokenEntity | undefined
    }

/** Fresh, Aging, or undefined when it has under the expiry margin left (or no readable expiry). */
export const judge = (candidate: IndexedAccessToken, nowSec: number): AccessTokenLookup | undefined => {
  if (!(candidate.expiresOn - nowSec >= EXPIRY_MARGIN_SECONDS)) return undefined
  const refreshOn = candidate.refreshOn
  return refreshOn !== undefined && refreshOn < nowSec
    ? { _tag: 'Aging', entity: candidate.entity, token: candidate }
    : { _tag: 'Fresh', entity: candidate.entity, token: candidate }
}

/**
 * Finds a usable access token in one bucket: the one filed under exactly these scopes first,
 * then any whose target covers them. Never looks beyond the bucket.
 */
export const selectAccessToken = (cache: TokenStore, query: AccessTokenQuery, nowSec: number): AccessTokenLookup =>
  selectInBucket(cache, query, query.scopes, targetKeyOfScopes(query.scopes), nowSec)

/**
 * The lookup itself, with the scopes apart from the bucket (no merged query object per call). The
 * exact token is found by the scopes' target key in the bucket's own map: no cache key is built
 * per call.
 */
const selectInBucket = (cache: TokenStore, query: AccessTokenBucket, scopes: readonly string[], targetKey: string, nowSec: number): AccessTokenLookup => {
  const bucket = cache.accessTokenBucket(query)
  if (bucket === undefined) return ABSENT
  const exact = cache.accessTokens.find(bucket, targetKey)
  if (exact !== undefined) {
    const verdict = judge(exact, nowSec)
    if (verdict !== undefined) return verdict
    if (bucket.count === 1) return expiredMiss(exact.entity, undefined, nowSec)
  }
  let sawExpired = exact !== undefined
  let lastResort: AccessTokenEntity | undefined = exact === undefined ? undefined : stillValid(exact.entity, undefined, nowSec)
  for (const candidate of bucket.all()) {
    if (candidate === exact || !coversScopes(cache.targetKeyOf(candidate.entity.target), scopes)) continue
    const verdict = judge(candidate, nowSec)
    if (verdict !== undefined) return verdict
    sawExpired = true
    lastResort = stillValid(candidate.entity, lastResort, nowSec)
  }
  return sawExpired ? { _tag: 'Miss', reason: 'expired', lastResort } : ABSENT
}

/** The later-expiring of a token inside the margin and the best so far, if it has not expired. */
const stillValid = (candidate: AccessTokenEntity, best: AccessTokenEntity | undefined, nowSec: number): AccessTokenEntity | undefined =>
  Number(candidate.expires_on) > nowSec && (best === undefined || Number(candidate.expires_on) > Number(best.expires_on)) ? candidate : best

const expiredMiss = (candidate: AccessTokenEntity, best: AccessTokenEntity | undefined, nowSec: number): AccessTokenLookup => ({
  _tag: 'Miss',
  reason: 'expired',
  lastResort: stillValid(candidate, best, nowSec),
})

const ABSENT: AccessTokenLookup = { _tag: 'Miss', reason: 'absent' }

/**
 * The same lookup across several buckets (the authority's host, then its aliases): the first
 * fresh token wins; an aging one is kept as the fallback; a miss is "expired" if any bucket
 * held an expired token.
 */
export const selectAccessTokenIn = (
  cache: TokenStore,
  buckets: readonly AccessTokenBucket[],
  scopes: readonly string[],
  nowSec: number,
): AccessTokenLookup => {
  const targetKey = targetKeyOfScopes(scopes)
  let aging: AccessTokenLookup | undefined
  let expired: (AccessTokenLookup & { _tag: 'Miss' }) | undefined
  for (let i = 0; i < buckets.length; i++) {
    const found = selectInBucket(cache, buckets[i]!, scopes, targetKey, nowSec)
    if (found._tag === 'Fresh') return found
    if (found._tag === 'Aging') aging ??= found
    else if (found.reason === 'expired' && (expired?.lastResort === undefined)) expired = found
  }
  return aging ?? expired ?? ABSENT
}

export interface RefreshTokenQuery {
  /** The host the account is filed under (the cache entities' environment). */
  readonly environment: string
  /** The account's home_account_id (`uid.utid` for Entra). */
  readonly homeAccountId: string
  /** The app's own refresh tokens... */
  readonly clientId?: string | undefined
  /** ...or a family's (FOCI), e.g. "1". */
  readonly familyId?: string | undefined
}

const lastModified = (rt: RefreshTokenEntity): number => Number(rt.last_modification_time ?? '0')

/** An account's refresh tokens for this app or family, newest first (newer ones are likelier to work). */
export const selectRefreshTokens = (cache: TokenStore, query: RefreshTokenQuery): RefreshTokenEntity[] => {
  const client = query.clientId?.toLowerCase()
  return [...cache.refreshTokens.lookup(BY_OWNER, ownerKey(query.environment, query.homeAccountId)).values()]
    .map((stored) => stored.entity)
    .filter((rt) => (client === undefined || rt.client_id.toLowerCase() === client) && (query.familyId === undefined || rt.family_id === query.familyId))
    .sort((a, b) => lastModified(b) - lastModified(a))
}

/**
 * Whether a refresh token can still be redeemed at `nowSec`: one whose own lifetime is known (a
 * SPA's, from `refresh_token_expires_in`) and ends within the expiry margin is not tried, which
 * saves a request the identity provider would refuse (AADSTS700084).
 */
export const isRedeemable = (rt: RefreshTokenEntity, nowSec: number): boolean =>
  rt.expires_on === undefined || Number(rt.expires_on) - nowSec > EXPIRY_MARGIN_SECONDS

/** The app's metadata in an environment (it tells whether the app is in a family). */
export const selectAppMetadata = (cache: TokenStore, environment: string, clientId: string): AppMetadataEntity | undefined =>
  cache.appMetadata.getCanonical(canonicalKey('AppMetadata', { environment, client_id: clientId }))?.entity

export const selectIdToken = (
  cache: TokenStore,
  query: { readonly homeAccountId: string; readonly environment: string; readonly clientId: string; readonly realm: string },
): IdTokenEntity | undefined =>
  cache.idTokens.getCanonical(
    canonicalKey('IdToken', {
      credential_type: 'IdToken',
      secret: '',
      home_account_id: query.homeAccountId,
      environment: query.environment,
      client_id: query.clientId,
      realm: query.realm,
    }),
  )?.entity

/** An account as MSAL Python's get_accounts reports it: one per home account, tenant-independent fields first. */
export interface Account {
  /** The account's home id: `<object id>.<home tenant id>` from client_info (else the ID token's `sub`). Pass it back to silent calls. */
  readonly homeAccountId: string
  /** The identity provider's host the account signed in at, e.g. login.microsoftonline.com. */
  readonly environment: string
  /** The sign-in name (`preferred_username`, else `upn`), "" when unknown. */
  readonly username: string
  /** The grant that created the account ("authorization_code", "password", the device code grant), MSAL Python's account_source. */
  readonly accountSource?: string | undefined
  /** "MSSTS" (Entra, Microsoft accounts) or "ADFS". */
  readonly authorityType: string
  /** The account's id in the tenant it signed in to (the ID token's `oid`, else `sub`). */
  readonly localAccountId?: string | undefined
  /** The tenant (id) the account signed in to. */
  readonly realm?: string | undefined
  /** The user's display name (the ID token's `name`). */
  readonly name?: string | undefined
}

const INTERESTING_AUTHORITY_TYPES = new Set(['MSSTS', 'ADFS'])
const WITH_CLOUD_SHELL = new Set(['MSSTS', 'ADFS', 'CLOUDSHELL'])

/** An account entry as applications see it. */
export const accountOf = (entity: AccountEntity): Account => ({
  homeAccountId: entity.home_account_id,
  environment: entity.environment,
  username: entity.username ?? '',
  accountSource: entity.account_source ?? undefined,
  authorityType: entity.authority_type ?? 'MSSTS',
  localAccountId: entity.local_account_id ?? undefined,
  realm: entity.realm ?? undefined,
  name: entity.name ?? undefined,
})

/**
 * The accounts signed in under the first of `environments` that has any (the authority's host,
 * then its aliases), one per home account, optionally only those whose username matches
 * case-insensitively.
 */
export const selectAccounts = (
  cache: TokenStore,
  environments: readonly string[],
  filter: { readonly username?: string | undefined } = {},
  /** Also Cloud Shell's accounts (MSAL Python lists them only inside Cloud Shell). */
  withCloudShell = false,
): Account[] => {
  const types = withCloudShell ? WITH_CLOUD_SHELL : INTERESTING_AUTHORITY_TYPES
  for (const environment of environments) {
    const byHome = new Map<string, Account>()
    for (const { entity } of cache.accounts.lookup(ACCOUNTS_BY_ENVIRONMENT, environment.toLowerCase()).values()) {
      if (types.has(entity.authority_type ?? 'MSSTS')) byHome.set(entity.home_account_id, accountOf(entity))
    }
    if (byHome.size === 0) continue
    const wanted = filter.username?.toLowerCase()
    return [...byHome.values()].filter((account) => wanted === undefined || account.username.toLowerCase() === wanted)
  }
  return []
}
