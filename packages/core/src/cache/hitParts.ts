import * as E from '../util/either.js'
import { undecoratedScopes } from '../protocol/scopeDecoration.js'
import { targetToScopes } from '../protocol/scopes.js'
import { decodeIdTokenClaims, type IdTokenClaims } from './accountOf.js'
import type { Bucket, Collection } from './collection.js'
import { idTokenKey } from './keys.js'
import type { AccessTokenEntity } from './schema.js'
import { accountOf, type Account } from './selectors.js'
import { BY_OWNER, ownerKey, type IndexedAccessToken, type StoredAccount, type StoredIdToken, type TokenStore } from './tokenStore.js'

/**
 * What a cache hit on one access token returns but the per-call fields (expiresIn, the
 * correlation id): its numbers and scopes parsed once and, for a user's token, the account, ID
 * token and claims found once. Kept on the stored token (IndexedAccessToken.hit), so it lives
 * exactly as long as the entry and costs no side table; shared values are frozen, since every hit
 * hands them out.
 */
export class HitParts {
  constructor(
    /** 'app': the token's scopes as granted; 'user': MSAL's own (openid, profile, offline_access) left out, with the account. */
    readonly kind: 'app' | 'user',
    readonly tokenType: string,
    /** Epoch seconds. */
    readonly expiresOn: number,
    readonly extExpiresOn: number | undefined,
    readonly refreshOn: number | undefined,
    readonly scopes: readonly string[],
    /** The stored account the token belongs to (user tokens), else undefined. */
    readonly account: Account | undefined,
    readonly idToken: string | undefined,
    readonly idTokenClaims: IdTokenClaims | undefined,
    /**
     * Where the account and ID token were read from, and those buckets' versions then (with no
     * bucket: how many buckets existed), so a hit knows in four reads that they still stand.
     */
    readonly accounts: Bucket<unknown> | undefined,
    readonly accountsVersion: number,
    readonly idTokens: Bucket<unknown> | undefined,
    readonly idTokensVersion: number,
  ) {}
}

const optionalNumber = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value))

/** Whether a bucket read earlier is still as it was (see HitParts.accounts). */
const unchanged = (collection: Collection<unknown, never>, bucket: Bucket<unknown> | undefined, version: number): boolean =>
  bucket === undefined ? collection.bucketsCreated(BY_OWNER) === version : bucket.version === version

const stampOf = (bucket: Bucket<unknown> | undefined, collection: Collection<unknown, never>): number =>
  bucket === undefined ? collection.bucketsCreated(BY_OWNER) : bucket.version

/**
 * An app's token (client credentials, managed identity): everything is the entry's own, so it
 * never goes stale. `token`: the stored record, to keep the parts on (omit for an entry that is
 * not the stored one).
 */
export const appHitParts = (entity: AccessTokenEntity, token?: IndexedAccessToken): HitParts => {
  const kept = token?.hit
  if (kept !== undefined && kept.kind === 'app') return kept
  const parts = tokenParts(entity, 'app', undefined, undefined, undefined, undefined, 0, undefined, 0)
  if (token !== undefined) token.hit = parts
  return parts
}

/**
 * A user's token (silent, on-behalf-of): with the account (the one of the token's realm, else
 * the first) and the ID token of its home account, environment, client and realm. `token`: the
 * stored record, to keep the parts on (omit for an entry that is not the stored one).
 */
export const userHitParts = (store: TokenStore, entity: AccessTokenEntity, token?: IndexedAccessToken): HitParts => {
  const kept = token?.hit
  const accounts = store.accounts as unknown as Collection<unknown, never>
  const idTokens = store.idTokens as unknown as Collection<unknown, never>
  if (
    kept !== undefined &&
    kept.kind === 'user' &&
    unchanged(accounts, kept.accounts, kept.accountsVersion) &&
    unchanged(idTokens, kept.idTokens, kept.idTokensVersion)
  ) {
    return kept
  }
  const home = typeof entity.home_account_id === 'string' && entity.home_account_id !== '' ? entity.home_account_id : undefined
  if (home === undefined) {
    const parts = tokenParts(entity, 'user', undefined, undefined, undefined, undefined, 0, undefined, 0)
    if (token !== undefined) token.hit = parts
    return parts
  }
  const owner = ownerKey(entity.environment, home)
  const accountBucket = store.accounts.bucket(BY_OWNER, owner) as Bucket<StoredAccount> | undefined
  const idTokenBucket = store.idTokens.bucket(BY_OWNER, owner) as Bucket<StoredIdToken> | undefined
  const account = accountBucket === undefined ? undefined : accountIn(accountBucket, entity.realm)
  const idToken =
    idTokenBucket === undefined || entity.client_id === null
      ? undefined
      : store.idTokens.getCanonical(idTokenKey({ home_account_id: home, environment: entity.environment, client_id: entity.client_id, realm: entity.realm }))
  const parts = tokenParts(
    entity,
    'user',
    account === undefined ? undefined : accountView(account),
    idToken?.entity.secret,
    idToken === undefined ? undefined : claimsOf(idToken),
    accountBucket,
    stampOf(accountBucket, accounts),
    idTokenBucket,
    stampOf(idTokenBucket, idTokens),
  )
  if (token !== undefined) token.hit = parts
  return parts
}

const tokenParts = (
  entity: AccessTokenEntity,
  kind: 'app' | 'user',
  account: Account | undefined,
  idToken: string | undefined,
  claims: IdTokenClaims | undefined,
  accounts: Bucket<unknown> | undefined,
  accountsVersion: number,
  idTokens: Bucket<unknown> | undefined,
  idTokensVersion: number,
): HitParts => {
  const scopes = targetToScopes(entity.target)
  return new HitParts(
    kind,
    entity.token_type ?? 'Bearer',
    Number(entity.expires_on),
    optionalNumber(entity.extended_expires_on),
    optionalNumber(entity.refresh_on),
    Object.freeze(kind === 'user' ? undecoratedScopes(scopes) : scopes),
    account,
    idToken,
    claims,
    accounts,
    accountsVersion,
    idTokens,
    idTokensVersion,
  )
}

/** The account entry of the token's realm, else the account's first (an account signed in to several tenants). */
const accountIn = (bucket: Bucket<StoredAccount>, realm: string): StoredAccount | undefined => {
  let first: StoredAccount | undefined
  for (const stored of bucket.entries.values()) {
    if (stored.entity.realm === realm) return stored
    first ??= stored
  }
  return first
}

/** An account entry as applications see it, made once per entry and shared (frozen). */
export const accountView = (stored: StoredAccount): Account => (stored.view ??= Object.freeze(accountOf(stored.entity)))

/** An ID token's claims, decoded once per entry and shared (frozen); undefined when it does not decode. */
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
