import * as E from '../util/either.js'
import type { HttpResponse } from '../effects/effect.js'
import { type MsalError, type WireErrorFields } from '../errors.js'
import { invalidResponseError, serverError, throttledError } from '../wireErrors.js'
import { parseRetryAfter } from '../http/retryAfter.js'
import { TokenErrorResponse, wireErrorFields, type TokenSuccessResponse } from '../protocol/tokenResponse.js'
import { isJsonObject as isObject, parseJson } from '../util/decode.js'
import { parseExpiresOn, parseSeconds } from './expiresOn.js'
import { ManagedIdentitySource } from './sources.js'

/** MSAL's rule for managed identity: a token living this long or longer is refreshed at half its life. */
export const PROACTIVE_REFRESH_THRESHOLD_SECONDS = 7200

/** A source's 429 or 5xx without Retry-After holds identical requests back this long (MSAL Python's default). */
export const DEFAULT_MANAGED_IDENTITY_RETRY_AFTER_MS = 5_000

/** A longer lifetime is a broken answer (and would not fit the cache's epoch-seconds strings). */
const MAX_LIFETIME_SECONDS = 10 * 365 * 86_400

/** Error descriptions copied from a body are cut to this many characters. */
const DESCRIPTION_LIMIT = 2_000

export interface ManagedIdentityAnswer {
  /** The token, in OAuth2's shape (`expires_in` derived, `refresh_in` added), as the cache files it. */
  readonly token: TokenSuccessResponse
  /** The source's JSON object, for fields only some sources send (Azure Arc echoes a user-assigned id). */
  readonly body: Readonly<Record<string, unknown>>
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)
const cut = (value: string): string => (value.length > DESCRIPTION_LIMIT ? `${value.slice(0, DESCRIPTION_LIMIT)}…` : value)

/** An OAuth2 error body (`error` a string), as the wire spelled it. */
const oauthError = (body: Record<string, unknown>): WireErrorFields | undefined => {
  if (typeof body['error'] !== 'string') return undefined
  const decoded = TokenErrorResponse.decode(body)
  return E.isRight(decoded) ? wireErrorFields(decoded.right) : { error: body['error'], errorDescription: text(body['error_description']) }
}

/** Service Fabric's error codes as OAuth2 errors (MSAL Python's table); any other code is invalid_request. */
export const SERVICE_FABRIC_ERRORS: Readonly<Record<string, string>> = {
  SecretHeaderNotFound: 'unauthorized_client',
  ManagedIdentityNotFound: 'invalid_client',
  ArgumentNullOrEmpty: 'invalid_scope',
}

/** `{"error": {"code", "message", "correlationId"}}`: Service Fabric's (and Cloud Shell's) error object. */
const errorObject = (body: Record<string, unknown>, codes: Readonly<Record<string, string>> | undefined): WireErrorFields | undefined => {
  const error = body['error']
  if (!isObject(error) || typeof error['code'] !== 'string') return undefined
  const code = error['code']
  return {
    error: codes === undefined ? code : (codes[code] ?? 'invalid_request'),
    errorDescription: codes === undefined ? text(error['message']) : [code, text(error['message'])].filter((part) => part !== undefined).join(': '),
    correlationId: text(error['correlationId']) ?? text(body['correlation_id']),
  }
}

/**
 * Each source's error shape as MSAL's error fields (MSAL Python's mapping). `body` is the parsed
 * JSON object (undefined when the body is not one); undefined means "not an error this source
 * sends" (an invalid response).
 */
const ERROR_SHAPES: Readonly<Record<ManagedIdentitySource, (body: Record<string, unknown> | undefined, raw: string, status: number) => WireErrorFields | undefined>> = {
  // IMDS answers OAuth2 errors; they are kept as they are.
  [ManagedIdentitySource.DEFAULT_TO_VM]: (body) => (body === undefined ? undefined : oauthError(body)),
  // {"statusCode": 400, "message": "..."}: empirically a wrong resource, hence invalid_scope.
  [ManagedIdentitySource.APP_SERVICE]: (body, _, status) => {
    if (body === undefined) return undefined
    return oauthError(body) ?? { error: 'invalid_scope', errorDescription: cut(`${parseSeconds(body['statusCode']) ?? status}, ${text(body['message']) ?? text(body['Message']) ?? '(no message)'}`) }
  },
  // No documented shape: the whole body, as JSON text, is the description (MSAL Python: its repr).
  [ManagedIdentitySource.MACHINE_LEARNING]: (body) => (body === undefined ? undefined : { error: 'invalid_scope', errorDescription: cut(JSON.stringify(body)) }),
  [ManagedIdentitySource.SERVICE_FABRIC]: (body) => (body === undefined ? undefined : (errorObject(body, SERVICE_FABRIC_ERRORS) ?? oauthError(body))),
  // Whatever the agent said, JSON or not.
  [ManagedIdentitySource.AZURE_ARC]: (_, raw) => ({ error: 'invalid_request', errorDescription: cut(raw) }),
  [ManagedIdentitySource.CLOUD_SHELL]: (body) => (body === undefined ? undefined : (oauthError(body) ?? errorObject(body, undefined))),
}

