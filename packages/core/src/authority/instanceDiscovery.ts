import * as E from '../util/either.js'
import * as t from '../util/decoder.js'
import type { HttpRequest, HttpResponse } from '../effects/effect.js'
import { configurationError, type MsalError } from '../errors.js'
import { invalidResponseError } from '../wireErrors.js'
import { discover } from './discover.js'
import { isLoopbackHostname } from './knownHosts.js'
import type { InstanceDiscoveryStep } from './resolveEndpoints.js'
import { processJsonResponse, type ResponseContext } from '../protocol/tokenResponse.js'
import { decodeOr } from '../util/decode.js'
import type { Authority } from './authority.js'
import type { AuthorityValidation } from './validation.js'
export { needsInstanceDiscovery, type AuthorityValidation } from './validation.js'

/** Entra's instance discovery endpoint, unless the developer names another. */
export const DEFAULT_INSTANCE_DISCOVERY_ENDPOINT = 'https://login.microsoftonline.com/common/discovery/instance'

export const buildInstanceDiscoveryRequest = (
  authority: Authority,
  validation: AuthorityValidation,
  headers: Readonly<Record<string, string>>,
): HttpRequest => {
  const endpoint = typeof validation.instanceDiscovery === 'string' ? validation.instanceDiscovery : DEFAULT_INSTANCE_DISCOVERY_ENDPOINT
  const query = new URLSearchParams({
    'api-version': '1.1',
    authorization_endpoint: `https://${authority.host}${authority.path}/oauth2/v2.0/authorize`,
  })
  return { method: 'GET', url: `${endpoint}?${query.toString()}`, headers }
}

const CloudMetadata = t.type({ preferred_network: t.string, preferred_cache: t.string, aliases: t.array(t.string) }, 'cloud metadata')
const InstanceDiscoveryResponse = t.intersection(
  [t.type({ tenant_discovery_endpoint: t.string }), t.partial({ metadata: t.array(CloudMetadata) })],
  'an instance discovery response',
)

export interface InstanceDiscovery {
  /** Where the authority's OpenID configuration is, as Entra's instance discovery answers (tenant_discovery_endpoint); followed only if https (or loopback). */
  readonly tenantDiscoveryEndpoint: string
  /** The authority's host's aliases (itself first), from the metadata. */
  readonly aliases: readonly string[]
}

/**
 * Instance discovery's answer: where tenant discovery is, and the host's aliases. Entra's
 * `invalid_instance` means Microsoft does not vouch for the host: a configuration error.
 */
export const processInstanceDiscovery = (
  response: HttpResponse,
  authority: Authority,
  ctx: ResponseContext,
): E.Either<MsalError, InstanceDiscovery> => {
  const body = processJsonResponse(response, ctx)
  if (E.isLeft(body)) {
    const failure = body.left
    return failure.kind === 'ServerError' && failure.error === 'invalid_instance'
      ? E.left(
          configurationError(
            'authority',
            `invalid_instance: Microsoft does not know the authority ${authority.url}. If it is your own (a private cloud, a custom domain), ` +
              'pass instanceDiscovery: false (or validateAuthority: false) to vouch for it yourself.',
          ),
        )
      : body
  }
  const decoded = decodeOr(InstanceDiscoveryResponse, body.right, (problem): MsalError => invalidResponseError(ctx.url, response.status, problem, response.body))
  if (E.isLeft(decoded)) return decoded
  const group = decoded.right.metadata?.find((cloud) => cloud.aliases.some((alias) => alias.toLowerCase() === authority.host))
  const aliases = [authority.host, ...(group?.aliases.map((alias) => alias.toLowerCase()).filter((alias) => alias !== authority.host) ?? [])]
  return E.right({ tenantDiscoveryEndpoint: decoded.right.tenant_discovery_endpoint, aliases })
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
 * Instance discovery as a step of endpoint resolution (MSAL Python's authority validation): asks
 * Microsoft whether it vouches for the host, and answers where tenant discovery is. The answer
 * is kept 24 h in the http cache.
 */
export const discoverInstance: InstanceDiscoveryStep = function* (ctx, headers, nowMs) {
  const { authority } = ctx
  const request = buildInstanceDiscoveryRequest(authority, ctx.validation, headers)
  const instance = yield* discover(`instance discovery for ${authority.host}`, ctx.httpCache, request.url, headers, nowMs, (response) =>
    processInstanceDiscovery(response, authority, { url: request.url, nowMs, defaultRetryAfterMs: 0 }),
  )
  if (E.isLeft(instance)) return instance
  if (!safeDiscoveryUrl(authority, instance.right.tenantDiscoveryEndpoint)) {
    return E.left(invalidResponseError(request.url, 200, 'tenant_discovery_endpoint must be an https URL', ''))
  }
  return E.right(instance.right.tenantDiscoveryEndpoint)
}
