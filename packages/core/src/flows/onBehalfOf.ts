import * as E from '../util/either.js'
import type { ClientContext } from '../app/context.js'
import { resultScopes, userParts } from '../cache/hitParts.js'
import { selectAccessTokenAcross } from '../cache/selectors.js'
import { oboBucketKey, type AccessTokenBucket } from '../cache/tokenStore.js'
import { commit, log, sha256, type Program } from '../effects/program.js'
import { CACHE_HIT } from '../app/commits.js'
import { configurationError, usageError, type MsalError } from '../errors.js'
import { ApiId, RefreshReason } from '../http/telemetry.js'
import { buildOnBehalfOfRequest } from '../protocol/userGrants.js'
import { validateScopes } from '../protocol/scopes.js'
import { resultFromHit, type TokenResult } from '../result.js'
import { bytesToBase64Url } from '../util/base64url.js'
import { logError } from './logging.js'
import { startUserGrant, userTokenEndpoint } from './userGrantStart.js'
import { redeemUserToken, requestHeaders } from './userTokens.js'

export interface OnBehalfOfOptions {
  /** A claims challenge from the downstream API's WWW-Authenticate header; it bypasses the cache. */
  readonly claimsChallenge?: string | undefined
}

/** MSAL for Node's (and MSAL.NET's) user_assertion_hash: base64url of the assertion's SHA-256. */
export function* hashUserAssertion(assertion: string): Program<string> {
  return bytesToBase64Url(yield* sha256(assertion))
}

/**
 * MSAL Python's `acquire_token_on_behalf_of` (RFC 7523 jwt-bearer, `requested_token_use=on_behalf_of`):
 * a middle-tier API trades the token it was called with for one to a downstream API. Unlike
 * MSAL Python 1.31, the answer is cached under a hash of the incoming assertion (as MSAL for
 * Node and MSAL.NET cache it): the same assertion is a cache hit, another assertion (another
 * user, or the same user's next token) never sees it. A token near expiry is not refreshed with
 * a refresh token: the caller's assertion decides how long the user's delegation lasts.
 */
export function* acquireTokenOnBehalfOf(
  ctx: ClientContext,
  userAssertion: unknown,
  scopesInput: readonly string[],
  options: OnBehalfOfOptions = {},
  /** `hashUserAssertion(userAssertion)`, when the caller has it already (a runtime needs it first, for its cache partition). */
  knownHash?: string,
): Program<E.Either<MsalError, TokenResult>> {
  if (ctx.config.credential === undefined) return E.left(configurationError('clientCredential', 'on-behalf-of needs a confidential client'))
  if (typeof userAssertion !== 'string' || userAssertion.trim() === '') {
    return E.left(usageError('userAssertion', 'expected the token the API was called with, as a non-empty string'))
  }
  const wanted = validateScopes(scopesInput)
  if (E.isLeft(wanted)) return wanted
  const start = yield* startUserGrant(ctx, scopesInput, options.claimsChallenge)
  if (E.isLeft(start)) return start
  const { scopes, claims, correlationId, nowMs } = start.right
  const nowSec = Math.floor(nowMs / 1000)
  const userAssertionHash = knownHash ?? (yield* hashUserAssertion(userAssertion))
  const hasChallenge = options.claimsChallenge !== undefined && options.claimsChallenge !== ''
  if (!hasChallenge) {
    const lookup = selectAccessTokenAcross(ctx.tokenCache, ctx.environments.length, (i) => oboBucket(ctx, i, userAssertionHash), wanted.right, nowSec)
    if (lookup._tag === 'Fresh') {
      yield* commit(CACHE_HIT)
      const user = userParts(ctx.tokenCache, lookup.entity, lookup.token)
      return E.right(resultFromHit(lookup.entity, resultScopes(ctx.tokenCache, 'user', lookup.entity.target), nowSec, correlationId, user.account, user))
    }
  }
  yield* log('info', `acquireTokenOnBehalfOf: asking the identity provider (correlation id ${correlationId})`)
  const tokenEndpoint = yield* userTokenEndpoint(ctx, start.right)
  if (E.isLeft(tokenEndpoint)) return tokenEndpoint
  const reason = hasChallenge ? RefreshReason.forced : RefreshReason.absent
  const request = buildOnBehalfOfRequest({
    tokenEndpoint: tokenEndpoint.right,
    clientId: ctx.config.clientId,
    scopes,
    claims,
    headers: requestHeaders(ctx, ApiId.acquireTokenOnBehalfOf, reason, correlationId),
    assertion: userAssertion,
  })
  const result = yield* redeemUserToken(ctx, {
    request,
    api: ApiId.acquireTokenOnBehalfOf,
    correlationId,
    nowMs,
    scopes,
    grantType: JWT_BEARER_GRANT,
    environment: ctx.config.authority.host,
    userAssertionHash,
  })
  if (E.isLeft(result)) yield* logError('info', `acquireTokenOnBehalfOf failed (correlation id ${correlationId})`, result.left)
  return result
}

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

/**
 * Where an assertion's tokens are filed in the i-th environment: the key is a prefix computed
 * once per application and the assertion's hash, so a hit builds one key (and no other, see
 * selectAccessTokenAcross) and keeps nothing per assertion.
 */
const oboBucket = (ctx: ClientContext, i: number, userAssertionHash: string): AccessTokenBucket => ({
  clientId: ctx.config.clientId,
  environment: ctx.environments[i]!,
  realm: '',
  homeAccountId: undefined,
  userAssertionHash,
  bucketKey: oboBucketKey(ctx.oboBucketPrefixes[i]!, userAssertionHash),
})
