import { authenticateClient, isAnswer } from './clientAuthentication.js'
import { entraError, type ErrorContext } from './entraErrors.js'
import { isMultiTenantAlias, tenantIdOf } from './ids.js'
import { parseScopes } from './scopes.js'
import type { IdpAnswer, IdpRequest, RegisteredApp } from './types.js'
import { domainOf, type RegisteredUser } from './users.js'
import { answerUserSignIn, type UserGrantContext } from './userTokens.js'

const REQUIRED = ['username', 'password', 'scope'] as const

/** Whether a sign-in at this authority tenant looks the user up in their home directory. */
export const signsInAt = (user: RegisteredUser, tenant: string): boolean => isMultiTenantAlias(tenant) || tenantIdOf(tenant) === user.tid

/**
 * The app of a user grant that public clients may use, once it has authenticated and sent every
 * `required` form parameter; else Entra's error (AADSTS900144 names the first one missing).
 */
export const userGrantApp = async (request: IdpRequest, ctx: UserGrantContext, required: readonly string[]): Promise<RegisteredApp | IdpAnswer> => {
  const { form } = request
  const app = await authenticateClient(request, ctx, { allowPublic: true })
  const missing = required.find((name) => (form[name] ?? '').trim() === '')
  if (isAnswer(app) || missing === undefined) return app
  return entraError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${missing}'.`, ctx)
}

/** A user this authority's directory does not have. Entra hides the name it was given ({EmailHidden}) and names the directory it looked in. */
export const userNotInDirectory = (username: string, ctx: ErrorContext & { readonly tenant: string }): IdpAnswer => {
  const directory = isMultiTenantAlias(ctx.tenant) ? domainOf(username) : ctx.tenant
  return entraError(400, 'invalid_grant', 50034, `The user account {EmailHidden} does not exist in the ${directory} directory. To sign into this application, the account must be added to the directory.`, ctx)
}

/**
 * The resource owner password credentials grant (ROPC), for managed users: the app sends the
 * user's name and password. A refresh token comes back only when offline_access was asked.
 */
export const passwordGrant = async (request: IdpRequest, ctx: UserGrantContext): Promise<IdpAnswer> => {
  const { form } = request
  const app = await userGrantApp(request, ctx, REQUIRED)
  if (isAnswer(app)) return app
  const username = form['username']!
  const user = ctx.users.find(username)
  if (user === undefined || !signsInAt(user, ctx.tenant)) return userNotInDirectory(username, ctx)
  if (user.password === undefined || user.password !== form['password']) {
    return entraError(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.', ctx)
  }
  return answerUserSignIn(request, ctx, { user, app, scopes: parseScopes(form['scope']), alwaysIssueRefreshToken: false })
}
