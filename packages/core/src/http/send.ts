import type { HttpFailure, HttpOutcome, HttpRequest } from '../effects/effect.js'
import { http, log, type Program } from '../effects/program.js'
import { networkError, timeoutError, type MsalError } from '../errors.js'

/**
 * Sends a request, retrying once when the connection failed (never after a timeout, which may
 * have reached the server, and never after any response).
 */
export function* sendWithRetry(request: HttpRequest): Program<HttpOutcome> {
  const first = yield* http(request)
  if (first._tag === 'HttpResponse' || first.kind !== 'connection') return first
  yield* log('warning', `connection to ${request.url} failed (${first.message}); retrying once`)
  return yield* http(request)
}

export const transportError = (url: string, failure: HttpFailure): MsalError =>
  failure.kind === 'timeout' ? timeoutError(url, failure.message) : networkError(url, failure.message)
