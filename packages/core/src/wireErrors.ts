import {
  ServerError,
  ThrottledError,
  TimeoutError,
  InvalidResponseError,
  IdTokenError,
  AuthorizationError,
  CancelledError,
  type InteractionRequiredReason,
  InteractionRequiredError,
  InteractionInProgressError,
  ManagedIdentityError,
  ArcPlatformNotSupportedError,
  withFields,
  type MsalError,
  type WireErrorFields,
} from './errors.js'
import { originOf, redactSecretsIn, redactUrl, redactUrlsIn } from './util/redact.js'

// The errors an identity provider's answers and the flows that reach it make (its error fields,
// bounded; timeouts; interaction outcomes), apart from errors.ts's classes and the errors any call
// can meet (options, arguments, the cache): a browser page that answers from its cache never
// loads these.

/** The longest `errorDescription` kept: a server's description past this is cut (a 20 MB one would end up whole in every log line). */
export const MAX_DESCRIPTION_LENGTH = 4096
/** The longest short wire field kept (`error`, `suberror`, ids, timestamps). */
const MAX_FIELD_LENGTH = 256
/** The longest `error_uri` and `claims` kept. */
const MAX_LONG_FIELD_LENGTH = 16_384
/** The most `error_codes` and `error_additional_info` entries kept. */
const MAX_LIST_LENGTH = 64

