/**
 * A real OpenID provider on loopback for the conformance suite: oidc-provider (panva's certified
 * implementation) with a public (native) and a confidential client, one user, its development
 * login and consent pages, and the device flow. A Browser drives those pages over plain HTTP
 * (fetch with manual redirects and a small cookie jar), as the user's browser would.
 *
 * oidc-provider's defaults are kept unless a setting is one that real providers differ on; each
 * change below says why.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { decodeJwt } from 'jose'
import Provider, { errors, type ProviderAccount, type ProviderContext } from 'oidc-provider'

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

/** The one user (OpenID Connect Core's example end-user). The dev login page takes the account id as the login. */
export const USER = {
  login: '248289761001',
  claims: {
    sub: '248289761001',
    name: 'Jane Doe',
    given_name: 'Jane',
    family_name: 'Doe',
    preferred_username: 'j.doe',
    email: 'janedoe@example.com',
    email_verified: true,
  },
} as const

/**
 * A desktop or command-line app: a native public client (RFC 8252), so any port on its loopback
 * redirect URIs is accepted. http://localhost is what MSAL's interactive sign-in uses by default.
 */
export const DESKTOP_APP = {
  clientId: 'msal-ts-desktop',
  redirectUri: 'http://127.0.0.1/callback',
  redirectUris: ['http://127.0.0.1/callback', 'http://localhost'],
} as const

/**
 * A web app holding a secret. MSAL (Python, and msal-ts) sends the secret in the form
 * (client_secret_post), so that is the method registered. OpenID Connect's default is
 * client_secret_basic; oidc-provider accepts either for a secret, stricter providers do not.
 */
export const WEB_APP = {
  clientId: 'msal-ts-web',
  clientSecret: 'web-app-secret-9f8e7d6c5b4a',
  redirectUri: 'https://app.example.com/auth/callback',
} as const

/**
 * The API daemons ask tokens for (RFC 8707 resource indicators, on by default in oidc-provider):
 * the provider issues a JWT access token for it (audience the resource) with the scopes of it
 * that were asked for. A client-credentials request without `resource` gets this one.
 */
export const DAEMON_API = {
  resource: 'https://api.example.com',
  /** api.read and api.write, and ten more for tests that need a distinct scope per call. */
  scopes: ['api.read', 'api.write', 'api.s1', 'api.s2', 'api.s3', 'api.s4', 'api.s5', 'api.s6', 'api.s7', 'api.s8', 'api.s9', 'api.s10'],
} as const

/**
 * Daemons (client credentials only) holding a secret, one per way of sending it (RFC 6749
 * §2.3.1). oidc-provider accepts a secret either way for both (it checks only that a secret
 * client sent a secret); the calls record how it came.
 */
export const DAEMON_SECRET_BASIC = {
  clientId: 'msal-ts-daemon-basic',
  clientSecret: 'daemon-basic-secret-0a1b2c3d4e5f',
  tokenEndpointAuthMethod: 'client_secret_basic',
} as const

export const DAEMON_SECRET_POST = {
  clientId: 'msal-ts-daemon-post',
  clientSecret: 'daemon-post-secret-6a7b8c9d0e1f',
  tokenEndpointAuthMethod: 'client_secret_post',
} as const

/**
 * A daemon authenticating with a signed assertion (private_key_jwt, RFC 7523) made with one
 * signing algorithm. `jwks` holds public keys only. oidc-provider picks the keys an assertion may
 * be checked with by the header's alg (the key type, and the JWK's `alg` if it has one), by its
 * `kid` only when the header has one, and by the JWK's `use`; it then tries every candidate.
 * x5t / x5t#S256 / x5c in the header are not looked at, so MSAL's headers (no kid) verify
 * against a JWKS of any size, as long as no JWK's `alg` contradicts the header's.
 */
