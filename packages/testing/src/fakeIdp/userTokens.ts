import { capabilitiesOf } from './claimsRequest.js'
import type { GrantContext } from './clientCredentialsGrant.js'
import { entraError, JSON_HEADERS } from './entraErrors.js'
import type { AuthorizationCodeStore } from './authorizationCodes.js'
import type { DeviceCodeStore } from './deviceCodes.js'
import { clientInfoOf, idTokenClaims, type SignInClaims } from './idTokens.js'
import { pairwiseSubject } from './ids.js'
import { azpacrOf } from './presentedCredentials.js'
import type { RedirectPlatform } from './redirectUris.js'
import type { RefreshTokenStore } from './refreshTokens.js'
import { refreshTokenExpiresIn, spaRefreshTokenExpiry } from './spaRefreshTokens.js'
import { grantScopes, type ScopeGrant } from './scopes.js'
import type { IdpAnswer, IdpRequest, RegisteredApp } from './types.js'
import type { RegisteredUser, UserDirectory } from './users.js'
import { boundAccessToken, isIdpAnswer, keyBindingOf, type KeyBinding } from './keyBoundTokens.js'

/** What the user grants (refresh token, password, authorization code, device code) need beyond the client-credentials grant. */
export interface UserGrantContext extends GrantContext {
  readonly users: UserDirectory
  readonly refreshTokens: RefreshTokenStore
  readonly authorizationCodes: AuthorizationCodeStore
  readonly deviceCodes: DeviceCodeStore
}

/** A signed-in user, the app they signed in to, and the scopes asked: everything to answer with. */
export interface UserSignIn extends SignInClaims {
  readonly user: RegisteredUser
  readonly app: RegisteredApp
  readonly scopes: readonly string[]
  /**
   * The refresh grant always rotates; the others return one for offline_access (the code and
   * device code grants: asked for when the user signed in).
   */
  readonly alwaysIssueRefreshToken: boolean
  /** Where the refresh token comes from: the redirect URI's platform, and a fixed expiry carried over on rotation. */
  readonly lineage?: RefreshTokenLineage | undefined
}

/** What a refresh token inherits from the sign-in it follows from (see RefreshTokenRecord). */
export interface RefreshTokenLineage {
  readonly platform: RedirectPlatform | undefined
  /** Epoch ms; undefined: not fixed yet (a single-page application's is fixed at its first refresh token). */
  readonly expiresAtMs: number | undefined
}

/**
 * Answers a user grant that has checked the client and the user: checks the scopes and the
 * claims, then issues the tokens in Entra's response shape.
 */
export const answerUserSignIn = async (request: IdpRequest, ctx: UserGrantContext, signIn: UserSignIn): Promise<IdpAnswer> => {
  const grant = grantScopes(signIn.scopes)
  if (grant === undefined) {
    return entraError(400, 'invalid_scope', 28000, `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${signIn.scopes.join(' ')} is not valid.`, ctx)
  }
  let capabilities: string[] | undefined
  try {
    capabilities = capabilitiesOf(request.form['claims'])
  } catch {
    return entraError(400, 'invalid_request', 90014, "The request parameter 'claims' is not valid JSON.", ctx)
  }
  const binding = keyBindingOf(request.form, ctx)
  if (isIdpAnswer(binding)) return binding
  return userTokenResponse(request, ctx, signIn, grant, capabilities, binding)
}

