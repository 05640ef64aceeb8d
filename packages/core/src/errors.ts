/**
 * MsalError: every way an operation can fail, as one tagged union.
 * Core functions return it in an Either and never throw. `code` is stable and machine-readable;
 * `message` is for people. Errors end up in logs, so what this module builds never holds a
 * secret: URLs lose their query, fragment, user info and user names (redactUrl), and body
 * excerpts lose tokens and secret fields.
 */
import { originOf, redactSecretsIn, redactUrl, redactUrlsIn } from './util/redact.js'

/** The fields an OAuth2 / Microsoft Entra error response carries (MSAL Python's error dict). */
export interface WireErrorFields {
  /** The OAuth2 `error`, e.g. `invalid_client`. */
  readonly error?: string
  readonly errorDescription?: string
  /** Entra's numeric AADSTS codes. */
  readonly errorCodes?: readonly number[]
  readonly suberror?: string
  /** `suberror`, with the ones an app cannot act on mapped to "" (as MSAL does). */
  readonly classification?: string
  readonly correlationId?: string
  readonly traceId?: string
  readonly timestamp?: string
  /** A claims challenge to pass back on the next request. */
  readonly claims?: string
  readonly errorUri?: string
  /** Entra's hints for clients (`error_additional_info`), e.g. "client_mismatch". */
  readonly errorAdditionalInfo?: readonly string[]
}

/** What every variant has. `correlationId` is the failed call's, for support requests. */
interface ErrorBase {
  readonly message: string
  readonly correlationId?: string | undefined
}

/** The application was configured wrongly; `field` names the option. */
export interface ConfigurationError extends ErrorBase {
  readonly _tag: 'ConfigurationError'
  readonly code: 'invalid_configuration'
  readonly field: string
  readonly message: string
}

/** A method was called with an argument it cannot accept; `argument` names it. */
export interface UsageError extends ErrorBase {
  readonly _tag: 'UsageError'
  readonly code: 'invalid_argument'
  readonly argument: string
  readonly message: string
}

/** The identity provider answered with an OAuth2 error. */
export interface ServerError extends WireErrorFields, ErrorBase {
  readonly _tag: 'ServerError'
  readonly code: 'server_error'
  readonly status: number
  readonly message: string
}

/** The identity provider asked us to back off (429, 5xx with Retry-After). */
export interface ThrottledError extends WireErrorFields, ErrorBase {
  readonly _tag: 'ThrottledError'
  readonly code: 'throttled'
  readonly status: number
  /** How long to wait before an identical request, in milliseconds. */
  readonly retryAfterMs: number
  readonly message: string
}

/** No response arrived: connection refused, reset, DNS failure. */
export interface NetworkError extends ErrorBase {
  readonly _tag: 'NetworkError'
  readonly code: 'network_error'
  readonly url: string
  readonly message: string
}

/** No response arrived in time. */
export interface TimeoutError extends ErrorBase {
  readonly _tag: 'TimeoutError'
  readonly code: 'timeout'
  readonly url: string
  readonly message: string
}

/** A response arrived that is not what the protocol allows (not JSON, missing fields, an HTML page). */
export interface InvalidResponseError extends ErrorBase {
  readonly _tag: 'InvalidResponseError'
  readonly code: 'invalid_response'
  readonly url: string
  readonly status: number
  readonly message: string
  /** The first characters of the body, to help diagnose a proxy or gateway page. */
  readonly bodyExcerpt: string
}

/** A serialized token cache could not be read (not JSON, truncated, a section of the wrong shape). */
export interface CacheError extends ErrorBase {
  readonly _tag: 'CacheError'
  readonly code: 'invalid_cache'
}

/** An ID token failed a check that protects the sign-in (audience, nonce, max_age). */
export interface IdTokenValidationError extends ErrorBase {
  readonly _tag: 'IdTokenError'
  readonly code: 'invalid_id_token'
  /** Which check failed: "aud", "nonce", "auth_time", "format". */
  readonly check: string
}

/** The authorization server answered the sign-in redirect with an error (e.g. access_denied). */
export interface AuthorizationError extends WireErrorFields, ErrorBase {
  readonly _tag: 'AuthorizationError'
  readonly code: 'authorization_error'
}

/** The caller stopped the operation (an AbortSignal, a device flow's expiresAt set to 0, a closed sign-in). */
export interface CancelledError extends ErrorBase {
  readonly _tag: 'CancelledError'
  readonly code: 'user_cancelled'
}

export type MsalError =
  | AuthorizationError
  | CancelledError
  | IdTokenValidationError
  | CacheError
  | ConfigurationError
  | UsageError
  | ServerError
  | ThrottledError
  | NetworkError
  | TimeoutError
  | InvalidResponseError

export type MsalErrorTag = MsalError['_tag']

export const configurationError = (field: string, message: string): ConfigurationError => ({
  _tag: 'ConfigurationError',
  code: 'invalid_configuration',
  field,
  message: `${field}: ${message}`,
})

export const cacheError = (message: string): CacheError => ({
  _tag: 'CacheError',
  code: 'invalid_cache',
  message: `token cache: ${message}`,
})

export const idTokenError = (check: string, message: string): IdTokenValidationError => ({
  _tag: 'IdTokenError',
  code: 'invalid_id_token',
  check,
  message: `ID token: ${message}`,
})

