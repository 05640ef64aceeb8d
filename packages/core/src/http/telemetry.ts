/**
 * MSAL's server telemetry (schema 4) and library identification headers.
 * The telemetry buffer is plain data; functions return a new buffer instead of mutating.
 */

/** Who is calling, sent on every request. Supplied by the runtime package. */
export interface PlatformInfo {
  /** The library's name, sent as x-client-sku (e.g. "msal.ts.node"). */
  readonly sku: string
  /** The library's version, sent as x-client-ver. */
  readonly version: string
  /** The operating system, sent as x-client-os (Node's platform name; "web" in a browser). */
  readonly os: string
}

/** MSAL's API ids, as in MSAL Python. */
export const ApiId = {
  acquireTokenSilent: 84,
  acquireTokenByRefreshToken: 85,
  acquireTokenByUsernamePassword: 301,
  acquireTokenOnBehalfOf: 523,
  acquireTokenByDeviceFlow: 622,
  acquireTokenForClient: 730,
  acquireTokenByAuthorizationCode: 832,
  acquireTokenInteractive: 169,
  acquireTokenByUserFederatedIdentityCredential: 950,
} as const
export type ApiId = (typeof ApiId)[keyof typeof ApiId]

/** Why a token was fetched instead of served from the cache. */
export const RefreshReason = {
  notSilent: 0,
  forced: 1,
  absent: 2,
  expired: 3,
  aging: 4,
} as const
export type RefreshReason = (typeof RefreshReason)[keyof typeof RefreshReason]

export interface TelemetryFailure {
  readonly api: ApiId
  readonly correlationId: string
  readonly error: string
}

export interface TelemetryBuffer {
  /** Requests served from the cache since the last report. */
  readonly succeeded: number
  /** Failed requests not yet reported (API id, correlation id, error), sent in x-client-last-telemetry. */
  readonly failures: readonly TelemetryFailure[]
  /** Characters the failures take in the last-request header. */
  readonly failureSize: number
}

export const emptyTelemetry: TelemetryBuffer = { succeeded: 0, failures: [], failureSize: 0 }

const LAST_HEADER_LIMIT = 350

export const libraryHeaders = (platform: PlatformInfo, appName?: string, appVersion?: string): Record<string, string> => {
  const headers: Record<string, string> = {
    'x-client-sku': platform.sku,
    'x-client-ver': platform.version,
    'x-client-os': platform.os,
    'x-ms-lib-capability': 'retry-after, h429',
  }
  if (appName) headers['x-app-name'] = appName
  if (appVersion) headers['x-app-ver'] = appVersion
  return headers
}

export const telemetryHeaders = (
  buffer: TelemetryBuffer,
  api: ApiId,
  reason: RefreshReason,
  correlationId: string,
): Record<string, string> => ({
  'client-request-id': correlationId,
  'x-client-current-telemetry': `4|${api},${reason}|`,
  'x-client-last-telemetry':
    `4|${buffer.succeeded}|` +
    `${buffer.failures.map((f) => `${f.api},${f.correlationId}`).join(',')}|` +
    `${buffer.failures.map((f) => f.error).join(',')}|`,
})

// Built field by field rather than spread: it runs on every cache hit.
export const recordCacheHit = (buffer: TelemetryBuffer): TelemetryBuffer => ({
  succeeded: buffer.succeeded + 1,
  failures: buffer.failures,
  failureSize: buffer.failureSize,
})

/**
 * `recordCacheHit` for an application's own buffer, counted in place (the shared empty buffer
 * is replaced first): a hit makes no new object for the long-lived state to keep (with many
 * applications, each one's new buffer would survive collections and grow the old heap). Returns
 * the buffer to keep.
 */
export const countCacheHit = (buffer: TelemetryBuffer): TelemetryBuffer => {
  if (buffer === emptyTelemetry) return recordCacheHit(buffer)
  ;(buffer as { succeeded: number }).succeeded++
  return buffer
}

/** A success clears the buffer (it has been reported); a failure is remembered while the header has room. */
export const recordServerAnswer = (
  buffer: TelemetryBuffer,
  api: ApiId,
  correlationId: string,
  error: string | undefined,
): TelemetryBuffer => {
  if (error === undefined) return emptyTelemetry
  const size = `,${api},${correlationId},${error}`.length
  if (buffer.failureSize + size >= LAST_HEADER_LIMIT) return buffer
  return {
    succeeded: buffer.succeeded,
    failures: [...buffer.failures, { api, correlationId, error }],
    failureSize: buffer.failureSize + size,
  }
}