const userTokenResponse = async (
  request: IdpRequest,
  ctx: UserGrantContext,
  { user, app, scopes, alwaysIssueRefreshToken, nonce, authTimeMs, lineage }: UserSignIn,
  grant: ScopeGrant,
  capabilities: string[] | undefined,
  binding: KeyBinding,
): Promise<IdpAnswer> => {
  const refreshToken = alwaysIssueRefreshToken || grant.offlineAccess ? issueRefreshToken(ctx, user, app, scopes, lineage) : undefined
  const refreshTokenRecord = refreshToken !== undefined ? ctx.refreshTokens.find(refreshToken) : undefined
  const idToken = grant.openid ? await ctx.signer.sign(idTokenClaims(user, app.clientId, ctx, { nonce, authTimeMs })) : undefined
  const accessToken = await boundAccessToken(binding, {
    claims: accessTokenClaims(ctx, user, app, grant, { capabilities, azpacr: azpacrOf(request) }),
    principal: user.username,
    nowMs: ctx.nowMs,
    lifetimeSeconds: ctx.tokenLifetimeSeconds,
    sign: (claims) => ctx.signer.sign(claims),
  })
  return {
    kind: 'response',
    status: 200,
    headers: { ...JSON_HEADERS, 'x-ms-request-id': ctx.traceId, 'client-request-id': ctx.correlationId },
    body: JSON.stringify({
      token_type: accessToken.token_type,
      // Certificates are reported under the scopes asked (.default): MSAL Python's e2e SshCertTestCase
      // finds a second request for the same key in the cache under them.
      scope: binding.kind === 'ssh-cert' ? scopes.filter((scope) => scope.toLowerCase() !== 'offline_access').join(' ') : grant.scope,
      expires_in: ctx.tokenLifetimeSeconds,
      ext_expires_in: ctx.tokenLifetimeSeconds,
      ...(ctx.refreshInSeconds !== undefined ? { refresh_in: ctx.refreshInSeconds } : {}),
      access_token: accessToken.access_token,
      ...(refreshToken !== undefined ? { refresh_token: refreshToken } : {}),
      // Single-page applications' refresh tokens say how long they have left (fixed at sign-in).
      ...(refreshTokenRecord?.expiresAtMs !== undefined ? { refresh_token_expires_in: refreshTokenExpiresIn(refreshTokenRecord.expiresAtMs, ctx.nowMs) } : {}),
      ...(idToken !== undefined ? { id_token: idToken } : {}),
      // MSAL asks for client_info with client_info=1; Entra sends it only then.
      ...(request.form['client_info'] === '1' ? { client_info: clientInfoOf(user) } : {}),
      ...(app.familyId !== undefined ? { foci: app.familyId } : {}),
    }),
  }
}

/** A v2.0 delegated access token: the user's ids, the app as `azp`, the permissions as `scp`. */
const accessTokenClaims = (
  ctx: UserGrantContext,
  user: RegisteredUser,
  app: RegisteredApp,
  grant: ScopeGrant,
  { capabilities, azpacr }: { readonly capabilities: string[] | undefined; readonly azpacr: string },
): Record<string, unknown> => {
  const iat = Math.floor(ctx.nowMs / 1000)
  return {
    aud: grant.audience,
    iss: `${ctx.origin}/${user.tid}/v2.0`,
    iat,
    nbf: iat,
    exp: iat + ctx.tokenLifetimeSeconds,
    aio: ctx.randomId(),
    azp: app.clientId,
    // How the app authenticated: 0 not at all (a public client), 1 with a secret, 2 with a certificate.
    azpacr,
    name: user.displayName,
    oid: user.oid,
    preferred_username: user.username,
    rh: `0.${ctx.randomId()}.`,
    scp: grant.scp,
    sub: pairwiseSubject(user.oid, grant.audience),
    tid: user.tid,
    uti: ctx.randomId(),
    ver: '2.0',
    ...(capabilities !== undefined ? { xms_cc: capabilities } : {}),
  }
}

/**
 * Issues a refresh token to the app for the user, remembered with the user's session generation
 * and its lineage: a single-page application's expires 24 hours after its sign-in.
 */
export const issueRefreshToken = (
  ctx: Pick<UserGrantContext, 'users' | 'refreshTokens' | 'nowMs'>,
  user: RegisteredUser,
  app: RegisteredApp,
  scopes: readonly string[],
  lineage: RefreshTokenLineage = { platform: undefined, expiresAtMs: undefined },
): string =>
  ctx.refreshTokens.issue({
    username: user.username,
    clientId: app.clientId,
    familyId: app.familyId,
    scopes: [...scopes],
    issuedAtMs: ctx.nowMs,
    generation: ctx.users.sessionsValidFrom(user.username).generation,
    platform: lineage.platform,
    expiresAtMs: lineage.platform === 'spa' ? spaRefreshTokenExpiry(lineage.expiresAtMs, ctx.nowMs) : undefined,
  })
