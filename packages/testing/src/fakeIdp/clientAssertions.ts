/**
 * Client assertions (RFC 7523 §2.2, private_key_jwt), checked as Entra checks them: a JWS signed
 * RS256 or PS256 by the key of a certificate registered on the app (named by its `x5t` or
 * `x5t#S256` thumbprint) or, for subject name / issuer authentication, of the `x5c` chain's leaf;
 * then `iss` = `sub` = client id, `aud` = the token endpoint, `exp` and `nbf` around now, a `jti`.
 */
import type { KeyObject, X509Certificate } from 'node:crypto'
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose'
import { certificateNamedBy, presentedThumbprintHex, verifyChain } from './certificates.js'
import type { AssertionKeySource, ClientAuthenticationLedger } from './clientAuthentications.js'
import { JWT_BEARER_ASSERTION_TYPE } from './presentedCredentials.js'
import type { RegisteredApp } from './types.js'

/** Clocks disagree: Entra tolerates five minutes either way. */
export const ASSERTION_CLOCK_SKEW_SECONDS = 300

const ALGORITHMS = ['RS256', 'PS256']

export type AssertionRefusal =
  | { readonly reason: 'assertion_type'; readonly assertionType: string }
  | { readonly reason: 'malformed_assertion'; readonly detail: string }
  | { readonly reason: 'unsupported_algorithm'; readonly alg: string }
  | { readonly reason: 'unknown_key'; readonly thumbprintHex: string }
  | { readonly reason: 'bad_signature' }
  | { readonly reason: 'untrusted_chain' }
  | { readonly reason: 'wrong_issuer'; readonly iss: unknown; readonly sub: unknown }
  | { readonly reason: 'wrong_audience'; readonly audience: unknown }
  | { readonly reason: 'expired'; readonly expMs: number }
  | { readonly reason: 'not_yet_valid'; readonly nbfMs: number }
  | { readonly reason: 'missing_jti' }
  | { readonly reason: 'replayed'; readonly jti: string; readonly firstUseMs: number }

export interface VerifiedAssertion {
  readonly header: Readonly<Record<string, unknown>>
  readonly claims: Readonly<Record<string, unknown>>
  readonly jti: string
  readonly keySource: AssertionKeySource
}

export interface AssertionCheckContext {
  /** Every `aud` the endpoint answers to (compared without case or a trailing slash). */
  readonly audiences: readonly string[]
  readonly nowMs: number
  readonly ledger: ClientAuthenticationLedger
}

export const verifyClientAssertion = async (
  app: RegisteredApp,
  { assertionType, assertion }: { readonly assertionType: string; readonly assertion: string },
  ctx: AssertionCheckContext,
): Promise<VerifiedAssertion | AssertionRefusal> => {
  if (assertionType !== JWT_BEARER_ASSERTION_TYPE) return { reason: 'assertion_type', assertionType }
  let header: Record<string, unknown>
  let claims: Record<string, unknown>
  try {
    header = decodeProtectedHeader(assertion) as Record<string, unknown>
    claims = decodeJwt(assertion) as Record<string, unknown>
  } catch {
    return { reason: 'malformed_assertion', detail: 'The assertion is not a signed JWT.' }
  }
  const alg = String(header['alg'] ?? '')
  if (!ALGORITHMS.includes(alg)) return { reason: 'unsupported_algorithm', alg }

  const key = signingKeyOf(app, header)
  if ('reason' in key) return key
  try {
    await compactVerify(assertion, key.publicKey, { algorithms: ALGORITHMS })
  } catch {
    return { reason: 'bad_signature' }
  }
  const refusal = refuseClaims(app, claims, ctx)
  if (refusal !== undefined) return refusal
  const jti = claims['jti'] as string
  const firstUseMs = ctx.ledger.firstUse(app.clientId, jti)
  if (ctx.ledger.rejectReplayedAssertions && firstUseMs !== undefined) return { reason: 'replayed', jti, firstUseMs }
  return { header, claims, jti, keySource: key.source }
}

/** The key that must have signed: a registered certificate's by thumbprint, else a trusted chain's leaf's. */
const signingKeyOf = (
  app: RegisteredApp,
  header: Readonly<Record<string, unknown>>,
): { readonly publicKey: KeyObject; readonly source: AssertionKeySource } | AssertionRefusal => {
  const named = certificateNamedBy(header, app.certificates ?? [])
  if (named !== undefined) return { publicKey: named.registered.certificate.publicKey, source: named.by }
  const unknownKey: AssertionRefusal = { reason: 'unknown_key', thumbprintHex: presentedThumbprintHex(header) }
  if (app.subjectNameIssuer === undefined || header['x5c'] === undefined) return unknownKey
  const leaf: X509Certificate | string = verifyChain(header['x5c'], app.subjectNameIssuer)
  if (leaf === 'subject') return unknownKey // no registered subject names this certificate
  if (typeof leaf === 'string') return { reason: 'untrusted_chain' }
  return { publicKey: leaf.publicKey, source: 'x5c' }
}

const refuseClaims = (app: RegisteredApp, claims: Readonly<Record<string, unknown>>, ctx: AssertionCheckContext): AssertionRefusal | undefined => {
  const { iss, sub, aud, exp, nbf, jti } = claims
  const clientId = app.clientId.toLowerCase()
  if (typeof iss !== 'string' || typeof sub !== 'string' || iss.toLowerCase() !== clientId || sub.toLowerCase() !== clientId) {
    return { reason: 'wrong_issuer', iss, sub }
  }
  // One audience, as a string: Entra refuses an array even when it holds the right one.
  if (typeof aud !== 'string' || !ctx.audiences.some((accepted) => sameUrl(accepted, aud))) return { reason: 'wrong_audience', audience: aud }
  if (typeof exp !== 'number') return { reason: 'malformed_assertion', detail: "The 'exp' claim is missing." }
  if (exp * 1000 <= ctx.nowMs - ASSERTION_CLOCK_SKEW_SECONDS * 1000) return { reason: 'expired', expMs: exp * 1000 }
  if (typeof nbf === 'number' && nbf * 1000 > ctx.nowMs + ASSERTION_CLOCK_SKEW_SECONDS * 1000) return { reason: 'not_yet_valid', nbfMs: nbf * 1000 }
  if (typeof jti !== 'string' || jti === '') return { reason: 'missing_jti' }
  return undefined
}

const sameUrl = (a: string, b: string): boolean => a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase()
