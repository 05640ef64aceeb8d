/**
 * The SPA's browser tests' harness: real Chromium (Debian's, driven by playwright-core) runs a
 * page that uses @msal-ts/browser's PublicClientApplication (bundled by esbuild from the
 * sources: app.ts, and bridge.ts for the bridge page), against the fake identity provider.
 *
 * - The app is served on http://localhost:<port>, a new port for each test (its storage,
 *   channels and locks start empty). The identity provider answers as
 *   https://login.microsoftonline.com, another site: the browser's proxy tunnels that host to a
 *   TLS front on loopback, so the library takes its real path for a Microsoft host (built-in
 *   endpoints, no discovery). Providers on http://127.0.0.1:<port> serve other settings.
 * - Nothing leaves loopback: the proxy refuses every other host.
 * - One Chromium per run (chromiumService.mjs), one context per test file; third-party cookies
 *   are blocked, as by default here; `thirdPartyCookies: 'allowed'` launches a persistent
 *   profile whose preferences allow them.
 * - Time: the provider and every page share one virtual clock (`clock.jump`, `clock.pass`), so a
 *   test jumps 24 hours without waiting.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, type BuildOptions, type Plugin } from 'esbuild'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { FakeIdentityProvider, type FakeIdentityProviderOptions } from '@msal-ts/testing'
import type { Account, BrowserApplicationOptions, TokenResult } from '@msal-ts/browser'
import type { Outcome, PageConfig, SeenEvent, SpaPage } from './app.js'

export type { Outcome, PageConfig, SeenEvent, SpaPage }

const ROOT = join(import.meta.dirname, '..', '..', '..', '..')

/** Debian's chromium (./dev test installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium'

/** Bounds every wait on the browser: a hang fails the test instead of holding CI (generous: a page load on a loaded 2-core machine takes seconds). */
export const BROWSER_TIMEOUT_MS = 30_000
/** Bounds a whole test (jest's default, 30 s, is for tests without a browser). */
const SPA_TEST_TIMEOUT_MS = 120_000

export const CLIENT_ID = 'aaaaaaaa-5555-4000-8000-0000000000a1'
export const TENANT = 'contoso.onmicrosoft.com'
export const ALICE = 'alice@contoso.onmicrosoft.com'
export const BOB = 'bob@contoso.onmicrosoft.com'
export const PASSWORD = 'correct horse'
/** The Microsoft host the provider answers as (tunnelled to loopback by the browser's proxy). */
export const ENTRA_HOST = 'login.microsoftonline.com'
export const AUTHORITY = `https://${ENTRA_HOST}/${TENANT}`

// ---- the bundles ----

/** @msal-ts/* from the packages' sources, as the other tests take them (no build needed): an esbuild plugin. */
export const workspaceSources: Plugin = {
  name: 'workspace-sources',
  setup(b) {
    const entries: Readonly<Record<string, string>> = {
      '@msal-ts/core': 'core/src/index.ts',
      '@msal-ts/core/protocol': 'core/src/protocol.ts',
      '@msal-ts/core/spa': 'core/src/spa.ts',
      '@msal-ts/core/spa-flows': 'core/src/spaFlows.ts',
      '@msal-ts/browser': 'browser/src/index.ts',
      '@msal-ts/browser/redirect': 'browser/src/redirect.ts',
      '@msal-ts/browser/pop': 'browser/src/pop.ts',
      '@msal-ts/browser/http': 'browser/src/httpEntry.ts',
    }
    b.onResolve({ filter: /^@msal-ts\// }, (args) => {
      const entry = entries[args.path]
      return entry === undefined ? undefined : { path: join(ROOT, 'packages', entry) }
    })
  },
}

/**
 * The app page's and the bridge page's scripts, as a real SPA would ship them (minified ES
 * modules): the app with code splitting (msal-ts's sign-in and refresh code is a chunk the page
 * loads when it first needs it), the bridge page on its own. By file name (app.js, bridge.js,
 * chunk-*.js, flows-*.js, ...).
 */