export const authorizationError = (fields: WireErrorFields): AuthorizationError => ({
  _tag: 'AuthorizationError',
  code: 'authorization_error',
  ...fields,
  classification: classifySuberror(fields.suberror),
  message: `the sign-in was refused: ${[fields.error, fields.errorDescription].filter((part) => part !== undefined && part !== '').join(': ')}`,
})

export const cancelledError = (message: string): CancelledError => ({ _tag: 'CancelledError', code: 'user_cancelled', message })

export const usageError = (argument: string, message: string): UsageError => ({
  _tag: 'UsageError',
  code: 'invalid_argument',
  argument,
  message: `${argument}: ${message}`,
})

/** `detail` is the interpreter's (a fetch implementation's message may quote the whole URL). */
export const networkError = (url: string, detail: string): NetworkError => ({
  _tag: 'NetworkError',
  code: 'network_error',
  url: redactUrl(url),
  message: `network error calling ${redactUrl(url)}: ${redactUrlsIn(detail)}`,
})

export const timeoutError = (url: string, detail: string): TimeoutError => ({
  _tag: 'TimeoutError',
  code: 'timeout',
  url: redactUrl(url),
  message: `timed out calling ${redactUrl(url)}: ${redactUrlsIn(detail)}`,
})

const EXCERPT_LENGTH = 200

export const invalidResponseError = (
  url: string,
  status: number,
  problem: string,
  body: string,
): InvalidResponseError => ({
  _tag: 'InvalidResponseError',
  code: 'invalid_response',
  url: redactUrl(url),
  status,
  message: `invalid response from ${redactUrl(url)} (HTTP ${status}): ${redactUrlsIn(problem)}`,
  // Redacted before it is cut to length (a token cut off in the middle is recognised too).
  bodyExcerpt: redactSecretsIn(body.slice(0, EXCERPT_LENGTH * 4)).slice(0, EXCERPT_LENGTH),
})

/** Suberrors an application cannot act on; MSAL reports them with an empty classification. */
const SUPPRESSED_SUBERRORS = new Set([
  'bad_token',
  'token_expired',
  'protection_policy_required',
  'client_mismatch',
  'device_authentication_failed',
])

export const classifySuberror = (suberror: string | undefined): string | undefined =>
  suberror === undefined ? undefined : SUPPRESSED_SUBERRORS.has(suberror) ? '' : suberror

const describeWire = (fields: WireErrorFields): string =>
  [fields.error, fields.errorDescription].filter((part) => part !== undefined && part !== '').join(': ')

export const serverError = (status: number, fields: WireErrorFields): ServerError => ({
  _tag: 'ServerError',
  code: 'server_error',
  status,
  ...fields,
  classification: classifySuberror(fields.suberror),
  message: describeWire(fields) || `the identity provider answered HTTP ${status}`,
})

export const throttledError = (status: number, retryAfterMs: number, fields: WireErrorFields): ThrottledError => ({
  _tag: 'ThrottledError',
  code: 'throttled',
  status,
  retryAfterMs,
  ...fields,
  classification: classifySuberror(fields.suberror),
  message:
    `the identity provider throttled this request (HTTP ${status}); retry after ${Math.ceil(retryAfterMs / 1000)} s` +
    (describeWire(fields) ? ` (${describeWire(fields)})` : ''),
})

/** True when the failure means "no answer from the network", where MSAL falls back to a cached token. */
export const isTransportError = (error: MsalError): boolean =>
  error._tag === 'NetworkError' || error._tag === 'TimeoutError'

/** The OAuth2 `error` when the identity provider sent one, else the stable code (MSAL Python's `error`). */
export const errorName = (error: MsalError): string =>
  (error._tag === 'ServerError' || error._tag === 'ThrottledError' || error._tag === 'AuthorizationError') && error.error !== undefined
    ? error.error
    : error.code

/** Stamps the call's correlation id on an error that does not carry the server's own. */
export const withCorrelationId = <T extends MsalError>(error: T, correlationId: string): T =>
  error.correlationId !== undefined ? error : { ...error, correlationId }

/**
 * An error in words fit for a log line without personal data: its kind, the OAuth2 error, status
 * and AADSTS codes, and the host it concerns; never the server's description (free text that may
 * name a user) nor an authority's path (it names the tenant). Log `error.message` with pii: true.
 */
export const errorSummary = (error: MsalError): string => {
  switch (error._tag) {
    case 'ServerError':
    case 'ThrottledError': {
      const codes = error.errorCodes !== undefined && error.errorCodes.length > 0 ? `, AADSTS${error.errorCodes.join(', AADSTS')}` : ''
      const retry = error._tag === 'ThrottledError' ? `, retry after ${Math.ceil(error.retryAfterMs / 1000)} s` : ''
      return `${error._tag}: ${error.error ?? error.code} (HTTP ${error.status}${codes}${retry})`
    }
    case 'NetworkError':
    case 'TimeoutError':
      return `${error._tag} calling ${originOf(error.url)}`
    case 'InvalidResponseError':
      return `${error._tag} from ${originOf(error.url)} (HTTP ${error.status})`
    case 'ConfigurationError':
      return `${error._tag} in the ${error.field} option`
    case 'UsageError':
      return `${error._tag} in the ${error.argument} argument`
    case 'CacheError':
    case 'CancelledError':
      return error._tag
    case 'IdTokenError':
      return `${error._tag}: the ${error.check} check failed`
    case 'AuthorizationError':
      return `${error._tag}: ${error.error ?? error.code}${error.errorCodes !== undefined && error.errorCodes.length > 0 ? ` (AADSTS${error.errorCodes.join(', AADSTS')})` : ''}`
  }
}
