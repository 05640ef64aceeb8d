import { randomBytes as nodeRandomBytes } from 'node:crypto'
import { type HttpOutcome, type HttpRequest } from '@msal-ts/core'
import { bytesToBase64Url } from '@msal-ts/core/protocol'
import { takeFault, type Fault, type FaultRule } from '../faults.js'
import { answerHttpEffect, fetchServedBy, LoopbackServer } from '../serving.js'
import type { RandomSource } from '../random.js'
import { adfsClientCredentials, adfsConfiguration } from './adfs.js'
import { authorize, signInOnPage, type AuthorizeContext, type AuthorizeRule } from './authorize.js'
import { authorizeUrlOf } from './authorizationRequest.js'
import { AuthorizationCodeStore } from './authorizationCodes.js'
import { authorizationCodeGrant } from './authorizationCodeGrant.js'
import { errorPage, renderAuthorization, type AuthorizationOutcome } from './authorizationResponses.js'
import { b2cClientCredentials, b2cConfiguration, isB2cRequest } from './b2c.js'
import { BrowserSessions } from './browserSessions.js'
import { endSession, type EndSessionRequest } from './endSession.js'
import { withOpenerPolicy, type OpenerPolicy } from './pageHeaders.js'
import { urisOnBothPlatforms } from './redirectUris.js'
import { CookieBrowsers, SESSION_COOKIE } from './sessionCookies.js'
import { renderAuthorizeStep, signedInRequestUrl } from './signInPage.js'
import { deliverAuthorizationResponse, type BrowserVisit } from './browser.js'
import { ClientAuthenticationLedger, type ClientAuthentication } from './clientAuthentications.js'
import { isPreflight, preflightAnswer, withCorsHeaders } from './cors.js'
import { clientCredentialsGrant } from './clientCredentialsGrant.js'
import { deviceAuthorization } from './deviceAuthorization.js'
import { DEVICE_CODE_GRANT_TYPE, deviceCodeGrant } from './deviceCodeGrant.js'
import { DeviceCodeStore, type PendingDeviceCode } from './deviceCodes.js'
import { entraError, jsonAnswer, type ErrorContext } from './entraErrors.js'
import { MEX_PATH, type FederatedDomainRegistration } from './federation.js'
import { SAML11_BEARER, SAML2_BEARER, samlBearerGrant } from './federationSamlGrant.js'
import { isMultiTenantAlias, tenantIdOf, uuidFrom } from './ids.js'
import { instanceDiscovery, MICROSOFT_CLOUD_HOSTS } from './instanceDiscovery.js'
import { loopbackFetch, type FetchFunction } from './loopbackFetch.js'
import { mexAnswer } from './mexDocument.js'
import { JWT_BEARER_GRANT_TYPE, oboGrant } from './oboGrant.js'
import { dialectClientCredentialsGrant } from './oauthClientCredentials.js'
import { oidcClientCredentials, oidcConfiguration } from './oidcProvider.js'
import { passwordGrant } from './passwordGrant.js'
import { RefreshTokenStore } from './refreshTokens.js'
import { refreshTokenGrant } from './refreshTokenGrant.js'
import { centralOrigin, IMDS_HOST, imdsLocation } from './regions.js'
import { ciamConfiguration, ciamIssuer, isCiamHost, openIdConfiguration } from './tenantDiscovery.js'
import { TokenSigner, type SigningKeySource } from './tokens.js'
import type { IdpAnswer, IdpRequest, RecordedRequest, RegisteredApp } from './types.js'
import { USER_FIC_GRANT_TYPE, userFicGrant } from './userFicGrant.js'
import { userRealm } from './userRealm.js'
import { UserDirectory, type RegisteredUser, type UserRegistration } from './users.js'
import { issueRefreshToken, type UserGrantContext } from './userTokens.js'
import { wsTrustEndpoint } from './wsTrustEndpoint.js'