const bundlePages = async (): Promise<Readonly<Record<string, string>>> => {
  const common: BuildOptions = { bundle: true, write: false, outdir: 'out', format: 'esm', platform: 'browser', target: 'es2022', minify: true, plugins: [workspaceSources], logLevel: 'silent' }
  const [app, bridge] = await Promise.all([
    build({ ...common, entryPoints: { app: join(import.meta.dirname, 'app.ts') }, splitting: true }),
    build({ ...common, entryPoints: { bridge: join(import.meta.dirname, 'bridge.ts') } }),
  ])
  return Object.fromEntries([...(app.outputFiles ?? []), ...(bridge.outputFiles ?? [])].map((file) => [file.path.slice(file.path.lastIndexOf('/') + 1), file.text]))
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
  /** What the app's pages run with (the test sets it before opening them). */
  config: PageConfig | undefined
}

/** JSON for a script element: no "</script>" can end it early. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c')

const startAppSite = async (scripts: Readonly<Record<string, string>>): Promise<AppSite> => {
  const server = await listen(
    createHttpServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost')
      const send = (type: string, body: string): void => void response.writeHead(200, { 'content-type': type }).end(body)
      const page = (head: string, script: string): void =>
        send('text/html; charset=utf-8', `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>SPA</title>${head}</head><body><h1>SPA</h1><script type="module" src="/${script}"></script></body></html>`)
      const script = scripts[url.pathname.slice(1)]
      if (script !== undefined) return send('text/javascript', script)
      // The bridge page: no Cross-Origin-Opener-Policy (a popup must keep its channel to the app).
      if (url.pathname === '/redirect.html') return page('', 'bridge.js')
      if (url.pathname === '/favicon.ico') return void response.writeHead(404).end()
      // A page that is not the app (a test reads a response off it by hand).
      if (url.pathname === '/hold') return send('text/html; charset=utf-8', '<!DOCTYPE html><title>hold</title>')
      site.pageLoads.push(`${url.pathname}${url.search}`)
      page(`<script>window.__spaConfig = ${scriptJson(site.config)}</script>`, 'app.js')
    }),
  )
  const site: AppSite = { server, origin: `http://localhost:${portOf(server)}`, pageLoads: [], config: undefined }
  return site
}

/**
 * TLS in front of the provider, as https://login.microsoftonline.com: the browser's proxy
 * tunnels that host here, and the browser context takes the test fixture's certificate
 * (ignoreHTTPSErrors). The provider learns the public origin from X-Forwarded-Host and
 * X-Forwarded-Proto.
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
 * The browser's proxy, which keeps it on loopback: it tunnels https://login.microsoftonline.com
 * to the TLS front and refuses every other host, writing down what was asked. (Loopback itself
 * bypasses it. Not page.route: with a route installed, Playwright answers CORS preflights itself,
 * and the provider's would go untested.)
 */
