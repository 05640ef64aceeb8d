import type { Account } from '../../cache/selectors.js'

/**
 * msal-browser's request for an interactive or silent token (its names): the scopes, and how to
 * ask the identity provider.
 */
export interface SpaRequest {
  /** The scopes the token is for (OAuth 2.0 RFC 6749 §3.3); MSAL adds openid, profile and offline_access. */
  readonly scopes: readonly string[]
  /** The account to sign in or get a token for (its username becomes `login_hint`). */
  readonly account?: Account | undefined
  /** `prompt`: "login", "select_account", "consent", "create" or "none" (OpenID Connect Core §3.1.2.1). */
  readonly prompt?: string | undefined
  /** Pre-fills the user name (OpenID Connect `login_hint`). */
  readonly loginHint?: string | undefined
  /** Entra's `domain_hint`: skip the home realm page ("organizations", "consumers" or a domain). */
  readonly domainHint?: string | undefined
  /** A claims challenge from a resource's WWW-Authenticate header (it bypasses the cache). */
  readonly claims?: string | undefined
  /** Seconds since the user's last sign-in that are still acceptable (OIDC `max_age`). */
  readonly maxAge?: number | undefined
  /** Scopes of other resources to consent to now. */
  readonly extraScopesToConsent?: readonly string[] | undefined
  /** Redirect URI for this request (default: the application's). */
  readonly redirectUri?: string | undefined
  /** Skip the cached access token (silent only): refresh it now. */
  readonly forceRefresh?: boolean | undefined
  /** Where a full-page redirect returns the user to (default: the page they were on). */
  readonly redirectStartPage?: string | undefined
  /**
   * msal-browser's token type: "Bearer" (the default), "pop" (a proof-of-possession token bound
   * (RFC 7800 `cnf`) to this app's key, kept non-extractable in IndexedDB; the result's
   * `accessToken` is then a signed HTTP request for `resourceRequestMethod` and
   * `resourceRequestUri`, signed afresh on every call: send it as `Authorization: PoP ...`), or
   * "ssh-cert" (an SSH certificate for `sshJwk`).
   */
  readonly authenticationScheme?: 'Bearer' | 'pop' | 'ssh-cert' | undefined
  /** "pop": the resource request's HTTP method (the signed request's `m`; upper-cased). */
  readonly resourceRequestMethod?: string | undefined
  /** "pop": the resource's absolute URL (its host, path and query are signed: `u`, `p`, `q`). */
  readonly resourceRequestUri?: string | undefined
  /** "pop": the resource's nonce (from its `WWW-Authenticate` challenge); default a new GUID, as msal-browser signs. */
  readonly shrNonce?: string | undefined
  /** "pop": claims of the app's own, a JSON string signed as `client_claims`. */
  readonly shrClaims?: string | undefined
  /** "ssh-cert": the SSH public key as a JWK's JSON text (RFC 7517), sent as `req_cnf`. */
  readonly sshJwk?: string | undefined
  /** "ssh-cert": identifies the key; the certificate is cached under it (and sent as `key_id`). */
  readonly sshKid?: string | undefined
}

/** Whether a request asks for a key-bound token (msal-browser's "pop" or "ssh-cert"), which needs the injected binding code. */
export const asksForKeyBinding = (request: Pick<SpaRequest, 'authenticationScheme'>): boolean =>
  request.authenticationScheme !== undefined && request.authenticationScheme !== 'Bearer'
