// Filing a token response in the unified cache: the entries it makes, and the ones it supersedes.
import { MAX_EPOCH_SECONDS, type TokenSuccessResponse } from '../protocol/tokenResponse.js'
import { scopesToTarget, targetToScopes } from '../protocol/scopes.js'
import { homeAccountIdOf, usernameOf, type ClientInfo, type IdTokenClaims } from './accountOf.js'
import type { CacheChange, CacheDelete, CachePut } from './change.js'
import { canonicalKey, canonicalOfWritten, keyFor } from './keys.js'
import type { KeptKeys } from './keptKeys.js'
import type { AccessTokenEntity, AccountEntity, AppMetadataEntity, CredentialType, EntityOf, IdTokenEntity, RefreshTokenEntity } from './schema.js'
import { BY_OWNER, ownerKey, type TokenStore } from './tokenStore.js'
import { expiresInOf } from '../responseResult.js'
import type { CacheOperation } from './operations.js'
import type { Writable } from '../util/writable.js'

/** Grants whose response establishes an account (MSAL Python's account_source values). */
export const ACCOUNT_SOURCES: ReadonlySet<string> = new Set([
  'authorization_code',
  'password',
  'urn:ietf:params:oauth:grant-type:device_code',
  'broker',
])

/** A token response and where it came from: what the cache needs to file it. */
export interface TokenResponseEvent {
  /** null: a system-assigned managed identity's token, filed with no client id (as MSAL Python files it). */
  readonly clientId: string | null
  /** The host the tokens are filed under. */
  readonly environment: string
  /** The tenant the access and ID tokens are for. */
  readonly realm: string
  /** The scopes asked for; the response's own `scope`, when present, wins. */
  readonly scopes: readonly string[]
  /** The token endpoint's successful response (RFC 6749 §5.1), decoded. */
  readonly response: TokenSuccessResponse
  /** The response's decoded client_info and ID token claims, when it had them. */
  readonly clientInfo?: ClientInfo | undefined
  /** The ID token's claims (OpenID Connect Core 1.0 §2), when the response has an ID token. */
  readonly idTokenClaims?: IdTokenClaims | undefined
  /** The grant used, e.g. "authorization_code"; some grants record themselves as the account's source. */
  readonly grantType?: string | undefined
  /** Refreshes must not recreate an account a concurrent removeAccount just removed. */
  readonly skipAccountCreation?: boolean | undefined
  /** The sign-in name, for the username/password grant (and when the ID token names none). */
  readonly username?: string | undefined
  /** ADFS or MSSTS; default ADFS when the realm is "adfs". */
  readonly authorityType?: string | undefined
  /** The key a key-bound (PoP, SSH certificate) token is bound to: the access token's key_id, part of its cache key. */
  readonly keyId?: string | undefined
  /** FMI tokens' isolation key (MSAL Python's ext_cache_key). */
  readonly extCacheKey?: string | undefined
  /** On-behalf-of tokens: the hash of the incoming assertion (MSAL for Node's user_assertion_hash). */
  readonly userAssertionHash?: string | undefined
  /** The home account id when the caller already knows it (null: the app's own token); else derived. */
  readonly homeAccountId?: string | null | undefined
  /** The granted target, when already computed from `response` and `scopes`. */
  readonly target?: string | undefined
}

/**
 * A time as the cache writes it: a string of a whole, non-negative number of epoch seconds,
 * never "1e+308" or "NaN", which MSAL Python and MSAL for Node cannot read.
 */
export const epochString = (seconds: number): string => String(seconds > 0 ? Math.floor(Math.min(seconds, MAX_EPOCH_SECONDS)) : 0)

/** The target the cache files a response under: the granted scopes, sorted. */
export const grantedTarget = (response: TokenSuccessResponse, requested: readonly string[]): string =>
  scopesToTarget(response.scope !== undefined && response.scope.trim() !== '' ? targetToScopes(response.scope) : requested)

/**
 * The realm a user's tokens are filed under: the ID token's tenant id when it names one (as
 * MSAL for Node files them, and as MSAL Python does after discovery turns a domain into the
 * tenant's id), else the authority's tenant. App tokens keep the authority's tenant.
 */
