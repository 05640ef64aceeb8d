import type { Authority } from './authority.js'

/** The endpoints a flow needs, from built-in knowledge or tenant discovery. */
export interface AuthorityEndpoints {
  readonly tokenEndpoint: string
  readonly authorizationEndpoint: string
  readonly deviceCodeEndpoint?: string | undefined
  readonly endSessionEndpoint?: string | undefined
  readonly issuer?: string | undefined
}

const MULTI_TENANT = new Set(['common', 'organizations', 'consumers'])

/**
 * Endpoints of the Microsoft clouds' well-known hosts, which share one URL layout. Knowing them
 * saves the discovery round trip, so a cold client-credentials call costs one request.
 */
export const builtInEndpoints = (authority: Authority): AuthorityEndpoints | undefined => {
  if (!authority.isKnownHost) return undefined
  const base = `https://${authority.host}/${authority.tenant}`
  return {
    tokenEndpoint: `${base}/oauth2/v2.0/token`,
    authorizationEndpoint: `${base}/oauth2/v2.0/authorize`,
    deviceCodeEndpoint: `${base}/oauth2/v2.0/devicecode`,
    endSessionEndpoint: `${base}/oauth2/v2.0/logout`,
    issuer: MULTI_TENANT.has(authority.tenant.toLowerCase()) ? undefined : `${base}/v2.0`,
  }
}

/** Where tenant discovery reads an Entra authority's OpenID configuration. */
export const openIdConfigurationUrl = (authority: Authority): string => `${authority.url}/v2.0/.well-known/openid-configuration`
