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
}
