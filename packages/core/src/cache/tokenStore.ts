import type { CacheChange, CachePut } from './change.js'
import { Collection, StoredEntry, type Bucket } from './collection.js'
import type { IdTokenClaims } from './accountOf.js'
import type { KeptKeys } from './keptKeys.js'
import { canonicalKey } from './keys.js'
import { reduceCacheOperation, type CacheOperation } from './operations.js'
import { userAssertionHashOf } from './schema.js'
import type { Account } from './selectors.js'
import type {
  AccessTokenEntity,
  AccountEntity,
  AppMetadataEntity,
  CredentialType,
  EntityOf,
  IdTokenEntity,
  RefreshTokenEntity,
} from './schema.js'
import { targetKeyOfTarget } from './targetKey.js'

/**
 * Epoch seconds as a token record keeps them: counted from this base (2020-09-13T12:26:40Z),
 * they are small integers until 2054, which V8 stores in the record itself rather than as a boxed
 * number per token (a later time is just as exact, only boxed).
 */
const SECONDS_BASE = 1_600_000_000

const fromBase = (epochSeconds: string | undefined): number | undefined => (epochSeconds === undefined ? undefined : Number(epochSeconds) - SECONDS_BASE)

/**
 * What the tokens of one target and type share: one object per distinct pair (a cache's tokens
 * have a few hundred targets), not per token, so a hit reads it warm and reads no entry.
 */
export class TokenShape {
  /** The scopes results report, as granted (app tokens) and without MSAL's own (users'), made on first need; frozen. */
  appScopes: readonly string[] | undefined = undefined
  userScopes: readonly string[] | undefined = undefined

  constructor(
    /** The entries' `target`. */
    readonly target: string,
    /** Their `token_type`, "Bearer" when absent. */
    readonly tokenType: string,
    /** The target's key (see targetKey.ts): the tokens' key in their bucket. */
    readonly targetKey: string,
  ) {}
}

/** The shape of one entry's tokens, made for it alone (see CacheSections.shapeOf for shared ones). */
const ownShape = (entity: AccessTokenEntity): TokenShape => new TokenShape(entity.target, entity.token_type ?? 'Bearer', targetKeyOfTarget(entity.target))

/**
 * An access token as the store keeps it: one record (a large cache is mostly these) holding the
 * entry and what every lookup and cache hit reads of it, parsed once when it is filed, so a hit
 * reads neither the entry nor its strings. Replaced, never changed, when the entry is rewritten.
 */
export class IndexedAccessToken extends StoredEntry<AccessTokenEntity> {
  /** The access token (the entry's `secret`). */
  readonly secret: string
  /** Its target and type, shared with the tokens that have the same (see TokenShape). */
  readonly shape: TokenShape
  private readonly expires: number
  private readonly extExpires: number | undefined
  private readonly refresh: number | undefined

  constructor(key: string, entity: AccessTokenEntity, shape: TokenShape = ownShape(entity)) {
    super(key, entity)
    this.secret = entity.secret
    this.shape = shape
    this.expires = Number(entity.expires_on) - SECONDS_BASE
    this.extExpires = fromBase(entity.extended_expires_on)
    this.refresh = fromBase(entity.refresh_on)
  }

  /** `token_type`, "Bearer" when absent. */
  get tokenType(): string {
    return this.shape.tokenType
  }

  /** `expires_on`, in epoch seconds (NaN when it is not a number). */
  get expiresOn(): number {
    return this.expires + SECONDS_BASE
  }

  /** `extended_expires_on`, in epoch seconds, if the entry has one. */
  get extExpiresOn(): number | undefined {
    return this.extExpires === undefined ? undefined : this.extExpires + SECONDS_BASE
  }

  /** `refresh_on`, in epoch seconds, if the entry has one. */
  get refreshOn(): number | undefined {
    return this.refresh === undefined ? undefined : this.refresh + SECONDS_BASE
  }
}

