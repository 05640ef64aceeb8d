/**
 * MsalError: every way an operation can fail, one `Error` subclass per kind.
 *
 * Core returns these in an `Either` (never throws them); the application classes reject their
 * Promises with the same objects. One discriminator, `kind` (the class's name), narrows:
 * `error instanceof ThrottledError`, `isMsalError(error, 'ThrottledError')`, or
 * `switch (error.kind)` after `error instanceof MsalError`. `error` is MSAL Python's error-dict
 * field: the OAuth2 error the identity provider sent, else a stable snake_case name of the kind.
 *
 * Errors end up in logs, so what this module builds never holds a secret: URLs lose their
 * query, fragment, user info and user names (redactUrl), and body excerpts lose tokens and
 * secret fields.
 */
import { redactUrl, redactUrlsIn } from './util/redact.js'

/** The fields an OAuth2 / Microsoft Entra error response carries (MSAL Python's error dict). */
export interface WireErrorFields {
  /** The OAuth2 `error`, e.g. `invalid_client` (RFC 6749 §5.2). */
  readonly error?: string | undefined
  /** The OAuth2 `error_description`: free text for people (it may name a user). */
  readonly errorDescription?: string | undefined
  /** Entra's numeric AADSTS codes (`error_codes`). */
  readonly errorCodes?: readonly number[] | undefined
  /** Entra's `suberror`, e.g. `basic_action`. */
  readonly suberror?: string | undefined
  /** `suberror`, with the ones an app cannot act on mapped to "" (as MSAL does). */
  readonly classification?: string | undefined
  /** The identity provider's correlation id for the failed request. */
  readonly correlationId?: string | undefined
  /** Entra's `trace_id`. */
  readonly traceId?: string | undefined
  /** Entra's `timestamp` of the failure, as it sent it. */
  readonly timestamp?: string | undefined
  /** A claims challenge to pass back on the next request (`claims`). */
  readonly claims?: string | undefined
  /** The OAuth2 `error_uri` (RFC 6749 §5.2). */
  readonly errorUri?: string | undefined
  /** Entra's hints for clients (`error_additional_info`), e.g. "client_mismatch". */
  readonly errorAdditionalInfo?: readonly string[] | undefined
}

/** Own fields that are not copied into `toJSON` twice. */
const HIDDEN = new Set(['stack'])

/**
 * What every kind has. Use the subclasses; this one is abstract. `kind` is the discriminator,
 * `message` is for people, `error` is MSAL Python's error name.
 */
abstract class MsalErrorBase extends Error {
  /** Which kind of failure: the class's name. The one discriminator. */
  abstract readonly kind: MsalErrorKind
  /** MSAL Python's `error`: the OAuth2 error the identity provider sent, else a stable snake_case name of the kind. */
  declare readonly error: string
  /** The failed call's correlation id (the identity provider's when it sent one), for support requests. */
  declare readonly correlationId?: string | undefined
  /** The identity provider's `error_description` (OAuth2, RFC 6749 §5.2), when it sent one: free text that may name a user. */
  declare readonly errorDescription?: string | undefined
  /** Entra's numeric AADSTS codes (`error_codes`), when it sent them. */
  declare readonly errorCodes?: readonly number[] | undefined
  /** Entra's `suberror`, when it sent one. */
  declare readonly suberror?: string | undefined
  /** `suberror` with the ones an app cannot act on mapped to "" (MSAL's classification). */
  declare readonly classification?: string | undefined
  /** A claims challenge to pass back on the next request, when the identity provider sent one. */
  declare readonly claims?: string | undefined

  constructor(message: string, error: string, fields: object) {
    super(message)
    // Own, enumerable data fields: they read as MSAL Python's error dict.
    Object.assign(this, fields)
    if (typeof (this as { error?: unknown }).error !== 'string' || (this as { error: string }).error === '') {
      Object.defineProperty(this, 'error', { value: error, enumerable: true, writable: false, configurable: true })
    }
  }

  /**
   * The class's name, as Error subclasses print ("ServerError: ..."): its kind. A getter on the
   * base rather than a name set on each class, so a bundle keeps only the classes it constructs.
   */
  override get name(): string {
    return this.kind
  }