const startLoopbackProxy = async (tlsPort: () => number): Promise<{ readonly server: Server; readonly refused: string[]; close(): Promise<void> }> => {
  const refused: string[] = []
  // Tunnels are the proxy's own sockets, not the HTTP server's connections: closing the server
  // would wait for the browser to drop them, which a browser that outlives the suite may never do.
  const tunnels = new Set<Socket>()
  const server = await listen(
    createHttpServer((request: IncomingMessage, response: ServerResponse) => {
      refused.push(request.url ?? '')
      response.writeHead(403).end()
    }),
  )
  server.on('connect', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    if (request.url !== `${ENTRA_HOST}:443`) {
      refused.push(request.url ?? '')
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    const upstream = connect(tlsPort(), '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(socket).pipe(upstream)
    })
    const drop = (): void => {
      socket.destroy()
      upstream.destroy()
    }
    tunnels.add(socket).add(upstream)
    socket.on('close', () => tunnels.delete(socket))
    upstream.on('close', () => tunnels.delete(upstream))
    upstream.on('error', drop)
    socket.on('error', drop)
  })
  const close = (): Promise<void> => {
    for (const tunnel of tunnels) tunnel.destroy()
    return closeServer(server)
  }
  return { server, refused, close }
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
  /** This test's app: a new origin (http://localhost:<new port>) for each test, so no storage, channel or lock outlives it. */
  readonly app: AppSite
  readonly clock: VirtualClock
  /** Requests to hosts other than loopback and the provider's that went through the proxy (all refused). */
  readonly refused: string[]
  /** The proxy a browser context reaches the provider through, and nothing else. */
  readonly proxy: { readonly server: string; readonly bypass: string }
  /** The options a page's application gets unless a test says otherwise. */
  options(overrides?: Partial<BrowserApplicationOptions>): BrowserApplicationOptions
  /** Serves the app on a new origin (the last one stops). */
  newApp(): Promise<AppSite>
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
  const front = await startTlsFront(() => idp.url)
  const [scripts, proxy] = await Promise.all([bundlePages(), startLoopbackProxy(() => portOf(front)), idp.listen()])
  let app = await startAppSite(scripts)
  return {
    idp,
    get app() {
      return app
    },
    clock,
    refused: proxy.refused,
    proxy: { server: `http://127.0.0.1:${portOf(proxy.server)}`, bypass: '127.0.0.1,localhost' },
    options: (overrides = {}) => ({ clientId: CLIENT_ID, authority: AUTHORITY, redirectUri: `${app.origin}/`, ...overrides }),
    newApp: async () => {
      const last = app
      app = await startAppSite(scripts)
      await closeServer(last.server)
      return app
    },
    extraProvider: async (options = {}) => {
      const extra = registerSpa(new FakeIdentityProvider({ signInPage: true, clock: clock.now, ...options }))
      await extra.listen()
      extras.push(extra)
      return extra
    },
    close: async () => {
      await Promise.all([idp.close(), ...extras.map((extra) => extra.close()), closeServer(app.server), closeServer(front), proxy.close()])
    },
  }
}

// ---- Chromium ----

export interface SpaBrowser {
  /** The browser's one context (its profile: cookies, caches), on the site's clock. Tests share it: each runs on a new app origin, and cookies are cleared between them. */
  readonly context: BrowserContext
  close(): Promise<void>
}

/** Chromium as a user's: popup blocker and back/forward cache on (Playwright turns both off). */
const USER_BROWSER = { ignoreDefaultArgs: ['--disable-back-forward-cache', '--disable-popup-blocking'] }

/** Launching takes seconds, more on a loaded machine. */
const LAUNCH_TIMEOUT_MS = 4 * BROWSER_TIMEOUT_MS

/**
 * Headless Chromium as a user's (popup blocker on): the run's shared browser
 * (chromiumService.mjs, jest's globalSetup) when there is one, else one launched here behind
 * `proxy`. Its contexts bring their own proxy. Closing it disconnects from the shared one.
 */
export const userChromium = async (proxy: { readonly server: string; readonly bypass: string }): Promise<Browser> => {
  const { chromium } = await import('playwright-core')
  const service = process.env['MSAL_TS_SPA_CHROMIUM']
  return service === undefined
    ? chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: LAUNCH_TIMEOUT_MS, ...USER_BROWSER, proxy })
    : chromium.connect(await (await fetch(service, { signal: AbortSignal.timeout(LAUNCH_TIMEOUT_MS) })).text(), { timeout: LAUNCH_TIMEOUT_MS })
}

/**
 * A headless Chromium context for the site: the run's shared browser (chromiumService.mjs,
 * jest's globalSetup) when there is one, else one launched here. Third-party cookies are blocked,
 * as by default here; `'allowed'` launches a persistent profile whose preferences allow them.
 * Either way the context reaches the provider through the site's proxy and nothing else, and
 * takes the TLS front's test certificate.
 */