/** A token's record made for reading (a fallback result), not for filing: it has no key. */
export const unfiledRecord = (entity: AccessTokenEntity): IndexedAccessToken => new IndexedAccessToken('', entity)

/** An account as the store keeps it. */
export class StoredAccount extends StoredEntry<AccountEntity> {
  /** The entry as applications see it (frozen: every cache hit of the account hands it out). */
  view: Account | undefined = undefined
}

/** An ID token as the store keeps it. */
export class StoredIdToken extends StoredEntry<IdTokenEntity> {
  /** Its claims, decoded on first need (frozen); null when they do not decode. */
  claims: IdTokenClaims | null | undefined = undefined
}

/**
 * Whether a target includes every requested scope. `targetKey`: the target's key (lower-cased,
 * single spaces, see targetKey.ts).
 */
export const coversScopes = (targetKey: string, scopes: readonly string[]): boolean =>
  scopes.every((scope) => {
    const lower = scope.toLowerCase()
    return hasScope(targetKey, lower) || coversGraphScope(targetKey, lower)
  })

/** Whether a target key holds this (lower-case) scope as a whole word. */
const hasScope = (targetKey: string, scope: string): boolean => {
  for (let at = targetKey.indexOf(scope); at >= 0; at = targetKey.indexOf(scope, at + 1)) {
    const end = at + scope.length
    if ((at === 0 || targetKey.charCodeAt(at - 1) === SPACE) && (end === targetKey.length || targetKey.charCodeAt(end) === SPACE)) return true
  }
  return false
}

const SPACE = 32

/** Microsoft Graph's resource, by URI and by application id. */
const GRAPH_PREFIXES = ['https://graph.microsoft.com/', '00000003-0000-0000-c000-000000000000/']

/**
 * Entra reports Graph's permissions by name ("User.Read") whichever way they were asked
 * ("https://graph.microsoft.com/User.Read"), so a token cached under the response's scopes is
 * found under either spelling (a lookup MSAL misses, refreshing on every call: msal-js #488).
 * Only Graph's: another resource's bare "read" may be a different API's.
 */
const coversGraphScope = (targetKey: string, lower: string): boolean => {
  const prefix = GRAPH_PREFIXES.find((candidate) => lower.startsWith(candidate))
  if (prefix !== undefined) return lower.length > prefix.length && hasScope(targetKey, lower.slice(prefix.length))
  return !lower.includes('/') && GRAPH_PREFIXES.some((graph) => hasScope(targetKey, `${graph}${lower}`))
}

/** The fields an access-token lookup pins down: everything but the scopes. */
export interface AccessTokenBucket {
  /** null: a system-assigned managed identity's tokens, which MSAL Python files with no client id. */
  readonly clientId: string | null
  readonly environment: string
  readonly realm: string
  /** null or "" for tokens that belong to the app itself. */
  readonly homeAccountId: string | null | undefined
  /** Set for tokens bound to a key (PoP, SSH certificates); unset for bearer tokens. */
  readonly keyId?: string | undefined
  /** Set for FMI tokens: which fmi_path they were obtained for (hashed). */
  readonly extCacheKey?: string | undefined
  /** Set for on-behalf-of tokens: the hash of the assertion they were obtained with. */
  readonly userAssertionHash?: string | undefined
  /** `bucketKey` of these fields, when the caller computed it ahead (hot paths do). */
  readonly bucketKey?: string | undefined
}

const SEP = '\u0000'

/**
 * On-behalf-of tokens are found by the incoming assertion alone (as MSAL for Node finds them):
 * the caller knows no account, and the assertion already names one user in one tenant.
 */
export const bucketKey = (b: AccessTokenBucket): string => b.bucketKey ?? computedBucketKey(b)

const computedBucketKey = (b: AccessTokenBucket): string =>
  b.userAssertionHash !== undefined && b.userAssertionHash !== ''
    ? oboBucketKey(oboBucketPrefix(b.clientId, b.environment, b.keyId, b.extCacheKey), b.userAssertionHash)
    : `${b.clientId ?? ''}${SEP}${b.environment}${SEP}${b.realm}${SEP}${b.homeAccountId ?? ''}${SEP}${b.keyId ?? ''}${SEP}${b.extCacheKey ?? ''}${SEP}`.toLowerCase()

