/**
 * The SPA's browser tests' harness: real Chromium (Debian's, driven by playwright-core) runs a
 * page that uses @msal-ts/browser's PublicClientApplication (bundled by esbuild from the
 * sources: app.ts, and bridge.ts for the bridge page), against the fake identity provider.
 *
 * - The app is served on http://localhost:<port>; the identity provider answers as
 *   https://login.microsoftonline.com (Chromium maps that host to a TLS front on loopback, so the
 *   library takes its real path for a Microsoft host: built-in endpoints, no discovery), another
 *   site than the app's. A provider on http://127.0.0.1:<port> serves the other authority kinds.
 * - Nothing leaves loopback: Chromium sends every other host to a proxy that refuses it.
 * - Third-party cookies are blocked, as by default here; `launchSpaBrowser('allowed')` starts a
 *   persistent profile whose preferences allow them.
 * - Time: the provider and every page of a context share one virtual clock (`clock.jump`), so a
 *   test jumps 24 hours without waiting.
 */
import { readFileSync } from 'node:fs'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, type Plugin } from 'esbuild'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { FakeIdentityProvider, type FakeIdentityProviderOptions } from '@msal-ts/testing'
import type { Account, BrowserApplicationOptions, TokenResult } from '@msal-ts/browser'
import type { Outcome, PageConfig, SeenEvent, SpaPage } from './app.js'

export type { Outcome, PageConfig, SeenEvent, SpaPage }

const ROOT = join(import.meta.dirname, '..', '..', '..', '..')

/** Debian's chromium (./dev test installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium'

/** Bounds every wait on the browser: a hang fails the test instead of holding CI. */
export const BROWSER_TIMEOUT_MS = 15_000

export const CLIENT_ID = 'aaaaaaaa-5555-4000-8000-0000000000a1'
export const TENANT = 'contoso.onmicrosoft.com'
export const ALICE = 'alice@contoso.onmicrosoft.com'
export const BOB = 'bob@contoso.onmicrosoft.com'
export const PASSWORD = 'correct horse'
/** The Microsoft host the provider answers as (mapped to loopback inside Chromium). */
export const ENTRA_HOST = 'login.microsoftonline.com'
export const AUTHORITY = `https://${ENTRA_HOST}/${TENANT}`
export const SCOPES = ['User.Read']

// ---- the bundles ----

/** @msal-ts/* from the packages' sources, as the other tests take them (no build needed). */
const workspaceSources: Plugin = {
  name: 'workspace-sources',
  setup(b) {
    const entries: Readonly<Record<string, string>> = {
      '@msal-ts/core': 'core/src/index.ts',
      '@msal-ts/core/protocol': 'core/src/protocol.ts',
      '@msal-ts/browser': 'browser/src/index.ts',
      '@msal-ts/browser/redirect': 'browser/src/redirect.ts',
    }
    b.onResolve({ filter: /^@msal-ts\// }, (args) => {
      const entry = entries[args.path]
      return entry === undefined ? undefined : { path: join(ROOT, 'packages', entry) }
    })
  },
}

/** The app page's and the bridge page's scripts, as a real SPA would ship them (minified ES modules). */
const bundlePages = async (): Promise<{ readonly app: string; readonly bridge: string }> => {
  const result = await build({
    entryPoints: { app: join(import.meta.dirname, 'app.ts'), bridge: join(import.meta.dirname, 'bridge.ts') },
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    plugins: [workspaceSources],
    logLevel: 'silent',
  })
  const text = (name: string): string => result.outputFiles.find((file) => file.path.endsWith(`${name}.js`))!.text
  return { app: text('app'), bridge: text('bridge') }
}

// ---- servers ----

export const portOf = (server: Server): number => (server.address() as AddressInfo).port

const listen = async (server: Server): Promise<Server> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return server
}

export const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })

/** The app's site: every path is the app's page except the scripts and the bridge page. */
export interface AppSite {
  readonly server: Server
  /** http://localhost:<port> */
  readonly origin: string
  /** Every load of the app's page (path and query), in order. */
  readonly pageLoads: string[]
}

