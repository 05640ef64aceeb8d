import * as E from '../util/either.js'
import { MEMO_LIMIT, type ClientContext, type FmiPathMemo } from '../app/context.js'
import { regionalEndpoints, resolveRegion } from '../authority/region.js'
import { fileTokenResponse, grantedTarget } from '../cache/filing.js'
import { EXPIRY_MARGIN_SECONDS, selectAccessTokenIn, type AccessTokenLookup } from '../cache/selectors.js'
import type { AccessTokenEntity } from '../cache/schema.js'
import { commit, log, now, sha256, type Program } from '../effects/program.js'
import { CACHE_HIT } from '../app/commits.js'
import { configurationError, usageError, type MsalError } from '../errors.js'
import { withCorrelationId } from '../wireErrors.js'
import { withoutSecretsSentIn } from '../http/scrub.js'
import { transportError } from '../http/send.js'
import { DEFAULT_RETRY_AFTER_MS } from '../http/throttling.js'
import { prepareBucket } from '../cache/tokenStore.js'
import { selectAccessTokenKept } from '../cache/keptHit.js'
import { bytesToHex } from '../util/base64url.js'
import { sendAuthenticated } from './clientAuthentication.js'
import {
  ApiId,
  libraryHeaders,
  RefreshReason,
  telemetryHeaders,
} from '../http/telemetry.js'
import { mergeClaimsAndCapabilities } from '../protocol/claims.js'
import { buildClientCredentialsRequest } from '../protocol/clientCredentials.js'
import { targetToScopes, validateScopes } from '../protocol/scopes.js'
import { processTokenResponse } from '../protocol/tokenResponse.js'
import { resultFromCache, type TokenResult } from '../result.js'
import { resultFromResponse } from '../responseResult.js'
import { originOf, redactUrl } from '../util/redact.js'
import { newCorrelationId } from './correlation.js'
import { checkKeyBoundData, type KeyBoundTokenData } from '../pop/tokenBinding.js'
import { logError } from './logging.js'
import { applicationEndpoints } from './userEndpoints.js'

export interface ClientCredentialsOptions {
  /** A claims challenge from a resource's WWW-Authenticate header; it bypasses the cache. */
  readonly claimsChallenge?: string | undefined
  /**
   * A Federated Managed Identity credential path (MSAL Python's fmi_path), sent as `fmi_path`;
   * tokens of different paths are cached apart.
   */
  readonly fmiPath?: string | undefined
  /**
   * MSAL Python's `data` for an SSH certificate (or a PoP token for your own key) for the app
   * itself: sent with the request, the token cached under `keyId` (see KeyBoundTokenData).
   */
  readonly data?: KeyBoundTokenData | undefined
}

/**
 * What the app keeps for an fmi_path: its buckets and MSAL Python's ext_cache_key for it (tokens
 * of one path never answer another's), the path hashed once, then kept (bounded), so a repeated
 * path's hit asks for no Sha256 effect (an await on the web platform); and its last hit.
 */
function* fmiPathMemo(ctx: ClientContext, fmiPath: string): Program<FmiPathMemo> {
  const extCacheKey = bytesToHex(yield* sha256(`fmi_path:${fmiPath}`))
  const buckets = ctx.appTokenBuckets.map((bucket) =>
    prepareBucket({ clientId: bucket.clientId, environment: bucket.environment, realm: bucket.realm, homeAccountId: bucket.homeAccountId, extCacheKey }),
  )
  const made: FmiPathMemo = { buckets, extCacheKey, hit: undefined, hitTarget: undefined, hitIn: undefined, hitChanges: -1 }
  if (ctx.memo.fmiPaths.size >= MEMO_LIMIT) ctx.memo.fmiPaths.clear()
  ctx.memo.fmiPaths.set(fmiPath, made)
  return made
}

/** Authorities that name no tenant; the identity provider cannot tell whose app token to issue. */
const MULTI_TENANT = new Set(['common', 'organizations'])

const refreshReasonOf = (lookup: AccessTokenLookup | undefined): RefreshReason =>
  lookup === undefined
    ? RefreshReason.forced
    : lookup._tag === 'Aging'
      ? RefreshReason.aging
      : lookup._tag === 'Miss' && lookup.reason === 'expired'
        ? RefreshReason.expired
        : RefreshReason.absent

/** Why a call could not be answered from the cache, for the log. */
const WHY_THE_NETWORK: Record<RefreshReason, string> = {
  [RefreshReason.notSilent]: 'the call does not look in the cache',
  [RefreshReason.forced]: 'a claims challenge skips the cache',
  [RefreshReason.absent]: 'no cached token for these scopes',
  [RefreshReason.expired]: `the cached token expires within ${EXPIRY_MARGIN_SECONDS} s`,
  [RefreshReason.aging]: 'the cached token is past its refresh_on',
}

