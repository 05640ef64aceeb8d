import * as E from '#fp-ts/Either'
import type { Program } from '../effects/program.js'
import type { MsalError } from '../errors.js'
import { cachedGet } from '../http/cachedGet.js'
import { getRequestKey, type HttpCache } from '../http/httpCache.js'
import { transportError } from '../http/send.js'
import type { Authority } from './authority.js'
import { builtInEndpoints, openIdConfigurationUrl, type AuthorityEndpoints } from './endpoints.js'
import { processOpenIdConfiguration } from './openIdConfiguration.js'

/**
 * An authority's endpoints: built in for Microsoft's well-known hosts (no request), otherwise
 * from tenant discovery, kept in the http cache so later calls skip it.
 */
export function* resolveEndpoints(
  authority: Authority,
  httpCache: HttpCache,
  headers: Readonly<Record<string, string>>,
  nowMs: number,
): Program<E.Either<MsalError, AuthorityEndpoints>> {
  const known = builtInEndpoints(authority)
  if (known !== undefined) return E.right(known)
  const url = openIdConfigurationUrl(authority)
  const outcome = yield* cachedGet(httpCache, { method: 'GET', url, headers }, nowMs)
  if (outcome._tag === 'HttpFailure') return E.left(transportError(url, outcome))
  const endpoints = processOpenIdConfiguration(outcome, authority, { url, nowMs, defaultRetryAfterMs: 0 })
  // A document we cannot use must not be served from the cache next time.
  if (E.isLeft(endpoints)) httpCache.delete(getRequestKey(url))
  return endpoints
}
