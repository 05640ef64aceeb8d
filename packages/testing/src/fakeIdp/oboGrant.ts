/**
 * The on-behalf-of grant (Entra's use of RFC 7523's JWT bearer grant): a web API, a
 * confidential client, trades the access token a user's app sent it for a token to a
 * downstream API, for the same user. The assertion must be a user's access token this provider
 * issued, unexpired, whose audience is the calling API (its client id or `api://{client id}`).
 */
import { authenticateClient, isAnswer } from './clientAuthentication.js'
import { entraError, type ErrorContext } from './entraErrors.js'
import { verifyOwnAssertion } from './ownAssertions.js'
import { signsInAt, userNotInDirectory } from './passwordGrant.js'
import { mixesDefaultScope, parseScopes } from './scopes.js'
import type { IdpAnswer, IdpRequest, RegisteredApp } from './types.js'
import type { RegisteredUser } from './users.js'
import { answerUserSignIn, type UserGrantContext } from './userTokens.js'

export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

const REQUIRED = ['requested_token_use', 'assertion', 'scope'] as const

/** The first required form parameter missing, as Entra names it (AADSTS900144). */
export const missingParameter = (form: Readonly<Record<string, string>>, required: readonly string[], ctx: ErrorContext): IdpAnswer | undefined => {
  const missing = required.find((name) => (form[name] ?? '').trim() === '')
  return missing === undefined ? undefined : entraError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${missing}'.`, ctx)
}

/** The scopes a confidential user grant may ask, or Entra's refusal of `.default` beside other scopes. */
export const refuseMixedScopes = (scopes: readonly string[], ctx: ErrorContext): IdpAnswer | undefined =>
  mixesDefaultScope(scopes)
    ? entraError(400, 'invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${scopes.join(' ')} is not valid. .default scope can't be combined with resource-specific scopes.`, ctx)
    : undefined

export const oboGrant = async (request: IdpRequest, ctx: UserGrantContext): Promise<IdpAnswer> => {
  const { form } = request
  const app = await authenticateClient(request, ctx, { allowPublic: false })
  if (isAnswer(app)) return app
  const missing = missingParameter(form, REQUIRED, ctx)
  if (missing !== undefined) return missing
  if (form['requested_token_use'] !== 'on_behalf_of') {
    return entraError(400, 'invalid_request', 90100, `The parameter 'requested_token_use' is empty or not valid: '${form['requested_token_use']!}'. The JWT bearer grant takes 'on_behalf_of'.`, ctx)
  }
  const verified = await verifyOwnAssertion(form['assertion']!, ctx)
  if ('refused' in verified) return verified.refused
  const { claims } = verified
  if (!isAudienceOf(claims['aud'], app)) {
    return entraError(400, 'invalid_grant', 500131, `Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '${String(claims['aud'])}' and the expected audience is '${app.clientId}' or one of the Application Uris of this application with App ID '${app.clientId}'. The downstream client must request a token for the expected audience (the application that made the OBO request) and this application should use that token as the assertion.`, ctx)
  }
  const user = userOf(claims, ctx)
  if (typeof user === 'string') return user === '' ? notAUserToken(ctx) : userNotInDirectory(user, ctx)
  const scopes = parseScopes(form['scope'])
  const mixed = refuseMixedScopes(scopes, ctx)
  if (mixed !== undefined) return mixed
  return answerUserSignIn(request, ctx, { user, app, scopes, alwaysIssueRefreshToken: false })
}

/** A token for the API itself: by its client id, or its default application id URI. */
const isAudienceOf = (aud: unknown, app: RegisteredApp): boolean =>
  typeof aud === 'string' && [app.clientId, `api://${app.clientId}`].some((accepted) => accepted.toLowerCase() === aud.toLowerCase())

/**
 * The registered user an access token was issued to, signing in at this authority; else the
 * name to report as unknown ('' for a token no user signed in for: an app's own token).
 */
const userOf = (claims: Readonly<Record<string, unknown>>, ctx: UserGrantContext): RegisteredUser | string => {
  const { oid, preferred_username: username, idtyp } = claims
  if (idtyp === 'app' || typeof oid !== 'string' || typeof username !== 'string') return ''
  const user = ctx.users.find(username)
  return user !== undefined && user.oid === oid.toLowerCase() && signsInAt(user, ctx.tenant) ? user : username
}

const notAUserToken = (ctx: ErrorContext): IdpAnswer =>
  entraError(400, 'invalid_grant', 50013, 'Assertion is not a user token: the on-behalf-of flow takes an access token issued to a user, not to an application.', ctx)