/** The part of an on-behalf-of bucket's key that does not depend on the assertion (lower-cased once, ahead). */
export const oboBucketPrefix = (clientId: string | null, environment: string, keyId?: string, extCacheKey?: string): string =>
  `${clientId ?? ''}${SEP}${environment}${SEP}${SEP}${SEP}${keyId ?? ''}${SEP}${extCacheKey ?? ''}${SEP}`.toLowerCase()

/** The hash is base64url: its case is kept (two hashes may differ only by case). */
export const oboBucketKey = (prefix: string, userAssertionHash: string): string => `${prefix}${userAssertionHash}`

/**
 * A lookup bucket prepared for lookups repeated on every call (an app's own tokens, an account's,
 * an assertion's): its key is computed once, and the store's bucket it names is kept and used
 * while it stays in its index, so a hit hashes no key string.
 */
export class PreparedBucket implements AccessTokenBucket {
  readonly clientId: string | null
  readonly environment: string
  readonly realm: string
  readonly homeAccountId: string | null | undefined
  readonly keyId: string | undefined
  readonly extCacheKey: string | undefined
  readonly userAssertionHash: string | undefined
  readonly bucketKey: string
  /** The collection `found` was found in (a load or a merge replaces the collections), and the bucket. */
  private foundIn: object | undefined = undefined
  private found: Bucket<IndexedAccessToken> | undefined = undefined
  /** With no bucket found: how many buckets the index had made then (none made since: still none). */
  private createdThen = -1

  constructor(b: AccessTokenBucket, key: string = computedBucketKey(b)) {
    this.clientId = b.clientId
    this.environment = b.environment
    this.realm = b.realm
    this.homeAccountId = b.homeAccountId
    this.keyId = b.keyId
    this.extCacheKey = b.extCacheKey
    this.userAssertionHash = b.userAssertionHash
    this.bucketKey = key
  }

  /** The bucket of `collection` this names, if it has one. */
  bucketIn(collection: Collection<AccessTokenEntity, IndexedAccessToken>): Bucket<IndexedAccessToken> | undefined {
    const found = this.found
    if (this.foundIn === collection) {
      if (found !== undefined ? !found.detached : collection.bucketsCreated(AT_BY_BUCKET) === this.createdThen) return found
    }
    const bucket = collection.bucket(AT_BY_BUCKET, this.bucketKey)
    this.found = bucket
    this.foundIn = collection
    this.createdThen = collection.bucketsCreated(AT_BY_BUCKET)
    return bucket
  }
}

/** A bucket with its key computed once (and its store bucket kept), for lookups repeated on every call. */
export const prepareBucket = (b: AccessTokenBucket): PreparedBucket => new PreparedBucket(b)

/** Index key of everything one account (or, with no account, the apps) has in an environment. */
export const ownerKey = (environment: string, homeAccountId: string | null | undefined): string =>
  `${environment}${SEP}${homeAccountId ?? ''}`.toLowerCase()

const plain = <E>(key: string, entity: E): StoredEntry<E> => new StoredEntry(key, entity)

const expiresNoEarlier = (existing: AccessTokenEntity, incoming: AccessTokenEntity): boolean =>
  Number(existing.expires_on) >= Number(incoming.expires_on)

type Owned = { environment: string; home_account_id?: string | null | undefined }

/**
 * ownerKey with a one-entry memo: consecutive entries (and a response's lookups) usually belong
 * to one account, and the kept key is neither built nor hashed again.
 */
export const lastOwnerKey = (): ((environment: string, home: string | null | undefined) => string) => {
  let last: { environment: string; home: string | null | undefined; key: string } | undefined
  return (environment, home) => {
    if (last !== undefined && last.environment === environment && last.home === home) return last.key
    const key = ownerKey(environment, home)
    last = { environment, home, key }
    return key
  }
}

