import { isMultiTenantAlias, tenantIdOf } from './ids.js'

/**
 * Tenant discovery's document (OpenID configuration), with endpoints on whatever origin the
 * request used. Tokens name their issuer's origin: a regional host's is its cloud's central one.
 */
export const openIdConfiguration = (origin: string, tenant: string, issuerOrigin = origin): Record<string, unknown> => {
  const tid = isMultiTenantAlias(tenant) ? '{tenantid}' : tenantIdOf(tenant)
  return entraConfiguration(origin, tenant, `${issuerOrigin}/${tid}/v2.0`)
}

const CIAM_HOST = /\.ciamlogin\.com$/i

export const isCiamHost = (url: URL): boolean => CIAM_HOST.test(url.hostname)

/** A CIAM tenant's token issuer: a host of its own, named by its id. */
export const ciamIssuer = (tid: string): string => `https://${tid}.ciamlogin.com/${tid}/v2.0`

/**
 * A CIAM (Entra External ID) tenant's OpenID configuration: Entra's, with every endpoint naming
 * the tenant by its id, however the request named it, and the issuer on the tenant's own host.
 */
export const ciamConfiguration = (origin: string, tenant: string): Record<string, unknown> => {
  const tid = tenantIdOf(tenant)
  return entraConfiguration(origin, tid, ciamIssuer(tid))
}

const entraConfiguration = (origin: string, tenant: string, issuer: string): Record<string, unknown> => {
  const base = `${origin}/${tenant}`
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${origin}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  }
}
