import * as E from '../util/either.js'
import { undecoratedScopes } from '../protocol/scopeDecoration.js'
import { targetToScopes } from '../protocol/scopes.js'
import { decodeIdTokenClaims, type IdTokenClaims } from './accountOf.js'
import type { Bucket, Collection } from './collection.js'
import { idTokenKey } from './keys.js'
import type { AccessTokenEntity } from './schema.js'
import { accountOf, type Account } from './selectors.js'
import { BY_OWNER, ownerKey, SHARED_LIMIT, type IndexedAccessToken, type StoredAccount, type StoredIdToken, type TokenStore } from './tokenStore.js'

/**
 * What a cache hit returns besides the token's own fields, found once and kept where it is
 * shared, so a hit allocates nothing but its result and keeps nothing per token:
 * - the scope list, per target (frozen; a bounded map on the store);
 * - for a user's token, the account, ID token and claims, per access-token bucket (one account,
 *   environment, realm and client: every token in it shares them), checked on each hit against
 *   the versions of the account's and ID token's buckets they were read from.
 */
export interface UserParts {
  /** The stored account the tokens belong to (the one of their realm, else the first), if any. */
  readonly account: Account | undefined
  readonly idToken: string | undefined
  readonly idTokenClaims: IdTokenClaims | undefined
}

/** UserParts as a bucket keeps them, with what they were read for and from. */
interface KeptUserParts extends UserParts {
  readonly home: string
  readonly environment: string
  readonly realm: string
  readonly clientId: string | null
  /** The account's bucket of accounts (undefined: it had none) and its version then (with none: how many buckets existed). */
  readonly accounts: Bucket<unknown> | undefined
  readonly accountsVersion: number
  readonly idTokens: Bucket<unknown> | undefined
  readonly idTokensVersion: number
}

const NO_USER: UserParts = { account: undefined, idToken: undefined, idTokenClaims: undefined }

/** The scopes a hit reports for a token of this target: as granted (app tokens) or without MSAL's own (users'). Frozen, shared. */
export const resultScopes = (store: TokenStore, kind: 'app' | 'user', target: string): readonly string[] => {
  const shared = store.resultScopes[kind]
  let scopes = shared.get(target)
  if (scopes === undefined) {
    const granted = targetToScopes(target)
    scopes = Object.freeze(kind === 'user' ? undecoratedScopes(granted) : granted)
    if (shared.size >= SHARED_LIMIT) shared.clear()
    shared.set(target, scopes)
  }
  return scopes
}

const asCollection = (collection: unknown): Collection<unknown, never> => collection as Collection<unknown, never>

/** Whether a bucket read earlier is still as it was (see KeptUserParts.accounts). */
const unchanged = (collection: Collection<unknown, never>, bucket: Bucket<unknown> | undefined, version: number): boolean =>
  bucket === undefined ? collection.bucketsCreated(BY_OWNER) === version : bucket.version === version

const stampOf = (collection: Collection<unknown, never>, bucket: Bucket<unknown> | undefined): number =>
  bucket === undefined ? collection.bucketsCreated(BY_OWNER) : bucket.version

/**
 * A user's token's account (the one of the token's realm, else the first), ID token (of its
 * home account, environment, client and realm) and claims. `token`: the stored record, whose
 * bucket keeps them for the next hit (omit for an entry that is not the stored one).
 */
export const userParts = (store: TokenStore, entity: AccessTokenEntity, token?: IndexedAccessToken): UserParts => {
  const home = typeof entity.home_account_id === 'string' && entity.home_account_id !== '' ? entity.home_account_id : undefined
  if (home === undefined) return NO_USER
  const accounts = asCollection(store.accounts)
  const idTokens = asCollection(store.idTokens)
  const bucket = token?.bucket0
  const kept = bucket?.memo as KeptUserParts | undefined
  if (
    kept !== undefined &&
    kept.home === home &&
    kept.environment === entity.environment &&
    kept.realm === entity.realm &&
    kept.clientId === entity.client_id &&
    unchanged(accounts, kept.accounts, kept.accountsVersion) &&
    unchanged(idTokens, kept.idTokens, kept.idTokensVersion)
  ) {
    return kept
  }
  const owner = ownerKey(entity.environment, home)
  const accountBucket = store.accounts.bucket(BY_OWNER, owner)
  const idTokenBucket = store.idTokens.bucket(BY_OWNER, owner)
  const account = accountBucket === undefined ? undefined : accountIn(accountBucket, entity.realm)
  const idToken =
    idTokenBucket === undefined || entity.client_id === null
      ? undefined
      : store.idTokens.getCanonical(idTokenKey({ home_account_id: home, environment: entity.environment, client_id: entity.client_id, realm: entity.realm }))
  const parts: KeptUserParts = {
    account: account === undefined ? undefined : accountView(account),
    idToken: idToken?.entity.secret,
    idTokenClaims: idToken === undefined ? undefined : claimsOf(idToken),
    home,
    environment: entity.environment,
    realm: entity.realm,
    clientId: entity.client_id,
    accounts: accountBucket as Bucket<unknown> | undefined,
    accountsVersion: stampOf(accounts, accountBucket as Bucket<unknown> | undefined),
    idTokens: idTokenBucket as Bucket<unknown> | undefined,
    idTokensVersion: stampOf(idTokens, idTokenBucket as Bucket<unknown> | undefined),
  }
  if (bucket !== undefined) bucket.memo = parts
  return parts
}

/** The account entry of the token's realm, else the account's first (an account signed in to several tenants). */
const accountIn = (bucket: Bucket<StoredAccount>, realm: string): StoredAccount | undefined => {
  let first: StoredAccount | undefined
  for (const stored of bucket.values()) {
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