export interface KeyDaemon {
  readonly clientId: string
  /** token_endpoint_auth_signing_alg: the provider refuses an assertion signed otherwise. */
  readonly signingAlg: 'RS256' | 'PS256'
  readonly jwks: { readonly keys: readonly Record<string, unknown>[] }
  /**
   * A web app rather than a daemon: it also signs users in (the auth code flow, refresh tokens)
   * at these redirect URIs, authenticating with its key at the token endpoint.
   */
  readonly redirectUris?: readonly string[] | undefined
}

/** One request to the token or device authorization endpoint, as the provider saw it. */
export interface EndpointCall {
  readonly route: string
  readonly grantType: string | undefined
  readonly clientId: string | undefined
  /** How the client authenticated (none, client_secret_post, ...). */
  readonly clientAuthMethod: string | undefined
  readonly scope: string | undefined
  readonly status: number
  readonly error: string | undefined
  /** Why the provider refused the request (oidc-provider's error_detail, never sent to the client). */
  readonly errorDetail: string | undefined
  /** The client assertion's header and claims (private_key_jwt), as received. */
  readonly assertion: { readonly header: Record<string, unknown>; readonly claims: Record<string, unknown> } | undefined
}

export interface HarnessOptions {
  /**
   * true (default): the provider supports OpenID Connect Core's standard `profile` and `email`
   * scopes (§5.4), as mainstream providers do. false: oidc-provider's default, only `openid` and
   * `offline_access`; an unknown scope such as `profile` is dropped from the grant.
   */
  readonly standardScopes?: boolean | undefined
  /** Daemons authenticating with private_key_jwt, registered besides the built-in clients. */
  readonly keyDaemons?: readonly KeyDaemon[] | undefined
  /**
   * How a reused client assertion (a jti seen before) is refused. 'invalid_client' (default):
   * oidc-provider's own answer, a JSON invalid_client with 401. 'empty 403': a bare 403 with an
   * empty body, as some certified providers (and the gateways in front of them) answer.
   */
  readonly replayAnswer?: 'invalid_client' | 'empty 403' | undefined
}

/** How the browser brought the authorization response back to the redirect URI. */
export interface AuthorizationRedirect {
  readonly url: string
  readonly responseMode: 'query' | 'form_post'
  readonly params: Record<string, string>
}

export interface SignInOptions {
  /** What the user types on the login page; the provider asking for a login without one fails the call. */
  readonly login?: string | undefined
  /** true: the user consents; false: the user cancels on the consent page. */
  readonly consent: boolean
}

export interface DeviceApprovalOptions {
  readonly login?: string | undefined
  /** true: the user presses Abort on the confirmation page instead of Continue. */
  readonly abort?: boolean | undefined
}

export interface OidcProviderHarness {
  /** The issuer, which is also the `oidcAuthority` (its configuration is at /.well-known/openid-configuration). */
  readonly issuer: string
  /** The token endpoint (from the provider's discovery document): a client assertion's audience. */
  readonly tokenEndpoint: string
  readonly calls: readonly EndpointCall[]
  /** Errors the provider raised internally (its `server_error` event): any is a failed test. */
  readonly serverErrors: readonly unknown[]
  /** A fresh browser (its own cookies: no session at the provider yet). */
  browser(): Browser
  /** Signs the user in with a fresh browser; resolves the redirect's query or form parameters. */
  signInThroughBrowser(authUrl: string, options: SignInOptions): Promise<Record<string, string>>
  /** The user enters the code at the provider's device page, signs in and confirms (or aborts). */
  approveDeviceCode(userCode: string, options?: DeviceApprovalOptions): Promise<void>
  close(): Promise<void>
}

const MINUTE = 60
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

const STANDARD_CLAIMS = {
  // oidc-provider's own entries...
  acr: null,
  sid: null,
  auth_time: null,
  iss: null,
  openid: ['sub'],
  // ...and OpenID Connect Core's standard scopes (§5.4).
  profile: ['name', 'given_name', 'family_name', 'preferred_username'],
  email: ['email', 'email_verified'],
}