  /** The error as plain data (for logs and JSON): its kind, message and fields; never a stack. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, kind: this.kind, message: this.message }
    for (const [key, value] of Object.entries(this)) if (!HIDDEN.has(key) && value !== undefined) out[key] = value
    return out
  }
}

/** The application was configured wrongly; `field` names the option. */
export class ConfigurationError extends MsalErrorBase {
  readonly kind = 'ConfigurationError' as const
  /** The option that is wrong, e.g. "clientCredential.privateKey". */
  declare readonly field: string
}

/** A method was called with an argument it cannot accept; `argument` names it. */
export class UsageError extends MsalErrorBase {
  readonly kind = 'UsageError' as const
  /** The argument (or the argument's field) that is wrong. */
  declare readonly argument: string
}

/** The identity provider answered with an OAuth2 error (RFC 6749 §5.2). */
export class ServerError extends MsalErrorBase implements WireErrorFields {
  readonly kind = 'ServerError' as const
  /** The HTTP status of the answer. */
  declare readonly status: number
  /** Entra's `trace_id`. */
  declare readonly traceId?: string | undefined
  /** Entra's `timestamp` of the failure, as it sent it. */
  declare readonly timestamp?: string | undefined
  /** The OAuth2 `error_uri` (RFC 6749 §5.2). */
  declare readonly errorUri?: string | undefined
  /** Entra's hints for clients (`error_additional_info`), e.g. "client_mismatch". */
  declare readonly errorAdditionalInfo?: readonly string[] | undefined
}

/** The identity provider asked us to back off (429, 5xx, Retry-After), or an earlier answer still holds the request back. */
export class ThrottledError extends MsalErrorBase implements WireErrorFields {
  readonly kind = 'ThrottledError' as const
  /** The HTTP status of the answer that throttled. */
  declare readonly status: number
  /** How long to wait before an identical request, in milliseconds. */
  declare readonly retryAfterMs: number
  /** Entra's `trace_id`. */
  declare readonly traceId?: string | undefined
  /** Entra's `timestamp` of the failure, as it sent it. */
  declare readonly timestamp?: string | undefined
  /** The OAuth2 `error_uri` (RFC 6749 §5.2). */
  declare readonly errorUri?: string | undefined
  /** Entra's hints for clients (`error_additional_info`), e.g. "client_mismatch". */
  declare readonly errorAdditionalInfo?: readonly string[] | undefined
}

/** No response arrived: connection refused, reset, DNS failure. */
export class NetworkError extends MsalErrorBase {
  readonly kind = 'NetworkError' as const
  /** The URL called, redacted (no query, fragment or user info). */
  declare readonly url: string
}

/** No response arrived in time. */
export class TimeoutError extends MsalErrorBase {
  readonly kind = 'TimeoutError' as const
  /** The URL called, redacted (no query, fragment or user info). */
  declare readonly url: string
}

/** A response arrived that is not what the protocol allows (not JSON, missing fields, an HTML page, too large). */
export class InvalidResponseError extends MsalErrorBase {
  readonly kind = 'InvalidResponseError' as const
  /** The URL called, redacted. */
  declare readonly url: string
  /** The HTTP status of the answer. */
  declare readonly status: number
  /** The first characters of the body (secrets replaced), to help diagnose a proxy or gateway page. */
  declare readonly bodyExcerpt: string
}

/** A serialized or persisted token cache could not be read or written. */
export class CacheError extends MsalErrorBase {
  readonly kind = 'CacheError' as const
}

/** An ID token failed a check that protects the sign-in (audience, nonce, max_age): MSAL Python's IdTokenError. */
export class IdTokenError extends MsalErrorBase {
  readonly kind = 'IdTokenError' as const
  /** Which check failed: "aud", "nonce", "auth_time", "format". */
  declare readonly check: string
}

/** The authorization server answered the sign-in redirect with an error (e.g. access_denied, RFC 6749 §4.1.2.1). */
export class AuthorizationError extends MsalErrorBase implements WireErrorFields {
  readonly kind = 'AuthorizationError' as const
  /** Entra's `trace_id`. */
  declare readonly traceId?: string | undefined
  /** Entra's `timestamp` of the failure, as it sent it. */
  declare readonly timestamp?: string | undefined
  /** The OAuth2 `error_uri` (RFC 6749 §5.2). */
  declare readonly errorUri?: string | undefined
  /** Entra's hints for clients (`error_additional_info`), e.g. "client_mismatch". */
  declare readonly errorAdditionalInfo?: readonly string[] | undefined
}

/** The caller stopped the operation (an AbortSignal, a device flow's expiresAt set to 0, a closed sign-in). */
export class CancelledError extends MsalErrorBase {
  readonly kind = 'CancelledError' as const
}

/** Why a browser app must show the user a sign-in page: silent acquisition could not get a token. */
export type InteractionRequiredReason =
  /** No account was given, or the cache knows none. */
  | 'no_account'
  /** The refresh token's own lifetime (a SPA's fixed 24 hours, `refresh_token_expires_in`) is over or nearly over. */
  | 'refresh_token_expired'
  /** The identity provider wants the user to sign in (no session, `login_required`, `interaction_required`). */
  | 'login_required'
  /** The user has not consented to these scopes (`consent_required`). */
  | 'consent_required'
  /** The hidden iframe brought no answer in time (third-party cookies blocked, a page that cannot be framed). */
  | 'iframe_timeout'
  /** The identity provider refused the refresh token (e.g. revoked, `invalid_grant`). */
  | 'refresh_refused'

/** Silent acquisition could not get a token without the user: sign in interactively (loginRedirect, loginPopup). */
export class InteractionRequiredError extends MsalErrorBase {
  readonly kind = 'InteractionRequiredError' as const
  /** Why interaction is required. */
  declare readonly reason: InteractionRequiredReason
}

/** Another sign-in is under way in this tab (its interaction flag is live). */
export class InteractionInProgressError extends MsalErrorBase {
  readonly kind = 'InteractionInProgressError' as const
  /** The interaction under way: "redirect", "popup" or "logout". */
  declare readonly interaction: string
  /** How long ago it began, in milliseconds. */
  declare readonly ageMs: number
}

/** The browser refused to open the sign-in popup (no user gesture, or a popup blocker). */
export class PopupBlockedError extends MsalErrorBase {
  readonly kind = 'PopupBlockedError' as const
}

/**
 * A managed identity could not be used as given or as its source answered (MSAL Python's
 * ManagedIdentityError): an identity that is not one, an endpoint variable that is not a URL, an
 * Azure Arc challenge or key file that is refused, a user-assigned identity the source did not
 * confirm. The message names what was wrong. As in MSAL Python, where ArcPlatformNotSupportedError
 * is a subclass, `instanceof ManagedIdentityError` holds for both kinds.
 */
export class ManagedIdentityError extends MsalErrorBase {
  readonly kind = 'ManagedIdentityError' as const
  /** The source the failure concerns (e.g. "AZURE_ARC"), when one was chosen. */
  declare readonly source?: string | undefined

