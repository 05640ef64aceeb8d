import { scopesToTarget } from '../protocol/scopes.js'
import { accessTokenKey } from './keys.js'
import type { AccessTokenEntity } from './schema.js'
import type { AccessTokenBucket, IndexedAccessToken, TokenCache } from './tokenCache.js'

/** A token with under this long to live counts as expired (MSAL's margin). */
export const EXPIRY_MARGIN_SECONDS = 300

export interface AccessTokenQuery extends AccessTokenBucket {
  readonly scopes: readonly string[]
}

export type AccessTokenLookup =
  | { readonly _tag: 'Fresh'; readonly entity: AccessTokenEntity }
  /** Past its `refresh_on`: refresh it, but keep it as the fallback. */
  | { readonly _tag: 'Aging'; readonly entity: AccessTokenEntity }
  | { readonly _tag: 'Miss'; readonly reason: 'absent' | 'expired' }

const covers = (candidate: IndexedAccessToken, scopes: readonly string[]): boolean =>
  scopes.every((scope) => candidate.scopes.has(scope.toLowerCase()))

/** Fresh, Aging, or undefined when it has under the expiry margin left. */
const judge = (candidate: IndexedAccessToken, nowSec: number): AccessTokenLookup | undefined => {
  if (Number(candidate.entity.expires_on) - nowSec < EXPIRY_MARGIN_SECONDS) return undefined
  const refreshOn = candidate.entity.refresh_on
  return refreshOn !== undefined && Number(refreshOn) < nowSec
    ? { _tag: 'Aging', entity: candidate.entity }
    : { _tag: 'Fresh', entity: candidate.entity }
}

/**
 * Finds a usable access token: the exact key first, then any token in the same bucket whose
 * target covers the requested scopes. Never looks beyond the bucket.
 */
export const selectAccessToken = (cache: TokenCache, query: AccessTokenQuery, nowSec: number): AccessTokenLookup => {
  const bucket = cache.accessTokensIn(query)
  if (bucket.size === 0) return { _tag: 'Miss', reason: 'absent' }
  // With several tokens in the bucket, the one filed under exactly these scopes goes first.
  const exact =
    bucket.size === 1
      ? undefined
      : bucket.get(
          accessTokenKey({
            home_account_id: query.homeAccountId,
            environment: query.environment,
            client_id: query.clientId,
            realm: query.realm,
            target: scopesToTarget(query.scopes),
            key_id: query.keyId,
          }),
        )
  let sawExpired = false
  if (exact !== undefined) {
    const verdict = judge(exact, nowSec)
    if (verdict !== undefined) return verdict
    sawExpired = true
  }
  for (const candidate of bucket.values()) {
    if (candidate === exact || !covers(candidate, query.scopes)) continue
    const verdict = judge(candidate, nowSec)
    if (verdict !== undefined) return verdict
    sawExpired = true
  }
  return { _tag: 'Miss', reason: sawExpired ? 'expired' : 'absent' }
}
