import * as E from '../util/either.js'
import * as t from '../util/decoder.js'
import type { ClientContext } from '../app/context.js'
import { log, now, sleep, type Program } from '../effects/program.js'
import { configurationError, usageError, withFields, type CancelledError, type MsalError, type TimeoutError } from '../errors.js'
import { cancelledError, timeoutError, withCorrelationId } from '../wireErrors.js'
import { withoutSecretsSentIn } from '../http/scrub.js'
import { transportError } from '../http/send.js'
import { ApiId, libraryHeaders, RefreshReason } from '../http/telemetry.js'
import { sendThrottled } from '../http/throttling.js'
import { withClientAuth } from '../protocol/clientAuth.js'
import { mergeClaimsAndCapabilities } from '../protocol/claims.js'
import {
  buildDeviceAuthorizationRequest,
  buildDeviceCodeTokenRequest,
  DEVICE_CODE_GRANT_TYPE,
  isPollAgainError,
  MAX_POLL_INTERVAL_SECONDS,
  pollIntervalSeconds,
  processDeviceAuthorizationResponse,
  SLOW_DOWN_SECONDS,
  type DeviceAuthorization,
} from '../protocol/deviceCode.js'
import { decorateScopes } from '../protocol/scopeDecoration.js'
import type { TokenResult } from '../result.js'
import { NonEmptyString } from '../util/codecs.js'
import { decodeOr } from '../util/decode.js'
import { originOf, redactUrl } from '../util/redact.js'
import { newCorrelationId } from './correlation.js'
import { logError } from './logging.js'
import { userEndpoints } from './userEndpoints.js'
import { defaultRetryAfterMs, redeemUserToken, requestHeaders } from './userTokens.js'
import { withTokenBinding, type KeyBoundTokenData } from '../pop/tokenBinding.js'
import type { BoundRequest } from '../pop/binding.js'
import { authenticatorOf } from './clientAuthenticator.js'

/**
 * MSAL Python's device flow dict, camelCased: show the user `message` (or `verificationUri` and
 * `userCode`), then hand the object to acquireTokenByDeviceFlow. Plain JSON. Setting `expiresAt`
 * to 0 stops a polling acquireTokenByDeviceFlow before its next poll (MSAL Python's way; an
 * AbortSignal stops it at once).
 */
export interface DeviceFlow extends DeviceAuthorization {
  /** The decorated scopes the flow was started for; the tokens are filed under them. */
  readonly scopes: readonly string[]
  /**
   * When the code itself expires, epoch seconds: `expiresAt` as the server set it. `expiresAt`
   * is the caller's to change (to 0, to stop polling); this one tells such a stop from the code
   * running out.
   */
  readonly codeExpiresAt: number
  /** Sent with the start and with every poll (MSAL Python's `_correlation_id`). */
  readonly correlationId: string
}

export interface DeviceFlowOptions {
  /** A claims challenge from a resource's WWW-Authenticate, a JSON object; sent as `claims` (OpenID Connect Core 1.0 §5.5) with the client capabilities. */
  readonly claimsChallenge?: string | undefined
}

/** Anything with an `aborted` flag: an AbortSignal. */
export interface AbortSignalLike {
  /** true once the caller gave up: the flow stops at its next check. */
  readonly aborted: boolean
}

export interface DeviceFlowRedemptionOptions {
  readonly claimsChallenge?: string | undefined
  /** MSAL Python's `data` for an SSH certificate or a PoP token for your own key (see KeyBoundTokenData). */
  readonly data?: KeyBoundTokenData | undefined
  /**
   * Stops the polling: the call fails with a CancelledError. The flow only reads `aborted`, before
   * each poll and after each wait; the interpreter must cut a wait short on abort (the node
   * application's does).
   */
  readonly signal?: AbortSignalLike | undefined
}

/**
 * MSAL Python's `initiate_device_flow`: asks the authority's device authorization endpoint for a
 * user code, for the decorated scopes. No scopes (MSAL Python's `scopes=None`) asks for the
 * sign-in alone: openid, profile and offline_access. An identity provider that has no such
 * endpoint (in its OpenID configuration) is a ConfigurationError naming the authority option.
 */
export function* initiateDeviceFlow(ctx: ClientContext, scopesInput: readonly string[] | undefined = [], options: DeviceFlowOptions = {}): Program<E.Either<MsalError, DeviceFlow>> {
  const scopes = decorateScopes(scopesInput ?? [], ctx.config.excludeScopes)
  if (E.isLeft(scopes)) return scopes
  const claims = mergeClaimsAndCapabilities(ctx.config.clientCapabilities, options.claimsChallenge)
  if (E.isLeft(claims)) return claims
  const correlationId = yield* newCorrelationId()
  const result = yield* startFlow(ctx, scopes.right, claims.right, correlationId)
  if (E.isLeft(result)) {
    yield* logError('info', `initiateDeviceFlow failed (correlation id ${correlationId})`, result.left)
    return E.left(withCorrelationId(result.left, correlationId))
  }
  return result
}

