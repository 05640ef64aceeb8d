import * as E from '../util/either.js'
import { MEMO_LIMIT, type ClientContext, type OboAssertionMemo } from '../app/context.js'
import { resultScopes, userParts } from '../cache/hitParts.js'
import { selectAccessTokenIn } from '../cache/selectors.js'
import { oboBucketKey, PreparedBucket, type AccessTokenBucket } from '../cache/tokenStore.js'
import { commit, log, now, sha256, type Program } from '../effects/program.js'
import { CACHE_HIT } from '../app/commits.js'
import { configurationError, usageError, type MsalError } from '../errors.js'
import { ApiId, RefreshReason } from '../http/telemetry.js'
import { buildOnBehalfOfRequest } from '../protocol/userGrants.js'
import { mergeClaimsAndCapabilities } from '../protocol/claims.js'
import { decorateScopes, lookupScopes } from '../protocol/scopeDecoration.js'
import { validateScopes } from '../protocol/scopes.js'
import { resultFromHit, type TokenResult } from '../result.js'
import { bytesToBase64Url } from '../util/base64url.js'
import { logError } from './logging.js'
import { newCorrelationId } from './correlation.js'
import { userTokenEndpoint } from './userGrantStart.js'
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
  // This generator holds only what a cache hit needs (a generator object carries its whole frame); the rest is fromTheNetwork.
  if (ctx.config.credential === undefined) return E.left(configurationError('clientCredential', 'on-behalf-of needs a confidential client'))
  if (typeof userAssertion !== 'string' || userAssertion.trim() === '') {
    return E.left(usageError('userAssertion', 'expected the token the API was called with, as a non-empty string'))
  }
  // Checked as every user grant checks them (reserved ones refused, at least one needed); looked up as asked.
  const scopes = Array.isArray(scopesInput) && scopesInput.length === 0 ? validateScopes(scopesInput) : lookupScopes(scopesInput)
  if (E.isLeft(scopes)) return scopes
  const claims = mergeClaimsAndCapabilities(ctx.config.clientCapabilities, options.claimsChallenge)
  if (E.isLeft(claims)) return claims
  const correlationId = yield* newCorrelationId()
  const nowMs = yield* now()
  const nowSec = Math.floor(nowMs / 1000)
  const kept = ctx.memo.oboAssertions.get(userAssertion) ?? keptAssertion(ctx, userAssertion, knownHash ?? (yield* hashUserAssertion(userAssertion)))
  const userAssertionHash = kept.hash
  const hasChallenge = options.claimsChallenge !== undefined && options.claimsChallenge !== ''
  const lookup = hasChallenge ? undefined : selectAccessTokenIn(ctx.tokenCache, (kept.buckets ??= oboBuckets(ctx, userAssertionHash)), scopes.right, nowSec)
  if (lookup?._tag === 'Fresh') {
    yield* commit(CACHE_HIT)
    const user = userParts(ctx.tokenCache, lookup.token)
    return E.right(resultFromHit(lookup.token, resultScopes(lookup.token, 'user'), nowSec, correlationId, user.account, user))
  }
  return yield* fromTheNetwork(ctx, userAssertion, scopesInput, claims.right, hasChallenge, userAssertionHash, correlationId, nowMs)
}

/** An on-behalf-of call the cache could not answer: the jwt-bearer grant, its answer filed under the assertion's hash. */
function* fromTheNetwork(
  ctx: ClientContext,
  userAssertion: string,
  scopesInput: readonly string[],
  claims: string | undefined,
  hasChallenge: boolean,
  userAssertionHash: string,
  correlationId: string,
  nowMs: number,
): Program<E.Either<MsalError, TokenResult>> {
  // The scopes the grant asks for: the caller's and MSAL's own (checked already, so this cannot fail).
  const scopes = decorateScopes(scopesInput, ctx.config.excludeScopes)
  if (E.isLeft(scopes)) return scopes
  yield* log('info', `acquireTokenOnBehalfOf: asking the identity provider (correlation id ${correlationId})`)
  const tokenEndpoint = yield* userTokenEndpoint(ctx, { scopes: scopes.right, claims, correlationId, nowMs })
  if (E.isLeft(tokenEndpoint)) return tokenEndpoint
  const reason = hasChallenge ? RefreshReason.forced : RefreshReason.absent
  const request = buildOnBehalfOfRequest({
    tokenEndpoint: tokenEndpoint.right,
    clientId: ctx.config.clientId,
    scopes: scopes.right,
    claims,
    headers: requestHeaders(ctx, ApiId.acquireTokenOnBehalfOf, reason, correlationId),
    assertion: userAssertion,
  })
  const result = yield* redeemUserToken(ctx, {
    request,
    api: ApiId.acquireTokenOnBehalfOf,
    correlationId,
    nowMs,
    scopes: scopes.right,
    grantType: JWT_BEARER_GRANT,
    environment: ctx.config.authority.host,
    userAssertionHash,
  })
  if (E.isLeft(result)) yield* logError('info', `acquireTokenOnBehalfOf failed (correlation id ${correlationId})`, result.left)
  return result
}

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

/**
 * Remembers an incoming assertion's hash (a web API sees the same caller's token many times, and
 * every on-behalf-of call needs the hash: its cache partition, its lookup). Bounded, oldest
 * forgotten first.
 */
export const keptAssertion = (ctx: ClientContext, assertion: string, hash: string): OboAssertionMemo => {
  const memo = ctx.memo.oboAssertions
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string)
  const kept: OboAssertionMemo = { hash, buckets: undefined }
  memo.set(assertion, kept)
  return kept
}

/** The buckets an assertion's tokens are filed in, one per environment: keys made from prefixes computed once per application. */
const oboBuckets = (ctx: ClientContext, userAssertionHash: string): readonly AccessTokenBucket[] =>
  ctx.environments.map(
    (environment, i) =>
      new PreparedBucket(
        { clientId: ctx.config.clientId, environment, realm: '', homeAccountId: undefined, userAssertionHash },
        oboBucketKey(ctx.oboBucketPrefixes[i]!, userAssertionHash),
      ),
  )