/** `text`, cut to `max` characters with a note of how much was left out. */
export const truncated = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`


/** How long each wire field may be: short names and ids, long descriptions, longer claims and URIs. */
const FIELD_LIMITS: Readonly<Record<string, number>> = {
  error: MAX_FIELD_LENGTH,
  errorDescription: MAX_DESCRIPTION_LENGTH,
  suberror: MAX_FIELD_LENGTH,
  correlationId: MAX_FIELD_LENGTH,
  traceId: MAX_FIELD_LENGTH,
  timestamp: MAX_FIELD_LENGTH,
  claims: MAX_LONG_FIELD_LENGTH,
  errorUri: MAX_LONG_FIELD_LENGTH,
}

/** A server's error fields cut to sizes fit for messages and logs: whatever it sent, an error stays small. */
const boundedWire = (fields: WireErrorFields): WireErrorFields => {
  const out: Record<string, unknown> = { ...fields }
  for (const [name, max] of Object.entries(FIELD_LIMITS)) if (typeof out[name] === 'string') out[name] = truncated(out[name] as string, max)
  if (Array.isArray(fields.errorCodes)) out['errorCodes'] = fields.errorCodes.slice(0, MAX_LIST_LENGTH)
  if (Array.isArray(fields.errorAdditionalInfo)) {
    out['errorAdditionalInfo'] = fields.errorAdditionalInfo.slice(0, MAX_LIST_LENGTH).map((entry) => truncated(String(entry), MAX_FIELD_LENGTH))
  }
  return out as WireErrorFields
}

export const idTokenError = (check: string, message: string): IdTokenError => new IdTokenError(`ID token: ${message}`, 'invalid_id_token', { check })

export const authorizationError = (given: WireErrorFields): AuthorizationError => {
  const fields = boundedWire(given)
  return new AuthorizationError(
    `the sign-in was refused: ${[fields.error, fields.errorDescription].filter((part) => part !== undefined && part !== '').join(': ')}`,
    'authorization_error',
    { ...fields, classification: classifySuberror(fields.suberror) },
  )
}

export const managedIdentityError = (message: string, source?: string): ManagedIdentityError =>
  new ManagedIdentityError(`managed identity: ${message}`, 'managed_identity_error', source === undefined ? {} : { source })

export const arcPlatformNotSupportedError = (platform: string): ArcPlatformNotSupportedError =>
  new ArcPlatformNotSupportedError(
    `managed identity: platform ${platform} was undefined and unsupported: Azure Arc keeps its key files on Linux and Windows only`,
    'arc_platform_not_supported',
    { source: 'AZURE_ARC', platform },
  )

export const cancelledError = (message: string): CancelledError => new CancelledError(message, 'user_cancelled', {})

/** Its classification is always a string: "" when the identity provider gave no suberror (MSAL.NET's None), so an app can switch on it. */
export const interactionRequiredError = (reason: InteractionRequiredReason, message: string, fields: WireErrorFields = {}): InteractionRequiredError =>
  new InteractionRequiredError(message, fields.error ?? reason, { ...fields, classification: classifySuberror(fields.suberror) ?? '', reason })

export const interactionInProgressError = (interaction: string, ageMs: number): InteractionInProgressError =>
  new InteractionInProgressError(
    `a ${interaction} sign-in began in this tab ${Math.round(ageMs / 1000)} s ago: it blocks others until it ends, interactionTimeoutMs passes, or a page loads without its response`,
    'interaction_in_progress',
    { interaction, ageMs },
  )

export const timeoutError = (url: string, detail: string): TimeoutError =>
  new TimeoutError(`timed out calling ${redactUrl(url)}: ${redactUrlsIn(detail)}`, 'timeout', { url: redactUrl(url) })

const EXCERPT_LENGTH = 200

export const invalidResponseError = (url: string, status: number, problem: string, body: string): InvalidResponseError =>
  new InvalidResponseError(`invalid response from ${redactUrl(url)} (HTTP ${status}): ${redactUrlsIn(problem)}`, 'invalid_response', {
    url: redactUrl(url),
    status,
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

export const serverError = (status: number, given: WireErrorFields): ServerError => {
  const fields = boundedWire(given)
  return new ServerError(describeWire(fields) || `the identity provider answered HTTP ${status}`, 'server_error', {
    status,
    ...fields,
    classification: classifySuberror(fields.suberror),
  })
}

export const throttledError = (status: number, retryAfterMs: number, given: WireErrorFields): ThrottledError => {
  const fields = boundedWire(given)
  return new ThrottledError(
    `the identity provider throttled this request (HTTP ${status}); retry after ${Math.ceil(retryAfterMs / 1000)} s` +
      (describeWire(fields) ? ` (${describeWire(fields)})` : ''),
    'throttled',
    { status, retryAfterMs, ...fields, classification: classifySuberror(fields.suberror) },
  )
}

/** Stamps the call's correlation id on an error that does not carry the server's own. */
export const withCorrelationId = <T extends MsalError>(error: T, correlationId: string): T =>
  error.correlationId !== undefined ? error : withFields<T>(error, { correlationId } as Partial<Omit<T, 'kind'>>)

/**
 * An error in words fit for a log line without personal data: its kind, the OAuth2 error, status
 * and AADSTS codes, and the host it concerns; never the server's description (free text that may
 * name a user) nor an authority's path (it names the tenant). Log `error.message` with pii: true.
 */
export const errorSummary = (error: MsalError): string => {
  switch (error.kind) {
    case 'ServerError':
    case 'ThrottledError': {
      const codes = error.errorCodes !== undefined && error.errorCodes.length > 0 ? `, AADSTS${error.errorCodes.join(', AADSTS')}` : ''
      const retry = error.kind === 'ThrottledError' ? `, retry after ${Math.ceil(error.retryAfterMs / 1000)} s` : ''
      return `${error.kind}: ${error.error} (HTTP ${error.status}${codes}${retry})`
    }
    case 'NetworkError':
    case 'TimeoutError':
      return `${error.kind} calling ${originOf(error.url)}`
    case 'InvalidResponseError':
      return `${error.kind} from ${originOf(error.url)} (HTTP ${error.status})`
    case 'ConfigurationError':
      return `${error.kind} in the ${error.field} option`
    case 'UsageError':
      return `${error.kind} in the ${error.argument} argument`
    case 'CacheError':
    case 'CancelledError':
    case 'PopupBlockedError':
      return error.kind
    case 'InteractionRequiredError':
      return `${error.kind}: ${error.reason}`
    case 'InteractionInProgressError':
      return `${error.kind}: ${error.interaction}`
    case 'ManagedIdentityError':
    case 'ArcPlatformNotSupportedError':
      return `${error.kind}${error.source !== undefined ? ` (${error.source})` : ''}`
    case 'IdTokenError':
      return `${error.kind}: the ${error.check} check failed`
    case 'AuthorizationError':
      return `${error.kind}: ${error.error}${error.errorCodes !== undefined && error.errorCodes.length > 0 ? ` (AADSTS${error.errorCodes.join(', AADSTS')})` : ''}`
  }
}