function* startFlow(ctx: ClientContext, scopes: readonly string[], claims: string | undefined, correlationId: string): Program<E.Either<MsalError, DeviceFlow>> {
  const nowMs = yield* now()
  const endpoints = yield* userEndpoints(ctx, correlationId, nowMs)
  if (E.isLeft(endpoints)) return endpoints
  const endpoint = endpoints.right.deviceCodeEndpoint
  if (endpoint === undefined) {
    const { authority } = ctx.config
    return E.left(
      configurationError(
        authority.kind === 'OIDC' ? 'oidcAuthority' : 'authority',
        `${redactUrl(authority.url)} does not support the device code flow: its OpenID configuration names no device_authorization_endpoint`,
      ),
    )
  }
  const request = buildDeviceAuthorizationRequest({
    endpoint,
    clientId: ctx.config.clientId,
    scopes,
    claims,
    headers: { ...libraryHeaders(ctx.platform, ctx.config.appName, ctx.config.appVersion), 'client-request-id': correlationId },
  })
  yield* log('verbose', `device authorization request to ${originOf(endpoint)}`)
  // A confidential client authenticates here too; an assertion's audience is still the token endpoint.
  const auth = yield* authenticatorOf(ctx).authFor(ctx, endpoints.right.tokenEndpoint, nowMs)
  if (E.isLeft(auth)) return auth
  const sent = withClientAuth(request, auth.right.auth)
  const outcome = yield* sendThrottled(ctx.httpCache, sent, nowMs, defaultRetryAfterMs(ctx))
  if (outcome._tag === 'HttpFailure') return E.left(withoutSecretsSentIn(transportError(endpoint, outcome), sent))
  // The code's lifetime counts from its arrival.
  const answeredMs = yield* now()
  const flow = E.mapLeft((error: MsalError) => withoutSecretsSentIn(error, sent))(
    processDeviceAuthorizationResponse(outcome, { url: endpoint, nowMs: answeredMs, defaultRetryAfterMs: defaultRetryAfterMs(ctx) }),
  )
  return E.map((authorization: DeviceAuthorization): DeviceFlow => ({ ...authorization, scopes, correlationId, codeExpiresAt: authorization.expiresAt }))(flow)
}

/** What acquireTokenByDeviceFlow needs of a flow; anything else in it is the caller's. */
const DeviceFlowCodec = t.intersection([
  t.type({ deviceCode: NonEmptyString, expiresAt: t.number, interval: t.number }),
  t.partial({ scopes: t.array(t.string), correlationId: NonEmptyString, codeExpiresAt: t.number }),
])

/** The flow object as the caller holds it: `expiresAt` is read afresh before every poll. */
type LiveFlow = { readonly expiresAt?: unknown }

/**
 * MSAL Python's `acquire_token_by_device_flow`: polls the token endpoint until the user approves
 * (the tokens and account land in the cache), declines (ServerError authorization_declined) or
 * the code expires. Polls are `interval` seconds apart, 5 s more after each slow_down.
 *
 * It stops, with nothing cached:
 * - on an AbortSignal, with a CancelledError;
 * - when the caller set the flow's `expiresAt` to a time now past (MSAL Python's way, e.g. 0),
 *   with a CancelledError, before the next poll (or before the first one, when it was set before
 *   the call);
 * - when the code's own `expiresAt` passes, with a TimeoutError (code "timeout"): the user did
 *   not sign in in time. Had it polled once more, the server would have answered expired_token,
 *   which (like any error but authorization_pending and slow_down) ends polling as a ServerError.
 *
 * Telemetry reports the outcome once, as MSAL Python does: the "not yet" answers of the polls
 * before it are not reported as failures.
 */
export function* acquireTokenByDeviceFlow(
  ctx: ClientContext,
  flowInput: unknown,
  options: DeviceFlowRedemptionOptions = {},
): Program<E.Either<MsalError, TokenResult>> {
  return yield* withTokenBinding({ data: options.data }, (bound) => redeemDeviceFlow(ctx, flowInput, options, bound))
}