/** The owner index (see lastOwnerKey). */
const byOwner = (lazy = false): { keyOf: (e: Owned) => string; lazy: boolean } => {
  const keyOf = lastOwnerKey()
  return { lazy, keyOf: (e) => keyOf(e.environment, e.home_account_id) }
}

/** A bucket key and what it was computed from (see CacheSections.bucketKeyOf). */
interface KeptBucketKey extends AccessTokenBucket {
  key: string
}

/** How many distinct values a shared-value memo keeps before it starts over. */
export const SHARED_LIMIT = 4096

/** Index numbers, for `Collection.lookup`. */
export const AT_BY_BUCKET = 0
export const BY_OWNER_AT = 1
export const BY_OWNER = 0
export const ACCOUNTS_BY_ENVIRONMENT = 1

/**
 * How a store shares the strings its entries repeat (see sharedStrings.ts): a large cache's
 * memory is mostly such strings; a browser tab's few tokens need none of it (nor its code).
 */
export interface StringSharing {
  /** Replaces an entry's repeated field values by shared copies. */
  share(entity: object): void
  /** The shared copy of a value. */
  of(value: string): string
}

/** No sharing: every string stays as it came. */
const UNSHARED: StringSharing = { share: () => undefined, of: (value) => value }

/** The five sections with their indexes: the whole state, swapped as one. */
export class CacheSections {
  /** `strings`: how repeated strings are shared (default: not at all; MSAL Python's TokenCache shares them). */
  constructor(private readonly strings: StringSharing = UNSHARED) {}

  readonly accessTokens = new Collection<AccessTokenEntity, IndexedAccessToken>(
    [
      // Within a bucket, tokens are kept by target: a hit is two map look-ups, no key built.
      { keyOf: (at) => this.bucketKeyOf(at) },
      // Read only by rare operations (remove an account, remove client tokens, search).
      byOwner(true),
    ],
    (key, entity) => new IndexedAccessToken(key, entity, this.shapeOf(entity)),
    (token) => token.shape.targetKey,
  )
  readonly refreshTokens = new Collection<RefreshTokenEntity>([byOwner()], plain)
  readonly idTokens = new Collection<IdTokenEntity, StoredIdToken>([byOwner()], (key, entity) => new StoredIdToken(key, entity))
  readonly accounts = new Collection<AccountEntity, StoredAccount>(
    [byOwner(), { keyOf: (a) => a.environment.toLowerCase() }],
    (key, entity) => new StoredAccount(key, entity),
  )
  readonly appMetadata = new Collection<AppMetadataEntity>([], plain)

  /** Targets' keys (targetKey.ts), shared: one string per distinct target, however many tokens have it. Bounded. */
  private readonly targetKeys = new Map<string, string>()
  /** Tokens' shapes by target (the usual type; another type gets its own), shared. Bounded. */
  private readonly shapes = new Map<string, TokenShape>()

  /** The shape of an entry's tokens, shared with every entry of that target and type. */
  private shapeOf(entity: AccessTokenEntity): TokenShape {
    const tokenType = entity.token_type ?? 'Bearer'
    let shape = this.shapes.get(entity.target)
    if (shape === undefined || shape.tokenType !== tokenType) {
      const made = new TokenShape(entity.target, tokenType, this.targetKeyOf(entity.target))
      if (shape !== undefined) return made
      if (this.shapes.size >= SHARED_LIMIT) this.shapes.clear()
      this.shapes.set(entity.target, (shape = made))
    }
    return shape
  }

  /** A target's key (see targetKey.ts), computed once per distinct target. */
  targetKeyOf(target: string): string {
    let key = this.targetKeys.get(target)
    if (key === undefined) {
      if (this.targetKeys.size >= SHARED_LIMIT) this.targetKeys.clear()
      this.targetKeys.set(target, (key = this.strings.of(targetKeyOfTarget(target))))
    }
    return key
  }