/** Starts oidc-provider on 127.0.0.1 (any free port). Close it when done. */
export const startOidcProvider = async (options: HarnessOptions = {}): Promise<OidcProviderHarness> => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const accounts = new Map<string, Record<string, unknown>>([[USER.claims.sub, USER.claims]])
  const keyDaemons = options.keyDaemons ?? []
  const clientJwks = new Map(keyDaemons.map((daemon) => [clientJwksUri(issuer, daemon.clientId), JSON.stringify(daemon.jwks)]))
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: DESKTOP_APP.clientId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: [...DESKTOP_APP.redirectUris],
        grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT],
        response_types: ['code'],
      },
      {
        client_id: WEB_APP.clientId,
        client_secret: WEB_APP.clientSecret,
        token_endpoint_auth_method: 'client_secret_post',
        redirect_uris: [WEB_APP.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      ...[DAEMON_SECRET_BASIC, DAEMON_SECRET_POST].map((daemon) => ({
        client_id: daemon.clientId,
        client_secret: daemon.clientSecret,
        token_endpoint_auth_method: daemon.tokenEndpointAuthMethod,
        ...DAEMON_METADATA,
      })),
      ...keyDaemons.map((daemon) => ({
        client_id: daemon.clientId,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: daemon.signingAlg,
        // Published at a URL (answered by `fetch` below) rather than inline `jwks`: oidc-provider
        // structuredClones static clients, which under jest's vm sandbox yields objects of the
        // outer realm, and its plain-object check on each JWK then fails (invalid_client_metadata).
        jwks_uri: clientJwksUri(issuer, daemon.clientId),
        ...(daemon.redirectUris === undefined
          ? DAEMON_METADATA
          : { grant_types: ['authorization_code', 'refresh_token', 'client_credentials'], response_types: ['code'], redirect_uris: [...daemon.redirectUris] }),
      })),
    ],
    features: {
      // The device flow (RFC 8628) and the client-credentials grant are off by default;
      // devInteractions (the login and consent pages) is on.
      deviceFlow: { enabled: true },
      clientCredentials: { enabled: true },
      // Resource indicators are on by default, but know no resource server: a client-credentials
      // request names none (MSAL sends only scopes), so the daemon API is its default.
      resourceIndicators: {
        enabled: true,
        defaultResource: (ctx: ProviderContext, _client: unknown, oneOf?: string) =>
          Promise.resolve(oneOf ?? (ctx.oidc?.params?.['grant_type'] === 'client_credentials' ? DAEMON_API.resource : undefined)),
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== DAEMON_API.resource) throw new errors.InvalidTarget()
          return Promise.resolve({ scope: DAEMON_API.scopes.join(' '), audience: DAEMON_API.resource, accessTokenFormat: 'jwt', accessTokenTTL: HOUR })
        },
      },
    },
    // Client assertions: the defaults are kept. oidc-provider accepts as `aud` the issuer, the
    // token endpoint URL (what MSAL sends) or the URL of the endpoint called, requires exp, jti,
    // iss = sub = client_id, allows 15 s of clock skew (clockTolerance), and remembers each
    // assertion's iss and jti until it expires (its ReplayDetection model, in memory here): a
    // second use of one is invalid_client.
    ...(options.standardScopes === false ? {} : { claims: STANDARD_CLAIMS }),
    findAccount: (_ctx: unknown, id: string): Promise<ProviderAccount | undefined> => {
      const claims = accounts.get(id)
      return Promise.resolve(claims === undefined ? undefined : { accountId: id, claims: () => Promise.resolve({ ...claims }) })
    },
    // Keys of this run, as a deployment has its own (oidc-provider's built-in development key warns).
    jwks: { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'conformance', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // The provider's outgoing requests: the key daemons' JWKS, answered here (a loopback URL is
    // what oidc-provider's SSRF protection refuses, when it can set that up). Nothing else is fetched.
    fetch: (url: string | URL): Promise<Response> => {
      const jwks = clientJwks.get(String(url))
      return Promise.resolve(
        jwks === undefined ? new Response(null, { status: 404 }) : new Response(jwks, { headers: { 'content-type': 'application/json' } }),
      )
    },
    // oidc-provider's default lifetimes, written out (left to its defaults, each prints a notice
    // asking the deployment to choose): one hour for access (also the client-credentials grant's)
    // and ID tokens, 14 days for refresh tokens.
    ttl: {
      AccessToken: HOUR,
      ClientCredentials: HOUR,
      AuthorizationCode: 60,
      DeviceCode: 10 * MINUTE,
      IdToken: HOUR,
      RefreshToken: 14 * DAY,
      Interaction: HOUR,
      Session: 14 * DAY,
      Grant: 14 * DAY,
    },
  })

  const calls: EndpointCall[] = []
  const serverErrors: unknown[] = []
  provider.on('server_error', (_ctx: unknown, error: unknown) => serverErrors.push(error))
  // The error each failed request ended with (its error_detail says why), for the record below.
  const failures = new WeakMap<object, { error_detail?: unknown }>()
  for (const event of ['grant.error', 'device_authorization.error'] as const) {
    provider.on(event, (ctx: unknown, error: unknown) => {
      if (typeof ctx === 'object' && ctx !== null && typeof error === 'object' && error !== null) failures.set(ctx, error)
    })
  }
  provider.use(async (ctx: ProviderContext, next: () => Promise<void>) => {
    await next()
    const route = ctx.oidc?.route
    if (route !== 'token' && route !== 'device_authorization') return
    const params = ctx.oidc?.params ?? {}
    if (options.replayAnswer === 'empty 403' && failures.get(ctx)?.error_detail === REPLAYED_ASSERTION) {
      // The provider's own replay detection decided; only its answer changes: a bare 403.
      ctx.body = ''
      ctx.status = 403
    }
    const body = typeof ctx.body === 'object' && ctx.body !== null ? (ctx.body as Record<string, unknown>) : {}
    calls.push({
      route,
      grantType: stringOrUndefined(params['grant_type']),
      clientId: ctx.oidc?.client?.clientId,
      clientAuthMethod: ctx.oidc?.client?.clientAuthMethod,
      scope: stringOrUndefined(params['scope']),
      status: ctx.status,
      error: stringOrUndefined(body['error']),
      errorDetail: stringOrUndefined(failures.get(ctx)?.error_detail),
      assertion: decodeAssertion(params['client_assertion']),
    })
  })
  server.on('request', provider.callback())
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { token_endpoint: string }

  return {
    issuer,
    tokenEndpoint: discovery.token_endpoint,
    calls,
    serverErrors,
    browser: () => new Browser(issuer),
    signInThroughBrowser: async (authUrl, signIn) => (await new Browser(issuer).signIn(authUrl, signIn)).params,
    approveDeviceCode: (userCode, approval = {}) => new Browser(issuer).approveDeviceCode(userCode, approval),
    close: () => closeServer(server),
  }
}

