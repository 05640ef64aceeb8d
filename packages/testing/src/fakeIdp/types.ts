import type { AuthorizationOutcome } from './authorizationResponses.js'

/** A request as the fake identity provider sees it, whichever face it came through. */
export interface IdpRequest {
  /** The HTTP method, upper-case (GET, POST, OPTIONS). */
  readonly method: string
  /** The full URL asked, query included. */
  readonly url: URL
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  /** The form body's fields (application/x-www-form-urlencoded); empty when the body is not a form. */
  readonly form: Readonly<Record<string, string>>
  /** The raw body, for requests that are not forms (WS-Trust's SOAP envelopes). */
  readonly body?: string | undefined
}

/** What the fake decides: a response, or (for faults) no response at all. */
export type IdpAnswer =
  | {
      readonly kind: 'response'
      readonly status: number
      readonly headers: Readonly<Record<string, string>>
      readonly body: string
      /** The authorization endpoint's decision, which the response renders (for `authorize()`). */
      readonly authorization?: AuthorizationOutcome
    }
  | { readonly kind: 'connection-error' }
  | { readonly kind: 'timeout' }

export interface RecordedRequest {
  /** The HTTP method, upper-case (GET, POST, OPTIONS). */
  readonly method: string
  /** The full URL asked, query included. */
  readonly url: string
  /** The host asked (with any port): a regional host shows that the request went regional. */
  readonly host: string
  /** The URL's path, e.g. "/contoso.onmicrosoft.com/oauth2/v2.0/token". */
  readonly path: string
  /** The request headers, names lower-case. */
  readonly headers: Readonly<Record<string, string>>
  /** The form body's fields (application/x-www-form-urlencoded), secrets as sent; empty when there is none. */
  readonly form: Readonly<Record<string, string>>
  /** The `Origin` header: set by a browser on its cross-origin requests (and form POSTs), never by Node's fetch on its own. */
  readonly origin: string | undefined
  /** A CORS preflight (an OPTIONS a browser sends before a request that is not CORS-simple), not the application's own request. */
  readonly preflight: boolean
  /** Epoch milliseconds on the provider's clock. */
  readonly at: number
}

export interface RegisteredApp {
  /** The app's client_id (RFC 6749 §2.2), matched case-insensitively. */
  readonly clientId: string
  /** A client secret: sent in the form (client_secret_post) or in a Basic Authorization header (client_secret_basic). */
  readonly clientSecret?: string | undefined
  /**
   * PEM X.509 certificates registered on the app (Entra's keyCredentials): a client assertion
   * (private_key_jwt) whose header names one by `x5t` (base64url SHA-1 of its DER) or `x5t#S256`
   * (SHA-256) and is signed, RS256 or PS256, by its key authenticates the app.
   */
  readonly certificates?: readonly string[] | undefined
  /**
   * Subject name / issuer authentication (Entra's trustedCertificateSubjects): a client assertion
   * with an `x5c` chain (base64 DER, leaf first) whose leaf's subject names `subject` (a common
   * name, or `CN=…, O=…`), and which is issued up to one of `trustedIssuers` (PEM certificates),
   * signed by the leaf's key, authenticates the app: no certificate need be registered.
   */
  readonly subjectNameIssuer?: { readonly subject: string; readonly trustedIssuers: readonly string[] } | undefined
  /** App roles granted to the app, put in its tokens' `roles` claim. */
  readonly roles?: readonly string[] | undefined
  /**
   * The app's family of client ids ('1' is Microsoft's only one, FOCI). Apps in one family
   * redeem each other's refresh tokens, and their token responses carry `foci`.
   */
  readonly familyId?: string | undefined
  /**
   * A public client (desktop, mobile, CLI) authenticates with no secret in the user grants.
   * Default: public exactly when it has no credential (`clientSecret`, `certificates` or `subjectNameIssuer`).
   */
  readonly isPublicClient?: boolean | undefined
  /**
   * Where the authorization endpoint may send users back: the app's web and mobile/desktop
   * redirect URIs. Matched exactly, except that a loopback URI (`http://localhost[/path]`,
   * `http://127.0.0.1[/path]`) matches any port. A code issued for one may not be redeemed
   * cross-origin (with `Origin`: AADSTS9002326), as Entra refuses.
   */
  readonly redirectUris?: readonly string[] | undefined
  /**
   * The app's single-page application redirect URIs (Entra's "Single-page application"
   * platform), matched as `redirectUris` are. A code issued for one, and the refresh tokens
   * that follow from it, may be redeemed only cross-origin (with `Origin`: else AADSTS9002327),
   * the code only with PKCE (AADSTS9002325), and those refresh tokens live a fixed 24 hours
   * (AADSTS700084). A URI is registered under one platform only.
   */
  readonly spaRedirectUris?: readonly string[] | undefined
}