export interface FakeIdentityProviderOptions {
  /** Epoch milliseconds; default the real clock. Share a FixedClock's `now` for virtual time. */
  readonly clock?: () => number
  /** Randomness for ids in tokens and errors, and for refresh tokens; default crypto. */
  readonly random?: RandomSource
  /**
   * A PKCS#8 PEM RSA key to sign tokens with, for byte-identical recordings. Default: a key
   * generated once per process (per test file under jest) and shared by every provider given
   * none, since generating one takes 70–300 ms; see `uniqueSigningKey`.
   */
  readonly signingKeyPem?: string
  /**
   * Sign with a key generated for this provider alone, so that it refuses every other
   * provider's tokens (on-behalf-of and user FIC assertions). Not with `signingKeyPem`. Default false.
   */
  readonly uniqueSigningKey?: boolean
  /** Access token lifetime; Entra's app tokens live 3599 s by default. */
  readonly tokenLifetimeSeconds?: number
  /** When set, token responses carry `refresh_in` (Entra does for long-lived tokens). */
  readonly refreshInSeconds?: number
  /** When set, only these tenants (by name or id) exist; others get AADSTS90002. Default: every tenant exists. */
  readonly tenants?: readonly string[]
  /**
   * Hosts of private clouds Microsoft's instance discovery vouches for (besides Microsoft's own
   * clouds). Any other host gets invalid_instance (AADSTS50049).
   */
  readonly knownInstances?: readonly string[]
  /**
   * The region Azure's instance metadata service (169.254.169.254) reports, as on an Azure VM.
   * Unset: nothing answers there (connections to it fail), as anywhere outside Azure.
   */
  readonly imdsRegion?: string
  /**
   * Who signs in at the authorization endpoint when a person would be asked (any prompt but
   * `none`). Default: the login_hint's user if registered, else the one user signed in to the
   * browser, else the only registered user. An `onAuthorize` rule overrides it. With
   * `signInPage`, the name the page fills in when the request hints none.
   */
  readonly interactiveUser?: string
  /**
   * Where browsers' sign-in sessions (single sign-on, `prompt=none`, the end-session endpoint) live.
   * - `'imaginary'` (the default unless `signInPage`): in one imaginary browser the fake keeps
   *   (`signInToBrowser`, `clearBrowserSessions`); requests need no cookie.
   * - `'cookie'`: as Entra's, in each real browser's session cookie (`ESTSAUTH`, HttpOnly,
   *   `SameSite=None; Secure`, on the provider's origin), set by a sign-in at the authorization
   *   endpoint and cleared by signing out: a request without it (a new browser, or an iframe
   *   where third-party cookies are blocked) has nobody signed in, so `prompt=none` gets
   *   login_required. `idp.authorize()` and `openBrowser` still use the imaginary browser.
   */
  readonly sessions?: 'imaginary' | 'cookie'
  /**
   * Show an HTML sign-in page, as Entra does, when a request over HTTP needs a person (no usable
   * session, or prompt=login, select_account, create): labelled `Username` and `Password` fields
   * (ids `username`, `password`) and a "Sign in" button (id `sign-in`), for a browser test to
   * click through. Implies (and needs) `sessions: 'cookie'`. Default false: nobody is asked, the
   * fake chooses who signs in (`interactiveUser`, `onAuthorize`, login_hint).
   */
  readonly signInPage?: boolean
  /**
   * A `Cross-Origin-Opener-Policy` for the provider's pages (authorization, sign-in and
   * end-session endpoints), as identity providers that isolate their pages send: a popup that
   * loads one loses its link to the app's window. Default: none.
   */
  readonly crossOriginOpenerPolicy?: OpenerPolicy
  /** Seconds device code clients must wait between polls; Entra's is 5. Shorten it for tests of real clients. */
  readonly deviceCodeIntervalSeconds?: number
  /** Seconds a device code lives; Entra's live 900. */
  readonly deviceCodeLifetimeSeconds?: number
  /**
   * For demos: every device code is approved for `user` at its (afterPolls + 1)th poll, so the
   * first `afterPolls` polls (default 0) get authorization_pending.
   */
  readonly autoApproveDeviceCodes?: { readonly user: string; readonly afterPolls?: number }
  /**
   * Refuse a client assertion whose `jti` was already accepted from the same client (401
   * invalid_client, "replayed"). Entra does not (MSAL reuses an assertion for up to 540 s),
   * so the default is false; turn it on to prove a client sends a fresh one each time.
   */
  readonly rejectReplayedAssertions?: boolean
}

export type { FetchFunction } from './loopbackFetch.js'

/** Entra's token endpoint; a trailing slash is accepted, as Entra accepts it (MSAL for Node's regional endpoints add one). */
const TOKEN_PATH = /^\/(?<tenant>[^/]+)\/oauth2\/v2\.0\/token\/?$/
/** Any kind's token endpoint: Entra's and B2C's (`/oauth2/v2.0/token`), AD FS's and OIDC providers' (`/oauth2/token`). */
const ANY_TOKEN_PATH = /\/oauth2\/(?:v2\.0\/)?token\/?$/
/** An issuer's path: zero or more segments. */
const ISSUER = '(?<issuer>(?:/[^/]+)*?)'
/** Microsoft's cloud hosts speak Entra only (their v1 `/oauth2/token` is not a generic provider's). */
const isOtherProvider = (url: URL): boolean => !MICROSOFT_CLOUD_HOSTS.has(url.hostname.toLowerCase())

/**
 * One endpoint. Named groups of `path` become params; a `tenant` one must name a known tenant.
 * `when`, if given, must also hold for the URL (endpoints some hosts serve and others do not).
 */
interface Route {
  readonly method: 'GET' | 'POST'
  readonly path: RegExp
  /** A page a browser visits: errors are HTML pages, not JSON. */
  readonly html?: boolean
  /** A page that also grants CORS preflights (the end-session endpoint), as API endpoints do. */
  readonly cors?: boolean
  readonly when?: (url: URL, params: Readonly<Record<string, string>>) => boolean
  readonly answer: (request: IdpRequest, params: Readonly<Record<string, string>>, ctx: ErrorContext) => IdpAnswer | Promise<IdpAnswer>
}

type Grant = (request: IdpRequest, ctx: UserGrantContext) => Promise<IdpAnswer>