/** oidc-provider's error_detail for an assertion whose jti it has seen (its ReplayDetection). */
export const REPLAYED_ASSERTION = 'client assertion tokens must only be used once'

const stringOrUndefined = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

/** Where a key daemon publishes its JWKS (the provider's `fetch` answers it). */
const clientJwksUri = (issuer: string, clientId: string): string => `${issuer}/client-jwks/${encodeURIComponent(clientId)}.json`

/** What every daemon registers: the client-credentials grant only (no redirect URIs, no user). */
const DAEMON_METADATA = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [] }

const decodeAssertion = (assertion: unknown): EndpointCall['assertion'] => {
  if (typeof assertion !== 'string') return undefined
  try {
    const [header = ''] = assertion.split('.')
    return { header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>, claims: decodeJwt(assertion) }
  } catch {
    return undefined
  }
}

const closeServer = (server: Server): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)))
    // fetch keeps connections alive; the provider has nothing left to say on them.
    server.closeAllConnections()
  })

interface Cookie {
  readonly name: string
  readonly value: string
  readonly path: string
}

/** A page the provider ended on instead of redirecting back to the app. */
interface FinalPage {
  readonly status: number
  readonly url: string
  readonly text: string
}

/** What the user does on the provider's pages. */
interface UserPlan {
  readonly login?: string | undefined
  readonly consent: boolean
  readonly userCode?: string | undefined
  readonly abortDevice?: boolean | undefined
}

