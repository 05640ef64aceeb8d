import * as E from '../util/either.js'
import { type IdTokenError } from '../errors.js'
import { idTokenError } from '../wireErrors.js'
import { decodeIdTokenClaims, type IdTokenClaims } from '../cache/accountOf.js'

/** Clock skew allowed between us and the identity provider (MSAL's 120 s). */
export const ID_TOKEN_SKEW_SECONDS = 120

export interface IdTokenExpectations {
  /** client_id (RFC 6749 §2.2): the ID token's aud must include it (OpenID Connect Core 1.0 §3.1.3.7). */
  readonly clientId: string
  /** The hashed nonce sent with the authorization request, when there was one. */
  readonly nonce?: string | undefined
  /** The max_age sent; then auth_time is required and must be recent enough. */
  readonly maxAge?: number | undefined
  /** The current time in epoch seconds, to check exp, nbf and auth_time (with 120 s of skew). */
  readonly nowSec: number
}

export interface CheckedIdToken {
  /** The ID token's claims (OpenID Connect Core 1.0 §2), decoded. */
  readonly claims: IdTokenClaims
  /** Problems that do not fail the sign-in (exp, nbf): MSAL only warns about them. */
  readonly warnings: readonly string[]
}

const audienceIncludes = (aud: unknown, clientId: string): boolean =>
  typeof aud === 'string' ? aud === clientId : Array.isArray(aud) && aud.includes(clientId)

/**
 * Checks an ID token the way MSAL does. Its signature is not verified: it came straight from
 * the token endpoint over TLS. Failing aud, nonce or max_age fails the sign-in; a token outside
 * exp/nbf (with 120 s of skew) only warns.
 */
export const validateIdToken = (idToken: string, expect: IdTokenExpectations): E.Either<IdTokenError, CheckedIdToken> => {
  const decoded = decodeIdTokenClaims(idToken)
  if (E.isLeft(decoded)) return E.left(idTokenError('format', decoded.left))
  const claims = decoded.right
  if (!audienceIncludes(claims['aud'], expect.clientId)) {
    return E.left(idTokenError('aud', `it was issued to ${JSON.stringify(claims['aud'])}, not to this application (${expect.clientId})`))
  }
  if (expect.nonce !== undefined && claims['nonce'] !== expect.nonce) {
    return E.left(idTokenError('nonce', 'its nonce does not match the sign-in request (a replayed or substituted response)'))
  }
  if (expect.maxAge !== undefined) {
    const authTime = claims['auth_time']
    if (typeof authTime !== 'number') return E.left(idTokenError('auth_time', 'max_age was requested, but the ID token has no auth_time'))
    if (expect.nowSec - ID_TOKEN_SKEW_SECONDS > authTime + expect.maxAge) {
      return E.left(idTokenError('auth_time', `the user signed in ${expect.nowSec - authTime} s ago, longer than max_age (${expect.maxAge} s) allows`))
    }
  }
  const warnings: string[] = []
  const exp = claims['exp']
  const nbf = claims['nbf']
  if (typeof exp === 'number' && expect.nowSec - ID_TOKEN_SKEW_SECONDS > exp) warnings.push('the ID token has expired (exp); check the clock')
  if (typeof nbf === 'number' && expect.nowSec + ID_TOKEN_SKEW_SECONDS < nbf) warnings.push('the ID token is not valid yet (nbf); check the clock')
  return E.right({ claims, warnings })
}
