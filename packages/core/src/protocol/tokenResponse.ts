import * as E from '../util/either.js'
import * as t from '../util/decoder.js'
import type { HttpResponse } from '../effects/effect.js'
import { type MsalError, type WireErrorFields } from '../errors.js'
import { invalidResponseError, serverError, throttledError } from '../wireErrors.js'
import { parseRetryAfter } from '../http/retryAfter.js'
import { NonEmptyString } from '../util/codecs.js'
import { decodeOr, isJsonObject as isObject, parseJson } from '../util/decode.js'

/**
 * The longest lifetime taken from a server: 10 years. A longer one (a server's bug, or one that
 * means harm: `1e308`) is cut to it, so every time computed from it stays a whole number that
 * MSAL Python and MSAL for Node read back from the cache.
 */
export const MAX_LIFETIME_SECONDS = 10 * 365 * 24 * 60 * 60

/** The latest epoch time taken from a server (9999-12-31T23:59:59Z); later ones are cut to it. */
export const MAX_EPOCH_SECONDS = 253_402_300_799

/**
 * A non-negative whole number of seconds, at most `max`; Entra's v1-style endpoints send them as
 * strings. Infinity and 1e308 are over the limit, not invalid: they mean "a long time".
 */
const wholeSeconds = (name: string, max: number) =>
  t.normalising(
    name,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 0 && u <= max,
    (u) => {
      const n = typeof u === 'number' ? u : typeof u === 'string' && /^\d+$/.test(u) ? Number(u) : Number.NaN
      return n >= 0 ? Math.min(max, Math.floor(n)) : undefined
    },
  )

/** A lifetime (`expires_in`, `ext_expires_in`, `refresh_in`, `refresh_token_expires_in`), cut to MAX_LIFETIME_SECONDS. */
export const Seconds = wholeSeconds('a number of seconds', MAX_LIFETIME_SECONDS)

/** An absolute time in epoch seconds (`expires_on`), cut to MAX_EPOCH_SECONDS. */
export const EpochSeconds = wholeSeconds('epoch seconds', MAX_EPOCH_SECONDS)

/** A successful token response (RFC 6749 §5.1 plus Entra's extensions). Unknown fields are kept. */
export const TokenSuccessResponse = t.intersection(
  [
    t.type({ access_token: NonEmptyString }),
    t.partial({
      token_type: t.string,
      expires_in: Seconds,
      ext_expires_in: Seconds,
      refresh_in: Seconds,
      expires_on: EpochSeconds,
      scope: t.string,
      refresh_token: t.string,
      id_token: t.string,
      client_info: t.string,
      foci: t.string,
      /** The refresh token's own lifetime (Entra's SPA refresh tokens: a fixed 24 hours), in seconds. */
      refresh_token_expires_in: Seconds,
    }),
  ],
  'a token response',
)
export type TokenSuccessResponse = t.TypeOf<typeof TokenSuccessResponse> & { readonly [extra: string]: unknown }

/** An OAuth2 error response (RFC 6749 §5.2 plus Entra's extensions). */
export const TokenErrorResponse = t.intersection(
  [
    t.type({ error: t.string }),
    t.partial({
      error_description: t.string,
      error_codes: t.array(t.number),
      suberror: t.string,
      correlation_id: t.string,
      trace_id: t.string,
      timestamp: t.string,
      claims: t.string,
      error_uri: t.string,
      // Entra's hints for clients, e.g. ["client_mismatch"] when an app is not in a token's family.
      error_additional_info: t.union([t.array(t.string), t.string]),
    }),
  ],
  'an OAuth2 error response',
)
export type TokenErrorResponse = t.TypeOf<typeof TokenErrorResponse>