/**
 * MSAL Python's `acquire_token_for_client`: the app's own token, from the cache when a usable one
 * is there (300 s expiry margin), else from the token endpoint. A token past its `refresh_on` is
 * refreshed, and returned anyway if the refresh fails. A claims challenge skips the cache.
 *
 * This generator holds only what a cache hit needs (every call runs it, and a generator object
 * carries its whole frame); the rest is `fromTheNetwork`.
 */
export function* acquireTokenForClient(
  ctx: ClientContext,
  scopesInput: readonly string[],
  options: ClientCredentialsOptions = {},
): Program<E.Either<MsalError, TokenResult>> {
  const scopes = validateScopes(scopesInput)
  if (E.isLeft(scopes)) return scopes
  const claims = mergeClaimsAndCapabilities(ctx.config.clientCapabilities, options.claimsChallenge)
  if (E.isLeft(claims)) return claims
  const fmiPath = options.fmiPath
  if (fmiPath !== undefined && (typeof fmiPath !== 'string' || fmiPath.trim() === '')) {
    return E.left(usageError('fmiPath', `expected a non-empty string, got ${JSON.stringify(fmiPath)}`))
  }
  const data = options.data === undefined ? E.right(undefined) : checkKeyBoundData(options.data)
  if (E.isLeft(data)) return data
  const keyId = data.right?.keyId
  // A path seen before costs one map look-up, not a Sha256 effect.
  const fmi = fmiPath === undefined ? undefined : (ctx.memo.fmiPaths.get(fmiPath) ?? (yield* fmiPathMemo(ctx, fmiPath)))
  // A key-bound token (SSH certificate, PoP for the app's own key) is filed under its key id: rare, so its buckets are made per call.
  const buckets =
    keyId === undefined
      ? (fmi?.buckets ?? ctx.appTokenBuckets)
      : ctx.appTokenBuckets.map((bucket) =>
          prepareBucket({ clientId: bucket.clientId, environment: bucket.environment, realm: bucket.realm, homeAccountId: bucket.homeAccountId, extCacheKey: fmi?.extCacheKey, keyId }),
        )

  const correlationId = yield* newCorrelationId()
  const nowMs = yield* now()
  const nowSec = Math.floor(nowMs / 1000)
  const hasChallenge = options.claimsChallenge !== undefined && options.claimsChallenge !== ''
  // A path's buckets keep its last hit (see KeptHit); a key-bound lookup's are made for this call.
  const lookup = hasChallenge
    ? undefined
    : fmi !== undefined && keyId === undefined
      ? selectAccessTokenKept(ctx.tokenCache, buckets, scopes.right, nowSec, fmi)
      : selectAccessTokenIn(ctx.tokenCache, buckets, scopes.right, nowSec)
  if (lookup?._tag === 'Fresh') {
    yield* commit(CACHE_HIT)
    return E.right(resultFromCache(lookup.entity, nowSec, correlationId, lookup.token))
  }
  return yield* fromTheNetwork(ctx, { scopes: scopes.right, claims: claims.right, fmiPath, extCacheKey: fmi?.extCacheKey, data: data.right }, lookup, correlationId, nowMs)
}

/** What a client-credentials call asks the token endpoint for. */
interface ClientTokenAsk {
  readonly scopes: readonly string[]
  readonly claims: string | undefined
  readonly fmiPath: string | undefined
  /** MSAL Python's ext_cache_key for the fmi_path. */
  readonly extCacheKey: string | undefined
  readonly data: KeyBoundTokenData | undefined
}

/** A call the cache could not answer: a new token, or the aging one if getting it failed. */
function* fromTheNetwork(
  ctx: ClientContext,
  ask: ClientTokenAsk,
  lookup: AccessTokenLookup | undefined,
  correlationId: string,
  nowMs: number,
): Program<E.Either<MsalError, TokenResult>> {
  // Only past this point is anything logged: a cache hit yields no Log effect (it is the hot path).
  const fallback: AccessTokenEntity | undefined = lookup?._tag === 'Aging' ? lookup.entity : undefined
  const reason = refreshReasonOf(lookup)
  yield* log(
    'info',
    `acquireTokenForClient: ${WHY_THE_NETWORK[reason]}; asking the identity provider for ${ask.scopes.join(' ')} ` +
      `(refresh reason ${reason}, correlation id ${correlationId})`,
  )

  const fromNetwork = yield* requestClientToken(ctx, ask, reason, correlationId, nowMs)
  if (E.isRight(fromNetwork)) return fromNetwork
  if (fallback === undefined) {
    yield* logError('info', `acquireTokenForClient failed (correlation id ${correlationId})`, fromNetwork.left)
    return E.left(withCorrelationId(fromNetwork.left, correlationId))
  }
  yield* logError('warning', `acquireTokenForClient (correlation id ${correlationId}) returns the cached token: refreshing it failed`, fromNetwork.left)
  return E.right(resultFromCache(fallback, Math.floor(nowMs / 1000), correlationId))
}

