/**
 * The user federated identity credential grant (`user_fic`, Entra's agent identities): a
 * confidential app signs a user in with no password and no browser, by presenting a federated
 * identity credential (a token for `api://AzureADTokenExchange`, such as the client-credentials
 * grant issues for the scope `api://AzureADTokenExchange/.default`) and naming the user by
 * sign-in name (`username`) or object id (`user_id`).
 */
import { authenticateClient, isAnswer } from './clientAuthentication.js'
import { entraError } from './entraErrors.js'
import { missingParameter, refuseMixedScopes } from './oboGrant.js'
import { verifyOwnAssertion } from './ownAssertions.js'
import { signsInAt, userNotInDirectory } from './passwordGrant.js'
import { parseScopes } from './scopes.js'
import type { IdpAnswer, IdpRequest } from './types.js'
import { answerUserSignIn, type UserGrantContext } from './userTokens.js'

export const USER_FIC_GRANT_TYPE = 'user_fic'

/** The audience of every federated identity credential Entra accepts from Azure's own issuers. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange'

const REQUIRED = ['user_federated_identity_credential', 'scope'] as const

export const userFicGrant = async (request: IdpRequest, ctx: UserGrantContext): Promise<IdpAnswer> => {
  const { form } = request
  const app = await authenticateClient(request, ctx, { allowPublic: false })
  if (isAnswer(app)) return app
  const missing = missingParameter(form, REQUIRED, ctx)
  if (missing !== undefined) return missing
  const username = nonEmpty(form['username'])
  const userId = nonEmpty(form['user_id'])
  if (username === undefined && userId === undefined) {
    return entraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'username' or 'user_id'.", ctx)
  }
  if (username !== undefined && userId !== undefined) {
    return entraError(400, 'invalid_request', 90100, "The parameters 'username' and 'user_id' are not valid together: name the user by exactly one of them.", ctx)
  }
  const verified = await verifyOwnAssertion(form['user_federated_identity_credential']!, ctx)
  if ('refused' in verified) return verified.refused
  const audience = verified.claims['aud']
  // Entra compares the audience case-sensitively, as its error text says.
  if (audience !== TOKEN_EXCHANGE_AUDIENCE) {
    return entraError(400, 'invalid_grant', 700212, `No matching federated identity record found for presented assertion audience '${String(audience)}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.`, ctx)
  }
  const user = username !== undefined ? ctx.users.find(username) : ctx.users.findByObjectId(userId!)
  if (user === undefined || !signsInAt(user, ctx.tenant)) return userNotInDirectory(username ?? userId!, ctx)
  const scopes = parseScopes(form['scope'])
  const mixed = refuseMixedScopes(scopes, ctx)
  if (mixed !== undefined) return mixed
  return answerUserSignIn(request, ctx, { user, app, scopes, alwaysIssueRefreshToken: false })
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value)