/** Token endpoint grants, by `grant_type`. */
const GRANTS = new Map<string, Grant>([
  ['client_credentials', clientCredentialsGrant],
  ['refresh_token', refreshTokenGrant],
  ['password', passwordGrant],
  ['authorization_code', authorizationCodeGrant],
  [DEVICE_CODE_GRANT_TYPE, deviceCodeGrant],
  // Entra also takes the short name, which MSAL for Node (and MSAL.NET) send.
  ['device_code', deviceCodeGrant],
  // Federated users: the assertion their AD FS issued (registerFederatedDomain).
  [SAML11_BEARER, samlBearerGrant],
  [SAML2_BEARER, samlBearerGrant],
  // Confidential clients acting for a user: on-behalf-of (requested_token_use=on_behalf_of), user FIC.
  [JWT_BEARER_GRANT_TYPE, oboGrant],
  [USER_FIC_GRANT_TYPE, userFicGrant],
])

/** A route's path params, decoded. */
const paramsOf = (match: RegExpExecArray): Record<string, string> =>
  Object.fromEntries(Object.entries(match.groups ?? {}).map(([name, value]) => [name, decodeURIComponent(value ?? '')]))
/** The signer's key as the options ask for it. */
const signingKeySourceOf = (options: FakeIdentityProviderOptions): SigningKeySource => {
  if (options.signingKeyPem === undefined) return options.uniqueSigningKey === true ? 'unique' : 'shared'
  if (options.uniqueSigningKey === true) throw new TypeError('FakeIdentityProvider: signingKeyPem and uniqueSigningKey: true contradict each other; give one')
  return { pkcs8Pem: options.signingKeyPem }
}

const notFound = (): IdpAnswer => ({
  kind: 'response',
  status: 404,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: '<!DOCTYPE html><html><head><title>404 - Not Found</title></head><body>The page you requested was not found.</body></html>',
})

/**
 * A fake Microsoft identity platform: Entra's wire protocol for instance, tenant and user realm
 * discovery, the authorization endpoint (users sign in with no browser: see `interactiveUser`,
 * `onAuthorize` and `authorize`; or, for real browsers, on a sign-in page with a session cookie:
 * `signInPage`, `sessions`), the end-session endpoint, the device authorization endpoint, and the client-credentials,
 * refresh-token, password, authorization-code, device-code, SAML bearer, on-behalf-of and user
 * federated identity credential (`user_fic`) grants, with Entra's response and error shapes.
 * Confidential clients authenticate as with Entra: a secret in the form or a Basic header, or a
 * client assertion signed with a registered certificate's key (named by `x5t` or `x5t#S256`) or
 * by a chain trusted for its subject name (`x5c`); `clientAuthentications` shows which each
 * request used. The other authority kinds answer in their own dialects (B2C, AD FS,
 * CIAM, any OpenID Connect issuer), as do Entra's regional hosts and Azure's instance metadata
 * service. One implementation, three faces: `http` (answers Http effects directly), `fetch` (an
 * `httpClient` for applications) and `listen()` (a real HTTP server on 127.0.0.1, which
 * `tunnelFetch` reaches as any host). The in-process faces serve any host.
 */
export class FakeIdentityProvider {
  private readonly apps = new Map<string, RegisteredApp>()
  private readonly users = new UserDirectory()
  private readonly refreshTokens: RefreshTokenStore
  private readonly authorizationCodes: AuthorizationCodeStore
  private readonly deviceCodeStore: DeviceCodeStore
  private readonly browserSessions: BrowserSessions
  private readonly cookieBrowsers: CookieBrowsers
  /** Requests of `authorize()` (and `openBrowser`): the imaginary browser's, whatever `sessions` says. */
  private readonly imaginaryBrowserRequests = new WeakSet<IdpRequest>()
  private readonly endSessions: EndSessionRequest[] = []
  private authorizeRule: AuthorizeRule | undefined
  private readonly faultRules: FaultRule[] = []
  private readonly visits: BrowserVisit[] = []
  private readonly recorded: RecordedRequest[] = []
  private readonly ledger: ClientAuthenticationLedger
  private readonly signer: TokenSigner
  private readonly clock: () => number
  private readonly random: RandomSource
  private readonly knownInstances: ReadonlySet<string>

