import type { HttpRequest } from '../effects/effect.js'

/** What every token request of a user grant shares. */
export interface UserGrantBase {
  /** The token endpoint (RFC 6749 §3.2) the request is POSTed to. */
  readonly tokenEndpoint: string
  /** client_id (RFC 6749 §2.2): the application (client) id. */
  readonly clientId: string
  /** Decorated scopes. */
  readonly scopes: readonly string[]
  /** claims (OpenID Connect Core 1.0 §5.5): the claims challenge merged with the client capabilities, a JSON object. */
  readonly claims?: string | undefined
  /** Request headers: the library's, telemetry, client-request-id and routing (X-AnchorMailbox). */
  readonly headers: Readonly<Record<string, string>>
}

const tokenRequest = (base: UserGrantBase, grant: Record<string, string | undefined>): HttpRequest => {
  const form: Record<string, string> = { client_id: base.clientId }
  for (const [name, value] of Object.entries(grant)) if (value !== undefined) form[name] = value
  form['scope'] = base.scopes.join(' ')
  // Entra returns client_info (the home account's ids) only when asked.
  form['client_info'] = '1'
  if (base.claims !== undefined) form['claims'] = base.claims
  return { method: 'POST', url: base.tokenEndpoint, headers: base.headers, form }
}

/** Redeems an authorization code (RFC 6749 §4.1.3), with its PKCE verifier (RFC 7636 §4.5). */
export const buildAuthorizationCodeRequest = (
  base: UserGrantBase & { readonly code: string; readonly redirectUri?: string | undefined; readonly codeVerifier?: string | undefined },
): HttpRequest =>
  tokenRequest(base, { grant_type: 'authorization_code', code: base.code, redirect_uri: base.redirectUri, code_verifier: base.codeVerifier })

/** Redeems a refresh token (RFC 6749 §6). */
export const buildRefreshTokenRequest = (base: UserGrantBase & { readonly refreshToken: string }): HttpRequest =>
  tokenRequest(base, { grant_type: 'refresh_token', refresh_token: base.refreshToken })

/** The resource owner password credentials grant (RFC 6749 §4.3), for managed users. */
export const buildPasswordRequest = (base: UserGrantBase & { readonly username: string; readonly password: string }): HttpRequest =>
  tokenRequest(base, { grant_type: 'password', username: base.username, password: base.password })

/** Trades a federation server's SAML assertion for tokens (RFC 7522; Microsoft's saml1_1-bearer for SAML 1.1). */
export const buildSamlBearerRequest = (base: UserGrantBase & { readonly grantType: string; readonly assertion: string }): HttpRequest =>
  tokenRequest(base, { grant_type: base.grantType, assertion: base.assertion })

/**
 * On-behalf-of (RFC 7523 §2.1 with Entra's `requested_token_use`): the token the middle tier was
 * called with, traded for one to a downstream API.
 */
export const buildOnBehalfOfRequest = (base: UserGrantBase & { readonly assertion: string }): HttpRequest =>
  tokenRequest(base, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: base.assertion, requested_token_use: 'on_behalf_of' })

/**
 * Entra's user federated identity credential grant (`user_fic`): an agent's federated credential
 * traded for a token of the user named by UPN (`username`) or object id (`user_id`).
 */
export const buildUserFicRequest = (
  base: UserGrantBase & { readonly assertion: string; readonly username?: string | undefined; readonly userObjectId?: string | undefined },
): HttpRequest =>
  tokenRequest(base, { grant_type: 'user_fic', user_federated_identity_credential: base.assertion, username: base.username, user_id: base.userObjectId })
