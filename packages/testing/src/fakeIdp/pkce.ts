import { createHash } from 'node:crypto'

/**
 * RFC 7636's challenge methods. Entra takes both, and a challenge that names no method is
 * plain, as the RFC says (Microsoft's docs: "supports both plain and S256").
 */
export type ChallengeMethod = 'S256' | 'plain'

export const isChallengeMethod = (method: string): method is ChallengeMethod => method === 'S256' || method === 'plain'

/** RFC 7636's code_challenge for a verifier, by S256: BASE64URL(SHA256(ASCII(verifier))). */
export const s256Challenge = (verifier: string): string => createHash('sha256').update(verifier, 'ascii').digest('base64url')

/** A verifier is 43 to 128 characters of the unreserved set (RFC 7636 §4.1); a plain challenge is the verifier. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/
/** An S256 challenge is the base64url SHA-256 of the verifier: always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

/** Whether a challenge has its method's shape (Entra refuses any other size). */
export const isWellFormedChallenge = (challenge: string, method: ChallengeMethod): boolean =>
  (method === 'S256' ? S256_CHALLENGE : VERIFIER).test(challenge)

/** Whether the code_verifier a token request sent proves it is the client that asked for the code. */
export const verifierMatches = (verifier: string | undefined, challenge: string, method: ChallengeMethod): boolean =>
  verifier !== undefined && VERIFIER.test(verifier) && (method === 'S256' ? s256Challenge(verifier) : verifier) === challenge
