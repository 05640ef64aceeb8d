import type * as E from '../util/either.js'
import { log, type Program } from '../effects/program.js'
import type { HttpResponse } from '../effects/effect.js'
import { type MsalError } from '../errors.js'
import { errorSummary } from '../wireErrors.js'
import { cachedGet } from '../http/cachedGet.js'
import { getRequestKey, type HttpCache } from '../http/httpCache.js'
import { transportError } from '../http/send.js'
import { originOf, redactUrl } from '../util/redact.js'
import * as Either from '../util/either.js'

/** Reads a discovery document through the http cache; a document we cannot use is not kept. */
export function* discover<A>(
  label: string,
  httpCache: HttpCache,
  url: string,
  headers: Readonly<Record<string, string>>,
  nowMs: number,
  process: (response: HttpResponse) => E.Either<MsalError, A>,
): Program<E.Either<MsalError, A>> {
  // The path names the tenant (and B2C's query the policy): the whole URL is a PII line.
  yield* log('verbose', `${label} at ${originOf(url)}`)
  yield* log('verbose', `${label} at ${redactUrl(url)}`, true)
  const outcome = yield* cachedGet(httpCache, { method: 'GET', url, headers }, nowMs)
  if (outcome._tag === 'HttpFailure') return Either.left(transportError(url, outcome))
  const result = process(outcome)
  if (Either.isLeft(result)) {
    yield* log('verbose', `${label} failed (${errorSummary(result.left)}); its answer is not kept`)
    httpCache.delete(getRequestKey(url))
  }
  return result
}

