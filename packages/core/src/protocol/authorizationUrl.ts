/** What an authorization request (RFC 6749 §4.1.1 with OIDC and Entra's parameters) carries. */
export interface AuthorizationRequest {
  /** client_id (RFC 6749 §2.2): the application (client) id. */
  readonly clientId: string
  /** RFC 6749 §3.1.1's response_type; default "code" (the auth code flow). */
  readonly responseType?: string | undefined
  /** redirect_uri (RFC 6749 §3.1.2); left out when unset (the app's registered one). */
  readonly redirectUri?: string | undefined
  /** Decorated scopes. */
  readonly scopes: readonly string[]
  /** state (RFC 6749 §4.1.1): an opaque value the response carries back. */
  readonly state?: string | undefined
  /** The hashed nonce. */
  readonly nonce?: string | undefined
  /** code_challenge (RFC 7636 §4.2), base64url SHA-256 of the verifier; sent with code_challenge_method=S256. */
  readonly codeChallenge?: string | undefined
  /** response_mode (OAuth 2.0 Multiple Response Type Encoding Practices §2.1; OAuth 2.0 Form Post Response Mode). */
  readonly responseMode?: 'query' | 'form_post' | 'fragment' | undefined
  /** prompt (OpenID Connect Core 1.0 §3.1.2.1). */
  readonly prompt?: string | undefined
  /** login_hint (OpenID Connect Core 1.0 §3.1.2.1). */
  readonly loginHint?: string | undefined
  /** domain_hint (Entra): the user's tenant or "consumers"/"organizations". */
  readonly domainHint?: string | undefined
  /** claims (OpenID Connect Core 1.0 §5.5): a JSON object, the claims challenge merged with the client capabilities. */
  readonly claims?: string | undefined
  /** max_age (OpenID Connect Core 1.0 §3.1.2.1), in seconds. */
  readonly maxAge?: number | undefined
  /** Scopes the user is asked to consent to now, for use later (Entra's extra_scopes_to_consent). */
  readonly extraScopesToConsent?: readonly string[] | undefined
  /**
   * Entra's routing hint, "UPN:<login hint>": MSAL Python adds it to the auth code flow's
   * authorization URL as a query parameter when there is a login hint (its
   * `_ClientWithCcsRoutingInfo.initiate_auth_code_flow`); a browser cannot send headers.
   */
  readonly anchorMailbox?: string | undefined
}

/** response_type's words (RFC 6749 §3.1.1, OAuth 2.0 Multiple Response Types §3 and §5). */
const RESPONSE_TYPE_WORDS = new Set(['code', 'token', 'id_token'])

/**
 * Whether `value` is a response_type an authorization server may register: "none" alone, or one
 * or more of code, token and id_token, space-separated, each once (MSAL Python's
 * get_authorization_request_url passes it through: "code" by default, "token" or "id_token" for
 * the implicit grant).
 */
export const isResponseType = (value: unknown): value is string => {
  if (typeof value !== 'string') return false
  if (value === 'none') return true
  const words = value.split(' ')
  return words.length > 0 && words.every((word) => RESPONSE_TYPE_WORDS.has(word)) && new Set(words).size === words.length
}

/** The URL that sends the user to sign in. Parameters absent from the request are left out. */
export const buildAuthorizationUrl = (authorizationEndpoint: string, request: AuthorizationRequest): string => {
  const params = new URLSearchParams({ client_id: request.clientId, response_type: request.responseType ?? 'code' })
  const set = (name: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') params.set(name, value)
  }
  set('redirect_uri', request.redirectUri)
  // Consent for other resources' scopes is asked in `scope` itself (Entra has no separate
  // parameter); the code is then redeemed for the requested scopes only.
  set('scope', [...new Set([...request.scopes, ...(request.extraScopesToConsent ?? [])])].join(' '))
  set('state', request.state)
  set('nonce', request.nonce)
  if (request.codeChallenge !== undefined) {
    params.set('code_challenge', request.codeChallenge)
    params.set('code_challenge_method', 'S256')
  }
  set('response_mode', request.responseMode)
  set('prompt', request.prompt)
  set('login_hint', request.loginHint)
  set('domain_hint', request.domainHint)
  set('claims', request.claims)
  if (request.maxAge !== undefined) params.set('max_age', String(request.maxAge))
  // Entra returns client_info (the home account's ids) only when asked.
  params.set('client_info', '1')
  set('X-AnchorMailbox', request.anchorMailbox)
  const separator = authorizationEndpoint.includes('?') ? '&' : '?'
  return `${authorizationEndpoint}${separator}${params.toString()}`
}