  /** The protocol's endpoints, matched by path (and `when`) in order: the most specific first. */
  private readonly routes: readonly Route[] = [
    // Azure AD B2C: a user flow (policy) under the tenant; policy names are case-insensitive.
    {
      method: 'GET',
      path: /^\/(?<directory>[^/]+)\/(?<policy>[^/]+)\/v2\.0\/\.well-known\/openid-configuration$/,
      when: (url, { policy }) => isB2cRequest(url, policy!),
      answer: (request, { directory, policy }) => jsonAnswer(b2cConfiguration(request.url.origin, directory!, policy!)),
    },
    {
      method: 'GET',
      path: /^\/(?<directory>[^/]+)\/(?<policy>[^/]+)\/discovery\/v2\.0\/keys$/,
      when: (url, { policy }) => isB2cRequest(url, policy!),
      answer: () => this.jwksAnswer(),
    },
    {
      method: 'POST',
      path: /^\/(?<directory>[^/]+)\/(?<policy>[^/]+)\/oauth2\/v2\.0\/token\/?$/,
      when: (url, { policy }) => isB2cRequest(url, policy!),
      answer: (request, { directory }, ctx) => dialectClientCredentialsGrant(request, this.grantContext(request, directory!, ctx), b2cClientCredentials(directory!)),
    },
    // AD FS: one issuer per host, at /adfs.
    { method: 'GET', path: /^\/adfs\/\.well-known\/openid-configuration$/i, answer: (request) => jsonAnswer(adfsConfiguration(request.url.origin)) },
    { method: 'GET', path: /^\/adfs\/discovery\/keys$/i, answer: () => this.jwksAnswer() },
    {
      method: 'POST',
      path: /^\/adfs\/oauth2\/token\/?$/i,
      answer: (request, _, ctx) => dialectClientCredentialsGrant(request, this.grantContext(request, 'adfs', ctx), adfsClientCredentials),
    },
    // The AD FS of a federated domain (registerFederatedDomain): MEX and WS-Trust, on its own host.
    {
      method: 'GET',
      path: new RegExp(`^${MEX_PATH}$`, 'i'),
      when: (url) => this.users.federation.serverAt(url.hostname) !== undefined,
      answer: (request) => mexAnswer(this.users.federation.serverAt(request.url.hostname)!, request.url.origin),
    },
    {
      method: 'POST',
      path: /^\/adfs\/services\/trust\/(?<version>13|2005)\/usernamemixed$/i,
      when: (url, { version }) => this.users.federation.serverAt(url.hostname)?.protocols.includes(version === '13' ? '1.3' : '2005') === true,
      answer: (request, { version }, ctx) =>
        wsTrustEndpoint(request, version === '13' ? '1.3' : '2005', {
          ...ctx,
          server: this.users.federation.serverAt(request.url.hostname)!,
          users: this.users,
          newUuid: () => uuidFrom(this.random(16)),
        }),
    },
    // Entra (and CIAM, on ciamlogin.com hosts, and Entra's regional hosts).
    {
      method: 'GET',
      path: /^\/(?<tenant>[^/]+)\/v2\.0\/\.well-known\/openid-configuration$/,
      answer: (request, { tenant }) =>
        jsonAnswer(
          isCiamHost(request.url)
            ? ciamConfiguration(request.url.origin, tenant!)
            : openIdConfiguration(request.url.origin, tenant!, centralOrigin(request.url, this.knownInstances)),
        ),
    },
    { method: 'GET', path: /^\/(?<tenant>[^/]+)\/discovery\/v2\.0\/keys$/, answer: () => this.jwksAnswer() },
    { method: 'POST', path: TOKEN_PATH, answer: (request, { tenant }, ctx) => this.token(request, tenant!, ctx) },
    // The authorization endpoint takes a GET (what MSAL sends) or a form POST.
    ...(['GET', 'POST'] as const).map(
      (method): Route => ({
        method,
        path: /^\/(?<tenant>[^/]+)\/oauth2\/v2\.0\/authorize\/?$/,
        html: true,
        answer: (request, { tenant }, ctx) =>
          this.asBrowser(request, (sessions) => renderAuthorizeStep(authorize(authorizeUrlOf(request), this.authorizeContext(request, tenant!, ctx, sessions)))),
      }),
    ),
    // The sign-in page's form (signInPage).
    {
      method: 'POST',
      path: /^\/(?<tenant>[^/]+)\/login$/,
      html: true,
      answer: (request, { tenant }, ctx) =>
        this.asBrowser(request, (sessions) =>
          renderAuthorizeStep(
            signInOnPage(
              signedInRequestUrl(request, tenant!),
              { username: request.form['username'] ?? '', password: request.form['password'] ?? '' },
              this.authorizeContext(request, tenant!, ctx, sessions),
            ),
          ),
        ),
    },
    // The end-session endpoint: a page (GET, or a form POST) that apps may also fetch.
    ...(['GET', 'POST'] as const).map(
      (method): Route => ({
        method,
        path: /^\/(?<tenant>[^/]+)\/oauth2\/v2\.0\/logout\/?$/,
        html: true,
        cors: true,
        answer: (request, _, ctx) =>
          this.asBrowser(request, async (sessions) => {
            const { answer, record } = await endSession(authorizeUrlOf(request), { ...ctx, apps: this.apps, sessions, idTokenClaims: (token) => this.signer.verify(token) })
            this.endSessions.push(record)
            return answer
          }),
      }),
    ),
    {
      method: 'POST',
      path: /^\/(?<tenant>[^/]+)\/oauth2\/v2\.0\/devicecode\/?$/,
      answer: (request, { tenant }, ctx) => deviceAuthorization(request, { ...ctx, tenant: tenant!, apps: this.apps, deviceCodes: this.deviceCodeStore }),
    },
    { method: 'GET', path: /^\/(?<tenant>[^/]+)\/discovery\/instance$/, answer: (request, _, ctx) => instanceDiscovery(request, ctx, this.knownInstances) },
    // Case-insensitive: MSAL Python asks for 'userrealm', older clients for 'UserRealm'.
    { method: 'GET', path: /^\/(?<tenant>common)\/userrealm\/(?<username>[^/]+)$/i, answer: (_, { username }) => userRealm(username!, this.users) },
    // Azure's instance metadata service, on its link-local address only.
    {
      method: 'GET',
      path: /^\/metadata\/instance\/compute\/location$/,
      when: (url) => url.hostname === IMDS_HOST,
      answer: (request) => imdsLocation(request, this.options.imdsRegion!),
    },
    // Any other OpenID Connect provider (and dSTS): an issuer at any path of any other host.
    {
      method: 'GET',
      path: new RegExp(`^${ISSUER}/\\.well-known/openid-configuration$`),
      when: isOtherProvider,
      answer: (request, { issuer }) => jsonAnswer(oidcConfiguration(`${request.url.origin}${issuer!}`)),
    },
    { method: 'GET', path: new RegExp(`^${ISSUER}/\\.well-known/jwks\\.json$`), when: isOtherProvider, answer: () => this.jwksAnswer() },
    {
      method: 'POST',
      path: new RegExp(`^${ISSUER}/oauth2/token$`),
      when: isOtherProvider,
      answer: (request, { issuer }, ctx) =>
        dialectClientCredentialsGrant(request, this.grantContext(request, issuer!, ctx), oidcClientCredentials(`${request.url.origin}${issuer!}`)),
    },
  ]

