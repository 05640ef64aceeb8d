import { JSON_HEADERS, jsonAnswer } from './entraErrors.js'
import { MICROSOFT_CLOUD_HOSTS } from './instanceDiscovery.js'
import type { IdpAnswer, IdpRequest } from './types.js'

/** Azure's instance metadata service (IMDS), reachable only from inside an Azure VM. */
export const IMDS_HOST = '169.254.169.254'

const PUBLIC_CLOUD_REGIONAL = /^[a-z0-9-]+\.login\.microsoft\.com$/

/**
 * The origin of the central host a (maybe regional) host belongs to: `{region}.login.microsoft.com`
 * is the public cloud's, `{region}.{host}` is `{host}`'s when that is a cloud host (Microsoft's,
 * or a private one the fake vouches for); any other host is its own.
 */
export const centralOrigin = (url: URL, knownInstances: ReadonlySet<string>): string => {
  const host = url.hostname.toLowerCase()
  if (PUBLIC_CLOUD_REGIONAL.test(host)) return 'https://login.microsoftonline.com'
  const rest = host.slice(host.indexOf('.') + 1)
  return MICROSOFT_CLOUD_HOSTS.has(rest) || knownInstances.has(rest) ? `${url.protocol}//${rest}` : url.origin
}

const imdsError = (message: string): IdpAnswer => ({ kind: 'response', status: 400, headers: JSON_HEADERS, body: JSON.stringify({ error: message }) })

/**
 * IMDS's compute location (`/metadata/instance/compute/location?format=text&api-version=…`):
 * the VM's region, as plain text when `format=text`, else as a JSON string. IMDS insists on the
 * `Metadata: true` header (so a browser cannot be tricked into asking) and on an api-version.
 */
export const imdsLocation = (request: IdpRequest, region: string): IdpAnswer => {
  if (request.headers['metadata']?.toLowerCase() !== 'true') return imdsError('Bad request. Required metadata header not specified')
  if (!request.url.searchParams.has('api-version')) return imdsError('Bad request. api-version was not specified in the request. For more information refer to aka.ms/azureimds')
  return request.url.searchParams.get('format') === 'text'
    ? { kind: 'response', status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: region }
    : jsonAnswer(region)
}