  /**
   * Bucket keys computed, by owner (the home account id; for an app's tokens, the tenant), with
   * the fields they were computed from: an owner's tokens share one key, whatever order they
   * come in (a cache is written in the order tokens were filed, users interleaved). Bounded.
   */
  private readonly bucketKeys = new Map<string, KeptBucketKey>()

  private bucketKeyOf(at: AccessTokenEntity): string {
    const owner = at.home_account_id === null || at.home_account_id === undefined || at.home_account_id === '' ? at.realm : at.home_account_id
    const hash = userAssertionHashOf(at)
    const kept = this.bucketKeys.get(owner)
    if (
      kept !== undefined &&
      kept.clientId === at.client_id &&
      kept.environment === at.environment &&
      kept.realm === at.realm &&
      kept.homeAccountId === at.home_account_id &&
      kept.keyId === at.key_id &&
      kept.extCacheKey === at.ext_cache_key &&
      kept.userAssertionHash === hash
    ) {
      return kept.key
    }
    const made: KeptBucketKey = { clientId: at.client_id, environment: at.environment, realm: at.realm, homeAccountId: at.home_account_id, keyId: at.key_id, extCacheKey: at.ext_cache_key, userAssertionHash: hash, key: '' }
    made.key = bucketKey(made)
    if (this.bucketKeys.size >= SHARED_LIMIT) this.bucketKeys.clear()
    this.bucketKeys.set(owner, made)
    return made.key
  }

  of<K extends CredentialType>(type: K): Collection<EntityOf[K]> {
    switch (type) {
      case 'AccessToken':
        return this.accessTokens as unknown as Collection<EntityOf[K]>
      case 'RefreshToken':
        return this.refreshTokens as unknown as Collection<EntityOf[K]>
      case 'IdToken':
        return this.idTokens as unknown as Collection<EntityOf[K]>
      case 'Account':
        return this.accounts as unknown as Collection<EntityOf[K]>
      default:
        return this.appMetadata as unknown as Collection<EntityOf[K]>
    }
  }

  /** Applies a change; true when something was altered. */
  apply(change: CacheChange): boolean {
    let changed = false
    for (const { type, key } of change.deletes) changed = this.of(type).delete(key) || changed
    for (const put of change.puts) {
      // Shared once stored (the stored entry is this object): an entry equal to the one stored is dropped, its strings unshared.
      if (!this.of(put.type).put(put.key, put.entity, put.canonical ?? canonicalKey(put.type, put.entity))) continue
      this.strings.share(put.entity)
      changed = true
    }
    return changed
  }

  /**
   * Fills empty sections from a loaded cache. When two entries are one token (an app token
   * written in both conventions, one copy since refreshed by its library), the one that expires
   * later stays; on a tie the first, so a round trip writes the same bytes.
   */
  load(entries: readonly CachePut[]): void {
    for (const put of entries) this.loadEntry(put.type, put.key, put.entity, false, put.canonical)
  }

  /**
   * One entry of a loaded cache (see `load`). `unique`: the caller knows no other entry of the
   * type has this key (a section read from JSON text), which spares a look-up per entry.
   * `canonical`: which token it is (see keys.ts canonicalKeyOfStored for a large load).
   */
  loadEntry(type: CredentialType, key: string, entity: EntityOf[CredentialType], unique: boolean, canonical: string = canonicalKey(type, entity as never)): void {
    this.strings.share(entity)
    const known = unique ? 'new' : undefined
    if (type === 'AccessToken') this.accessTokens.put(key, entity as AccessTokenEntity, canonical, expiresNoEarlier, known)
    else this.of(type).put(key, entity, canonical, undefined, known)
  }
}

/**
 * The in-memory unified token cache's store: access tokens, refresh tokens, ID tokens, accounts
 * and app metadata, each indexed so that every lookup touches only entries that can match.
 * Reducers decide changes; `update` applies them. No I/O: persistence plugs in around it.
 */