  constructor(private readonly options: FakeIdentityProviderOptions = {}) {
    this.clock = options.clock ?? Date.now
    this.signer = new TokenSigner(signingKeySourceOf(options))
    this.random = options.random ?? ((length) => new Uint8Array(nodeRandomBytes(length)))
    this.refreshTokens = new RefreshTokenStore(this.random)
    this.authorizationCodes = new AuthorizationCodeStore(this.random)
    this.browserSessions = new BrowserSessions(this.users, this.random)
    this.cookieBrowsers = new CookieBrowsers(this.users, this.random)
    if (options.signInPage === true && options.sessions === 'imaginary') {
      throw new Error("FakeIdentityProvider: signInPage needs sessions: 'cookie' (a real browser signs in on the page, and its cookie holds the session)")
    }
    this.deviceCodeStore = new DeviceCodeStore(this.random, {
      intervalSeconds: options.deviceCodeIntervalSeconds ?? 5,
      lifetimeSeconds: options.deviceCodeLifetimeSeconds ?? 900,
      autoApprove: options.autoApproveDeviceCodes,
    })
    this.knownInstances = new Set((options.knownInstances ?? []).map((host) => host.toLowerCase()))
    this.ledger = new ClientAuthenticationLedger(options.rejectReplayedAssertions ?? false)
  }

  /**
   * Registers an application: a client id; for a confidential client, its credentials: a
   * `clientSecret`, PEM `certificates` whose keys sign its client assertions, or a
   * `subjectNameIssuer` (a certificate subject and the issuers trusted for it: assertions then
   * carry their chain in `x5c`); `familyId: '1'` to put it in Microsoft's family of client ids
   * (FOCI); the `redirectUris` (web, mobile and desktop) and `spaRedirectUris` (single-page
   * application) the authorization endpoint may send users back to. An app with no credential
   * is a public client unless `isPublicClient` says otherwise. Throws for a URI under both platforms.
   */
  registerApp(app: RegisteredApp): this {
    const twice = urisOnBothPlatforms(app)
    if (twice.length > 0) throw new Error(`FakeIdentityProvider: ${twice.join(', ')} registered as both web and single-page application redirect URIs; Entra takes each under one platform`)
    this.apps.set(app.clientId.toLowerCase(), app)
    return this
  }

  /** Registers a managed user of a home tenant (default 'contoso.onmicrosoft.com'). */
  registerUser(registration: UserRegistration): this {
    this.users.register(registration)
    return this
  }

  /**
   * Federates a domain with an AD FS (default host `fs.{domain}`; WS-Trust 1.3 and 2005; SAML 1.1
   * assertions). User realm discovery then answers 'Federated' for its users, who sign in to the
   * AD FS with the password they were registered with (registerUser) and redeem its assertion
   * at the token endpoint (the SAML bearer grants), as MSAL's username/password flow does.
   */
  registerFederatedDomain(registration: FederatedDomainRegistration): this {
    this.users.federation.register(registration)
    return this
  }

  /** A registered user, with the ids their tokens carry (`oid`, `tid`). */
  getUser(username: string): RegisteredUser | undefined {
    return this.users.find(username)
  }

  /**
   * A refresh token for a user who signed in to the app earlier, for the given scopes: what a
   * test hands to `acquireTokenByRefreshToken`. `spa: true`: one a single-page application got
   * through its redirect URI (redeemed cross-origin only; expires 24 hours from now, on the
   * provider's clock). Throws for an unknown user or app.
   */
  issueRefreshToken({ username, clientId, scopes, spa = false }: { username: string; clientId: string; scopes: readonly string[]; spa?: boolean }): string {
    const user = this.users.find(username)
    if (user === undefined) throw new Error(`FakeIdentityProvider: no user '${username}'; registerUser first`)
    const app = this.apps.get(clientId.toLowerCase())
    if (app === undefined) throw new Error(`FakeIdentityProvider: no app '${clientId}'; registerApp first`)
    const lineage = { platform: spa ? ('spa' as const) : undefined, expiresAtMs: undefined }
    return issueRefreshToken({ users: this.users, refreshTokens: this.refreshTokens, nowMs: this.clock() }, user, app, scopes, lineage)
  }

