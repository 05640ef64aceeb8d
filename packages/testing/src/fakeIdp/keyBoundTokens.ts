import { randomBytes } from 'node:crypto'
import { entraError, type ErrorContext } from './entraErrors.js'
import { sshCertificate } from './sshCertificates.js'
import type { IdpAnswer } from './types.js'

/**
 * What a token request's `token_type` and `req_cnf` ask for, as Entra reads them: a bearer token;
 * a proof-of-possession token bound to a key (`req_cnf` is base64url of `{"kid": ...}`; the access
 * token gets `cnf: { kid }`, RFC 7800, and the response `token_type: "pop"`); or an SSH
 * certificate for a public key (`req_cnf` is the key's JWK as JSON text; the response's
 * `access_token` is the certificate, `token_type: "ssh-cert"`).
 */
export type KeyBinding =
  | { readonly kind: 'bearer' }
  | { readonly kind: 'pop'; readonly kid: string }
  | { readonly kind: 'ssh-cert'; readonly e: string; readonly n: string; readonly keyId: string }

const objectOf = (text: string): Record<string, unknown> | undefined => {
  try {
    const value = JSON.parse(text) as unknown
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

const invalid = (text: string, ctx: ErrorContext): IdpAnswer => entraError(400, 'invalid_request', 90014, text, ctx)

/** The binding a token request asks for, or the error Entra answers a malformed one with. */
export const keyBindingOf = (form: Readonly<Record<string, string>>, ctx: ErrorContext): KeyBinding | IdpAnswer => {
  const tokenType = form['token_type']
  if (tokenType === undefined || tokenType.toLowerCase() === 'bearer') return { kind: 'bearer' }
  const reqCnf = form['req_cnf']
  if (reqCnf === undefined || reqCnf === '') return invalid(`The request body must contain the parameter 'req_cnf' for token_type ${tokenType}.`, ctx)
  if (tokenType === 'pop') {
    // Raw JSON where base64url belongs: Entra answers 500, as MSAL Python's e2e tests found.
    if (reqCnf.trimStart().startsWith('{')) return entraError(500, 'server_error', 50000, 'There was an error issuing a token.', ctx)
    const cnf = objectOf(Buffer.from(reqCnf, 'base64url').toString('utf8'))
    if (typeof cnf?.['kid'] !== 'string' || cnf['kid'] === '') return invalid("The parameter 'req_cnf' is not base64url of a JSON object with a 'kid'.", ctx)
    return { kind: 'pop', kid: cnf['kid'] }
  }
  if (tokenType === 'ssh-cert') {
    const jwk = objectOf(reqCnf)
    if (jwk?.['kty'] !== 'RSA' || typeof jwk['n'] !== 'string' || typeof jwk['e'] !== 'string') {
      return invalid("The parameter 'req_cnf' is not an RSA public key in JWK format (kty, n, e).", ctx)
    }
    const keyId = form['key_id'] ?? (typeof jwk['kid'] === 'string' ? jwk['kid'] : '')
    return { kind: 'ssh-cert', e: jwk['e'], n: jwk['n'], keyId }
  }
  return invalid(`The token_type ${tokenType} is not supported.`, ctx)
}

export const isIdpAnswer = (value: KeyBinding | IdpAnswer): value is IdpAnswer => value.kind === 'response' || value.kind === 'connection-error' || value.kind === 'timeout'

/** What a bound token is issued for: its claims (a JWT access token), its principal and lifetime. */
export interface BoundTokenInput {
  readonly claims: Record<string, unknown>
  /** Who an SSH certificate is for: the user's name, or the app's client id. */
  readonly principal: string
  readonly nowMs: number
  readonly lifetimeSeconds: number
  readonly sign: (claims: Record<string, unknown>) => Promise<string>
}

let serials = 0n

/** The access token and its `token_type`, as the binding asks. */
export const boundAccessToken = async (binding: KeyBinding, input: BoundTokenInput): Promise<{ readonly token_type: string; readonly access_token: string }> => {
  switch (binding.kind) {
    case 'bearer':
      return { token_type: 'Bearer', access_token: await input.sign(input.claims) }
    case 'pop':
      return { token_type: 'pop', access_token: await input.sign({ ...input.claims, cnf: { kid: binding.kid } }) }
    case 'ssh-cert': {
      const nowSec = Math.floor(input.nowMs / 1000)
      return {
        token_type: 'ssh-cert',
        access_token: sshCertificate({
          e: binding.e,
          n: binding.n,
          keyId: binding.keyId,
          principals: [input.principal],
          serial: ++serials,
          validAfter: nowSec,
          validBefore: nowSec + input.lifetimeSeconds,
          nonce: randomBytes(32),
        }),
      }
    }
  }
}
