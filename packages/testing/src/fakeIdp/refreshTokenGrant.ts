import { authenticateClient, isAnswer } from './clientAuthentication.js'
import { refuseRedemptionChannel } from './crossOriginRedemption.js'
import { entraError, roundTripDate } from './entraErrors.js'
import type { RefreshTokenRecord } from './refreshTokens.js'
import { parseScopes } from './scopes.js'
import { refuseExpiredSpaRefreshToken } from './spaRefreshTokens.js'
import type { IdpAnswer, IdpRequest, RegisteredApp } from './types.js'
import { answerUserSignIn, type UserGrantContext } from './userTokens.js'

/**
 * The refresh-token grant: a public or confidential app redeems a refresh token it (or, for
 * FOCI, any app of its family) was issued, for tokens of any resource, and gets a new refresh
 * token. The old one stays valid, as Entra's do. One a single-page application got through its
 * redirect URI is redeemed cross-origin only, and the new one expires when it does (24 hours
 * after the sign-in); one that came through another redirect URI never cross-origin.
 */
export const refreshTokenGrant = async (request: IdpRequest, ctx: UserGrantContext): Promise<IdpAnswer> => {
  const { form } = request
  const app = await authenticateClient(request, ctx, { allowPublic: true })
  if (isAnswer(app)) return app
  const token = form['refresh_token']
  if (token === undefined || token === '') {
    return entraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'refresh_token'.", ctx)
  }
  const record = ctx.refreshTokens.find(token)
  if (record === undefined) {
    // Entra cannot decrypt a token it never issued: to it, the request is malformed.
    return entraError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.', ctx)
  }
  const refusal =
    refuseRedemptionChannel(record.platform, request.headers['origin'], ctx) ?? refuseExpiredSpaRefreshToken(record.expiresAtMs, ctx) ?? refuseRedemption(record, app, ctx)
  if (refusal !== undefined) return refusal
  const user = ctx.users.find(record.username)
  if (user === undefined) throw new Error(`refresh token of unknown user ${record.username}`) // users are never removed
  const scopes = parseScopes(form['scope'])
  return answerUserSignIn(request, ctx, {
    user,
    app,
    scopes: scopes.length > 0 ? scopes : record.scopes,
    alwaysIssueRefreshToken: true,
    lineage: { platform: record.platform, expiresAtMs: record.expiresAtMs },
  })
}

/** Why this app may not redeem this refresh token, if it may not. */
const refuseRedemption = (record: RefreshTokenRecord, app: RegisteredApp, ctx: UserGrantContext): IdpAnswer | undefined => {
  const validFrom = ctx.users.sessionsValidFrom(record.username)
  if (record.generation < validFrom.generation) {
    return entraError(400, 'invalid_grant', 50173, `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '${roundTripDate(record.issuedAtMs)}' and the TokensValidFrom date (before which tokens are not valid) for this user is '${roundTripDate(validFrom.atMs)}'.`, ctx)
  }
  if (record.clientId.toLowerCase() === app.clientId.toLowerCase()) return undefined
  if (record.familyId !== undefined && record.familyId === app.familyId) return undefined
  // A family refresh token tried by an app outside the family: MSAL reads `client_mismatch`
  // as "this app is not in the family" and stops trying family tokens.
  return entraError(
    400,
    'invalid_grant',
    70000,
    "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid. The token was issued for a different client id.",
    ctx,
    record.familyId !== undefined ? { suberror: 'client_mismatch' } : {},
  )
}
