import type { CacheChange } from './change.js'
import type { AccessTokenEntity } from './schema.js'

/** An access token with what the lookup needs precomputed. */
export interface IndexedAccessToken {
  readonly key: string
  readonly entity: AccessTokenEntity
  /** The target's scopes, lower-cased: scopes are case-insensitive. */
  readonly scopes: ReadonlySet<string>
}

/** The fields a lookup pins down; everything but the scopes. */
export interface AccessTokenBucket {
  readonly clientId: string
  readonly environment: string
  readonly realm: string
  /** null or "" for tokens that belong to the app itself. */
  readonly homeAccountId: string | null | undefined
  /** Set for tokens bound to a key (PoP, SSH certificates); unset for bearer tokens. */
  readonly keyId?: string | undefined
  /** `bucketKey` of these fields, when the caller computed it ahead (hot paths do). */
  readonly bucketKey?: string | undefined
}

const SEP = '\u0000'

export const bucketKey = (b: AccessTokenBucket): string =>
  b.bucketKey ?? `${b.clientId}${SEP}${b.environment}${SEP}${b.realm}${SEP}${b.homeAccountId ?? ''}${SEP}${b.keyId ?? ''}`.toLowerCase()

/** A bucket with its key computed once, for lookups repeated on every call. */
export const prepareBucket = <B extends AccessTokenBucket>(b: B): B & { readonly bucketKey: string } => ({
  ...b,
  bucketKey: bucketKey({ ...b, bucketKey: undefined }),
})

const accountKey = (environment: string, homeAccountId: string | null | undefined): string =>
  `${environment}${SEP}${homeAccountId ?? ''}`.toLowerCase()

const bucketOf = (entity: AccessTokenEntity): AccessTokenBucket => ({
  clientId: entity.client_id,
  environment: entity.environment,
  realm: entity.realm,
  homeAccountId: entity.home_account_id,
  keyId: entity.key_id,
})

const scopeSet = (target: string): ReadonlySet<string> =>
  new Set(target.toLowerCase().split(' ').filter((scope) => scope !== ''))

/**
 * The in-memory unified token cache. Entries are kept by their serialized key; indexes by
 * lookup bucket (client, environment, realm, account, key id) and by account make every lookup
 * touch only the few entries that can match, never the whole cache. No I/O: persistence is
 * an interpreter's job.
 */
export class TokenCache {
  private readonly accessTokens = new Map<string, IndexedAccessToken>()
  private readonly buckets = new Map<string, Map<string, IndexedAccessToken>>()
  private readonly byAccount = new Map<string, Set<string>>()
  private version = 0

  /** Increases on every applied change that altered something. */
  get stateVersion(): number {
    return this.version
  }

  get accessTokenCount(): number {
    return this.accessTokens.size
  }

  /** Applies a reducer's decision. */
  apply(change: CacheChange): void {
    for (const { key } of change.deletes) this.deleteAccessToken(key)
    for (const { key, entity } of change.puts) this.putAccessToken(key, entity)
    if (change.deletes.length > 0 || change.puts.length > 0) this.version++
  }

  getAccessToken(key: string): IndexedAccessToken | undefined {
    return this.accessTokens.get(key)
  }

  /** Every access token in a lookup bucket, whatever its scopes. */
  accessTokensIn(bucket: AccessTokenBucket): ReadonlyMap<string, IndexedAccessToken> {
    return this.buckets.get(bucketKey(bucket)) ?? EMPTY
  }

  /** Keys of the access tokens of one account (or, with no account, of apps) in an environment. */
  accessTokenKeysOf(environment: string, homeAccountId: string | null | undefined): ReadonlySet<string> {
    return this.byAccount.get(accountKey(environment, homeAccountId)) ?? EMPTY_SET
  }

  /** All access tokens in insertion order (serialization). */
  allAccessTokens(): IterableIterator<IndexedAccessToken> {
    return this.accessTokens.values()
  }

  private putAccessToken(key: string, entity: AccessTokenEntity): void {
    this.deleteAccessToken(key)
    const indexed: IndexedAccessToken = { key, entity, scopes: scopeSet(entity.target) }
    this.accessTokens.set(key, indexed)
    const bk = bucketKey(bucketOf(entity))
    let bucket = this.buckets.get(bk)
    if (bucket === undefined) this.buckets.set(bk, (bucket = new Map()))
    bucket.set(key, indexed)
    const ak = accountKey(entity.environment, entity.home_account_id)
    let keys = this.byAccount.get(ak)
    if (keys === undefined) this.byAccount.set(ak, (keys = new Set()))
    keys.add(key)
  }

  private deleteAccessToken(key: string): void {
    const existing = this.accessTokens.get(key)
    if (existing === undefined) return
    this.accessTokens.delete(key)
    const bk = bucketKey(bucketOf(existing.entity))
    const bucket = this.buckets.get(bk)
    bucket?.delete(key)
    if (bucket?.size === 0) this.buckets.delete(bk)
    const ak = accountKey(existing.entity.environment, existing.entity.home_account_id)
    const keys = this.byAccount.get(ak)
    keys?.delete(key)
    if (keys?.size === 0) this.byAccount.delete(ak)
  }
}

const EMPTY: ReadonlyMap<string, IndexedAccessToken> = new Map()
const EMPTY_SET: ReadonlySet<string> = new Set()