export const realmOf = (event: TokenResponseEvent): string =>
  typeof event.idTokenClaims?.tid === 'string' && event.idTokenClaims.tid !== '' ? event.idTokenClaims.tid : event.realm

const homeOf = (event: TokenResponseEvent): string | null =>
  event.homeAccountId !== undefined ? event.homeAccountId : homeAccountIdOf(event.clientInfo, event.idTokenClaims)

/** The access-token entry of a token response (MSAL's unified schema). */
export const accessTokenEntityOf = (event: TokenResponseEvent, nowSec: number): AccessTokenEntity =>
  accessTokenEntity(event, homeOf(event), event.target ?? grantedTarget(event.response, event.scopes), nowSec)

/**
 * The entry with its account and target decided. Optional fields are assigned after the literal
 * (not spread into it), so every entry of a kind shares one hidden class: filing is a hot path.
 */
const accessTokenEntity = (event: TokenResponseEvent, home: string | null, target: string, nowSec: number): AccessTokenEntity => {
  const { response } = event
  const expiresIn = expiresInOf(response, nowSec)
  const extExpiresIn = response.ext_expires_in ?? expiresIn
  const expiresOn = epochString(nowSec + expiresIn)
  const entity: Writable<AccessTokenEntity> = {
    credential_type: 'AccessToken',
    secret: response.access_token,
    home_account_id: home,
    environment: event.environment,
    client_id: event.clientId,
    target,
    realm: realmOf(event),
    token_type: response.token_type ?? 'Bearer',
    cached_at: epochString(nowSec),
    expires_on: expiresOn,
    // Usually the same time: one number written as text, not two.
    extended_expires_on: extExpiresIn === expiresIn ? expiresOn : epochString(nowSec + extExpiresIn),
  }
  if (response.refresh_in !== undefined) entity.refresh_on = epochString(nowSec + response.refresh_in)
  if (event.keyId !== undefined) entity.key_id = event.keyId
  if (event.extCacheKey !== undefined) entity.ext_cache_key = event.extCacheKey
  if (event.userAssertionHash !== undefined) {
    entity.user_assertion_hash = event.userAssertionHash
    entity['userAssertionHash'] = event.userAssertionHash
  }
  return entity
}

/** An access token's put: its key is new with each target (app tokens are one token under every alias). */
const putAccessToken = (entity: AccessTokenEntity): CachePut => {
  const key = keyFor('AccessToken', entity)
  const home = entity.home_account_id
  const canonical = home === null || home === '' || home === undefined ? canonicalKey('AccessToken', entity) : key
  return { type: 'AccessToken', key, entity, canonical }
}

/** Another entry's put, with its keys as the store's memo keeps them (the same for each of an account's responses), else built. */
const put = <K extends Exclude<CredentialType, 'AccessToken'>>(keys: KeptKeys | undefined, type: K, entity: EntityOf[K]): CachePut => {
  const kept = keys?.keysOf(type, entity)
  const key = kept?.key ?? keyFor(type, entity)
  return { type, key, entity, canonical: kept?.canonical ?? canonicalOfWritten(type, key) } as CachePut
}

/** ownerKey, through the store's memo when it has one. */
const ownerKeyOf = (keys: KeptKeys | undefined, environment: string, home: string | null | undefined): string =>
  keys?.ownerKey(environment, home) ?? ownerKey(environment, home)

/**
 * Files a successful token response as MSAL Python's TokenCache.add does: its access token,
 * refresh token (with family_id from `foci`), ID token, the account (unless this is a refresh),
 * and the app's metadata. Entries replace any entry that is the same token.
 *
 * One refinement over MSAL Python: a response without an ID token says nothing about who the
 * user is, so it never replaces an existing account entry with a nameless one (`cache` is the
 * snapshot that tells; without it, the account is written as MSAL Python would).
 */