  /**
   * Revokes every sign-in session of the user so far (Graph's revokeSignInSessions, or a
   * password reset): refresh tokens issued until now fail with AADSTS50173.
   */
  revokeSignInSessions(username: string): this {
    this.users.revokeSessions(username, this.clock())
    return this
  }

  /**
   * Decides who signs in at the authorization endpoint, request by request: return `{ user }`,
   * an error such as `{ error: 'access_denied' }` (sent back to the redirect URI, with Entra's
   * AADSTS text unless you give one), or `undefined` for the defaults. `undefined` removes the rule.
   */
  onAuthorize(rule: AuthorizeRule | undefined): this {
    this.authorizeRule = rule
    return this
  }

  /**
   * "Clicks through" an authorization URL with no browser and no HTTP: answers what the
   * authorization endpoint would (the request is recorded, and faults apply, as for any other).
   * `redirect` is the 302's Location (the response in its query, or fragment); `formPost` the
   * form a response_mode=form_post page submits; `errorPage` Entra's error page. `params` is the
   * authorization response (code, state, session_state, or error, error_description…). It is
   * the imaginary browser, whatever `sessions` and `signInPage` say: nobody is asked, and its
   * sessions are `signInToBrowser`'s.
   */
  async authorize(url: string | URL): Promise<AuthorizationOutcome> {
    const request: IdpRequest = { method: 'GET', url: new URL(url), headers: {}, form: {} }
    this.imaginaryBrowserRequests.add(request)
    const answer = await this.handle(request)
    if (answer.kind !== 'response') throw new Error(`FakeIdentityProvider: no answer to ${String(url)} (injected ${answer.kind} fault)`)
    if (answer.authorization !== undefined) return answer.authorization
    // Not the authorization endpoint's own decision: a 404, an unknown tenant, an injected fault.
    return { errorPage: { status: answer.status, errorCode: undefined, message: answer.body, html: answer.body } }
  }

  /**
   * A browser for interactive sign-ins, to pass as `openBrowser` (acquireTokenInteractive): it
   * "clicks through" the authorization URL (see `authorize`) and brings the response back to the
   * app's loopback redirect URI over real HTTP, by GET or by form_post. Every visit is kept in
   * `browserVisits`.
   */
  get openBrowser(): (url: string) => Promise<void> {
    return async (url) => {
      this.visits.push(await deliverAuthorizationResponse(url, await this.authorize(url)))
    }
  }

  /** What `openBrowser` did: each authorization URL, and the app's answer at its redirect URI. */
  get browserVisits(): readonly BrowserVisit[] {
    return this.visits
  }

  /**
   * Signs the user in to the provider's imaginary browser now, as if earlier: `prompt=none` and
   * single sign-on then find them (with `sessions: 'cookie'`, in `authorize()` and `openBrowser`
   * only; see `sessionCookie` for a real browser).
   */
  signInToBrowser(username: string): this {
    const user = this.users.find(username)
    if (user === undefined) throw new Error(`FakeIdentityProvider: no user '${username}'; registerUser first`)
    this.browserSessions.start(user, this.clock())
    return this
  }

  /**
   * A session cookie of a new browser with the user signed in now (`sessions: 'cookie'`): give
   * it to a real browser (Playwright's `context.addCookies`, with the provider's URL) to skip
   * the sign-in page.
   */
  sessionCookie(username: string): { readonly name: string; readonly value: string } {
    const user = this.users.find(username)
    if (user === undefined) throw new Error(`FakeIdentityProvider: no user '${username}'; registerUser first`)
    return { name: SESSION_COOKIE, value: this.cookieBrowsers.signIn(user, this.clock()) }
  }

  /** Signs everyone out of every browser: the imaginary one, and the real ones' cookies name nobody any more. */
  clearBrowserSessions(): this {
    this.browserSessions.clear()
    this.cookieBrowsers.clear()
    return this
  }

  /** What the end-session endpoint received and did, oldest first. */
  get endSessionRequests(): readonly EndSessionRequest[] {
    return this.endSessions
  }

  /** Device codes waiting for the user to act, oldest first: what a test approves. */
  get pendingDeviceCodes(): readonly PendingDeviceCode[] {
    return this.deviceCodeStore.pending(this.clock())
  }

  /**
   * The user enters the device code's user code (any case) and signs in: the device's next
   * poll gets the tokens. Throws for an unknown, expired or already decided code, or an unknown user.
   */
  approveDeviceCode(userCode: string, username: string): this {
    const user = this.users.find(username)
    if (user === undefined) throw new Error(`FakeIdentityProvider: no user '${username}'; registerUser first`)
    this.deviceCodeStore.approve(userCode, user.username, this.clock())
    return this
  }

  /** The user enters the device code's user code and refuses: the device's next poll gets authorization_declined. */
  declineDeviceCode(userCode: string): this {
    this.deviceCodeStore.decline(userCode, this.clock())
    return this
  }

  /** Every request received, oldest first. */
  get requests(): readonly RecordedRequest[] {
    return this.recorded
  }

