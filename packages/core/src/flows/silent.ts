import * as E from '../util/either.js'
import type { ClientContext } from '../app/context.js'
import { entraEndpoints } from '../authority/endpoints.js'
import { isRedeemable, selectAccessTokenIn, selectRefreshTokens, type AccessTokenLookup } from '../cache/selectors.js'
import type { RefreshTokenEntity } from '../cache/schema.js'
import { unfiledRecord } from '../cache/tokenStore.js'
import { commit, log, type Program } from '../effects/program.js'
import { isTransportError, usageError, withFields, type MsalError } from '../errors.js'
import { classifySuberror, withCorrelationId } from '../wireErrors.js'
import { ApiId, RefreshReason } from '../http/telemetry.js'
import { CACHE_HIT } from '../app/commits.js'
import { decorateScopes, RESERVED_SCOPES } from '../protocol/scopeDecoration.js'
import { buildRefreshTokenRequest } from '../protocol/userGrants.js'
import type { TokenResult } from '../result.js'
import { discoverTenantId } from './tenantId.js'
import { logError } from './logging.js'
import { userEndpoints } from './userEndpoints.js'
import { anchorMailboxFor, redeemUserToken, requestHeaders } from './userTokens.js'
import { withTokenBinding } from '../pop/tokenBinding.js'
import { withPreparedBinding, type BoundRequest, type PrepareBinding } from '../pop/binding.js'
import { boundBuckets, bucketsFor, cachedResult, namesTenantByDomain, silently, type AfterAMiss, type SilentAccount, type SilentOptions } from './silentCache.js'

export { cachedResult, type SilentAccount, type SilentOptions } from './silentCache.js'

const refreshReasonOf = (lookup: AccessTokenLookup | undefined): RefreshReason =>
  lookup === undefined ? RefreshReason.forced : lookup._tag === 'Aging' ? RefreshReason.aging : lookup._tag === 'Miss' && lookup.reason === 'expired' ? RefreshReason.expired : RefreshReason.absent

/**
 * MSAL Python's `acquire_token_silent_with_error`. Right(undefined) means the cache holds nothing
 * for this account (sign the user in); Left is a refresh that failed (with `classification`).
 *
 * 1. Unless forced or challenged: a fresh access token for the scopes (300 s margin).
 * 2. Else each environment (the authority's host, then aliases holding refresh tokens): refresh
 *    tokens of the app's family, then its own (MSAL Python's FOCI rules, where injected), newest first.
 * 3. A token past refresh_on is returned when its refresh fails; one inside the margin that has
 *    not expired is returned when the identity provider cannot be reached.
 */
export const acquireTokenSilentWithError = (
  ctx: ClientContext,
  scopesInput: readonly string[],
  accountInput: unknown,
  options: SilentOptions = {},
  /** 'cache': answer from the cache or not at all (no request: a browser tab's first look, before it takes the refresh lock). */
  reach: 'cache' | 'network' = 'network',
): Program<E.Either<MsalError, TokenResult | undefined>> =>
  // A bearer call is the program itself (no wrapper on the hot path); a key-bound token (PoP, SSH
  // certificate) is looked up and refreshed under its key id, and presented (signed) for its request.
  options.authScheme === undefined && options.data === undefined
    ? silently(ctx, scopesInput, accountInput, options, reach, undefined, afterAMiss)
    : withTokenBinding(options, (bound) => silently(ctx, scopesInput, accountInput, options, reach, bound, afterAMiss))

/** acquireTokenSilentWithError with a binding already checked and readied (msal-browser's request fields say it). */
export const acquireTokenSilentBound = (
  ctx: ClientContext,
  scopesInput: readonly string[],
  accountInput: unknown,
  options: Omit<SilentOptions, 'authScheme' | 'data'>,
  reach: 'cache' | 'network',
  prepare: PrepareBinding | undefined,
): Program<E.Either<MsalError, TokenResult | undefined>> =>
  prepare === undefined
    ? silently(ctx, scopesInput, accountInput, options, reach, undefined, afterAMiss)
    : withPreparedBinding(prepare, (bound) => silently(ctx, scopesInput, accountInput, options, reach, bound, afterAMiss))

