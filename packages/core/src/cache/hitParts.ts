import * as E from '../util/either.js'
import { undecoratedScopes } from '../protocol/scopeDecoration.js'
import { targetToScopes } from '../protocol/scopes.js'
import { decodeIdTokenClaims, type IdTokenClaims } from './accountOf.js'
import type { Bucket } from './collection.js'
import type { AccessTokenEntity } from './schema.js'
import { idTokenKey } from './keys.js'
import { accountOf, type Account } from './selectors.js'
import { BY_OWNER, ownerKey, type IndexedAccessToken, type StoredAccount, type StoredIdToken, type TokenStore } from './tokenStore.js'

/**
 * What a cache hit returns besides the token's own fields, found once and kept where it is
 * shared, so a hit allocates nothing but its result and keeps nothing per token:
 * - the scope list, per target and type (frozen; on the tokens' shared TokenShape);
 * - for a user's token, the account, ID token and claims, per access-token bucket (one account,
 *   environment, realm and client: every token in it shares them), checked on each hit against
 *   the bucket's version and the accounts' and ID tokens' change counts.
 */
export interface UserParts {
  /** The stored account the tokens belong to (the one of their realm, else the first), if any. */
  readonly account: Account | undefined
  readonly idToken: string | undefined
  readonly idTokenClaims: IdTokenClaims | undefined
}

/**
 * UserParts as an access-token bucket keeps them (every token in it then had this owner), with
 * what they are current for: the bucket's entries as they were (its version), and the accounts
 * and ID tokens as they were (their collections' change counts). A hit checks three numbers on
 * objects it has read anyway; it reads no entry.
 */
interface KeptUserParts extends UserParts {
  readonly tokensVersion: number
  readonly accountsChanges: number
  readonly idTokensChanges: number
}

const NO_USER: UserParts = { account: undefined, idToken: undefined, idTokenClaims: undefined }

/** The scopes a hit reports for a token: as granted (app tokens) or without MSAL's own (users'). Frozen, kept with its shape (shared). */
export const resultScopes = (token: IndexedAccessToken, kind: 'app' | 'user'): readonly string[] => {
  const shape = token.shape
  return kind === 'app'
    ? (shape.appScopes ??= Object.freeze(targetToScopes(shape.target)))
    : (shape.userScopes ??= Object.freeze(undecoratedScopes(targetToScopes(shape.target))))
}

/**
 * A user's token's account (the one of the token's realm, else the first), ID token (of its
 * home account, environment, client and realm) and claims. When `token` is the stored record,
 * its bucket keeps them for the next hit.
 */
export const userParts = (store: TokenStore, token: IndexedAccessToken): UserParts => {
  const bucket = token.bucket0
  const kept = bucket?.memo as KeptUserParts | undefined
  if (
    kept !== undefined &&
    kept.tokensVersion === bucket!.version &&
    kept.accountsChanges === store.accounts.changes &&
    kept.idTokensChanges === store.idTokens.changes
  ) {
    return kept
  }
  const entity = token.entity
  const home = typeof entity.home_account_id === 'string' && entity.home_account_id !== '' ? entity.home_account_id : undefined
  if (home === undefined) return NO_USER
  const owner = ownerKey(entity.environment, home)
  const accountBucket = store.accounts.bucket(BY_OWNER, owner)
  const account = accountBucket === undefined ? undefined : accountIn(accountBucket, entity.realm)
  const idToken =
    entity.client_id === null || store.idTokens.bucket(BY_OWNER, owner) === undefined
      ? undefined
      : store.idTokens.getCanonical(idTokenKey({ home_account_id: home, environment: entity.environment, client_id: entity.client_id, realm: entity.realm }))
  const parts: KeptUserParts = {
    account: account === undefined ? undefined : accountView(account),
    idToken: idToken?.entity.secret,
    idTokenClaims: idToken === undefined ? undefined : claimsOf(idToken),
    tokensVersion: bucket === undefined ? -1 : bucket.version,
    accountsChanges: store.accounts.changes,
    idTokensChanges: store.idTokens.changes,
  }
  // Kept only where every token of the bucket has this owner (buckets are per owner, but a key
  // compares case-insensitively and an on-behalf-of bucket is per assertion).
  if (bucket !== undefined && allOwnedBy(bucket as Bucket<IndexedAccessToken>, entity)) bucket.memo = parts
  return parts
}

/** Whether every token in the bucket has the home account, environment, realm and client of `entity`. */
const allOwnedBy = (bucket: Bucket<IndexedAccessToken>, entity: AccessTokenEntity): boolean => {
  for (const { entity: other } of bucket.all()) {
    if (other.home_account_id !== entity.home_account_id || other.environment !== entity.environment || other.realm !== entity.realm || other.client_id !== entity.client_id) return false
  }
  return true
}

/** The account entry of the token's realm, else the account's first (an account signed in to several tenants). */
const accountIn = (bucket: Bucket<StoredAccount>, realm: string): StoredAccount | undefined => {
  let first: StoredAccount | undefined
  for (const stored of bucket.all()) {
    if (stored.entity.realm === realm) return stored
    first ??= stored
  }
  return first
}

/** An account entry as applications see it, made once per entry and shared (frozen). */
const accountView = (stored: StoredAccount): Account => (stored.view ??= Object.freeze(accountOf(stored.entity)))

/** An ID token's claims, decoded once per entry and shared (frozen); undefined when they do not decode. */
const claimsOf = (stored: StoredIdToken): IdTokenClaims | undefined => {
  if (stored.claims === undefined) {
    const decoded = decodeIdTokenClaims(stored.entity.secret)
    stored.claims = E.isRight(decoded) ? deepFreeze(decoded.right) : null
  }
  return stored.claims ?? undefined
}

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const field of Object.values(value)) deepFreeze(field)
  }
  return value
}
