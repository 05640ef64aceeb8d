import { parseHttpDate } from '../util/httpDate.js'

/** The longest any request is held back, whatever Retry-After says (MSAL's cap): an hour. */
export const MAX_RETRY_AFTER_MS = 3_600_000

/**
 * Parses a Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * Returns milliseconds from `nowMs`, from 0 to MAX_RETRY_AFTER_MS (so the error that reports a
 * wait and the throttling that enforces it agree); undefined when absent or unreadable.
 */
export const parseRetryAfter = (value: string | undefined, nowMs: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Math.min(MAX_RETRY_AFTER_MS, Number(trimmed) * 1000)
  const date = parseHttpDate(trimmed)
  return date === undefined ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, date - nowMs))
}