  /** CORS preflights only (OPTIONS), with the `origin` that sent each: a browser app that sends only CORS-simple requests causes none. */
  get preflightRequests(): readonly RecordedRequest[] {
    return this.recorded.filter((request) => request.preflight)
  }

  /** Token endpoint requests only, of every authority kind. */
  get tokenRequests(): readonly RecordedRequest[] {
    return this.recorded.filter((request) => request.method === 'POST' && ANY_TOKEN_PATH.test(request.path))
  }

  /** On-behalf-of requests only (the JWT bearer grant with requested_token_use=on_behalf_of), of any outcome. */
  get onBehalfOfRequests(): readonly RecordedRequest[] {
    return this.tokenRequests.filter((request) => request.form['grant_type'] === JWT_BEARER_GRANT_TYPE && request.form['requested_token_use'] === 'on_behalf_of')
  }

  /**
   * How each token request that authenticated its client did so, oldest first, at every
   * authority kind: the method (`client_secret_post`, `client_secret_basic`, `private_key_jwt`,
   * or `none` for a public client) and, for an assertion, its `jti`, header, claims and how its
   * key was found (`keySource`). Refused requests are not in it.
   */
  get clientAuthentications(): readonly ClientAuthentication[] {
    return this.ledger.all
  }

  /** Forgets the requests and client authentications seen (not the assertions: a replay stays a replay). */
  clearRequests(): void {
    this.recorded.length = 0
    this.ledger.clear()
  }

  /**
   * Makes `times` requests (default 1) whose path matches fail as the fault says, after letting
   * `skip` matching requests (default 0) through.
   */
  injectFault(fault: Fault, options: { path?: string | RegExp; times?: number; skip?: number } = {}): this {
    this.faultRules.push({ fault, path: options.path, skip: options.skip ?? 0, remaining: options.times ?? 1 })
    return this
  }

  clearFaults(): void {
    this.faultRules.length = 0
  }

  /** The public signing keys, as the JWKS endpoint serves them. */
  jwks(): Promise<{ keys: object[] }> {
    return this.signer.jwks()
  }

  /**
   * Decides the answer to one request. Every face goes through here. A cross-origin request (one
   * with `Origin`, as a browser page sends) gets CORS headers, and a CORS preflight to an API
   * endpoint (discovery, token...) its grant: see cors.ts.
   */
  async handle(request: IdpRequest): Promise<IdpAnswer> {
    const answer = await this.decide(request)
    return isPreflight(request) ? answer : withCorsHeaders(answer, request.headers['origin'])
  }

  private async decide(request: IdpRequest): Promise<IdpAnswer> {
    const nowMs = this.clock()
    this.recorded.push({
      method: request.method,
      url: request.url.toString(),
      host: request.url.host,
      path: request.url.pathname,
      headers: request.headers,
      form: request.form,
      origin: request.headers['origin'],
      preflight: isPreflight(request),
      at: nowMs,
    })
    // Before faults: a preflight is the browser's, not the application's request.
    if (isPreflight(request)) {
      const methods = this.apiMethods(request.url)
      return methods.length > 0 ? preflightAnswer(request, methods) : notFound()
    }
    // Outside Azure nothing answers at the metadata service's address.
    if (request.url.hostname === IMDS_HOST && this.options.imdsRegion === undefined) return { kind: 'connection-error' }
    const fault = takeFault(this.faultRules, request.url.pathname)
    if (fault !== undefined) return fault.kind === 'answer' ? { ...fault, kind: 'response' } : fault

    const ctx: ErrorContext = {
      origin: request.url.origin,
      // MSAL for Node also puts it in the query (the only place an authorization URL can).
      correlationId: request.headers['client-request-id'] ?? request.url.searchParams.get('client-request-id') ?? uuidFrom(this.random(16)),
      traceId: uuidFrom(this.random(16)),
      nowMs,
    }
    const found = this.route(request.url, request.method)
    if (found === undefined) return notFound()
    const { tenant } = found.params
    if (tenant !== undefined && !isMultiTenantAlias(tenant) && !this.tenantExists(tenant)) {
      const text = `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`
      return found.route.html === true
        ? withOpenerPolicy(renderAuthorization(errorPage(400, 90002, text, ctx)), this.options.crossOriginOpenerPolicy)
        : entraError(400, 'invalid_tenant', 90002, text, ctx)
    }
    if (found.route.method !== request.method) return notFound()
    const answer = await found.route.answer(request, found.params, ctx)
    return found.route.html === true ? withOpenerPolicy(answer, this.options.crossOriginOpenerPolicy) : answer
  }

  /** Entra knows a tenant by its name and by its id. */
  private tenantExists(tenant: string): boolean {
    const tenants = this.options.tenants
    return tenants === undefined || tenants.some((known) => known === tenant || tenantIdOf(known) === tenant.toLowerCase())
  }

  /** The route a URL goes to, with its path's decoded params: the one for the method, else the path's first (which then answers 404). */
  private route(url: URL, method: string): { route: Route; params: Record<string, string> } | undefined {
    let pathOnly: { route: Route; params: Record<string, string> } | undefined
    for (const route of this.routes) {
      const match = route.path.exec(url.pathname)
      if (match === null) continue
      const params = paramsOf(match)
      if (route.when !== undefined && !route.when(url, params)) continue
      if (route.method === method) return { route, params }
      pathOnly ??= { route, params }
    }
    return pathOnly
  }

