import { expiresInOf } from './cache/reducers.js'
import type { AccessTokenEntity } from './cache/schema.js'
import type { Account } from './cache/selectors.js'
import { targetToScopes } from './protocol/scopes.js'
import type { TokenSuccessResponse } from './protocol/tokenResponse.js'

/**
 * What a successful acquisition returns: a plain object, MSAL Python's result dict in camelCase.
 * Times are epoch seconds, as MSAL Python reports them. Fields the identity provider sent that
 * have no name here are in `extraFields`.
 */
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

/** Response fields the result reports under its own names (or, like `refresh_in`, digests). */
const DIGESTED = new Set([
  'access_token',
  'token_type',
  'expires_in',
  'ext_expires_in',
  'refresh_in',
  'expires_on',
  'scope',
  'refresh_token',
  'client_info',
  'id_token',
  'foci',
])

export const resultFromCache = (entity: AccessTokenEntity, nowSec: number, correlationId: string): TokenResult => {
  const expiresOn = Number(entity.expires_on)
  return {
    accessToken: entity.secret,
    tokenType: entity.token_type ?? 'Bearer',
    expiresIn: expiresOn - nowSec,
    expiresOn,
    ...(entity.extended_expires_on !== undefined ? { extExpiresOn: Number(entity.extended_expires_on) } : {}),
    ...(entity.refresh_on !== undefined ? { refreshOn: Number(entity.refresh_on) } : {}),
    scopes: targetToScopes(entity.target),
    tokenSource: 'cache',
    correlationId,
  }
}

export const resultFromResponse = (
  response: TokenSuccessResponse,
  grantedScopes: readonly string[],
  nowSec: number,
  correlationId: string,
): TokenResult => {
  const extras = Object.entries(response).filter(([name]) => !DIGESTED.has(name))
  const expiresIn = expiresInOf(response, nowSec)
  return {
    ...(extras.length > 0 ? { extraFields: Object.fromEntries(extras) } : {}),
    accessToken: response.access_token,
    tokenType: response.token_type ?? 'Bearer',
    expiresIn,
    expiresOn: nowSec + expiresIn,
    extExpiresOn: nowSec + (response.ext_expires_in ?? expiresIn),
    ...(response.refresh_in !== undefined ? { refreshOn: nowSec + response.refresh_in } : {}),
    scopes: grantedScopes,
    tokenSource: 'identity_provider',
    correlationId,
  }
}
