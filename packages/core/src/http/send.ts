import type { HttpFailure, HttpOutcome, HttpRequest } from '../effects/effect.js'
import { http, log, type Program } from '../effects/program.js'
import { networkError, type MsalError } from '../errors.js'
import { invalidResponseError, timeoutError } from '../wireErrors.js'
import { originOf, redactUrlsIn } from '../util/redact.js'

/**
 * Sends a request, retrying once when the connection failed (never after a timeout, which may
 * have reached the server, and never after any response).
 */
export function* sendWithRetry(request: HttpRequest): Program<HttpOutcome> {
  const first = yield* http(request)
  if (first._tag === 'HttpResponse' || first.kind !== 'connection') return first
  // The failure's text is the fetch implementation's, which may quote the whole URL: hosts only.
  yield* log('warning', `connection to ${originOf(request.url)} failed (${redactUrlsIn(first.message, originOf)}); retrying once`)
  return yield* http(request)
}

/** The MsalError of a request that produced no usable response: a body that could not be taken is an invalid response. */
export const transportError = (url: string, failure: HttpFailure): MsalError => {
  switch (failure.kind) {
    case 'timeout':
      return timeoutError(url, failure.message)
    case 'body':
      return invalidResponseError(url, failure.status ?? 0, failure.message, '')
    case 'connection':
      return networkError(url, failure.message)
  }
}