/** A silent call the cache could not answer at first: the tenant's id learned, Cloud Shell, or a refresh token. */
const afterAMiss: AfterAMiss = function* (ctx, scopesInput, scopes, claims, account, reach, firstLookup, correlationId, nowMs, bound) {
  const nowSec = Math.floor(nowMs / 1000)
  let lookup = firstLookup
  if (reach === 'network' && lookup !== undefined && lookup._tag !== 'Fresh' && namesTenantByDomain(ctx) && !ctx.state.tenantIds.has(ctx.config.authority.tenant.toLowerCase())) {
    // Tokens are filed under the tenant's id, which a domain-named authority does not tell.
    if ((yield* discoverTenantId(ctx, correlationId, nowMs)) !== undefined) lookup = selectAccessTokenIn(ctx.tokenCache, boundBuckets(bucketsFor(ctx, account), bound), scopes, nowSec)
    if (lookup?._tag === 'Fresh') {
      yield* commit(CACHE_HIT)
      return E.right(cachedResult(ctx, lookup.token, account, nowSec, correlationId))
    }
  }
  if (reach === 'cache') return E.right(undefined)
  // Cloud Shell's accounts (authority type CLOUDSHELL) get tokens from Cloud Shell, where the application can ask it.
  if (account.authorityType === 'CLOUDSHELL' && ctx.cloudShellTokens !== undefined) {
    // MSAL Python: "auth_scheme is not supported in Cloud Shell"; nor is a key in data.
    if (bound !== undefined) return E.left(usageError(bound.form['token_type'] === 'pop' ? 'authScheme' : 'data', 'key-bound tokens (PoP, SSH certificates) are not supported in Cloud Shell'))
    return yield* ctx.cloudShellTokens(ctx, scopes, account, lookup?._tag === 'Aging' ? lookup.entity : undefined, correlationId, nowSec)
  }
  const reason = refreshReasonOf(lookup)
  yield* log('info', `acquireTokenSilent: no usable access token (refresh reason ${reason}); looking for a refresh token (correlation id ${correlationId})`)

  // The scopes a refresh asks for: the caller's and MSAL's own (checked already, so this cannot fail).
  const decorated = decorateScopes(scopesInput, ctx.config.excludeScopes)
  if (E.isLeft(decorated)) return decorated
  const refreshed = yield* refreshFromCache(ctx, decorated.right, claims, account, reason, correlationId, nowMs, bound)
  if (refreshed !== undefined && E.isRight(refreshed)) return refreshed
  const aging = lookup?._tag === 'Aging' ? lookup.token : undefined
  const lastResort = lookup?._tag === 'Miss' ? lookup.lastResort : undefined
  if (refreshed === undefined) {
    // No refresh token: an aging token is still good (MSAL Python returns it as it stands).
    return E.right(aging === undefined ? undefined : cachedResult(ctx, aging, account, nowSec, correlationId))
  }
  const failure = classified(refreshed.left)
  if (aging !== undefined || (lastResort !== undefined && isTransportError(failure))) {
    yield* logError('warning', `acquireTokenSilent (correlation id ${correlationId}) returns the cached token: refreshing it failed`, failure)
    return E.right(cachedResult(ctx, aging ?? unfiledRecord(lastResort!), account, nowSec, correlationId))
  }
  yield* logError('info', `acquireTokenSilent failed (correlation id ${correlationId})`, failure)
  return E.left(withCorrelationId(failure, correlationId))
}

/** MSAL Python maps the suberrors an app cannot act on to an empty classification (its issue #57). */
const classified = (error: MsalError): MsalError =>
  'suberror' in error && error.suberror !== undefined ? withFields(error, { classification: classifySuberror(error.suberror) }) : error

/**
 * Refresh tokens, environment by environment: the authority's host first, then each alias that
 * holds refresh tokens for the account. Undefined when there was no refresh token anywhere; else
 * the first success or the last failure.
 */
function* refreshFromCache(
  ctx: ClientContext,
  scopes: readonly string[],
  claims: string | undefined,
  account: SilentAccount,
  reason: RefreshReason,
  correlationId: string,
  nowMs: number,
  bound: BoundRequest | undefined,
): Program<E.Either<MsalError, TokenResult> | undefined> {
  let last: E.Either<MsalError, TokenResult> | undefined
  const tried = new Set<string>()
  for (const [index, environment] of ctx.environments.entries()) {
    const nowSec = Math.floor(nowMs / 1000)
    const hasTokens = selectRefreshTokens(ctx.tokenCache, { environment, homeAccountId: account.homeAccountId }).some((rt) => isRedeemable(rt, nowSec))
    if (!hasTokens) continue
    const tokenEndpoint = yield* tokenEndpointIn(ctx, index === 0 ? undefined : environment, correlationId, nowMs)
    if (E.isLeft(tokenEndpoint)) return tokenEndpoint
    const attempt: RefreshAttempt = { ctx, scopes, claims, account, reason, correlationId, nowMs, environment, tokenEndpoint: tokenEndpoint.right, tried, bound }
    const result = yield* refreshInEnvironment(attempt)
    if (result !== undefined && (E.isRight(result) || isTransportError(result.left))) return result
    last = result ?? last
  }
  return last
}

