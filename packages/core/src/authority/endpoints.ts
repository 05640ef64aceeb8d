import type { Authority } from './authority.js'

/** The endpoints a flow needs, from built-in knowledge or tenant discovery. */
export interface AuthorityEndpoints {
  /** The token endpoint (RFC 6749 §3.2; OpenID Connect Discovery 1.0 §3 token_endpoint). */
  readonly tokenEndpoint: string
  /** The authorization endpoint (RFC 6749 §3.1; OpenID Connect Discovery 1.0 §3 authorization_endpoint). */
  readonly authorizationEndpoint: string
  /** The device authorization endpoint (RFC 8628 §3.1; device_authorization_endpoint), when the provider has one. */
  readonly deviceCodeEndpoint?: string | undefined
  /** Where sign-out sends the user (OpenID Connect RP-Initiated Logout 1.0 §2; end_session_endpoint), when there is one. */
  readonly endSessionEndpoint?: string | undefined
  /** The issuer identifier (OpenID Connect Discovery 1.0 §3); none for Entra's multi-tenant common/organizations/consumers. */
  readonly issuer?: string | undefined
}

const MULTI_TENANT = new Set(['common', 'organizations', 'consumers'])

/** Whether a tenant stands for "whichever tenant the user signs in to" (common, organizations, consumers). */
export const isMultiTenant = (tenant: string): boolean => MULTI_TENANT.has(tenant.toLowerCase())

/** Entra's v2 endpoints on a host, for a tenant. */
export const entraEndpoints = (origin: string, tenant: string): AuthorityEndpoints => {
  const base = `${origin}/${tenant}`
  return {
    tokenEndpoint: `${base}/oauth2/v2.0/token`,
    authorizationEndpoint: `${base}/oauth2/v2.0/authorize`,
    deviceCodeEndpoint: `${base}/oauth2/v2.0/devicecode`,
    endSessionEndpoint: `${base}/oauth2/v2.0/logout`,
    issuer: isMultiTenant(tenant) ? undefined : `${base}/v2.0`,
  }
}

/**
 * Endpoints of an Entra tenant on the Microsoft clouds' well-known hosts, which share one URL
 * layout. Knowing them saves the discovery round trip, so a cold client-credentials call costs
 * one request.
 */
export const builtInEndpoints = (authority: Authority): AuthorityEndpoints | undefined =>
  authority.kind === 'Entra' && authority.isKnownHost ? entraEndpoints(`https://${authority.host}`, authority.tenant) : undefined

/**
 * Where tenant discovery reads an authority's OpenID configuration (MSAL Python's rules): no
 * "/v2.0" for ADFS and OIDC providers; a path-less CIAM authority uses its tenant; the query the
 * developer gave is kept.
 */
export const openIdConfigurationUrl = (authority: Authority): string => {
  const origin = `${authority.scheme}://${authority.host}`
  const prefix = authority.kind === 'CIAM' && authority.path === '' ? `/${authority.tenant}` : authority.path
  const version = authority.kind === 'ADFS' || authority.kind === 'OIDC' ? '' : '/v2.0'
  return `${origin}${prefix}${version}/.well-known/openid-configuration${authority.query}`
}