function* redeemDeviceFlow(ctx: ClientContext, flowInput: unknown, options: DeviceFlowRedemptionOptions, bound: BoundRequest | undefined): Program<E.Either<MsalError, TokenResult>> {
  const decoded = decodeOr(DeviceFlowCodec, flowInput, (_, problem) =>
    usageError('flow', `not a flow from initiateDeviceFlow (${problem.path || 'flow'}: ${problem.message})`),
  )
  if (E.isLeft(decoded)) return decoded
  const flow = decoded.right
  const claims = mergeClaimsAndCapabilities(ctx.config.clientCapabilities, options.claimsChallenge)
  if (E.isLeft(claims)) return claims
  const correlationId = flow.correlationId ?? (yield* newCorrelationId())
  const result = yield* pollUntilDone(ctx, {
    live: flowInput as LiveFlow,
    deviceCode: flow.deviceCode,
    // A flow from an older release has no codeExpiresAt: its expiresAt when polling begins stands in.
    expiresAt: flow.codeExpiresAt ?? flow.expiresAt,
    interval: flow.interval,
    scopes: flow.scopes ?? [],
    claims: claims.right,
    signal: options.signal,
    correlationId,
    bound,
  })
  if (E.isLeft(result)) {
    yield* logError('info', `acquireTokenByDeviceFlow failed (correlation id ${correlationId})`, result.left)
    return E.left(withCorrelationId(result.left, correlationId))
  }
  return result
}

interface Polling {
  readonly live: LiveFlow
  readonly deviceCode: string
  /** When the code itself expires (epoch seconds); a live `expiresAt` that differs was set by the caller. */
  readonly expiresAt: number
  readonly interval: number
  readonly scopes: readonly string[]
  readonly claims: string | undefined
  readonly signal: AbortSignalLike | undefined
  readonly correlationId: string
  readonly bound: BoundRequest | undefined
}

function* pollUntilDone(ctx: ClientContext, p: Polling): Program<E.Either<MsalError, TokenResult>> {
  if (isAborted(p.signal)) return E.left(aborted())
  const endpoints = yield* userEndpoints(ctx, p.correlationId, yield* now())
  if (E.isLeft(endpoints)) return endpoints
  const { tokenEndpoint } = endpoints.right
  const request = buildDeviceCodeTokenRequest({
    tokenEndpoint,
    clientId: ctx.config.clientId,
    deviceCode: p.deviceCode,
    claims: p.claims,
    headers: requestHeaders(ctx, ApiId.acquireTokenByDeviceFlow, RefreshReason.notSilent, p.correlationId),
  })
  // A server asking for no wait at all would be polled in a tight loop; one asking for ages would stall the caller.
  let intervalSeconds = pollIntervalSeconds(p.interval)
  for (;;) {
    const nowMs = yield* now()
    const stop = stopReason(p, nowMs, tokenEndpoint)
    if (stop !== undefined) return E.left(stop)
    const result = yield* redeemUserToken(ctx, {
      request,
      api: ApiId.acquireTokenByDeviceFlow,
      correlationId: p.correlationId,
      nowMs,
      scopes: p.scopes,
      grantType: DEVICE_CODE_GRANT_TYPE,
      environment: ctx.config.authority.host,
      // MSAL Python reports the final answer only: a long wait must not fill the buffer.
      reportsFailure: (error) => !isPollAgainError(error.kind === 'ServerError' ? error.error : undefined),
      bound: p.bound,
    })
    if (E.isRight(result)) return result
    const answer = result.left.kind === 'ServerError' ? result.left.error : undefined
    // An abort during the request: the interpreter may have cut it short with a failure.
    if (isAborted(p.signal)) return E.left(aborted())
    if (!isPollAgainError(answer)) return result
    if (answer === 'slow_down') intervalSeconds = Math.min(MAX_POLL_INTERVAL_SECONDS, intervalSeconds + SLOW_DOWN_SECONDS)
    yield* log('verbose', `device code flow: ${answer}; polling again in ${intervalSeconds} s`)
    yield* sleep(intervalSeconds * 1000)
  }
}

/** Read afresh each time: the signal changes under the flow. */
const isAborted = (signal: AbortSignalLike | undefined): boolean => signal?.aborted === true

const aborted = (): CancelledError => cancelledError('acquireTokenByDeviceFlow was cancelled: its AbortSignal was aborted')

/** Why polling must stop before the next request, if it must. */
const stopReason = (p: Polling, nowMs: number, tokenEndpoint: string): CancelledError | TimeoutError | undefined => {
  if (isAborted(p.signal)) return aborted()
  const live = p.live.expiresAt
  const expiresAt = typeof live === 'number' && Number.isFinite(live) ? live : 0
  if (nowMs < expiresAt * 1000) return undefined
  if (expiresAt !== p.expiresAt) return cancelledError(`acquireTokenByDeviceFlow was stopped: the flow's expiresAt was set to ${String(live)}, a time now past`)
  return withFields(timeoutError(tokenEndpoint, 'the device code expired'), {
    message: 'the device code expired before the user signed in with it; start again with initiateDeviceFlow',
  })
}
