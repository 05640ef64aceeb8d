import { randomBytes, sha256, type Program } from '../effects/program.js'
import { bytesToBase64Url, bytesToHex } from '../util/base64url.js'

export interface Pkce {
  /** 43 characters of the unreserved set (RFC 7636 §4.1): kept secret until the code is redeemed. */
  readonly verifier: string
  /** base64url(SHA-256(verifier)), sent with the authorization request. */
  readonly challenge: string
  /** code_challenge_method (RFC 7636 §4.3): always S256; "plain" is never used. */
  readonly method: 'S256'
}

/** A fresh PKCE pair (RFC 7636), always S256. */
export function* createPkce(): Program<Pkce> {
  const verifier = bytesToBase64Url(yield* randomBytes(32))
  return { verifier, challenge: bytesToBase64Url(yield* sha256(verifier)), method: 'S256' }
}

/** A random value for `state` or a nonce: 32 bytes, base64url. */
export function* randomValue(): Program<string> {
  return bytesToBase64Url(yield* randomBytes(32))
}

/** The nonce as sent in the request and expected in the ID token: its SHA-256, hex (MSAL Python's choice). */
export function* hashedNonce(nonce: string): Program<string> {
  return bytesToHex(yield* sha256(nonce))
}