type Landing = { readonly redirect: AuthorizationRedirect } | { readonly page: FinalPage }

interface Form {
  readonly action: string
  readonly fields: Record<string, string>
}

const MAX_STEPS = 20

/**
 * The user's browser: follows redirects itself (fetch's redirect: 'manual'), keeps the
 * provider's cookies (path-matched, deleted when expired), and fills in the provider's forms.
 * It stops at the first redirect or form post that leaves the provider (the app's redirect URI).
 */
export class Browser {
  private readonly cookies = new Map<string, Cookie>()
  private readonly origin: string

  constructor(issuer: string) {
    this.origin = new URL(issuer).origin
  }

  /** Signs in at an authorization URL; resolves the authorization response the app's redirect URI receives. */
  async signIn(authUrl: string, options: SignInOptions): Promise<AuthorizationRedirect> {
    const landing = await this.walk(new URL(authUrl), { login: options.login, consent: options.consent })
    if ('page' in landing) throw new Error(`the provider did not redirect back to the app: ${describe(landing.page)}`)
    return landing.redirect
  }

  /** Approves (or aborts) a device flow at the provider's verification page, signing in on the way. */
  async approveDeviceCode(userCode: string, options: DeviceApprovalOptions = {}): Promise<void> {
    const plan: UserPlan = { login: options.login ?? USER.login, consent: true, userCode, abortDevice: options.abort }
    const landing = await this.walk(new URL('/device', this.origin), plan)
    if ('redirect' in landing) throw new Error(`the device flow redirected to ${landing.redirect.url}`)
    const expected = options.abort === true ? 'The Sign-in request was interrupted' : 'Sign-in Success'
    if (!landing.page.text.includes(expected)) throw new Error(`expected the provider's "${expected}" page, got ${describe(landing.page)}`)
  }

  /** Sends an authorization response where the provider sent the browser: the app's redirect URI. */
  async deliver(redirect: AuthorizationRedirect): Promise<{ status: number; text: string }> {
    const response =
      redirect.responseMode === 'query'
        ? await fetch(redirect.url, { redirect: 'manual' })
        : await fetch(redirect.url, { method: 'POST', redirect: 'manual', body: new URLSearchParams(redirect.params) })
    return { status: response.status, text: await response.text() }
  }

  private async walk(start: URL, plan: UserPlan): Promise<Landing> {
    let url = start
    let form: Record<string, string> | undefined
    for (let step = 0; step < MAX_STEPS; step += 1) {
      const response = await this.request(url, form)
      const location = response.headers.get('location')
      if (response.status >= 300 && response.status < 400 && location !== null) {
        const next = new URL(location, url)
        if (next.origin !== this.origin) return { redirect: { url: next.href, responseMode: 'query', params: Object.fromEntries(next.searchParams) } }
        url = next
        form = undefined
        continue
      }
      const page = { status: response.status, url: url.href, text: await response.text() }
      const action = this.nextAction(page, plan)
      if ('landing' in action) return action.landing
      url = new URL(action.url, url)
      form = action.form
    }
    throw new Error(`still on the provider's pages after ${MAX_STEPS} steps (at ${url.href})`)
  }

