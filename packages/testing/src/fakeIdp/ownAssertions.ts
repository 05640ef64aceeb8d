/**
 * Tokens the provider issued, presented back to it as assertions: the user's access token of
 * the on-behalf-of grant, the federated identity credential of the user_fic grant. Entra
 * checks its own signature and the token's lifetime before anything else.
 */
import { ASSERTION_CLOCK_SKEW_SECONDS } from './clientAssertions.js'
import { entraError, roundTripDate, type ErrorContext } from './entraErrors.js'
import type { TokenSigner } from './tokens.js'
import type { IdpAnswer } from './types.js'

export type OwnAssertion = { readonly claims: Readonly<Record<string, unknown>> } | { readonly refused: IdpAnswer }

/** The claims of a token the provider issued and that is valid now, or Entra's error for it. */
export const verifyOwnAssertion = async (token: string, ctx: ErrorContext & { readonly signer: TokenSigner }): Promise<OwnAssertion> => {
  const refused = (answer: IdpAnswer): OwnAssertion => ({ refused: answer })
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) {
    return refused(entraError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.', ctx))
  }
  const claims = await ctx.signer.verify(token)
  if (claims === undefined) {
    return refused(entraError(400, 'invalid_grant', 50013, 'Assertion failed signature validation. [Reason - The key was not found.]', ctx))
  }
  const skewMs = ASSERTION_CLOCK_SKEW_SECONDS * 1000
  const { exp, nbf } = claims
  if (typeof exp !== 'number' || exp * 1000 <= ctx.nowMs - skewMs || (typeof nbf === 'number' && nbf * 1000 > ctx.nowMs + skewMs)) {
    const expiry = typeof exp === 'number' ? `, expiry time of assertion ${roundTripDate(exp * 1000)}` : ''
    return refused(entraError(400, 'invalid_grant', 500133, `Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token. Current time: ${roundTripDate(ctx.nowMs)}${expiry}.`, ctx))
  }
  return { claims }
}