const HTML = (script: string): string =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>SPA</title></head><body><h1>SPA</h1><script type="module" src="/${script}"></script></body></html>`

const startAppSite = async (scripts: { readonly app: string; readonly bridge: string }): Promise<AppSite> => {
  const pageLoads: string[] = []
  const server = await listen(
    createHttpServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost')
      const send = (type: string, body: string): void => void response.writeHead(200, { 'content-type': type }).end(body)
      if (url.pathname === '/app.js') return send('text/javascript', scripts.app)
      if (url.pathname === '/bridge.js') return send('text/javascript', scripts.bridge)
      // The bridge page: no Cross-Origin-Opener-Policy (a popup must keep its channel to the app).
      if (url.pathname === '/redirect.html') return send('text/html; charset=utf-8', HTML('bridge.js'))
      if (url.pathname === '/favicon.ico') return void response.writeHead(404).end()
      // A page that is not the app (a test reads a response off it by hand).
      if (url.pathname === '/hold') return send('text/html; charset=utf-8', '<!DOCTYPE html><title>hold</title>')
      pageLoads.push(`${url.pathname}${url.search}`)
      send('text/html; charset=utf-8', HTML('app.js'))
    }),
  )
  return { server, origin: `http://localhost:${portOf(server)}`, pageLoads }
}

/**
 * TLS in front of the provider, as https://login.microsoftonline.com: Chromium maps the host to
 * this port and ignores certificate errors (the certificate is a test fixture's). The provider
 * learns the public origin from X-Forwarded-Host and X-Forwarded-Proto.
 */
const startTlsFront = async (target: () => string): Promise<Server> => {
  const certificates = join(ROOT, 'packages', 'testing', 'test', 'fixtures', 'certificates')
  const server = createHttpsServer({ key: readFileSync(join(certificates, 'leaf.key.pkcs8.pem')), cert: readFileSync(join(certificates, 'leaf.cert.pem')) }, (request, response) => {
    const to = new URL(target())
    const forwarded = httpRequest(
      { host: to.hostname, port: to.port, method: request.method, path: request.url, headers: { ...request.headers, host: to.host, 'x-forwarded-host': ENTRA_HOST, 'x-forwarded-proto': 'https' } },
      (answer: IncomingMessage) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(response)
      },
    )
    forwarded.on('error', () => response.destroy())
    request.pipe(forwarded)
  })
  return listen(server)
}

/**
 * A proxy that refuses everything and writes down what was asked: Chromium sends every request
 * to a non-loopback host through it, so nothing leaves the machine. (Not page.route: with a
 * route installed, Playwright answers CORS preflights itself, and the provider's would go untested.)
 */
const startRefusingProxy = async (): Promise<{ readonly server: Server; readonly refused: string[] }> => {
  const refused: string[] = []
  const server = await listen(
    createHttpServer((request: IncomingMessage, response: ServerResponse) => {
      refused.push(request.url ?? '')
      response.writeHead(403).end()
    }),
  )
  server.on('connect', (request: IncomingMessage, socket: Socket) => {
    refused.push(request.url ?? '')
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
  })
  return { server, refused }
}

// ---- virtual time ----

/**
 * One clock for the provider and the pages: real time plus the jumps a test made. Pages get it
 * through Playwright's clock (installed in each context, it flows with real time and jumps with
 * `jump`).
 */
export class VirtualClock {
  private offsetMs = 0
  private readonly contexts = new Set<BrowserContext>()

  readonly now = (): number => Date.now() + this.offsetMs

  /** Puts a context's pages on this clock (before they load). */
  async attach(context: BrowserContext): Promise<void> {
    await context.clock.install({ time: this.now() })
    this.contexts.add(context)
    context.on('close', () => this.contexts.delete(context))
  }

  /** Jumps the provider and every attached context forward (timers due by then fire once): a laptop lid closed for `ms`. */
  async jump(ms: number): Promise<void> {
    this.offsetMs += ms
    await Promise.all([...this.contexts].map((context) => context.clock.fastForward(ms)))
  }

  /** Lets `ms` pass at once, every timer firing as it would have (an interval runs each time): a user looking at a page for `ms`. */
  async pass(ms: number): Promise<void> {
    this.offsetMs += ms
    await Promise.all([...this.contexts].map((context) => context.clock.runFor(ms)))
  }
}

// ---- the site: provider, app, proxy ----

export interface SpaSite {
  /** The provider behind https://login.microsoftonline.com (a sign-in page, cookie sessions). */
  readonly idp: FakeIdentityProvider
  readonly app: AppSite
  readonly clock: VirtualClock
  /** Non-loopback requests Chromium attempted (all refused). */
  readonly refused: readonly string[]
  /** The Chromium arguments that reach the provider, and nothing else. */
  readonly launchOptions: { readonly proxy: { readonly server: string; readonly bypass: string }; readonly args: readonly string[] }
  /** The options a page's application gets unless a test says otherwise. */
  options(overrides?: Partial<BrowserApplicationOptions>): BrowserApplicationOptions
  /** Another provider, on http://127.0.0.1:<port> (other authority kinds, other options), on the same clock. */
  extraProvider(options?: FakeIdentityProviderOptions): Promise<FakeIdentityProvider>
  close(): Promise<void>
}

