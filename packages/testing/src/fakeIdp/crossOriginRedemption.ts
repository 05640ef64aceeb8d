import { entraError, type ErrorContext } from './entraErrors.js'
import type { RedirectPlatform } from './redirectUris.js'
import type { IdpAnswer } from './types.js'

/**
 * Entra's rule for redeeming what a redirect URI brought (a code, and the refresh tokens that
 * follow from it) at the token endpoint: a single-page application's only cross-origin (the
 * request carries `Origin`, as a browser's fetch does), and anything else never cross-origin.
 * Grants that came through no redirect URI (`platform` undefined) are not bound either way.
 */
export const refuseRedemptionChannel = (platform: RedirectPlatform | undefined, origin: string | undefined, ctx: ErrorContext): IdpAnswer | undefined => {
  if (platform === 'spa' && origin === undefined) {
    return entraError(400, 'invalid_request', 9002327, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.", ctx)
  }
  if (platform === 'web' && origin !== undefined) {
    return entraError(400, 'invalid_request', 9002326, `Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '${origin}'.`, ctx)
  }
  return undefined
}

/** A single-page application proves PKCE: Entra refuses to redeem its code cross-origin without a challenge to check. */
export const refuseSpaCodeWithoutPkce = (platform: RedirectPlatform, codeChallenge: string | undefined, ctx: ErrorContext): IdpAnswer | undefined =>
  platform === 'spa' && codeChallenge === undefined
    ? entraError(400, 'invalid_request', 9002325, 'Proof Key for Code Exchange is required for cross-origin authorization code redemption.', ctx)
    : undefined