  /** The methods an API endpoint (not a page a browser visits) takes at a URL; none when there is no such endpoint. */
  private apiMethods(url: URL): string[] {
    const methods = new Set<string>()
    for (const route of this.routes) {
      const match = route.html === true && route.cors !== true ? null : route.path.exec(url.pathname)
      if (match === null) continue
      const params = paramsOf(match)
      if (route.when === undefined || route.when(url, params)) methods.add(route.method)
    }
    return [...methods]
  }

  private jwksAnswer(): Promise<IdpAnswer> {
    return this.signer.jwks().then(jsonAnswer)
  }

  /** What a grant needs to know: the request's context, the registered apps and users, the provider's settings. */
  private grantContext(request: IdpRequest, tenant: string, ctx: ErrorContext): UserGrantContext {
    const issuerOrigin = centralOrigin(request.url, this.knownInstances)
    return {
      ...ctx,
      tenant,
      apps: this.apps,
      clientAuthentications: this.ledger,
      users: this.users,
      refreshTokens: this.refreshTokens,
      authorizationCodes: this.authorizationCodes,
      deviceCodes: this.deviceCodeStore,
      signer: this.signer,
      tokenLifetimeSeconds: this.options.tokenLifetimeSeconds ?? 3599,
      refreshInSeconds: this.options.refreshInSeconds,
      randomId: () => bytesToBase64Url(this.random(16)),
      issuer: (tid) => (isCiamHost(request.url) ? ciamIssuer(tid) : `${issuerOrigin}/${tid}/v2.0`),
    }
  }

  /** Whether a request's browser is known by its session cookie (else it is the imaginary browser). */
  private usesCookies(request: IdpRequest): boolean {
    return (this.options.sessions ?? (this.options.signInPage === true ? 'cookie' : 'imaginary')) === 'cookie' && !this.imaginaryBrowserRequests.has(request)
  }

  /** Answers as the browser a request comes from: the imaginary one, or the one its session cookie names (setting or clearing it). */
  private asBrowser(request: IdpRequest, step: (sessions: BrowserSessions) => IdpAnswer | Promise<IdpAnswer>): Promise<IdpAnswer> {
    return this.usesCookies(request) ? this.cookieBrowsers.answer(request, step) : Promise.resolve(step(this.browserSessions))
  }

  private authorizeContext(request: IdpRequest, tenant: string, ctx: ErrorContext, sessions: BrowserSessions): AuthorizeContext {
    return {
      ...ctx,
      tenant,
      apps: this.apps,
      users: this.users,
      sessions,
      signInPage: this.options.signInPage === true && this.usesCookies(request),
      authorizationCodes: this.authorizationCodes,
      interactiveUser: this.options.interactiveUser,
      rule: this.authorizeRule,
    }
  }

  private token(request: IdpRequest, tenant: string, ctx: ErrorContext): Promise<IdpAnswer> | IdpAnswer {
    const grantType = request.form['grant_type']
    const grant = GRANTS.get(grantType ?? '')
    if (grant === undefined) {
      return entraError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType ?? ''}'.`, ctx)
    }
    return grant(request, this.grantContext(request, tenant, ctx))
  }

  /** Tenant discovery's document, with endpoints on whatever origin the request used. */
  openIdConfiguration(origin: string, tenant: string): Record<string, unknown> {
    return openIdConfiguration(origin, tenant)
  }

  // ---- Face 1: Http effects, answered directly (used with createTestInterpreter) ----

  /** Answers an Http effect. A timeout fault answers at once with a timeout failure (virtual time). */
  readonly http = (request: HttpRequest): Promise<HttpOutcome> => answerHttpEffect((r) => this.handle(r), request)

  // ---- Face 2: a fetch function (an application's httpClient) ----

  /** A fetch-compatible function served in-process, whatever the URL's host. */
  readonly fetch: FetchFunction = fetchServedBy((r) => this.handle(r))

  // ---- Face 3: a real HTTP server on loopback ----

  private readonly server = new LoopbackServer((r) => this.handle(r))

  /** Starts serving on 127.0.0.1 (port 0 picks a free one). Returns the base URL. */
  async listen(port = 0): Promise<string> {
    if (this.server.listening) throw new Error('FakeIdentityProvider is already listening')
    return this.server.listen(port)
  }

  /**
   * A fetch that reaches any host through the loopback server (see `loopbackFetch`): an
   * application's `httpClient` for any authority kind, over real HTTP. Call `listen()` first.
   */
  readonly tunnelFetch: FetchFunction = (input, init) => loopbackFetch(this.url)(input, init)

  /** The loopback server's base URL, e.g. http://127.0.0.1:53121 */
  get url(): string {
    if (!this.server.listening) throw new Error('FakeIdentityProvider is not listening')
    return this.server.url
  }

  /** Stops the server, dropping any connection a timeout fault is holding open. */
  close(): Promise<void> {
    return this.server.close()
  }
}
