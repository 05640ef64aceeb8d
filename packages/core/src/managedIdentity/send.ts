import type { HttpOutcome, HttpRequest, HttpResponse } from '../effects/effect.js'
import { log, now, sleep, type Program } from '../effects/program.js'
import type { HttpCache } from '../http/httpCache.js'
import { parseRetryAfter } from '../http/retryAfter.js'
import { sendWithRetry } from '../http/send.js'
import { originOf } from '../util/redact.js'
import { DEFAULT_MANAGED_IDENTITY_RETRY_AFTER_MS } from './responses.js'
import { retryDelayMs, type RetryPolicy } from './retry.js'

/** The longest an identical request is held back, whatever Retry-After says (MSAL's hour). */
const MAX_THROTTLE_MS = 3_600_000
/** A retry that Retry-After would make wait longer is not made: the caller gets the error and decides. */
export const MAX_RETRY_WAIT_MS = 60_000

/** MSAL Python's throttling key for a managed identity request: the request itself (the query names resource and identity). */
const throttleKey = (request: HttpRequest): string =>
  `managed identity ${request.method} ${request.url}${request.form === undefined ? '' : ` ${JSON.stringify(request.form)}`} 429/5xx/Retry-After`

/** What MSAL Python's throttled client remembers: 429, 5xx, or a failure with Retry-After (never a success). */
const holdsBack = (response: HttpResponse): boolean =>
  response.status === 429 || response.status >= 500 || (response.status >= 400 && response.headers['retry-after'] !== undefined)

/** An answer kept by the http cache, its Retry-After saying how long is left. */
const replayed = (kept: HttpResponse, remainingMs: number): HttpResponse => ({
  ...kept,
  headers: { ...kept.headers, 'retry-after': String(Math.max(1, Math.ceil(remainingMs / 1000))) },
})

/**
 * Sends a managed identity request: an identical request still held back by an earlier 429, 5xx
 * or Retry-After is answered from the http cache without the network (MSAL Python's throttling);
 * otherwise it is sent, and retried as `policy` says, each wait a Sleep effect (virtual time in
 * tests). The final answer, if it holds requests back, is remembered.
 */
export function* sendManagedIdentityRequest(httpCache: HttpCache, request: HttpRequest, policy: RetryPolicy): Program<HttpOutcome> {
  const key = throttleKey(request)
  const startMs = yield* now()
  const held = httpCache.getEntry(key, startMs)
  if (held !== undefined) {
    yield* log('info', `managed identity: throttled: the request to ${originOf(request.url)} is not sent; the http cache answers with the earlier HTTP ${held.response.status}`)
    return replayed(held.response, held.expiresAtMs - startMs)
  }
  let outcome = yield* sendWithRetry(request)
  let retries = 0
  let firstStatus: number | undefined
  while (outcome._tag === 'HttpResponse') {
    const nowMs = yield* now()
    firstStatus ??= outcome.status
    const retryAfterMs = parseRetryAfter(outcome.headers['retry-after'], nowMs)
    const delay = retryDelayMs(policy, outcome, retries, firstStatus, retryAfterMs)
    if (delay === undefined || delay > MAX_RETRY_WAIT_MS) break
    retries++
    yield* log('info', `managed identity: HTTP ${outcome.status} from ${originOf(request.url)}; retry ${retries} in ${delay} ms`)
    yield* sleep(delay)
    outcome = yield* sendWithRetry(request)
  }
  if (outcome._tag === 'HttpResponse' && holdsBack(outcome)) {
    const nowMs = yield* now()
    const ms = Math.min(MAX_THROTTLE_MS, parseRetryAfter(outcome.headers['retry-after'], nowMs) ?? DEFAULT_MANAGED_IDENTITY_RETRY_AFTER_MS)
    if (ms > 0) {
      const retryAfter = outcome.headers['retry-after']
      httpCache.set(key, { _tag: 'HttpResponse', status: outcome.status, headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter }, body: outcome.body }, nowMs + ms)
    }
  }
  return outcome
}