export const reduceTokenResponse = (event: TokenResponseEvent, nowSec: number, cache?: TokenStore): CacheChange => {
  const { response } = event
  const target = grantedTarget(response, event.scopes)
  const home = homeOf(event)
  const realm = realmOf(event)
  const puts: CachePut[] = [putAccessToken(accessTokenEntity(event, home, target, nowSec))]
  const keys = cache?.filingKeys
  const deletes: CacheDelete[] = []
  const claims = event.idTokenClaims

  // Without an ID token the realm is only a guess (the authority's tenant): any entry this
  // account already has in the environment is better than a nameless new one.
  const knownAccount = (account: AccountEntity): boolean =>
    claims === undefined && cache !== undefined && cache.accounts.lookup(BY_OWNER, ownerKeyOf(keys, account.environment, account.home_account_id)).size > 0
  if (home !== null && event.skipAccountCreation !== true) {
    const account: Writable<AccountEntity> = {
      home_account_id: home,
      environment: event.environment,
      realm,
      local_account_id: typeof claims?.oid === 'string' ? claims.oid : (claims?.sub ?? null),
      username: usernameOf(claims) ?? event.username ?? '',
      authority_type: event.authorityType ?? (event.realm.toLowerCase() === 'adfs' ? 'ADFS' : 'MSSTS'),
    }
    if (event.grantType !== undefined && ACCOUNT_SOURCES.has(event.grantType)) account.account_source = event.grantType
    if (typeof claims?.name === 'string') account.name = claims.name
    if (response.client_info !== undefined) account.client_info = response.client_info
    if (!knownAccount(account)) puts.push(put(keys, 'Account', account))
  }
  if (response.id_token !== undefined) {
    const idToken: IdTokenEntity = {
      credential_type: 'IdToken',
      secret: response.id_token,
      home_account_id: home,
      environment: event.environment,
      realm,
      // Only user sign-ins bring ID and refresh tokens, and they always name the app.
      client_id: event.clientId ?? '',
    }
    puts.push(put(keys, 'IdToken', idToken))
  }
  if (response.refresh_token !== undefined) {
    const refreshToken: Writable<RefreshTokenEntity> = {
      credential_type: 'RefreshToken',
      secret: response.refresh_token,
      home_account_id: home,
      environment: event.environment,
      client_id: event.clientId ?? '',
      target,
      last_modification_time: epochString(nowSec),
    }
    if (response.refresh_token_expires_in !== undefined) refreshToken.expires_on = epochString(nowSec + response.refresh_token_expires_in)
    if (response.foci !== undefined) refreshToken.family_id = response.foci
    if (event.userAssertionHash !== undefined) {
      refreshToken['user_assertion_hash'] = event.userAssertionHash
      refreshToken['userAssertionHash'] = event.userAssertionHash
    }
    const filed = put(keys, 'RefreshToken', refreshToken)
    puts.push(filed)
    supersededRefreshTokens(cache, keys, refreshToken, filed.key, deletes)
  }
  const appMetadata: Writable<AppMetadataEntity> = { client_id: event.clientId, environment: event.environment }
  if (response.foci !== undefined) appMetadata.family_id = response.foci
  puts.push(put(keys, 'AppMetadata', appMetadata))
  return { puts, deletes }
}

/**
 * Entra's refresh tokens are scope-independent, and a new one supersedes the app's (or family's)
 * earlier ones for that account: keeping only the newest bounds the cache, as MSAL for Node and
 * MSAL.NET do (MSAL Python keys them by scopes and keeps them all).
 */
const supersededRefreshTokens = (cache: TokenStore | undefined, keys: KeptKeys | undefined, fresh: RefreshTokenEntity, freshKey: string, deletes: CacheDelete[]): void => {
  if (cache === undefined || fresh.home_account_id === null || fresh.home_account_id === undefined) return
  const client = fresh.client_id.toLowerCase()
  for (const { key, entity } of cache.refreshTokens.lookup(BY_OWNER, ownerKeyOf(keys, fresh.environment, fresh.home_account_id)).values()) {
    const sameOwner = entity.client_id.toLowerCase() === client && (entity.family_id ?? undefined) === (fresh.family_id ?? undefined)
    if (sameOwner && key !== freshKey) deletes.push({ type: 'RefreshToken', key })
  }
}

/**
 * The operation that files a token response. It carries its reducer (reduceTokenResponse): only
 * the flows that get responses make one, so a store that never files one (a browser page that
 * answers from its cache) never loads the code.
 */
export const fileTokenResponse = (event: TokenResponseEvent, nowSec: number): CacheOperation => ({ _tag: 'FileTokenResponse', event, nowSec, file: reduceTokenResponse })

