import { entraError, type ErrorContext } from './entraErrors.js'
import type { IdpAnswer } from './types.js'

/** Entra's single-page application refresh tokens live 24 hours from the sign-in, however often they are rotated. */
export const SPA_REFRESH_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000

/**
 * When a new refresh token of a single-page application expires: the one it replaces did
 * (rotation does not extend the lifetime), or, at sign-in, 24 hours from now.
 */
export const spaRefreshTokenExpiry = (replacedExpiresAtMs: number | undefined, nowMs: number): number =>
  replacedExpiresAtMs ?? nowMs + SPA_REFRESH_TOKEN_LIFETIME_MS

/** `refresh_token_expires_in`: whole seconds the refresh token has left, as Entra sends it to single-page applications. */
export const refreshTokenExpiresIn = (expiresAtMs: number, nowMs: number): number => Math.max(0, Math.floor((expiresAtMs - nowMs) / 1000))

/** Refuses a single-page application's refresh token past its fixed lifetime, in Entra's words. */
export const refuseExpiredSpaRefreshToken = (expiresAtMs: number | undefined, ctx: ErrorContext): IdpAnswer | undefined =>
  expiresAtMs !== undefined && ctx.nowMs >= expiresAtMs
    ? entraError(
        400,
        'invalid_grant',
        700084,
        'The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page.',
        ctx,
      )
    : undefined
