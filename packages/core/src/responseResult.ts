import type { TokenSuccessResponse } from './protocol/tokenResponse.js'
import type { TokenResult } from './result.js'
import type { Writable } from './util/writable.js'

// A token endpoint's answer as a result (result.ts has the cache's): only the flows that ask the
// network need it, so a browser page that answers from its cache does not load it.

const DEFAULT_EXPIRES_IN = 600

/** How long the access token lives: `expires_in`, else `expires_on - now`, else 600 s (RFC 6749 §5.1). */
export const expiresInOf = (response: TokenSuccessResponse, nowSec: number): number =>
  response.expires_in ?? (response.expires_on !== undefined ? response.expires_on - nowSec : DEFAULT_EXPIRES_IN)

/**
 * What a successful acquisition returns: a plain object, MSAL Python's result dict in camelCase.
 * Times are epoch seconds, as MSAL Python reports them. Fields the identity provider sent that
 * have no name here are in `extraFields`.
 */
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

export const resultFromResponse = (
  response: TokenSuccessResponse,
  grantedScopes: readonly string[],
  nowSec: number,
  correlationId: string,
): TokenResult => {
  const extras = Object.entries(response).filter(([name]) => !DIGESTED.has(name))
  const expiresIn = expiresInOf(response, nowSec)
  // Fields in the order results always had (extraFields first), each assigned: no spread.
  const result: Writable<TokenResult> = extras.length > 0 ? ({ extraFields: Object.fromEntries(extras) } as Writable<TokenResult>) : ({} as Writable<TokenResult>)
  result.accessToken = response.access_token
  result.tokenType = response.token_type ?? 'Bearer'
  result.expiresIn = expiresIn
  result.expiresOn = nowSec + expiresIn
  result.extExpiresOn = nowSec + (response.ext_expires_in ?? expiresIn)
  if (response.refresh_in !== undefined) result.refreshOn = nowSec + response.refresh_in
  result.scopes = grantedScopes
  result.tokenSource = 'identity_provider'
  result.correlationId = correlationId
  return result
}