export const launchSpaBrowser = async (site: SpaSite, { thirdPartyCookies = 'blocked' }: { thirdPartyCookies?: 'blocked' | 'allowed' } = {}): Promise<SpaBrowser> => {
  const { chromium } = await import('playwright-core')
  const contextOptions = { proxy: site.proxy, ignoreHTTPSErrors: true }
  const onClock = async (context: BrowserContext): Promise<BrowserContext> => {
    context.setDefaultTimeout(BROWSER_TIMEOUT_MS)
    await site.clock.attach(context)
    return context
  }
  if (thirdPartyCookies === 'blocked') {
    const browser = await userChromium(site.proxy)
    const context = await onClock(await browser.newContext(contextOptions))
    return {
      context,
      close: async () => {
        await context.close()
        await browser.close() // a connected browser only disconnects
      },
    }
  }
  const launch = { executablePath: CHROMIUM, headless: true, timeout: LAUNCH_TIMEOUT_MS, ...USER_BROWSER }
  const profile = mkdtempSync(join(tmpdir(), 'msal-ts-spa-'))
  mkdirSync(join(profile, 'Default'))
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0 } }))
  const context = await onClock(await chromium.launchPersistentContext(profile, { ...launch, ...contextOptions }))
  return {
    context,
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

// ---- a test file's suite ----

/** Whether a request the proxy refused was the browser's own (its Google services: autofill on a sign-in form, a profile's updates), not a page's. */
export const isBrowserOwnService = (target: string): boolean => /^(https?:\/\/)?[\w.-]+\.(googleapis|google|gstatic)\.com(:\d+)?(\/|$)/.test(target)

/** What a test asks of a context: the page's start-up, and options over the site's defaults. */
export interface ContextConfig extends Omit<PageConfig, 'options'> {
  readonly options?: Partial<BrowserApplicationOptions>
}

export interface SpaSuite {
  readonly site: SpaSite
  readonly browser: SpaBrowser
  /**
   * The browser's context, its pages to run the app with the site's options and these (this
   * test's origin, so nothing of another test's storage is there; cookies cleared).
   */
  newContext(config?: ContextConfig, browser?: SpaBrowser): Promise<BrowserContext>
}

/**
 * A test file's site and browser (Chromium launched once per file: it costs seconds). Before each
 * test: a new app origin, the provider's records cleared; after it: its pages closed, cookies cleared.
 */
export const spaSuite = (launch: Parameters<typeof launchSpaBrowser>[1] = {}, idpOptions: FakeIdentityProviderOptions = {}): SpaSuite => {
  // A test drives a browser through several page loads: seconds each on a loaded machine.
  ;(import.meta as ImportMeta & { jest: { setTimeout(ms: number): void } }).jest.setTimeout(SPA_TEST_TIMEOUT_MS)
  let site: SpaSite | undefined
  let browser: SpaBrowser | undefined
  const used = new Set<BrowserContext>()
  beforeAll(async () => {
    site = await startSite(idpOptions)
    browser = await launchSpaBrowser(site, launch)
  }, 90_000)
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })
  beforeEach(async () => {
    site!.idp.clearRequests()
    await site!.newApp()
  })
  afterEach(async () => {
    for (const context of used) {
      await Promise.all(context.pages().map((page) => page.close()))
      await context.clearCookies()
    }
    used.clear()
    // The pages talk to nothing but loopback and the provider: what else reached the proxy is
    // the browser's own services' (autofill on the sign-in page's form, a launched profile's
    // updates), all refused.
    const others = site!.refused.splice(0).filter((target) => !isBrowserOwnService(target))
    expect(others).toEqual([])
  })
  return {
    get site() {
      return site!
    },
    get browser() {
      return browser!
    },
    newContext: async (config = {}, on = browser!) => {
      site!.app.config = { ...config, options: site!.options(config.options) }
      used.add(on.context)
      return on.context
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

/**
 * A redirect sign-in from the app's page when the browser is signed in at the provider
 * (signInToBrowser): no sign-in page, the authorization endpoint answers at once. Answers the
 * result of the page load that came back.
 */
export const ssoByRedirect = async (page: Page, site: SpaSite, username = ALICE, request: Record<string, unknown> = {}): Promise<Outcome<TokenResultData>> => {
  await Promise.all([
    page.waitForURL((url) => url.origin === site.app.origin && /[#?&](code|error)=/.test(url.href)),
    page.evaluate((r) => void window.spa.app.loginRedirect({ scopes: ['User.Read'], ...r }), { loginHint: username, ...request }),
  ])
  const { outcomes } = await startup(page)
  return outcomes[0] as Outcome<TokenResultData>
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
  const outcome = await ssoByRedirect(page, site, username)
  if (!outcome.ok) throw new Error(`the sign-in failed: ${JSON.stringify(outcome)}`)
  return { page, result: outcome.value }
}

/** A token result as it leaves the page (plain data). */
export type TokenResultData = TokenResult & { readonly account: Account }
