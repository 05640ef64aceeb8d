import { AUTHORIZATION_CODE_LIFETIME_MS } from './authorizationCodes.js'
import { authenticateClient, isAnswer } from './clientAuthentication.js'
import { refuseRedemptionChannel, refuseSpaCodeWithoutPkce } from './crossOriginRedemption.js'
import { entraError } from './entraErrors.js'
import { verifierMatches } from './pkce.js'
import { parseScopes } from './scopes.js'
import type { IdpAnswer, IdpRequest } from './types.js'
import { answerUserSignIn, type UserGrantContext } from './userTokens.js'

const asksOfflineAccess = (scopes: readonly string[]): boolean => scopes.some((scope) => scope.toLowerCase() === 'offline_access')

/**
 * The authorization code grant: the app redeems, once and within 10 minutes, a code the
 * authorization endpoint gave it, naming the same redirect URI and proving PKCE. Answers with
 * the user's tokens; the ID token carries the request's nonce, and `auth_time` when it asked
 * for `max_age`. A code brought to a single-page application's redirect URI is redeemed only
 * cross-origin and with PKCE, any other never cross-origin (crossOriginRedemption.ts).
 */
export const authorizationCodeGrant = async (request: IdpRequest, ctx: UserGrantContext): Promise<IdpAnswer> => {
  const { form } = request
  const app = await authenticateClient(request, ctx, { allowPublic: true })
  if (isAnswer(app)) return app
  const code = form['code']
  if (code === undefined || code === '') {
    return entraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'code'.", ctx)
  }
  const record = ctx.authorizationCodes.find(code)
  if (record === undefined || record.clientId.toLowerCase() !== app.clientId.toLowerCase()) {
    // A code is encrypted for the app it was issued to: to any other, it is not a code at all.
    return entraError(400, 'invalid_grant', 70000, "The provided value for the 'code' parameter is not valid.", ctx)
  }
  if (ctx.authorizationCodes.isRedeemed(code)) {
    return entraError(400, 'invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.', ctx)
  }
  if (ctx.nowMs >= record.issuedAtMs + AUTHORIZATION_CODE_LIFETIME_MS) {
    return entraError(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.', ctx)
  }
  const channel = refuseRedemptionChannel(record.platform, request.headers['origin'], ctx) ?? refuseSpaCodeWithoutPkce(record.platform, record.codeChallenge, ctx)
  if (channel !== undefined) return channel
  const redirectUri = form['redirect_uri']
  if (redirectUri !== record.redirectUri) {
    // Entra answers this one with invalid_client.
    return entraError(400, 'invalid_client', 500112, `The reply address '${redirectUri ?? ''}' does not match the reply address '${record.redirectUri ?? ''}' provided when requesting Authorization code.`, ctx)
  }
  const { codeChallenge, codeChallengeMethod } = record
  if (codeChallenge !== undefined && codeChallengeMethod !== undefined && !verifierMatches(form['code_verifier'], codeChallenge, codeChallengeMethod)) {
    return entraError(400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.', ctx)
  }
  ctx.authorizationCodes.redeem(code)
  const user = ctx.users.find(record.username)
  if (user === undefined) throw new Error(`authorization code of unknown user ${record.username}`) // users are never removed
  const asked = parseScopes(form['scope'])
  return answerUserSignIn(request, ctx, {
    user,
    app,
    scopes: asked.length > 0 ? asked : record.scopes,
    alwaysIssueRefreshToken: asksOfflineAccess(record.scopes),
    nonce: record.nonce,
    authTimeMs: record.maxAgeAsked ? record.authTimeMs : undefined,
    lineage: { platform: record.platform, expiresAtMs: undefined },
  })
}