  /** What the user does on a page: fill in a form, follow a link, or stop there. */
  private nextAction(page: FinalPage, plan: UserPlan): { url: string; form?: Record<string, string> | undefined } | { landing: Landing } {
    const html = page.text
    const form = firstForm(html)
    if (form !== undefined && isAutoSubmitted(html)) {
      if (new URL(form.action, page.url).origin !== this.origin) {
        return { landing: { redirect: { url: new URL(form.action, page.url).href, responseMode: 'form_post', params: form.fields } } }
      }
      return { url: form.action, form: form.fields }
    }
    if (form !== undefined && form.fields['prompt'] === 'login') {
      if (plan.login === undefined) throw new Error('the provider asks the user to sign in, but no login was given')
      return { url: form.action, form: { prompt: 'login', login: plan.login, password: 'any password (the development login ignores it)' } }
    }
    if (form !== undefined && form.fields['prompt'] === 'consent') {
      if (plan.consent) return { url: form.action, form: { prompt: 'consent' } }
      const cancel = /<a href="([^"]*)">\[ Cancel \]<\/a>/.exec(html)
      if (cancel === null) throw new Error(`no Cancel link on the consent page: ${describe(page)}`)
      return { url: decodeEntities(cancel[1]!) }
    }
    if (form !== undefined && html.includes('id="op.deviceInputForm"') && !html.includes('class="red"') && plan.userCode !== undefined) {
      return { url: form.action, form: { xsrf: form.fields['xsrf'] ?? '', user_code: plan.userCode } }
    }
    if (form !== undefined && html.includes('id="op.deviceConfirmForm"')) {
      const { confirm: _confirm, ...fields } = form.fields
      return { url: form.action, form: plan.abortDevice === true ? { ...fields, abort: 'yes' } : form.fields }
    }
    return { landing: { page } }
  }

  private async request(url: URL, form: Record<string, string> | undefined): Promise<Response> {
    const headers: Record<string, string> = {}
    const cookie = url.origin === this.origin ? this.cookieHeader(url.pathname) : ''
    if (cookie !== '') headers['cookie'] = cookie
    const response = await fetch(url, {
      redirect: 'manual',
      headers,
      ...(form === undefined ? {} : { method: 'POST', body: new URLSearchParams(form) }),
    })
    if (url.origin === this.origin) for (const setCookie of response.headers.getSetCookie()) this.store(setCookie)
    return response
  }

  private store(setCookie: string): void {
    const [pair = '', ...attributes] = setCookie.split(';').map((part) => part.trim())
    const equals = pair.indexOf('=')
    if (equals <= 0) return
    const name = pair.slice(0, equals)
    const attribute = (wanted: string): string | undefined =>
      attributes.find((a) => a.toLowerCase().startsWith(`${wanted}=`))?.slice(wanted.length + 1)
    const path = attribute('path') ?? '/'
    const expires = attribute('expires')
    const maxAge = attribute('max-age')
    const expired = (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) <= Date.now())
    const key = `${name};${path}`
    if (expired) this.cookies.delete(key)
    else this.cookies.set(key, { name, value: pair.slice(equals + 1), path })
  }

  /** RFC 6265 §5.1.4 path-match, most specific path first. */
  private cookieHeader(requestPath: string): string {
    return [...this.cookies.values()]
      .filter(({ path }) => requestPath === path || requestPath.startsWith(path.endsWith('/') ? path : `${path}/`))
      .sort((a, b) => b.path.length - a.path.length)
      .map(({ name, value }) => `${name}=${value}`)
      .join('; ')
  }
}

const describe = (page: FinalPage): string => `${page.status} at ${page.url}: ${page.text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 400)}`

/** oidc-provider's pages are its own templates: a form, its action and its named inputs are all the browser needs. */
const firstForm = (html: string): Form | undefined => {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html)
  if (form === null) return undefined
  const action = /\baction="([^"]*)"/i.exec(form[1]!)
  const fields: Record<string, string> = {}
  for (const input of form[2]!.matchAll(/<input\b([^>]*)>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(input[1]!)
    const value = /\bvalue="([^"]*)"/i.exec(input[1]!)
    if (name !== null) fields[decodeEntities(name[1]!)] = value === null ? '' : decodeEntities(value[1]!)
  }
  return { action: decodeEntities(action?.[1] ?? ''), fields }
}

/** The page a form_post response (or oidc-provider's own hand-over) submits by script. */
const isAutoSubmitted = (html: string): boolean => html.includes('document.forms[0].submit()')

const decodeEntities = (text: string): string =>
  text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (entity, body: string) => {
    const lower = body.toLowerCase()
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16))
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10))
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[lower] ?? entity
  })
