import { entraError, jsonAnswer, type ErrorContext } from './entraErrors.js'
import type { IdpAnswer, IdpRequest } from './types.js'

/** Entra's clouds and their host aliases, as its instance discovery lists them. */
const CLOUDS = [
  { preferred_network: 'login.microsoftonline.com', preferred_cache: 'login.windows.net', aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'] },
  { preferred_network: 'login.partner.microsoftonline.cn', preferred_cache: 'login.partner.microsoftonline.cn', aliases: ['login.partner.microsoftonline.cn', 'login.chinacloudapi.cn'] },
  { preferred_network: 'login.microsoftonline.de', preferred_cache: 'login.microsoftonline.de', aliases: ['login.microsoftonline.de'] },
  { preferred_network: 'login.microsoftonline.us', preferred_cache: 'login.microsoftonline.us', aliases: ['login.microsoftonline.us', 'login.usgovcloudapi.net'] },
  { preferred_network: 'login-us.microsoftonline.com', preferred_cache: 'login-us.microsoftonline.com', aliases: ['login-us.microsoftonline.com'] },
  { preferred_network: 'login.sovcloud-identity.fr', preferred_cache: 'login.sovcloud-identity.fr', aliases: ['login.sovcloud-identity.fr'] },
  { preferred_network: 'login.sovcloud-identity.de', preferred_cache: 'login.sovcloud-identity.de', aliases: ['login.sovcloud-identity.de'] },
  { preferred_network: 'login.sovcloud-identity.sg', preferred_cache: 'login.sovcloud-identity.sg', aliases: ['login.sovcloud-identity.sg'] },
]

/** Every host of Microsoft's clouds. */
export const MICROSOFT_CLOUD_HOSTS: ReadonlySet<string> = new Set(CLOUDS.flatMap((cloud) => cloud.aliases))

const parseUrl = (text: string): URL | undefined => {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}

/**
 * Instance discovery (`GET /common/discovery/instance?api-version=1.1&authorization_endpoint=…`):
 * MSAL asks it whether an authority's host is a Microsoft one, and where its tenant discovery
 * document is. Microsoft's hosts are known, and so is the host the fake itself is asked on
 * (the loopback server's), since it serves that one. A private cloud the fake was told to vouch
 * for (`knownInstances`) is answered with its own host as its only alias.
 */
export const instanceDiscovery = (request: IdpRequest, ctx: ErrorContext, knownInstances: ReadonlySet<string>): IdpAnswer => {
  const params = request.url.searchParams
  const endpoint = parseUrl(params.get('authorization_endpoint') ?? `${request.url.origin}/common/oauth2/v2.0/authorize`)
  const host = endpoint?.hostname.toLowerCase() ?? ''
  const isPrivateCloud = knownInstances.has(host)
  const known = endpoint !== undefined && (MICROSOFT_CLOUD_HOSTS.has(host) || isPrivateCloud || endpoint.host === request.url.host)
  if (!known) return entraError(400, 'invalid_instance', 50049, 'Unknown or invalid instance.', ctx)
  const tenant = endpoint.pathname.split('/')[1] || 'common'
  return jsonAnswer({
    tenant_discovery_endpoint: `${endpoint.origin}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': params.get('api-version') ?? '1.1',
    metadata: isPrivateCloud ? [{ preferred_network: host, preferred_cache: host, aliases: [host] }] : CLOUDS,
  })
}