/** The authority's token endpoint, or an alias host's (MSAL Python's alias retry: same tenant, other host, no discovery). */
function* tokenEndpointIn(ctx: ClientContext, alias: string | undefined, correlationId: string, nowMs: number): Program<E.Either<MsalError, string>> {
  if (alias !== undefined) return E.right(entraEndpoints(`https://${alias}`, ctx.config.authority.tenant).tokenEndpoint)
  const endpoints = yield* userEndpoints(ctx, correlationId, nowMs)
  return E.isLeft(endpoints) ? endpoints : E.right(endpoints.right.tokenEndpoint)
}

export interface RefreshAttempt {
  readonly ctx: ClientContext
  readonly scopes: readonly string[]
  readonly claims: string | undefined
  readonly account: SilentAccount
  readonly reason: RefreshReason
  readonly correlationId: string
  readonly nowMs: number
  readonly environment: string
  readonly tokenEndpoint: string
  /** Refresh tokens already redeemed in this call (by secret). */
  readonly tried: Set<string>
  /** A key-bound token's binding (its fields go with each refresh). */
  readonly bound: BoundRequest | undefined
}

/**
 * The refresh tokens of `a.account` in `a.environment`: the application's own, or, where MSAL
 * Python's classes inject the family rules (ClientContext.familyRefresh, flows/family.ts), its
 * family's first. Undefined when there was none to try.
 */
function* refreshInEnvironment(a: RefreshAttempt): Program<E.Either<MsalError, TokenResult> | undefined> {
  const { ctx, environment, account } = a
  const own = (): Program<E.Either<MsalError, TokenResult> | undefined> =>
    tryRefreshTokens(a, selectRefreshTokens(ctx.tokenCache, { environment, homeAccountId: account.homeAccountId, clientId: ctx.config.clientId }))
  return yield* ctx.familyRefresh === undefined ? own() : ctx.familyRefresh(a, own)
}

/**
 * The scopes to ask with this refresh token. A refresh may not ask for scopes the grant lacks
 * (RFC 6749 §6), which strict OpenID providers enforce: one that granted no `profile` refuses the
 * whole refresh. So for a generic OpenID provider, MSAL's reserved scopes are asked only when the
 * refresh token was granted them. Entra's (whose `scope` never lists offline_access) get MSAL's
 * usual request.
 */
const refreshScopes = (a: RefreshAttempt, rt: RefreshTokenEntity): readonly string[] => {
  if (a.ctx.config.authority.kind !== 'OIDC' || typeof rt.target !== 'string' || rt.target === '') return a.scopes
  const granted = new Set(rt.target.toLowerCase().split(' '))
  return a.scopes.filter((scope) => !RESERVED.has(scope.toLowerCase()) || granted.has(scope.toLowerCase()))
}

const RESERVED = new Set(RESERVED_SCOPES)

/**
 * Redeems refresh tokens newest first until one works. A failed one is kept: invalid_grant may
 * mean a new MFA policy for these scopes, and the token may still serve other scopes or tenants.
 */
export function* tryRefreshTokens(
  a: RefreshAttempt,
  candidates: readonly RefreshTokenEntity[],
  stopAfter: (error: MsalError) => boolean = () => false,
): Program<E.Either<MsalError, TokenResult> | undefined> {
  let last: E.Either<MsalError, TokenResult> | undefined
  for (const rt of candidates) {
    // A family token that is also the app's own is tried once per call, not twice.
    if (a.tried.has(rt.secret)) continue
    // A refresh token past its own lifetime (a SPA's 24 hours) would only be refused.
    if (!isRedeemable(rt, Math.floor(a.nowMs / 1000))) {
      yield* log('verbose', 'acquireTokenSilent: skipping a refresh token past its own lifetime (refresh_token_expires_in)')
      continue
    }
    a.tried.add(rt.secret)
    yield* log('verbose', `acquireTokenSilent: redeeming a refresh token${rt.family_id ? ` of family ${rt.family_id}` : ''} at ${a.environment}`)
    const request = buildRefreshTokenRequest({
      tokenEndpoint: a.tokenEndpoint,
      clientId: a.ctx.config.clientId,
      scopes: refreshScopes(a, rt),
      claims: a.claims,
      headers: requestHeaders(a.ctx, ApiId.acquireTokenSilent, a.reason, a.correlationId, anchorMailboxFor(a.account.homeAccountId)),
      refreshToken: rt.secret,
    })
    last = yield* redeemUserToken(a.ctx, {
      request,
      api: ApiId.acquireTokenSilent,
      correlationId: a.correlationId,
      nowMs: a.nowMs,
      scopes: a.scopes,
      grantType: 'refresh_token',
      environment: a.environment,
      // A refresh must not bring back an account that a concurrent removeAccount just removed.
      skipAccountCreation: true,
      bound: a.bound,
    })
    if (E.isRight(last)) return last
    yield* logError('verbose', 'acquireTokenSilent: the refresh token was not accepted', last.left)
    // Unreachable identity provider: another refresh token would not reach it either.
    if (isTransportError(last.left)) return last
    if (stopAfter(last.left)) break
  }
  return last
}
