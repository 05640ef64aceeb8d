import * as E from '../util/either.js'
import type { ClientContext } from '../app/context.js'
import type { Program } from '../effects/program.js'
import { configurationError, usageError, type MsalError } from '../errors.js'
import { ApiId, RefreshReason } from '../http/telemetry.js'
import { buildUserFicRequest } from '../protocol/userGrants.js'
import type { TokenResult } from '../result.js'
import { logError } from './logging.js'
import { startUserGrant, userTokenEndpoint } from './userGrantStart.js'
import { redeemUserToken, requestHeaders } from './userTokens.js'

export interface UserFederatedIdentityCredentialOptions {
  /** The user's UPN; give this or `userObjectId`, not both. */
  readonly username?: string | undefined
  /** The user's object id; give this or `username`, not both. */
  readonly userObjectId?: string | undefined
  /** A claims challenge from a resource's WWW-Authenticate, a JSON object; sent as `claims` (OpenID Connect Core 1.0 §5.5) with the client capabilities. */
  readonly claimsChallenge?: string | undefined
}

const given = (value: unknown): boolean => value !== undefined && value !== null && value !== ''

/**
 * MSAL Python's `acquire_token_by_user_federated_identity_credential`: an agent trades its
 * federated identity credential (e.g. the instance token of the agent identity protocol's
 * second leg) for a token of one user, named by UPN or object id. The answer is filed in the
 * cache with the user's account, like any user sign-in.
 */
export function* acquireTokenByUserFederatedIdentityCredential(
  ctx: ClientContext,
  scopesInput: readonly string[],
  assertion: unknown,
  options: UserFederatedIdentityCredentialOptions = {},
): Program<E.Either<MsalError, TokenResult>> {
  if (ctx.config.credential === undefined) return E.left(configurationError('clientCredential', 'the user_fic grant needs a confidential client'))
  if (typeof assertion !== 'string' || assertion.trim() === '') return E.left(usageError('assertion', 'expected the federated identity credential as a non-empty string'))
  const { username, userObjectId } = options
  if (!given(username) && !given(userObjectId)) return E.left(usageError('username', 'give the user\'s username (UPN) or userObjectId'))
  if (given(username) && given(userObjectId)) return E.left(usageError('userObjectId', 'username and userObjectId are mutually exclusive: give one'))
  if (given(username) && typeof username !== 'string') return E.left(usageError('username', 'expected a string'))
  if (given(userObjectId) && typeof userObjectId !== 'string') return E.left(usageError('userObjectId', 'expected a string'))
  const start = yield* startUserGrant(ctx, scopesInput, options.claimsChallenge)
  if (E.isLeft(start)) return start
  const { scopes, claims, correlationId, nowMs } = start.right
  const tokenEndpoint = yield* userTokenEndpoint(ctx, start.right)
  if (E.isLeft(tokenEndpoint)) return tokenEndpoint
  // Routes the request to the user's home region in Entra's gateway, as MSAL Python does.
  const anchor = given(username) ? `upn:${username}` : `Oid:${userObjectId}@${ctx.config.authority.tenant}`
  const request = buildUserFicRequest({
    tokenEndpoint: tokenEndpoint.right,
    clientId: ctx.config.clientId,
    scopes,
    claims,
    headers: requestHeaders(ctx, ApiId.acquireTokenByUserFederatedIdentityCredential, RefreshReason.notSilent, correlationId, { 'X-AnchorMailbox': anchor }),
    assertion,
    username: given(username) ? username : undefined,
    userObjectId: given(userObjectId) ? userObjectId : undefined,
  })
  const result = yield* redeemUserToken(ctx, {
    request,
    api: ApiId.acquireTokenByUserFederatedIdentityCredential,
    correlationId,
    nowMs,
    scopes,
    grantType: 'user_fic',
    environment: ctx.config.authority.host,
    username: given(username) ? username : undefined,
  })
  if (E.isLeft(result)) yield* logError('info', `acquireTokenByUserFederatedIdentityCredential failed (correlation id ${correlationId})`, result.left)
  return result
}
