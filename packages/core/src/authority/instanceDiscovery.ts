import * as E from '#fp-ts/Either'
import * as t from '../util/decoder.js'
import type { HttpRequest, HttpResponse } from '../effects/effect.js'
import { configurationError, invalidResponseError, type MsalError } from '../errors.js'
import { processJsonResponse, type ResponseContext } from '../protocol/tokenResponse.js'
import { decodeOr } from '../util/decode.js'
import type { Authority } from './authority.js'

/** Entra's instance discovery endpoint, unless the developer names another. */
export const DEFAULT_INSTANCE_DISCOVERY_ENDPOINT = 'https://login.microsoftonline.com/common/discovery/instance'

/** What the developer said about vouching for the authority. */
export interface AuthorityValidation {
  /** false: the developer vouches for the authority (MSAL Python's validate_authority). */
  readonly validateAuthority: boolean
  /** false: never ask Microsoft; a string: ask this endpoint instead of Entra's. */
  readonly instanceDiscovery: boolean | string
}

/**
 * Whether Microsoft must vouch for an authority first: only Entra authorities on hosts MSAL does
 * not know, and only when the developer has not vouched for it or turned discovery off. ADFS,
 * B2C, CIAM and OIDC authorities are known to the developer.
 */
export const needsInstanceDiscovery = (authority: Authority, validation: AuthorityValidation): boolean =>
  authority.kind === 'Entra' && !authority.isKnownHost && !authority.isLoopback && validation.validateAuthority && validation.instanceDiscovery !== false

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
