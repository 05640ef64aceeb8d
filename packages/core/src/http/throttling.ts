import type { HttpOutcome, HttpRequest, HttpResponse } from '../effects/effect.js'
import { log, sha256, type Program } from '../effects/program.js'
import { bytesToHex } from '../util/base64url.js'
import { originOf } from '../util/redact.js'
import type { HttpCache } from './httpCache.js'
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from './retryAfter.js'
import { sendWithRetry } from './send.js'

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
/** The longest any request is held back, whatever Retry-After (or a default) says. */
const MAX_THROTTLE_MS = MAX_RETRY_AFTER_MS
/** How long an identical request that earned a plain 400 is answered from the cache. */
const BAD_REQUEST_MS = 60_000

/** A confidential client waits this long after a 429/5xx that names no Retry-After; a public client 60 s. */
export const DEFAULT_RETRY_AFTER_MS = { confidential: 5_000, public: 60_000 } as const

export interface ThrottleKeys {
  /** Same endpoint, client, scopes and account: blocked after a 429, a 5xx or a Retry-After. */
  readonly retry: string
  /** Exactly the same request: blocked after a plain 400 (it would fail the same way). */
  readonly badRequest: string
}

const hashOf = function* (text: string): Program<string> {
  return bytesToHex(yield* sha256(text))
}

/**
 * MSAL's throttling keys. The "account" part is a hash of the refresh token, code or username,
 * never the value: the http cache may be persisted.
 */
export function* throttleKeysOf(request: HttpRequest): Program<ThrottleKeys> {
  const form = request.form ?? {}
  const account = form['refresh_token'] ?? form['code'] ?? form['username'] ?? ''
  const everything = JSON.stringify(Object.entries(form).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  return {
    retry: `POST ${request.url} client_id=${form['client_id'] ?? ''} scope=${form['scope'] ?? ''} hash=${yield* hashOf(account)} 429/5xx/Retry-After`,
    badRequest: `POST ${request.url} hash=${yield* hashOf(everything)} 400`,
  }
}

/** How long a response blocks the same request: 429/5xx/Retry-After by its Retry-After, a plain 400 for 60 s. */
export const throttleDecision = (
  response: HttpResponse,
  nowMs: number,
  defaultRetryAfterMs: number,
): { readonly key: keyof ThrottleKeys; readonly ms: number } | undefined => {
  const retryAfter = response.headers['retry-after']
  if (response.status === 429 || response.status >= 500 || retryAfter !== undefined) {
    const ms = Math.min(MAX_THROTTLE_MS, parseRetryAfter(retryAfter, nowMs) ?? defaultRetryAfterMs)
    return ms > 0 ? { key: 'retry', ms } : undefined
  }
  return response.status === 400 ? { key: 'badRequest', ms: BAD_REQUEST_MS } : undefined
}

/** What each throttle key holds back, in words. */
const HELD: Record<keyof ThrottleKeys, string> = {
  retry: 'any request for the same client, scopes and account',
  badRequest: 'the identical request',
}

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000))

/** A remembered throttling answer, with Retry-After saying how long is left. */
const replayed = (cached: HttpResponse, remainingMs: number): HttpResponse =>
  cached.headers['retry-after'] === undefined && cached.status === 400
    ? cached
    : { ...cached, headers: { ...cached.headers, 'retry-after': String(Math.max(1, Math.ceil(remainingMs / 1000))) } }

/**
 * Sends a token request the way MSAL's throttled HTTP client does: an identical request still
 * blocked by an earlier 429, 5xx, Retry-After or 400 is answered from the http cache, without the
 * network. Device-code polling is never throttled: polling is what that grant is for.
 */
export function* sendThrottled(httpCache: HttpCache, request: HttpRequest, nowMs: number, defaultRetryAfterMs: number): Program<HttpOutcome> {
  if (request.form?.['grant_type'] === DEVICE_CODE_GRANT) return yield* sendWithRetry(request)
  const keys = yield* throttleKeysOf(request)
  for (const kind of ['retry', 'badRequest'] as const) {
    const entry = httpCache.getEntry(keys[kind], nowMs)
    if (entry !== undefined) {
      yield* log(
        'info',
        `throttled: the request to ${originOf(request.url)} is not sent; the http cache answers with the earlier HTTP ${entry.response.status} ` +
          `for ${seconds(entry.expiresAtMs - nowMs)} s more (it holds back ${HELD[kind]})`,
      )
      return replayed(entry.response, entry.expiresAtMs - nowMs)
    }
  }
  const outcome = yield* sendWithRetry(request)
  if (outcome._tag === 'HttpResponse') {
    const decision = throttleDecision(outcome, nowMs, defaultRetryAfterMs)
    if (decision !== undefined) {
      yield* log('verbose', `HTTP ${outcome.status} from ${originOf(request.url)}: ${HELD[decision.key]} is held back for ${seconds(decision.ms)} s`)
      httpCache.set(keys[decision.key], slim(outcome), nowMs + decision.ms)
    }
  }
  return outcome
}

/** What the http cache keeps of a throttling answer: status, body, and the Retry-After header only. */
const slim = (response: HttpResponse): HttpResponse => ({
  _tag: 'HttpResponse',
  status: response.status,
  headers: response.headers['retry-after'] === undefined ? {} : { 'retry-after': response.headers['retry-after'] },
  body: response.body,
})
