/**
 * Entra's SAML bearer assertion grants (`urn:ietf:params:oauth:grant-type:saml1_1-bearer` and
 * `...:saml2-bearer`, RFC 7522): a public client trades the assertion a federated user's AD FS
 * issued for tokens. The assertion must be one a registered AD FS issued, unaltered, unexpired,
 * and of the version the grant type names.
 */
import { isAnswer } from './clientAuthentication.js'
import { entraError } from './entraErrors.js'
import { readPresentedAssertion } from './federationAssertions.js'
import type { SamlVersion } from './federation.js'
import { signsInAt, userGrantApp, userNotInDirectory } from './passwordGrant.js'
import { parseScopes } from './scopes.js'
import type { IdpAnswer, IdpRequest } from './types.js'
import { answerUserSignIn, type UserGrantContext } from './userTokens.js'

export const SAML11_BEARER = 'urn:ietf:params:oauth:grant-type:saml1_1-bearer'
export const SAML2_BEARER = 'urn:ietf:params:oauth:grant-type:saml2-bearer'

const VERSION_OF_GRANT: Readonly<Record<string, SamlVersion>> = { [SAML11_BEARER]: '1.1', [SAML2_BEARER]: '2.0' }

const REQUIRED = ['assertion', 'scope'] as const

export const samlBearerGrant = async (request: IdpRequest, ctx: UserGrantContext): Promise<IdpAnswer> => {
  const { form } = request
  const app = await userGrantApp(request, ctx, REQUIRED)
  if (isAnswer(app)) return app
  const presented = readPresentedAssertion(form['assertion']!)
  if ('problem' in presented || presented.samlVersion !== VERSION_OF_GRANT[form['grant_type'] ?? '']) {
    return entraError(400, 'invalid_grant', 50008, 'SAML assertion is missing or misconfigured in the token.', ctx)
  }
  if (ctx.users.federation.serverIssuing(presented.issuer) === undefined) {
    return entraError(400, 'invalid_grant', 50107, `The requested federation realm object '${presented.issuer}' does not exist.`, ctx)
  }
  // A registered AD FS's issuer, but not an assertion it issued, or not as it issued it: the signature would not verify.
  const issued = ctx.users.federation.issued(presented.id)
  if (issued === undefined || issued.xml !== presented.xml || issued.issuer !== presented.issuer) {
    return entraError(400, 'invalid_grant', 50006, 'Signature verification failed because of an invalid signature.', ctx)
  }
  if (issued.notOnOrAfterMs <= ctx.nowMs) {
    return entraError(400, 'invalid_grant', 500133, `Assertion is not within its valid time range. Current time: ${new Date(ctx.nowMs).toISOString()}, expiry time of assertion ${new Date(issued.notOnOrAfterMs).toISOString()}.`, ctx)
  }
  const user = ctx.users.find(issued.username)
  if (user === undefined || !signsInAt(user, ctx.tenant)) return userNotInDirectory(issued.username, ctx)
  return answerUserSignIn(request, ctx, { user, app, scopes: parseScopes(form['scope']), alwaysIssueRefreshToken: false })
}
