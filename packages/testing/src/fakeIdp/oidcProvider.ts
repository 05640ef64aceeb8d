import type { ErrorContext } from './entraErrors.js'
import { oauthError, tokenAnswer, type ClientCredentialsDialect, type ClientCredentialsRefusal } from './oauthClientCredentials.js'
import type { IdpAnswer } from './types.js'

/**
 * A generic OpenID Connect provider's configuration, for an issuer at any path of any host
 * (`{issuer}/.well-known/openid-configuration`, RFC 8414's layout): endpoints under
 * `{issuer}/oauth2/`, keys at `{issuer}/.well-known/jwks.json`.
 */
export const oidcConfiguration = (issuer: string): Record<string, unknown> => ({
  issuer,
  authorization_endpoint: `${issuer}/oauth2/authorize`,
  token_endpoint: `${issuer}/oauth2/token`,
  jwks_uri: `${issuer}/.well-known/jwks.json`,
  response_types_supported: ['code', 'id_token', 'code id_token'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
  grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
  token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
  scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
})

/** RFC 6749 §5.2's errors and nothing more. */
const refuse = (refusal: ClientCredentialsRefusal): IdpAnswer => {
  switch (refusal.refusal) {
    case 'unsupported_grant_type':
      return oauthError(400, 'unsupported_grant_type', `Grant type '${refusal.grantType}' is not supported.`)
    case 'unknown_client':
    case 'missing_secret':
    case 'wrong_secret':
    case 'invalid_client_authentication':
      return oauthError(401, 'invalid_client', 'Client authentication failed.')
    case 'missing_scope':
      return oauthError(400, 'invalid_request', "Missing the 'scope' parameter.")
    case 'invalid_scope':
      return oauthError(400, 'invalid_scope', `Scope '${refusal.scope}' is not valid.`)
  }
}

/** Client credentials at a generic provider: an RFC 9068 JWT access token, and RFC 6749's response fields. */
export const oidcClientCredentials = (issuer: string): ClientCredentialsDialect => ({
  // What its configuration advertises (token_endpoint_auth_methods_supported).
  methods: ['client_secret_post', 'client_secret_basic'],
  refuse: (refusal: ClientCredentialsRefusal, _ctx: ErrorContext) => refuse(refusal),
  issue: async ({ app, resource }, ctx) => {
    const iat = Math.floor(ctx.nowMs / 1000)
    const accessToken = await ctx.signer.sign({
      iss: issuer,
      sub: app.clientId,
      aud: resource,
      client_id: app.clientId,
      iat,
      exp: iat + ctx.tokenLifetimeSeconds,
      jti: ctx.randomId(),
    })
    return tokenAnswer({ access_token: accessToken, token_type: 'Bearer', expires_in: ctx.tokenLifetimeSeconds })
  },
})
