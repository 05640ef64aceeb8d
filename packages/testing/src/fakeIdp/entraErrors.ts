import type { IdpAnswer } from './types.js'

export interface ErrorContext {
  readonly origin: string
  readonly correlationId: string
  readonly traceId: string
  /** Epoch milliseconds. */
  readonly nowMs: number
}

/** Entra's timestamp format: "2026-11-22 01:54:40Z". */
export const entraTimestamp = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')

/** .NET's round-trip format, which Entra uses for dates inside error texts: "2026-01-01T00:00:00.0000000Z". */
export const roundTripDate = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z')

export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store, no-cache' }

/** A 200 answer with a JSON body (discovery documents and the like). */
export const jsonAnswer = (body: unknown): IdpAnswer => ({ kind: 'response', status: 200, headers: JSON_HEADERS, body: JSON.stringify(body) })

/**
 * An error answer shaped exactly as Microsoft Entra shapes its token endpoint errors. `extra`
 * fields (such as `suberror`) follow the standard ones, where Entra puts them.
 */
export const entraError = (status: number, error: string, code: number, text: string, ctx: ErrorContext, extra: Readonly<Record<string, unknown>> = {}): IdpAnswer => {
  const timestamp = entraTimestamp(ctx.nowMs)
  return {
    kind: 'response',
    status,
    headers: { ...JSON_HEADERS, 'x-ms-request-id': ctx.traceId, 'client-request-id': ctx.correlationId },
    body: JSON.stringify({
      error,
      error_description: entraDescription(code, text, ctx),
      error_codes: [code],
      timestamp,
      trace_id: ctx.traceId,
      correlation_id: ctx.correlationId,
      error_uri: entraErrorUri(code, ctx),
      ...extra,
    }),
  }
}

/** Entra's error description: the AADSTS code and text, then the ids and time of the request. */
export const entraDescription = (code: number, text: string, ctx: ErrorContext): string =>
  `AADSTS${code}: ${text} Trace ID: ${ctx.traceId} Correlation ID: ${ctx.correlationId} Timestamp: ${entraTimestamp(ctx.nowMs)}`

/** Where Entra sends people to read about an error code. */
export const entraErrorUri = (code: number, ctx: ErrorContext): string => `${ctx.origin}/error?code=${code}`
