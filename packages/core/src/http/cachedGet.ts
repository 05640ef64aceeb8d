import type { HttpOutcome, HttpRequest } from '../effects/effect.js'
import { log, type Program } from '../effects/program.js'
import { originOf } from '../util/redact.js'
import { getRequestKey, type HttpCache } from './httpCache.js'
import { sendWithRetry } from './send.js'

/** Successful discovery answers are kept this long. */
export const DISCOVERY_TTL_MS = 24 * 60 * 60 * 1000

/** A GET answered from the http cache when it can be; 2xx answers are kept for `ttlMs`. */
export function* cachedGet(cache: HttpCache, request: HttpRequest, nowMs: number, ttlMs = DISCOVERY_TTL_MS): Program<HttpOutcome> {
  const key = getRequestKey(request.url)
  const cached = cache.getEntry(key, nowMs)
  if (cached !== undefined) {
    yield* log('verbose', `GET ${originOf(request.url)}: answered from the http cache, not the network (fresh for ${Math.ceil((cached.expiresAtMs - nowMs) / 1000)} s more)`)
    return cached.response
  }
  const outcome = yield* sendWithRetry(request)
  if (outcome._tag === 'HttpResponse' && outcome.status >= 200 && outcome.status < 300) cache.set(key, outcome, nowMs + ttlMs)
  return outcome
}