  static override [Symbol.hasInstance](value: unknown): value is ManagedIdentityError | ArcPlatformNotSupportedError {
    return value instanceof MsalErrorBase && (value.kind === 'ManagedIdentityError' || value.kind === 'ArcPlatformNotSupportedError')
  }
}

/**
 * Azure Arc's agent challenged, but this platform has no Arc key folder (only Linux and Windows
 * do): MSAL Python's ArcPlatformNotSupportedError. Also `instanceof ManagedIdentityError`.
 */
export class ArcPlatformNotSupportedError extends MsalErrorBase {
  readonly kind = 'ArcPlatformNotSupportedError' as const
  /** Always "AZURE_ARC". */
  declare readonly source: string
  /** The platform (as Node reports its platform), e.g. "darwin". */
  declare readonly platform: string
}

/** Every kind of failure; narrow it with `kind`. */
export type MsalError =
  | InteractionRequiredError
  | InteractionInProgressError
  | PopupBlockedError
  | ArcPlatformNotSupportedError
  | AuthorizationError
  | CancelledError
  | IdTokenError
  | CacheError
  | ConfigurationError
  | UsageError
  | ServerError
  | ThrottledError
  | NetworkError
  | TimeoutError
  | InvalidResponseError
  | ManagedIdentityError

/** The discriminator's values: the classes' names. */
export type MsalErrorKind = MsalError['kind']

/**
 * The base class as a value: `error instanceof MsalError` holds for every kind, and narrows to
 * the union, so `switch (error.kind)` then narrows each field.
 */
export const MsalError = MsalErrorBase as unknown as MsalErrorConstructor

/** The type of the `MsalError` value: a class whose instances are every kind of MsalError. */
export interface MsalErrorConstructor {
  /** Not for direct use: construct a kind's class (ServerError, ...), or use the factories (serverError, ...). */
  new (message: string, error: string, fields: object): MsalError
  readonly prototype: MsalError
  [Symbol.hasInstance](value: unknown): value is MsalError
}

/**
 * Whether `value` is an MsalError, of `kind` when given: a type guard that narrows, e.g.
 * `isMsalError(e, 'ThrottledError') && e.retryAfterMs`.
 */
export function isMsalError(value: unknown): value is MsalError
export function isMsalError<K extends MsalErrorKind>(value: unknown, kind: K): value is Extract<MsalError, { kind: K }>
export function isMsalError(value: unknown, kind?: MsalErrorKind): boolean {
  return value instanceof MsalErrorBase && (kind === undefined || value.kind === kind)
}

/** A copy of an error with some fields changed (errors are values: never mutated). */
export const withFields = <T extends MsalError>(error: T, fields: Partial<Omit<T, 'kind'>>): T => {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as T
  for (const key of Object.getOwnPropertyNames(error)) {
    Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(error, key)!)
  }
  for (const [key, value] of Object.entries(fields)) {
    const enumerable = Object.getOwnPropertyDescriptor(error, key)?.enumerable ?? (key !== 'message' && key !== 'stack')
    Object.defineProperty(copy, key, { value, enumerable, writable: key === 'message' || key === 'stack', configurable: true })
  }
  return copy
}

export const configurationError = (field: string, message: string): ConfigurationError =>
  new ConfigurationError(`${field}: ${message}`, 'invalid_configuration', { field })

export const cacheError = (message: string): CacheError => new CacheError(`token cache: ${message}`, 'invalid_cache', {})

export const popupBlockedError = (message: string): PopupBlockedError => new PopupBlockedError(message, 'popup_window_error', {})

export const usageError = (argument: string, message: string): UsageError => new UsageError(`${argument}: ${message}`, 'invalid_argument', { argument })

/** `detail` is the interpreter's (a fetch implementation's message may quote the whole URL). */
export const networkError = (url: string, detail: string): NetworkError =>
  new NetworkError(`network error calling ${redactUrl(url)}: ${redactUrlsIn(detail)}`, 'network_error', { url: redactUrl(url) })

/** True when the failure means "no answer from the network", where MSAL falls back to a cached token. */
export const isTransportError = (error: MsalError): boolean => error.kind === 'NetworkError' || error.kind === 'TimeoutError'

