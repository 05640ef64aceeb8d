/**
 * The JWT a certificate credential signs to authenticate the client (RFC 7523 §3), with the
 * header and claims MSAL sends.
 */

/** How long an assertion is valid; MSAL reuses one for up to ASSERTION_REUSE_SECONDS of that. */
export const ASSERTION_LIFETIME_SECONDS = 600
export const ASSERTION_REUSE_SECONDS = 540

export interface AssertionClaimsInput {
  readonly clientId: string
  /** The token endpoint: the assertion's audience. */
  readonly tokenEndpoint: string
  readonly nowSec: number
  /** A fresh random UUID: the assertion's id. */
  readonly jti: string
  /** MSAL Python's `client_claims`: merged in, and they win over MSAL's own. */
  readonly clientClaims?: Readonly<Record<string, unknown>> | undefined
}

/** aud = the token endpoint, iss = sub = client id, a 600 s lifetime, a fresh jti (MSAL Python's create_normal_assertion). */
export const buildAssertionClaims = (input: AssertionClaimsInput): Record<string, unknown> => ({
  aud: input.tokenEndpoint,
  iss: input.clientId,
  sub: input.clientId,
  exp: input.nowSec + ASSERTION_LIFETIME_SECONDS,
  iat: input.nowSec,
  jti: input.jti,
  ...input.clientClaims,
})

export interface CertificateHeaderInput {
  readonly sha1Thumbprint?: string | undefined
  readonly sha256Thumbprint?: string | undefined
  readonly x5c?: readonly string[] | undefined
  /** AD FS takes only RS256 with a SHA-1 thumbprint. */
  readonly isAdfs: boolean
}

/**
 * PS256 with `x5t#S256` when there is a SHA-256 thumbprint and the authority is not AD FS, else
 * RS256 with `x5t` (MSAL Python 1.29+). `x5c` when the chain is sent (subject name / issuer
 * auth). Undefined when AD FS would need a SHA-1 thumbprint that is not there.
 */
export const buildAssertionHeader = (input: CertificateHeaderInput): Record<string, unknown> | undefined => {
  const x5c = input.x5c !== undefined && input.x5c.length > 0 ? { x5c: [...input.x5c] } : {}
  if (input.sha256Thumbprint !== undefined && !input.isAdfs) return { alg: 'PS256', typ: 'JWT', 'x5t#S256': input.sha256Thumbprint, ...x5c }
  if (input.sha1Thumbprint !== undefined) return { alg: 'RS256', typ: 'JWT', x5t: input.sha1Thumbprint, ...x5c }
  return undefined
}
