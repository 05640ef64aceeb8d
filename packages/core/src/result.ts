import { expiresInOf } from './cache/reducers.js'
import type { AccessTokenEntity } from './cache/schema.js'
import type { Account } from './cache/selectors.js'
import { targetToScopes } from './protocol/scopes.js'
import type { TokenSuccessResponse } from './protocol/tokenResponse.js'

/**
 * What a successful acquisition returns: a plain object. Times are epoch seconds, as MSAL Python
 * reports them. Fields the identity provider sent that have no name here are passed through.
 */
export interface TokenResult {
  readonly accessToken: string
  readonly tokenType: string
  /** Seconds the token has left. */
  readonly expiresIn: number
  readonly expiresOn: number
  readonly extExpiresOn?: number
  /** When to refresh proactively (from `refresh_in`). */
  readonly refreshOn?: number
  readonly scopes: readonly string[]
  readonly tokenSource: 'cache' | 'identity_provider'
  readonly correlationId: string
  /** The signed-in user's ID token, for user flows. */
  readonly idToken?: string
  /** Its claims, when the ID token came with this response. */
  readonly idTokenClaims?: Readonly<Record<string, unknown>>
  /** The signed-in account, for user flows: pass it to acquireTokenSilent later. */
  readonly account?: Account
  readonly [extra: string]: unknown
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
  const passThrough = Object.fromEntries(Object.entries(response).filter(([name]) => !DIGESTED.has(name)))
  const expiresIn = expiresInOf(response, nowSec)
  return {
    ...passThrough,
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
