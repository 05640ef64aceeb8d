/**
 * The device authorization grant (RFC 8628), as Microsoft Entra speaks it: the request that
 * starts a flow, the decoding of its answer, and the polling request.
 */
import * as E from '../util/either.js'
import * as t from '../util/decoder.js'
import type { HttpRequest, HttpResponse } from '../effects/effect.js'
import { type MsalError } from '../errors.js'
import { invalidResponseError } from '../wireErrors.js'
import { NonEmptyString } from '../util/codecs.js'
import { decodeOr } from '../util/decode.js'
import { processJsonResponse, Seconds, type ResponseContext } from './tokenResponse.js'

export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code'

/** Seconds between polls when the server names none (RFC 8628 §3.2). */
export const DEFAULT_POLL_INTERVAL_SECONDS = 5
/** A device code's lifetime when the server names none (MSAL Python's default). */
export const DEFAULT_DEVICE_CODE_LIFETIME_SECONDS = 1800
/** What `slow_down` adds to the interval (RFC 8628 §3.5). */
export const SLOW_DOWN_SECONDS = 5
/**
 * The longest wait between polls, whatever the server or the flow says: a minute. A longer
 * interval is a server's mistake (or one meant to stall the client), not a pace to keep.
 */
export const MAX_POLL_INTERVAL_SECONDS = 60

/** Seconds between polls: at least 1 (no tight loop), at most MAX_POLL_INTERVAL_SECONDS; the default for what is not a number. */
export const pollIntervalSeconds = (interval: unknown): number =>
  typeof interval === 'number' && !Number.isNaN(interval) ? Math.min(MAX_POLL_INTERVAL_SECONDS, Math.max(1, Math.ceil(interval))) : DEFAULT_POLL_INTERVAL_SECONDS

/** The OAuth2 errors that mean "not yet, poll again" (RFC 8628 §3.5). */
export const isPollAgainError = (error: string | undefined): error is 'authorization_pending' | 'slow_down' =>
  error === 'authorization_pending' || error === 'slow_down'

interface Client {
  readonly clientId: string
  readonly claims?: string | undefined
  readonly headers: Readonly<Record<string, string>>
}

const post = (url: string, client: Client, fields: Record<string, string>): HttpRequest => ({
  method: 'POST',
  url,
  headers: client.headers,
  form: {
    client_id: client.clientId,
    ...fields,
    ...(client.claims !== undefined ? { claims: client.claims } : {}),
  },
})

/** Starts a flow (RFC 8628 §3.1): the client and the (decorated) scopes, and the claims if any. */
export const buildDeviceAuthorizationRequest = (input: Client & { readonly endpoint: string; readonly scopes: readonly string[] }): HttpRequest =>
  post(input.endpoint, input, { scope: input.scopes.join(' ') })

/**
 * One poll of the token endpoint (RFC 8628 §3.4), on the wire as MSAL Python sends it: the
 * device code also as `code` (Entra's v1 endpoint's name for it), client_info, and no scope (the
 * grant is for the scopes the flow was started with).
 */
export const buildDeviceCodeTokenRequest = (input: Client & { readonly tokenEndpoint: string; readonly deviceCode: string }): HttpRequest =>
  post(input.tokenEndpoint, input, {
    grant_type: DEVICE_CODE_GRANT_TYPE,
    device_code: input.deviceCode,
    code: input.deviceCode,
    client_info: '1',
  })

const DeviceAuthorizationResponse = t.intersection(
  [
    t.type({ device_code: NonEmptyString, user_code: NonEmptyString }),
    t.partial({
      verification_uri: NonEmptyString,
      // Entra's v1 endpoint, AD FS and drafts of RFC 8628 spell it with an "l".
      verification_url: NonEmptyString,
      verification_uri_complete: NonEmptyString,
      expires_in: Seconds,
      interval: Seconds,
      message: t.string,
    }),
  ],
  'a device authorization response',
)

const WIRE_FIELDS = new Set(['device_code', 'user_code', 'verification_uri', 'verification_url', 'verification_uri_complete', 'expires_in', 'interval', 'message'])

/** A device authorization server's answer, camelCased, with `expiresAt` computed. */
export interface DeviceAuthorization {
  /** What the user types at `verificationUri`. */
  readonly userCode: string
  /** The device's handle on the flow: a secret, never shown to the user. */
  readonly deviceCode: string
  /** Where the user enters the code (RFC 8628 §3.2 verification_uri; Entra's older verification_url). */
  readonly verificationUri: string
  /** The URI with the user code in it (RFC 8628 §3.3.1), when the server sends one (Entra does not). */
  readonly verificationUriComplete?: string
  /** What to show the user: the server's, else one built from the URI and the code. */
  readonly message: string
  /** Seconds the code lives. */
  readonly expiresIn: number
  /** When the code expires, epoch seconds. */
  expiresAt: number
  /** Seconds to wait between polls: the server's, from 1 to 60 (MAX_POLL_INTERVAL_SECONDS). */
  readonly interval: number
  /** Anything else the server sent, under its own name. */
  readonly [extra: string]: unknown
}

/**
 * The device authorization endpoint's answer as a flow: an OAuth2 error becomes a ServerError,
 * a body without the fields RFC 8628 requires an InvalidResponseError naming the field. A missing
 * interval defaults to 5 s (and is kept within 1 to 60 s) and a missing lifetime to 1800 s.
 */
export const processDeviceAuthorizationResponse = (response: HttpResponse, ctx: ResponseContext): E.Either<MsalError, DeviceAuthorization> => {
  const body = processJsonResponse(response, ctx)
  if (E.isLeft(body)) return body
  const invalid = (problem: string): MsalError => invalidResponseError(ctx.url, response.status, problem, response.body)
  const decoded = decodeOr(DeviceAuthorizationResponse, body.right, invalid)
  if (E.isLeft(decoded)) return decoded
  const wire = decoded.right
  const verificationUri = wire.verification_uri ?? wire.verification_url
  if (verificationUri === undefined) return E.left(invalid('verification_uri: missing (nor is there a verification_url)'))
  const expiresIn = wire.expires_in ?? DEFAULT_DEVICE_CODE_LIFETIME_SECONDS
  const extras = Object.fromEntries(Object.entries(body.right).filter(([name]) => !WIRE_FIELDS.has(name)))
  return E.right({
    ...extras,
    userCode: wire.user_code,
    deviceCode: wire.device_code,
    verificationUri,
    ...(wire.verification_uri_complete !== undefined ? { verificationUriComplete: wire.verification_uri_complete } : {}),
    message:
      wire.message !== undefined && wire.message !== ''
        ? wire.message
        : `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${wire.user_code} to authenticate.`,
    expiresIn,
    expiresAt: Math.floor(ctx.nowMs / 1000) + expiresIn,
    interval: pollIntervalSeconds(wire.interval),
  })
}