export const wireErrorFields = (body: TokenErrorResponse): WireErrorFields => ({
  error: body.error,
  errorDescription: body.error_description,
  errorCodes: body.error_codes,
  suberror: body.suberror,
  correlationId: body.correlation_id,
  traceId: body.trace_id,
  timestamp: body.timestamp,
  claims: body.claims,
  errorUri: body.error_uri,
  ...(body.error_additional_info !== undefined
    ? { errorAdditionalInfo: typeof body.error_additional_info === 'string' ? [body.error_additional_info] : body.error_additional_info }
    : {}),
})

export interface ResponseContext {
  /** The URL the request went to, named in errors (redacted). */
  readonly url: string
  /** The time the response arrived, in epoch milliseconds: Retry-After dates are counted from it. */
  readonly nowMs: number
  /** Used for a 429 that names no Retry-After. */
  readonly defaultRetryAfterMs: number
}

const isThrottling = (status: number, retryAfterMs: number | undefined): boolean =>
  status === 429 || (status >= 500 && retryAfterMs !== undefined)


/**
 * Classifies any HTTP response into a JSON body to decode further or an MsalError:
 * throttling (429, or 5xx with Retry-After), an OAuth2 error, or a body that is not a JSON object.
 * The status is kept in every error.
 */
export const processJsonResponse = (response: HttpResponse, ctx: ResponseContext): E.Either<MsalError, Record<string, unknown>> => {
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], ctx.nowMs)
  const json = parseJson(response.body)
  const body = E.isRight(json) && isObject(json.right) ? json.right : undefined
  const wireError = body !== undefined && typeof body['error'] === 'string' ? TokenErrorResponse.decode(body) : undefined
  const fields = wireError !== undefined && E.isRight(wireError) ? wireErrorFields(wireError.right) : {}

  if (isThrottling(response.status, retryAfterMs)) {
    return E.left(throttledError(response.status, retryAfterMs ?? ctx.defaultRetryAfterMs, fields))
  }
  if (body === undefined) {
    const contentType = response.headers['content-type'] ?? 'no content type'
    const problem = response.body.trim() === '' ? 'expected a JSON object, got an empty body' : `expected a JSON object, got ${contentType}`
    return E.left(invalidResponseError(ctx.url, response.status, problem, response.body))
  }
  if (wireError !== undefined) {
    return E.isRight(wireError)
      ? E.left(serverError(response.status, fields))
      : E.left(invalidResponseError(ctx.url, response.status, `malformed error response: ${String(body['error'])}`, response.body))
  }
  if (response.status < 200 || response.status > 299) {
    return E.left(invalidResponseError(ctx.url, response.status, 'an unsuccessful status without an OAuth2 error', response.body))
  }
  return E.right(body)
}

/**
 * A token endpoint that answers 401 or 403 with nothing in the body refused the client's
 * authentication without saying why (a generic provider refusing a reused assertion's jti does).
 */
const refusedClientAuthentication = (response: HttpResponse, url: string): MsalError | undefined =>
  (response.status === 401 || response.status === 403) && response.body.trim() === ''
    ? invalidResponseError(
        url,
        response.status,
        "the identity provider refused the client's authentication with an empty answer: check the credential, and whether it takes each assertion once (reuseClientAssertion)",
        '',
      )
    : undefined

/** Turns a token endpoint's answer into a decoded success response or an MsalError. Never throws. */
export const processTokenResponse = (response: HttpResponse, ctx: ResponseContext): E.Either<MsalError, TokenSuccessResponse> => {
  const refused = refusedClientAuthentication(response, ctx.url)
  return refused !== undefined ? E.left(refused) : decodeTokenResponse(response, ctx)
}

const decodeTokenResponse = (response: HttpResponse, ctx: ResponseContext): E.Either<MsalError, TokenSuccessResponse> =>
  E.chain((body: Record<string, unknown>) =>
    decodeOr(TokenSuccessResponse, body, (problem): MsalError => invalidResponseError(ctx.url, response.status, problem, '')) as E.Either<
      MsalError,
      TokenSuccessResponse
    >,
  )(processJsonResponse(response, ctx))