/** 429, or a 5xx that says when to come back: the caller should wait (MSAL's throttling rule). */
const isThrottling = (status: number, retryAfterMs: number | undefined): boolean => status === 429 || (status >= 500 && retryAfterMs !== undefined)

/**
 * Normalises a token: `expires_in` from the response (IMDS, Arc) or derived from `expires_on` in
 * any of its formats (App Service, Machine Learning, Service Fabric: epoch seconds as a number or
 * a string, ISO 8601, App Service's 2017 format); `refresh_in` = half the lifetime when the source
 * gave none and the token lives 2 hours or more (MSAL Python's ≥); `token_type` Bearer by default.
 */
export const normaliseToken = (body: Record<string, unknown>, nowSec: number): E.Either<string, TokenSuccessResponse> => {
  const accessToken = body['access_token']
  if (typeof accessToken !== 'string' || accessToken === '') return E.left('no access_token')
  const given = parseSeconds(body['expires_in'])
  const expiresOn = given === undefined ? parseExpiresOn(body['expires_on']) : undefined
  if (given === undefined && expiresOn === undefined) {
    return E.left(body['expires_on'] === undefined ? 'neither expires_in nor expires_on' : `expires_on is not a time: ${JSON.stringify(body['expires_on']).slice(0, 60)}`)
  }
  // A token already past its expiry is kept for no time at all.
  const expiresIn = Math.max(0, given ?? expiresOn! - nowSec)
  if (expiresIn > MAX_LIFETIME_SECONDS) return E.left(`a lifetime of ${expiresIn} s is not a token's`)
  const givenRefreshIn = parseSeconds(body['refresh_in'])
  const refreshIn =
    givenRefreshIn !== undefined && givenRefreshIn >= 0 && givenRefreshIn <= expiresIn
      ? givenRefreshIn
      : expiresIn >= PROACTIVE_REFRESH_THRESHOLD_SECONDS
        ? Math.floor(expiresIn / 2)
        : undefined
  const tokenType = text(body['token_type']) ?? 'Bearer'
  const resource = text(body['resource'])
  return E.right({
    access_token: accessToken,
    expires_in: expiresIn,
    token_type: tokenType,
    ...(refreshIn !== undefined ? { refresh_in: refreshIn } : {}),
    ...(resource !== undefined ? { resource } : {}),
  })
}

/**
 * A source's answer as a token or an MsalError: a 2xx JSON object with an access token is a
 * token; 429 (or 5xx with Retry-After) a ThrottledError; another error in the source's own shape
 * a ServerError with MSAL's fields; anything else an InvalidResponseError. Never throws.
 */
export const processManagedIdentityResponse = (
  source: ManagedIdentitySource,
  response: HttpResponse,
  ctx: { readonly url: string; readonly nowMs: number },
): E.Either<MsalError, ManagedIdentityAnswer> => {
  const json = parseJson(response.body)
  const body = E.isRight(json) && isObject(json.right) ? json.right : undefined
  if (response.status >= 200 && response.status <= 299 && body !== undefined && typeof body['access_token'] === 'string') {
    const token = normaliseToken(body, Math.floor(ctx.nowMs / 1000))
    return E.isRight(token) ? E.right({ token: token.right, body }) : E.left(invalidResponseError(ctx.url, response.status, `unusable token response: ${token.left}`, response.body))
  }
  const fields = response.status >= 200 && response.status <= 299 ? undefined : ERROR_SHAPES[source](body, response.body, response.status)
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], ctx.nowMs)
  if (isThrottling(response.status, retryAfterMs)) return E.left(throttledError(response.status, retryAfterMs ?? DEFAULT_MANAGED_IDENTITY_RETRY_AFTER_MS, fields ?? {}))
  if (fields === undefined) {
    const problem = body === undefined ? `expected a JSON object from ${source}, got ${response.headers['content-type'] ?? 'no content type'}` : `expected a token or an error from ${source}`
    return E.left(invalidResponseError(ctx.url, response.status, problem, response.body))
  }
  return E.left(serverError(response.status, fields))
}
