import type { ErrorContext } from './entraErrors.js'
import { oauthError, tokenAnswer, type ClientCredentialsDialect, type ClientCredentialsRefusal } from './oauthClientCredentials.js'
import type { IdpAnswer } from './types.js'

/**
 * AD FS's OpenID configuration, served at `/adfs/.well-known/openid-configuration` (no "/v2.0"):
 * issuer `{origin}/adfs`, endpoints under `/adfs/oauth2/`, and the separate issuer of its access
 * tokens (`http://{host}/adfs/services/trust`, plain http as AD FS writes it).
 */
export const adfsConfiguration = (origin: string): Record<string, unknown> => {
  const base = `${origin}/adfs`
  return {
    issuer: base,
    authorization_endpoint: `${base}/oauth2/authorize/`,
    token_endpoint: `${base}/oauth2/token`,
    jwks_uri: `${base}/discovery/keys`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'private_key_jwt', 'windows_client_authentication'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token', 'code token', 'code id_token token'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'implicit', 'password', 'srv_challenge', 'urn:ietf:params:oauth:grant-type:device_code', 'device_code'],
    subject_types_supported: ['pairwise'],
    scopes_supported: ['allatclaims', 'email', 'user_impersonation', 'logon_cert', 'aza', 'profile', 'vpn_cert', 'winhello_cert', 'openid'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256'],
    access_token_issuer: accessTokenIssuer(origin),
    claims_supported: ['aud', 'iss', 'iat', 'exp', 'auth_time', 'nonce', 'at_hash', 'c_hash', 'sub', 'upn', 'unique_name', 'pwd_url', 'pwd_exp', 'mfa_auth_time', 'sid', 'nbf'],
    microsoft_multi_refresh_token: true,
    userinfo_endpoint: `${base}/userinfo`,
    capabilities: [],
    end_session_endpoint: `${base}/oauth2/logout`,
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: true,
    device_authorization_endpoint: `${base}/oauth2/devicecode`,
  }
}

const accessTokenIssuer = (origin: string): string => `http://${new URL(origin).host}/adfs/services/trust`

/** AD FS words its errors as plain OAuth2 ones, with an MSIS code where it has one; no Entra fields. */
const refuse = (refusal: ClientCredentialsRefusal): IdpAnswer => {
  switch (refusal.refusal) {
    case 'unsupported_grant_type':
      return oauthError(400, 'unsupported_grant_type', "MSIS9611: The authorization server does not support the requested 'grant_type'.")
    case 'unknown_client':
      return oauthError(400, 'invalid_client', "MSIS9607: The 'client_id' parameter in the request is invalid. No registered client is found with this identifier.")
    case 'missing_secret':
    case 'wrong_secret':
    case 'invalid_client_authentication':
      return oauthError(401, 'invalid_client', 'MSIS9622: Client authentication failed. Please verify the credential provided for client authentication is valid.')
    case 'missing_scope':
      return oauthError(400, 'invalid_request', "The request is missing the 'scope' parameter.")
    case 'invalid_scope':
      return oauthError(400, 'invalid_scope', `The scope '${refusal.scope}' is not valid for the client credentials grant.`)
  }
}

/**
 * Client credentials at AD FS's token endpoint (AD FS 2019 has them): a v1.0 JWT from its token
 * issuer, answered with just `access_token`, `token_type` ("bearer", lower case) and `expires_in`.
 */
export const adfsClientCredentials: ClientCredentialsDialect = {
  // AD FS 2019 takes certificates too (MSAL signs its assertions RS256 with an `x5t` for it).
  methods: ['client_secret_post', 'client_secret_basic', 'private_key_jwt'],
  refuse: (refusal: ClientCredentialsRefusal, _ctx: ErrorContext) => refuse(refusal),
  issue: async ({ app, resource }, ctx) => {
    const iat = Math.floor(ctx.nowMs / 1000)
    const accessToken = await ctx.signer.sign({
      aud: resource,
      iss: accessTokenIssuer(ctx.origin),
      iat,
      nbf: iat,
      exp: iat + ctx.tokenLifetimeSeconds,
      apptype: 'Confidential',
      appid: app.clientId,
      authmethod: 'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password',
      auth_time: new Date(ctx.nowMs).toISOString(),
      ver: '1.0',
    })
    return tokenAnswer({ access_token: accessToken, token_type: 'bearer', expires_in: ctx.tokenLifetimeSeconds })
  },
}
