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

export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store, no-cache' }

/** An error answer shaped exactly as Microsoft Entra shapes its token endpoint errors. */
export const entraError = (status: number, error: string, code: number, text: string, ctx: ErrorContext): IdpAnswer => {
  const timestamp = entraTimestamp(ctx.nowMs)
  return {
    kind: 'response',
    status,
    headers: { ...JSON_HEADERS, 'x-ms-request-id': ctx.traceId, 'client-request-id': ctx.correlationId },
    body: JSON.stringify({
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: ${ctx.traceId} Correlation ID: ${ctx.correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: ctx.traceId,
      correlation_id: ctx.correlationId,
      error_uri: `${ctx.origin}/error?code=${code}`,
    }),
  }
}