/** The app registered at a provider: SPA redirect URIs on localhost (any port), and one web redirect URI. */
export const registerSpa = (idp: FakeIdentityProvider): FakeIdentityProvider =>
  idp
    .registerUser({ username: ALICE, password: PASSWORD })
    .registerUser({ username: BOB, password: PASSWORD })
    .registerApp({
      clientId: CLIENT_ID,
      spaRedirectUris: ['http://localhost/', 'http://localhost/redirect.html', 'http://localhost/hold', 'http://localhost/signed-out'],
      redirectUris: ['http://localhost/web'],
    })

export const startSite = async (idpOptions: FakeIdentityProviderOptions = {}): Promise<SpaSite> => {
  const clock = new VirtualClock()
  const idp = registerSpa(new FakeIdentityProvider({ signInPage: true, clock: clock.now, ...idpOptions }))
  const extras: FakeIdentityProvider[] = []
  const [scripts, proxy] = await Promise.all([bundlePages(), startRefusingProxy(), idp.listen()])
  const app = await startAppSite(scripts)
  const front = await startTlsFront(() => idp.url)
  return {
    idp,
    app,
    clock,
    refused: proxy.refused,
    launchOptions: {
      proxy: { server: `http://127.0.0.1:${portOf(proxy.server)}`, bypass: `127.0.0.1,localhost,${ENTRA_HOST}` },
      args: [`--host-resolver-rules=MAP ${ENTRA_HOST} 127.0.0.1:${portOf(front)}`, '--ignore-certificate-errors'],
    },
    options: (overrides = {}) => ({ clientId: CLIENT_ID, authority: AUTHORITY, redirectUri: `${app.origin}/`, ...overrides }),
    extraProvider: async (options = {}) => {
      const extra = registerSpa(new FakeIdentityProvider({ signInPage: true, clock: clock.now, ...options }))
      await extra.listen()
      extras.push(extra)
      return extra
    },
    close: async () => {
      await Promise.all([idp.close(), ...extras.map((extra) => extra.close()), closeServer(app.server), closeServer(front), closeServer(proxy.server)])
    },
  }
}

// ---- Chromium ----

export interface SpaBrowser {
  /** A fresh profile's context (cookies, storage) whose pages run the app with `config`. */
  newContext(config: PageConfig): Promise<BrowserContext>
  close(): Promise<void>
}

/**
 * Headless Chromium for the site. Third-party cookies are blocked, as by default here;
 * `'allowed'` starts a persistent profile whose preferences allow them (then newContext answers
 * its one context, once). `popupBlocking: true` turns Chromium's popup blocker back on
 * (Playwright turns it off).
 */
export const launchSpaBrowser = async (
  site: SpaSite,
  { thirdPartyCookies = 'blocked', popupBlocking = false }: { thirdPartyCookies?: 'blocked' | 'allowed'; popupBlocking?: boolean } = {},
): Promise<SpaBrowser> => {
  const { chromium } = await import('playwright-core')
  const launch = {
    executablePath: CHROMIUM,
    headless: true,
    // Launching takes seconds, more on a loaded machine.
    timeout: 2 * BROWSER_TIMEOUT_MS,
    proxy: site.launchOptions.proxy,
    args: [...site.launchOptions.args],
    // As a user's browser: a back/forward cache, and (when asked) a popup blocker.
    ignoreDefaultArgs: ['--disable-back-forward-cache', ...(popupBlocking ? ['--disable-popup-blocking'] : [])],
  }
  const configure = async (context: BrowserContext, config: PageConfig): Promise<BrowserContext> => {
    context.setDefaultTimeout(BROWSER_TIMEOUT_MS)
    await context.addInitScript((pageConfig) => {
      ;(window as unknown as { __spaConfig: unknown }).__spaConfig = pageConfig
    }, config)
    await site.clock.attach(context)
    return context
  }
  if (thirdPartyCookies === 'blocked') {
    const browser: Browser = await chromium.launch(launch)
    return { newContext: async (config) => configure(await browser.newContext(), config), close: () => browser.close() }
  }
  const profile = mkdtempSync(join(tmpdir(), 'msal-ts-spa-'))
  mkdirSync(join(profile, 'Default'))
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0 } }))
  const context = await chromium.launchPersistentContext(profile, launch)
  let given = false
  return {
    newContext: async (config) => {
      if (given) throw new Error('a persistent profile has one context')
      given = true
      return configure(context, config)
    },
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

// ---- a test file's suite ----

/** What a test asks of a context: the page's start-up, and options over the site's defaults. */
export interface ContextConfig extends Omit<PageConfig, 'options'> {
  readonly options?: Partial<BrowserApplicationOptions>
}

export interface SpaSuite {
  readonly site: SpaSite
  readonly browser: SpaBrowser
  /** A fresh context (closed after the test) whose pages run the app with the site's options and these. */
  newContext(config?: ContextConfig): Promise<BrowserContext>
}

/**
 * A test file's site and browser (Chromium launched once per file: it costs seconds), with the
 * provider's records and the app's page loads cleared before each test and its contexts closed after.
 */
export const spaSuite = (launch: Parameters<typeof launchSpaBrowser>[1] = {}, idpOptions: FakeIdentityProviderOptions = {}): SpaSuite => {
  let site: SpaSite | undefined
  let browser: SpaBrowser | undefined
  const contexts: BrowserContext[] = []
  beforeAll(async () => {
    site = await startSite(idpOptions)
    browser = await launchSpaBrowser(site, launch)
  }, 90_000)
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })
  beforeEach(() => {
    site!.idp.clearRequests()
    site!.app.pageLoads.length = 0
  })
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()))
  })
  return {
    get site() {
      return site!
    },
    get browser() {
      return browser!
    },
    newContext: async (config = {}) => {
      const context = await browser!.newContext({ ...config, options: site!.options(config.options) })
      contexts.push(context)
      return context
    },
  }
}