export class TokenStore {
  private version = 0
  protected sections: CacheSections
  /** The keys filing a response last built (keptKeys.ts), for a store that files many (TokenCache has it): a memo only. */
  filingKeys: KeptKeys | undefined = undefined

  constructor(sections?: CacheSections) {
    this.sections = sections ?? this.newSections()
  }

  /** Empty sections for this store (a load fills new ones): a store sharing strings overrides it. */
  protected newSections(): CacheSections {
    return new CacheSections()
  }

  get accessTokens(): Collection<AccessTokenEntity, IndexedAccessToken> {
    return this.sections.accessTokens
  }
  get refreshTokens(): Collection<RefreshTokenEntity> {
    return this.sections.refreshTokens
  }
  get idTokens(): Collection<IdTokenEntity, StoredIdToken> {
    return this.sections.idTokens
  }
  get accounts(): Collection<AccountEntity, StoredAccount> {
    return this.sections.accounts
  }
  get appMetadata(): Collection<AppMetadataEntity> {
    return this.sections.appMetadata
  }

  /** Increases on every change that altered something. */
  get stateVersion(): number {
    return this.version
  }

  get accessTokenCount(): number {
    return this.sections.accessTokens.size
  }

  collection<K extends CredentialType>(type: K): Collection<EntityOf[K]> {
    return this.sections.of(type)
  }

  /**
   * Decides an operation against the current state and applies it: the one way the cache
   * changes. True when something was altered.
   */
  perform(operation: CacheOperation): boolean {
    const change = reduceCacheOperation(this, operation)
    const changed = this.sections.apply(change)
    if (changed) {
      this.version++
      this.changed(change)
    }
    return changed
  }

  /** Called after an operation altered the cache, with what it decided (a store writing entries through overrides it). */
  protected changed(_change: CacheChange): void {}

  /** Replaces the whole state with these entries (a store reloading what it keeps elsewhere). */
  protected replaceEntries(entries: readonly CachePut[]): void {
    const sections = this.newSections()
    sections.load(entries)
    this.replaceSections(sections)
  }

  /** Applies a change made elsewhere (another tab) without the `changed` hook: it is already stored. */
  protected applyStored(change: CacheChange): void {
    if (this.sections.apply(change)) this.version++
  }

  /** Applies a change decided elsewhere (replayed as it is on a merge). */
  apply(change: CacheChange): void {
    this.perform({ _tag: 'ApplyChange', change })
  }

  /** Replaces the whole state at once (a load or a merge), so no reader sees half of it. */
  protected replaceSections(sections: CacheSections): void {
    this.sections = sections
    this.version++
  }

  /** A target's key (see targetKey.ts), shared by every token with that target. */
  targetKeyOf(target: string): string {
    return this.sections.targetKeyOf(target)
  }

  /** Every access token in a lookup bucket, whatever its scopes. */
  accessTokensIn(bucket: AccessTokenBucket): ReadonlyMap<string, IndexedAccessToken> {
    return this.sections.accessTokens.lookup(AT_BY_BUCKET, bucketKey(bucket))
  }

  /** A lookup bucket's access tokens, as the index keeps them (see Collection.find). */
  accessTokenBucket(bucket: AccessTokenBucket): Bucket<IndexedAccessToken> | undefined {
    const collection = this.sections.accessTokens
    return bucket instanceof PreparedBucket ? bucket.bucketIn(collection) : collection.bucket(AT_BY_BUCKET, bucketKey(bucket))
  }

  getAccessToken(key: string): IndexedAccessToken | undefined {
    return this.sections.accessTokens.get(key)
  }

  /** Keys of the access tokens of one account (or, with no account, of apps) in an environment. */
  accessTokenKeysOf(environment: string, homeAccountId: string | null | undefined): Iterable<string> {
    return this.sections.accessTokens.lookup(BY_OWNER_AT, ownerKey(environment, homeAccountId)).keys()
  }

  /** All access tokens in insertion order. */
  allAccessTokens(): IterableIterator<IndexedAccessToken> {
    return this.sections.accessTokens.values()
  }
}
