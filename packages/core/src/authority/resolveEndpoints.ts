import * as E from '#fp-ts/Either'
import { log, type Program } from '../effects/program.js'
import { errorSummary, invalidResponseError, type MsalError } from '../errors.js'
import { cachedGet } from '../http/cachedGet.js'
import { getRequestKey, type HttpCache } from '../http/httpCache.js'
import { transportError } from '../http/send.js'
import { originOf, redactUrl } from '../util/redact.js'
import type { Authority } from './authority.js'
import { builtInEndpoints, openIdConfigurationUrl, type AuthorityEndpoints } from './endpoints.js'
import { buildInstanceDiscoveryRequest, needsInstanceDiscovery, processInstanceDiscovery, type AuthorityValidation } from './instanceDiscovery.js'
import { isLoopbackHostname } from './knownHosts.js'
import { processOpenIdConfiguration } from './openIdConfiguration.js'

export interface AuthorityContext {
  readonly authority: Authority
  readonly validation: AuthorityValidation
  readonly httpCache: HttpCache
}

/** Reads a discovery document through the http cache; a document we cannot use is not kept. */
function* discover<A>(
  label: string,
  httpCache: HttpCache,
  url: string,
  headers: Readonly<Record<string, string>>,
  nowMs: number,
  process: (response: Parameters<typeof processOpenIdConfiguration>[0]) => E.Either<MsalError, A>,
): Program<E.Either<MsalError, A>> {
  // The path names the tenant (and B2C's query the policy): the whole URL is a PII line.
  yield* log('verbose', `${label} at ${originOf(url)}`)
  yield* log('verbose', `${label} at ${redactUrl(url)}`, true)
  const outcome = yield* cachedGet(httpCache, { method: 'GET', url, headers }, nowMs)
  if (outcome._tag === 'HttpFailure') return E.left(transportError(url, outcome))
  const result = process(outcome)
  if (E.isLeft(result)) {
    yield* log('verbose', `${label} failed (${errorSummary(result.left)}); its answer is not kept`)
    httpCache.delete(getRequestKey(url))
  }
  return result
}

/** Tenant discovery may only move to https, or stay on loopback when the authority itself is. */
const safeDiscoveryUrl = (authority: Authority, url: string): boolean => {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'https:' || (authority.isLoopback && parsed.protocol === 'http:' && isLoopbackHostname(parsed.hostname))
  } catch {
    return false
  }
}

/**
 * An authority's endpoints with as few round trips as possible: none for an Entra tenant on a
 * Microsoft host (built in); tenant discovery for ADFS, B2C, CIAM and OIDC providers; instance
 * discovery first for an Entra authority on a host Microsoft must vouch for. Every discovery
 * answer is kept in the http cache for 24 h.
 */
export function* resolveEndpoints(
  ctx: AuthorityContext,
  headers: Readonly<Record<string, string>>,
  nowMs: number,
): Program<E.Either<MsalError, AuthorityEndpoints>> {
  const { authority, httpCache } = ctx
  const known = builtInEndpoints(authority)
  if (known !== undefined) {
    yield* log('verbose', `${authority.host} is a known Microsoft host: endpoints built in, no discovery`)
    return E.right(known)
  }
  let configurationUrl = openIdConfigurationUrl(authority)
  if (needsInstanceDiscovery(authority, ctx.validation)) {
    const request = buildInstanceDiscoveryRequest(authority, ctx.validation, headers)
    const instance = yield* discover(`instance discovery for ${authority.host}`, httpCache, request.url, headers, nowMs, (response) =>
      processInstanceDiscovery(response, authority, { url: request.url, nowMs, defaultRetryAfterMs: 0 }),
    )
    if (E.isLeft(instance)) return instance
    if (!safeDiscoveryUrl(authority, instance.right.tenantDiscoveryEndpoint)) {
      return E.left(invalidResponseError(request.url, 200, 'tenant_discovery_endpoint must be an https URL', ''))
    }
    configurationUrl = instance.right.tenantDiscoveryEndpoint
  }
  return yield* discover(`tenant discovery (${authority.kind} authority)`, httpCache, configurationUrl, headers, nowMs, (response) =>
    processOpenIdConfiguration(response, authority, { url: configurationUrl, nowMs, defaultRetryAfterMs: 0 }),
  )
}
