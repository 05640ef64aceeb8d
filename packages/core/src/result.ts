import type { AccessTokenEntity } from './cache/schema.js'
import { resultScopes, type UserParts } from './cache/hitParts.js'
import type { Account } from './cache/selectors.js'
import { unfiledRecord, type IndexedAccessToken } from './cache/tokenStore.js'
import { targetToScopes } from './protocol/scopes.js'
import type { Writable } from './util/writable.js'

export interface TokenResult {
  /**
   * The access token (RFC 6749 §5.1 `access_token`). For a PoP request (`authScheme`), the signed
   * HTTP request that presents it (draft-ietf-oauth-signed-http-request-03), signed for this call:
   * send it as `Authorization: PoP <accessToken>`. For an SSH certificate (`data`), the certificate.
   */
  readonly accessToken: string
  /** Its type (RFC 6749 §7.1 `token_type`): usually "Bearer"; "pop" for a PoP token, "ssh-cert" for an SSH certificate. */
  readonly tokenType: string
  /** Seconds the token has left, from now (RFC 6749 §5.1 `expires_in`). */
  readonly expiresIn: number
  /** When the token expires, in epoch seconds. */
  readonly expiresOn: number
  /** When Entra's resilience extension lets the token be used until, in epoch seconds (`ext_expires_in`). */
  readonly extExpiresOn?: number
  /** When to refresh proactively, in epoch seconds (from `refresh_in`). */
  readonly refreshOn?: number
  /** The scopes the token was granted (RFC 6749 §3.3), MSAL's own (openid, profile, offline_access) left out for user tokens. */
  readonly scopes: readonly string[]
  /**
   * Where the token came from: the cache, a request to the identity provider, or a broker (Azure
   * Cloud Shell's token endpoint, as MSAL Python reports it).
   */
  readonly tokenSource: 'cache' | 'identity_provider' | 'broker'
  /** The call's correlation id (sent as client-request-id), for support requests. */
  readonly correlationId: string
  /** The signed-in user's ID token (OpenID Connect Core 1.0 §2), for user flows. */
  readonly idToken?: string
  /** Its claims, decoded (the signature is not checked: it came straight from the token endpoint). */
  readonly idTokenClaims?: Readonly<Record<string, unknown>>
  /** The signed-in account, for user flows: pass it to acquireTokenSilent later. */
  readonly account?: Account
  /** Fields of the identity provider's answer that have no name above (e.g. a provider's own extensions). */
  readonly extraFields?: Readonly<Record<string, unknown>>
}

/**
 * A cached token as a result, from its record (see IndexedAccessToken). Every hit's result is the
 * same object literal with the optional fields assigned after, so V8 keeps one hidden class per
 * kind of result (spreading a kept object into a literal with more fields makes a new one per
 * call, about 1 µs each on this V8). `scopes` and `user` are shared, frozen values (see hitParts.ts).
 */
export const resultFromHit = (
  token: IndexedAccessToken,
  scopes: readonly string[],
  nowSec: number,
  correlationId: string,
  account?: Account,
  user?: UserParts,
): TokenResult => {
  const expiresOn = token.expiresOn
  const result: Writable<TokenResult> = {
    accessToken: token.secret,
    tokenType: token.tokenType,
    expiresIn: expiresOn - nowSec,
    expiresOn,
    scopes,
    tokenSource: 'cache',
    correlationId,
  }
  const extExpiresOn = token.extExpiresOn
  if (extExpiresOn !== undefined) result.extExpiresOn = extExpiresOn
  const refreshOn = token.refreshOn
  if (refreshOn !== undefined) result.refreshOn = refreshOn
  if (account !== undefined) result.account = account
  if (user?.idToken !== undefined) result.idToken = user.idToken
  if (user?.idTokenClaims !== undefined) result.idTokenClaims = user.idTokenClaims
  return result
}

/**
 * An app's cached token (client credentials, managed identity) as a result; `token`, the entry's
 * record when it is the stored one (its scope list is then shared).
 */
export const resultFromCache = (entity: AccessTokenEntity, nowSec: number, correlationId: string, token?: IndexedAccessToken): TokenResult =>
  token === undefined ? resultFromHit(unfiledRecord(entity), targetToScopes(entity.target), nowSec, correlationId) : resultFromHit(token, resultScopes(token, 'app'), nowSec, correlationId)