/** The network half: endpoints, the token request, and filing the answer in the cache. */
function* requestClientToken(
  ctx: ClientContext,
  ask: ClientTokenAsk,
  reason: RefreshReason,
  correlationId: string,
  nowMs: number,
): Program<E.Either<MsalError, TokenResult>> {
  const { config } = ctx
  const { scopes, claims } = ask
  // Only confidential clients reach this flow; a public one has nothing to prove itself with.
  if (config.credential === undefined) return E.left(configurationError('clientCredential', 'the client-credentials grant needs a confidential client'))
  if (MULTI_TENANT.has(config.authority.tenant.toLowerCase())) {
    yield* log('warning', `acquireTokenForClient with the /${config.authority.tenant} authority is unreliable; use a specific tenant`)
  }
  const baseHeaders = Object.assign(libraryHeaders(ctx.platform, config.appName, config.appVersion), { 'client-request-id': correlationId })
  // Only client-credential requests go regional; a failed detection means the global endpoint.
  const region = yield* resolveRegion(config.azureRegion, ctx.state.detectedRegion)
  const regional = region === undefined ? undefined : regionalEndpoints(config.authority, region)
  if (region !== undefined && regional === undefined) {
    yield* log('verbose', `acquireTokenForClient: region ${region} not used (only Entra authorities have regional endpoints)`)
  }
  // A region never skips the central authority's validation (MSAL Python builds the regional
  // authority from an already validated one): a host Microsoft does not vouch for gets no secret.
  const central = yield* applicationEndpoints(ctx, baseHeaders, nowMs)
  const endpoints = regional !== undefined && E.isRight(central) ? E.right(regional) : central
  if (E.isLeft(endpoints)) return endpoints
  const { tokenEndpoint } = endpoints.right
  // The endpoint's path names the tenant: the whole URL is a PII line.
  yield* log('verbose', `acquireTokenForClient: token request to ${originOf(tokenEndpoint)}${regional !== undefined ? ` (region ${region})` : ''}`)
  yield* log('verbose', `acquireTokenForClient: token endpoint ${redactUrl(tokenEndpoint)}`, true)

  const built = buildClientCredentialsRequest({
    tokenEndpoint,
    clientId: config.clientId,
    scopes,
    claims,
    fmiPath: ask.fmiPath,
    headers: { ...baseHeaders, ...telemetryHeaders(ctx.state.telemetry, ApiId.acquireTokenForClient, reason, correlationId) },
  })
  // MSAL Python posts data's fields as they are.
  const { data } = ask
  const request = data === undefined ? built : Object.assign({}, built, { form: Object.assign({}, built.form, { token_type: data.tokenType, key_id: data.keyId, req_cnf: data.reqCnf }) })
  const exchange = yield* sendAuthenticated(ctx, request, nowMs, DEFAULT_RETRY_AFTER_MS.confidential)
  if (E.isLeft(exchange)) return exchange
  const { outcome } = exchange.right
  if (outcome._tag === 'HttpFailure') return E.left(withoutSecretsSentIn(transportError(request.url, outcome), exchange.right.request))

  const response = E.mapLeft((error: MsalError) => withoutSecretsSentIn(error, exchange.right.request))(
    processTokenResponse(outcome, { url: request.url, nowMs, defaultRetryAfterMs: DEFAULT_RETRY_AFTER_MS.confidential }),
  )
  yield* commit({ _tag: 'ServerAnswered', api: ApiId.acquireTokenForClient, correlationId, error: E.isLeft(response) ? response.left.error : undefined })
  if (E.isLeft(response)) return response

  // Times count from when the request was sent, so a token never outlives what the server meant.
  const nowSec = Math.floor(nowMs / 1000)
  const event = {
    clientId: config.clientId,
    environment: config.authority.host,
    realm: config.authority.tenant,
    scopes,
    response: response.right,
    homeAccountId: null,
    extCacheKey: ask.extCacheKey,
    keyId: data?.keyId,
  }
  yield* commit(fileTokenResponse(event, nowSec))
  const granted = targetToScopes(grantedTarget(response.right, scopes))
  yield* log('verbose', `acquireTokenForClient: token for ${granted.join(' ')} received and cached (expires in ${response.right.expires_in ?? 'an unknown number of'} s)`)
  return E.right(resultFromResponse(response.right, granted, nowSec, correlationId))
}

/** MSAL Python's `remove_tokens_for_client`: forgets the app's own access tokens. */
export function* removeTokensForClient(ctx: ClientContext): Program<undefined> {
  return yield* commit({ _tag: 'RemoveClientTokens', clientId: ctx.config.clientId, environments: ctx.environments })
}
