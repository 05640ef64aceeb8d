import { entraTimestamp, JSON_HEADERS, type ErrorContext } from './entraErrors.js'
import { tenantIdOf } from './ids.js'
import { tokenAnswer, type ClientCredentialsDialect, type ClientCredentialsRefusal } from './oauthClientCredentials.js'
import type { IdpAnswer } from './types.js'

const B2C_HOST = /\.b2clogin\.(?:com|cn|us|de)$/i

/** A B2C request: on a b2clogin host, or naming a user flow or custom policy ("B2C_1_…", "B2C_1A_…") anywhere. */
export const isB2cRequest = (url: URL, policy: string): boolean => B2C_HOST.test(url.hostname) || policy.toLowerCase().startsWith('b2c_')

/**
 * A user flow's OpenID configuration, as Azure AD B2C serves it at
 * `/{tenant}/{policy}/v2.0/.well-known/openid-configuration`: endpoints under the policy (named
 * in lower case, whatever case it was asked in), and an issuer naming the tenant's id with a
 * trailing slash.
 */
export const b2cConfiguration = (origin: string, tenant: string, policy: string): Record<string, unknown> => {
  const base = `${origin}/${tenant}/${policy.toLowerCase()}`
  return {
    issuer: `${origin}/${tenantIdOf(tenant)}/v2.0/`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    response_types_supported: ['code', 'code id_token', 'code token', 'code id_token token', 'id_token', 'id_token token', 'token', 'token id_token'],
    scopes_supported: ['openid'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    claims_supported: ['idp', 'name', 'sub', 'tfp', 'iss', 'iat', 'exp', 'aud', 'acr', 'nonce', 'auth_time'],
  }
}

/** B2C's error shape: `error` and an AADB2C description ending in the correlation id and time; none of Entra's extra fields. */
export const b2cError = (status: number, error: string, code: number, text: string, ctx: ErrorContext): IdpAnswer => ({
  kind: 'response',
  status,
  headers: JSON_HEADERS,
  body: JSON.stringify({
    error,
    error_description: `AADB2C${code}: ${text}\r\nCorrelation ID: ${ctx.correlationId}\r\nTimestamp: ${entraTimestamp(ctx.nowMs)}\r\n`,
  }),
})

const refuse = (tenant: string) => (refusal: ClientCredentialsRefusal, ctx: ErrorContext): IdpAnswer => {
  switch (refusal.refusal) {
    case 'unsupported_grant_type':
      return b2cError(400, 'unsupported_grant_type', 90086, `The supplied grant_type [${refusal.grantType}] is not supported.`, ctx)
    case 'unknown_client':
      return b2cError(400, 'invalid_client', 90018, `The client id '${refusal.clientId}' specified in the request is not registered in tenant '${tenant}'.`, ctx)
    case 'missing_secret':
      return b2cError(400, 'invalid_request', 90079, 'Clients must send a client_secret when redeeming a confidential grant.', ctx)
    case 'wrong_secret':
      return b2cError(400, 'invalid_client', 90081, 'The specified client_secret does not match the expected value for this client. Please correct the client_secret and try again.', ctx)
    case 'invalid_client_authentication':
      // B2C takes secrets only (client_secret_post or _basic): an assertion is no secret at all.
      return refusal.reason.reason === 'unsupported_method'
        ? b2cError(400, 'invalid_request', 90079, 'Clients must send a client_secret when redeeming a confidential grant.', ctx)
        : b2cError(400, 'invalid_client', 90081, 'The client credentials in the request are not valid. Send the client_secret once, in the body or in a Basic Authorization header.', ctx)
    case 'missing_scope':
      return b2cError(400, 'invalid_request', 90010, 'The request does not contain a scope parameter.', ctx)
    case 'invalid_scope':
      return b2cError(400, 'invalid_scope', 90012, `The scope '${refusal.scope}' provided in request is not supported.`, ctx)
  }
}

/**
 * Client credentials at a user flow's token endpoint (B2C supports them for app registrations):
 * a v1.0 app token issued by the tenant, and B2C's response fields (`not_before`, `expires_on`,
 * `resource`; no `ext_expires_in`).
 */
export const b2cClientCredentials = (tenant: string): ClientCredentialsDialect => ({
  methods: ['client_secret_post', 'client_secret_basic'],
  refuse: refuse(tenant),
  issue: async ({ app, resource }, ctx) => {
    const tid = tenantIdOf(tenant)
    const iat = Math.floor(ctx.nowMs / 1000)
    const exp = iat + ctx.tokenLifetimeSeconds
    const accessToken = await ctx.signer.sign({
      aud: resource,
      iss: `${ctx.origin}/${tid}/v2.0/`,
      exp,
      nbf: iat,
      sub: app.clientId,
      tid,
      azp: app.clientId,
      ver: '1.0',
      iat,
      ...(app.roles !== undefined && app.roles.length > 0 ? { roles: app.roles } : {}),
    })
    return tokenAnswer({ access_token: accessToken, token_type: 'Bearer', not_before: iat, expires_in: ctx.tokenLifetimeSeconds, expires_on: exp, resource })
  },
})