// ---- pages ----

declare global {
  interface Window {
    spa: SpaPage
  }
}

/** Opens the app's page at `path` and waits for its script. */
export const openApp = async (context: BrowserContext, site: SpaSite, path = '/'): Promise<Page> => {
  const page = await context.newPage()
  await page.goto(`${site.app.origin}${path}`)
  await page.waitForFunction(() => window.spa !== undefined)
  return page
}

/** The page's start-up handleRedirectPromise() outcomes (after a page load). */
export const startup = async (page: Page): Promise<{ outcomes: Outcome<unknown>[]; samePromise: boolean }> => {
  await page.waitForFunction(() => window.spa !== undefined)
  return page.evaluate(() => window.spa.startup)
}

/** Fills in the provider's sign-in page (already showing, or soon) and submits it. */
export const signInOnPage = async (page: Page, username = ALICE): Promise<void> => {
  await page.waitForURL(/\/oauth2\/v2\.0\/authorize\?/)
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

/** A redirect sign-in from the app's page, through the sign-in page, back to the app: answers the result. */
export const signInByRedirect = async (page: Page, site: SpaSite, username = ALICE, request: Record<string, unknown> = {}): Promise<Outcome<unknown>> => {
  await page.evaluate((r) => void window.spa.app.loginRedirect({ scopes: ['User.Read'], ...r }), { loginHint: username, ...request })
  await signInOnPage(page, username)
  await page.waitForURL((url) => url.origin === site.app.origin)
  const { outcomes } = await startup(page)
  return outcomes[0]!
}

/**
 * The provider's session cookie for `username` in the context (as after an earlier sign-in in
 * this browser), so a sign-in needs no page: the authorization endpoint answers at once.
 */
export const signInToBrowser = (context: BrowserContext, site: SpaSite, username = ALICE): Promise<void> => {
  const { name, value } = site.idp.sessionCookie(username)
  return context.addCookies([{ name, value, domain: ENTRA_HOST, path: '/', secure: true, httpOnly: true, sameSite: 'None' }])
}

/** A page of the app signed in as `username` (a redirect with the provider's session: no sign-in page): answers the page and the result. */
export const signedInApp = async (
  context: BrowserContext,
  site: SpaSite,
  username = ALICE,
  path = '/',
): Promise<{ readonly page: Page; readonly result: TokenResultData }> => {
  await signInToBrowser(context, site, username)
  const page = await openApp(context, site, path)
  await Promise.all([
    page.waitForURL((url) => url.origin === site.app.origin && /[#?&](code|error)=/.test(url.href)),
    page.evaluate((hint) => void window.spa.app.loginRedirect({ scopes: ['User.Read'], loginHint: hint }), username),
  ])
  const { outcomes } = await startup(page)
  const outcome = outcomes[0]
  if (outcome?.ok !== true) throw new Error(`the sign-in failed: ${JSON.stringify(outcome)}`)
  return { page, result: outcome.value as TokenResultData }
}

/** A token result as it leaves the page (plain data). */
export type TokenResultData = TokenResult & { readonly account: Account }
