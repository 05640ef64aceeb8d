import { createServer, type Server } from 'node:net'
import { PublicClientApplication, SerializableTokenCache, TokenCache, type AcquireTokenInteractiveOptions } from '@msal-ts/node'
import { createTestInterpreter, FakeIdentityProvider, fixedClock, type AuthorizationOutcome, type FixedClock, type TestInterpreter } from '@msal-ts/testing'
import type { CacheAccessContext, CachePersistence } from '@msal-ts/core'
import { rawHttp, type RawRequest as Sent } from './support/rawHttp.js'
import { rejectionOf } from './support/rejection.js'

const CLIENT = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d'
const ALICE = 'alice@contoso.onmicrosoft.com'
const BOB = 'bob@contoso.onmicrosoft.com'
const AUTHORITY = 'https://login.microsoftonline.com/organizations'
const GRAPH = ['https://graph.microsoft.com/User.Read']

/** What the "browser" saw of our loopback server. */
interface Visit {
  readonly method: string
  readonly url: string
  readonly status: number
  readonly contentType: string
  readonly body: string
}

interface World {
  readonly idp: FakeIdentityProvider
  readonly clock: FixedClock
  readonly cache: TokenCache
  readonly test: TestInterpreter
  readonly app: PublicClientApplication
  /** Every authorization URL the browser was sent to. */
  readonly authorizeUrls: URL[]
  readonly visits: Visit[]
  /** A request from the "browser" (or anyone on the machine) to our server, recorded in `visits`. */
  visit(method: string, url: string, init?: Sent): Promise<Visit>
  /**
   * A browser driving the fake identity provider; `before` runs first (a forged request, a stray
   * tab...). The call may settle before the browser has read the page: see `browsed`.
   */
  browser(before?: (redirectUri: URL) => Promise<unknown>): (url: string) => Promise<void>
  /** Waits until every browser has read its last page. */
  browsed(): Promise<unknown>
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

const world = (cache: TokenCache = new TokenCache()): World => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now })
    .registerApp({ clientId: CLIENT, redirectUris: ['http://localhost', 'http://127.0.0.1/callback'] })
    .registerUser({ username: ALICE })
  const test = createTestInterpreter({ http: idp.http, clock })
  const app = new PublicClientApplication({ clientId: CLIENT, authority: AUTHORITY, tokenCache: cache, interpreter: test.interpret })
  const authorizeUrls: URL[] = []
  const visits: Visit[] = []
  const browsing: Promise<unknown>[] = []
  const visit = async (method: string, url: string, init: Sent = {}): Promise<Visit> => {
    const seen = { method, url, ...(await rawHttp(method, url, init)) }
    visits.push(seen)
    return seen
  }
  const follow = (outcome: AuthorizationOutcome): Promise<Visit> => {
    if ('redirect' in outcome) return visit('GET', outcome.redirect.toString())
    if ('formPost' in outcome) {
      return visit('POST', outcome.formPost.action, { headers: FORM, body: new URLSearchParams(outcome.formPost.fields).toString() })
    }
    throw new Error(`the identity provider showed an error page: ${outcome.errorPage.message}`)
  }
  const browser =
    (before?: (redirectUri: URL) => Promise<unknown>) =>
    (url: string): Promise<void> => {
      const authorizeUrl = new URL(url)
      authorizeUrls.push(authorizeUrl)
      const done = (async () => {
        if (before !== undefined) await before(new URL(authorizeUrl.searchParams.get('redirect_uri')!))
        await follow(await idp.authorize(url))
      })()
      browsing.push(done.catch(() => undefined))
      return done
    }
  const browsed = () => Promise.all(browsing)
  return { idp, clock, cache, test, app, authorizeUrls, visits, browser, visit, browsed }
}

/** Whether nothing listens on the port of 127.0.0.1 any more. */
const isFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(false))
    probe.listen({ host: '127.0.0.1', port }, () => probe.close(() => resolve(true)))
  })

const listenOnAnyPort = (): Promise<Server> =>
  new Promise((resolve) => {
    const server = createServer()
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve(server))
  })

const portOf = (server: Server): number => (server.address() as { port: number }).port

const closeServer = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()))

const redirectPortOf = (w: World): number => Number(new URL(w.authorizeUrls.at(-1)!.searchParams.get('redirect_uri')!).port)

describe('acquireTokenInteractive', () => {
  it('signs the user in through the browser (form_post), files tokens and account, and acquireTokenSilent then hits the cache', async () => {
    const w = world()
    const result = await w.app.acquireTokenInteractive(GRAPH, { openBrowser: w.browser() })
    expect(result).toMatchObject({ tokenSource: 'identity_provider', scopes: ['User.Read'], account: { username: ALICE } })

    const authorize = w.authorizeUrls[0]!
    const redirectUri = authorize.searchParams.get('redirect_uri')!
    expect(redirectUri).toMatch(/^http:\/\/localhost:\d+$/)
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: CLIENT,
      response_type: 'code',
      response_mode: 'form_post',
      code_challenge_method: 'S256',
      scope: 'https://graph.microsoft.com/User.Read openid profile offline_access',
    })
    for (const absent of ['prompt', 'login_hint', 'domain_hint', 'max_age', 'claims']) expect(authorize.searchParams.has(absent)).toBe(false)

    // The browser posted the response to the server and got the success page.
    await w.browsed()
    expect(w.visits).toEqual([expect.objectContaining({ method: 'POST', status: 200, contentType: 'text/html; charset=utf-8' })])
    expect(w.visits[0]!.body).toContain('Sign-in complete')

    const redemption = w.idp.tokenRequests.at(-1)!
    expect(redemption.form).toMatchObject({ grant_type: 'authorization_code', redirect_uri: redirectUri, client_id: CLIENT })
    expect(redemption.form['code_verifier']).toBeDefined()

    expect(await w.app.getAccounts()).toEqual([result.account])
    const before = w.idp.requests.length
    const silent = await w.app.acquireTokenSilent(GRAPH, result.account)
    expect(silent).toMatchObject({ tokenSource: 'cache', accessToken: result.accessToken })
    expect(w.idp.requests).toHaveLength(before)
    expect(await isFree(redirectPortOf(w))).toBe(true)
  })

  it('takes the response from the address with responseMode "query"', async () => {
    const w = world()
    const result = await w.app.acquireTokenInteractive(GRAPH, { responseMode: 'query', openBrowser: w.browser() })
    expect(result.account?.username).toBe(ALICE)
    expect(w.authorizeUrls[0]!.searchParams.get('response_mode')).toBe('query')
    await w.browsed()
    expect(w.visits).toEqual([expect.objectContaining({ method: 'GET', status: 200 })])
    expect(new URL(w.visits[0]!.url).searchParams.get('code')).toBeTruthy()
  })

  it('sends prompt, loginHint, domainHint, claimsChallenge, maxAge and the extra scopes, and redeems for the scopes asked only', async () => {
    const w = world()
    w.idp.registerUser({ username: BOB })
    const claimsChallenge = JSON.stringify({ access_token: { nbf: { essential: true, value: '1700000000' } } })
    const result = await w.app.acquireTokenInteractive(GRAPH, {
      prompt: 'select_account',
      loginHint: BOB,
      domainHint: 'contoso.com',
      claimsChallenge,
      maxAge: 600,
      extraScopesToConsent: ['https://storage.azure.com/user_impersonation'],
      openBrowser: w.browser(),
    })
    expect(result.account?.username).toBe(BOB)
    expect(Object.fromEntries(w.authorizeUrls[0]!.searchParams)).toMatchObject({
      prompt: 'select_account',
      login_hint: BOB,
      domain_hint: 'contoso.com',
      claims: claimsChallenge,
      max_age: '600',
      scope: 'https://graph.microsoft.com/User.Read openid profile offline_access https://storage.azure.com/user_impersonation',
    })
    expect(w.authorizeUrls[0]!.searchParams.has('extra_scopes_to_consent')).toBe(false)
    expect(w.idp.tokenRequests.at(-1)!.form['scope']).toBe('https://graph.microsoft.com/User.Read openid profile offline_access')
    expect(result.scopes).toEqual(['User.Read'])
  })

  it('ignores a forged response (wrong state), other paths, a code sent the wrong way and a foreign Host; the real response still completes', async () => {
    const w = world()
    const { visit } = w
    const form = (fields: Record<string, string>): Sent => ({ headers: FORM, body: new URLSearchParams(fields).toString() })
    const forgeries = async (redirectUri: URL): Promise<void> => {
      const state = w.authorizeUrls[0]!.searchParams.get('state')!
      const base = redirectUri.toString()
      await visit('POST', base, form({ code: 'attacker-code', state: 'not-the-state' }))
      await visit('POST', base, form({ error: 'access_denied', state: 'not-the-state' }))
      await visit('POST', base, { headers: FORM, body: `code=attacker-code&state=${encodeURIComponent(state)}&state=x` })
      await visit('GET', `${base}?code=attacker-code&state=${encodeURIComponent(state)}`)
      await visit('GET', new URL('/favicon.ico', base).toString())
      await visit('POST', new URL('/other', base).toString(), form({ code: 'attacker-code', state }))
      await visit('GET', base)
      await visit('PUT', base)
      await visit('POST', base, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'c', state }) })
      await visit('POST', base, { ...form({ code: 'attacker-code', state }), headers: { ...FORM, host: `evil.example:${redirectUri.port}` } })
    }
    const result = await w.app.acquireTokenInteractive(GRAPH, { openBrowser: w.browser(forgeries) })
    expect(result.account?.username).toBe(ALICE)
    await w.browsed()
    expect(w.visits.map((v) => `${v.method} ${new URL(v.url).pathname} ${v.status}`)).toEqual([
      'POST / 400', // wrong state
      'POST / 400', // an error with the wrong state cannot end the sign-in either
      'POST / 400', // state twice
      'GET / 400', // a code in the address when form_post was asked
      'GET /favicon.ico 404',
      'POST /other 404',
      'GET / 302', // not a response: the start address, which sends a browser on to the sign-in page
      'PUT / 405',
      'POST / 415',
      'POST / 400', // DNS rebinding: another host name
      'POST / 200', // the identity provider's
    ])
    // The attacker's code was never redeemed.
    expect(w.idp.tokenRequests.map((r) => r.form['code'])).not.toContain('attacker-code')
    expect(w.test.logs.filter((l) => l.level === 'warning' && l.message.includes('ignored')).length).toBeGreaterThanOrEqual(4)
  })

  it('rejects with an AuthorizationError when the user declines, shows an escaped error page and leaves the cache alone', async () => {
    const w = world()
    w.idp.onAuthorize(() => ({ error: 'access_denied', errorDescription: 'AADSTS65004: <script>alert("x")</script> & more' }))
    const error = await rejectionOf(w.app.acquireTokenInteractive(GRAPH, { openBrowser: w.browser() }))
    expect(error).toMatchObject({ kind: 'AuthorizationError', error: 'access_denied' })
    expect(error.errorDescription).toContain('<script>')
    await w.browsed()
    const page = w.visits[0]!
    expect(page.status).toBe(200)
    expect(page.contentType).toBe('text/html; charset=utf-8')
    expect(page.body).toContain('access_denied')
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more')
    expect(page.body).not.toContain('<script>')
    expect(w.idp.tokenRequests).toHaveLength(0)
    expect(await w.app.getAccounts()).toEqual([])
    expect(w.cache.find('AccessToken')).toEqual([])
    expect(await isFree(redirectPortOf(w))).toBe(true)
  })

  it('takes an error sent back by GET although form_post was asked (as MSAL Python does)', async () => {
    const w = world()
    const error = await rejectionOf(
      w.app.acquireTokenInteractive(GRAPH, {
        openBrowser: async (url) => {
          const authorize = new URL(url)
          const back = new URL(authorize.searchParams.get('redirect_uri')!)
          back.search = new URLSearchParams({ error: 'server_error', error_description: 'try later', state: authorize.searchParams.get('state')! }).toString()
          await w.visit('GET', back.toString())
        },
      }),
    )
    expect(error).toMatchObject({ kind: 'AuthorizationError', error: 'server_error', errorDescription: 'try later' })
  })

  it('fills the successTemplate and errorTemplate with every response field (MSAL Python\'s safe_substitute(**auth_response)), escaping values only in HTML ones', async () => {
    const w = world()
    await w.app.acquireTokenInteractive(GRAPH, { successTemplate: 'Done. state $state, code ${code}, $unknown stays, $$5.', openBrowser: w.browser() })
    await w.browsed()
    const state = w.authorizeUrls[0]!.searchParams.get('state')!
    expect(w.visits[0]).toMatchObject({ contentType: 'text/plain; charset=utf-8', body: expect.stringMatching(new RegExp(`^Done\\. state ${state}, code [^$\\s,]+, \\$unknown stays, \\$5\\.$`)) })

    w.idp.onAuthorize(() => ({ error: 'access_denied', errorDescription: 'a < b' }))
    await rejectionOf(w.app.acquireTokenInteractive(GRAPH, { errorTemplate: '<p>${error}: $error_description</p>', openBrowser: w.browser() }))
    await w.browsed()
    expect(w.visits[1]).toMatchObject({ contentType: 'text/html; charset=utf-8', body: expect.stringMatching(/^<p>access_denied: AADSTS65004: a &lt; b Trace ID: .*<\/p>$/) })
    await rejectionOf(w.app.acquireTokenInteractive(GRAPH, { errorTemplate: 'Failed: $error_description', openBrowser: w.browser() }))
    await w.browsed()
    expect(w.visits[2]).toMatchObject({ contentType: 'text/plain; charset=utf-8', body: expect.stringMatching(/^Failed: AADSTS65004: a < b Trace ID/) })
  })

  it('rejects with a TimeoutError when no response arrives in time, and frees the port', async () => {
    const w = world()
    let port = 0
    const started = Date.now()
    const error = await rejectionOf(
      w.app.acquireTokenInteractive(GRAPH, { timeout: 0.2, openBrowser: (url) => void (port = Number(new URL(new URL(url).searchParams.get('redirect_uri')!).port)) }),
    )
    expect(error).toMatchObject({ kind: 'TimeoutError', error: 'timeout' })
    expect(error.message).toMatch(/no sign-in response arrived at http:\/\/localhost:\d+ within 0\.2 s/)
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    expect(await isFree(port)).toBe(true)
  })

  it('rejects with a CancelledError when the signal aborts, and frees the port', async () => {
    const w = world()
    const controller = new AbortController()
    let port = 0
    const error = await rejectionOf(
      w.app.acquireTokenInteractive(GRAPH, {
        signal: controller.signal,
        openBrowser: (url) => {
          port = Number(new URL(new URL(url).searchParams.get('redirect_uri')!).port)
          setTimeout(() => controller.abort(new Error('the user closed the window')), 20)
        },
      }),
    )
    expect(error).toMatchObject({ kind: 'CancelledError', error: 'user_cancelled' })
    expect(error.message).toContain('the user closed the window')
    expect(await isFree(port)).toBe(true)
  })

  it('does nothing when the signal is already aborted', async () => {
    const w = world()
    const opened: string[] = []
    const error = await rejectionOf(w.app.acquireTokenInteractive(GRAPH, { signal: AbortSignal.abort(), openBrowser: (url) => void opened.push(url) }))
    expect(error.kind).toBe('CancelledError')
    expect(opened).toEqual([])
    expect(w.idp.requests).toHaveLength(0)
  })

  it('closes the server when onBeforeLaunchingUi throws, and rejects with its error', async () => {
    const w = world()
    const failure = new Error('no browser here')
    const server = await listenOnAnyPort()
    const fixed = portOf(server)
    await closeServer(server)
    const early = await w.app
      .acquireTokenInteractive(GRAPH, {
        port: fixed,
        onBeforeLaunchingUi: () => {
          throw failure
        },
        openBrowser: w.browser(),
      })
      .catch((e: unknown) => e)
    expect(early).toBe(failure)
    expect(await isFree(fixed)).toBe(true)
  })

  it('calls onBeforeLaunchingUi right before opening the browser', async () => {
    const w = world()
    const events: string[] = []
    const browser = w.browser()
    await w.app.acquireTokenInteractive(GRAPH, {
      onBeforeLaunchingUi: (info) => void events.push(`before ${info.ui}`),
      openBrowser: async (url) => {
        events.push('open')
        await browser(url)
      },
    })
    expect(events).toEqual(['before browser', 'open'])
  })

  it('listens on the port asked for', async () => {
    const w = world()
    const server = await listenOnAnyPort()
    const port = portOf(server)
    await closeServer(server)
    await w.app.acquireTokenInteractive(GRAPH, { port, openBrowser: w.browser() })
    expect(w.authorizeUrls[0]!.searchParams.get('redirect_uri')).toBe(`http://localhost:${port}`)
    expect(await isFree(port)).toBe(true)
  })

  it('names the port when it is in use', async () => {
    const w = world()
    const taken = await listenOnAnyPort()
    const port = portOf(taken)
    try {
      const error = await rejectionOf(w.app.acquireTokenInteractive(GRAPH, { port, openBrowser: w.browser() }))
      expect(error).toMatchObject({ kind: 'UsageError', argument: 'port' })
      expect(error.message).toContain(`port ${port} is in use`)
      const viaUri = await rejectionOf(w.app.acquireTokenInteractive(GRAPH, { redirectUri: `http://127.0.0.1:${port}/callback`, openBrowser: w.browser() }))
      expect(viaUri).toMatchObject({ kind: 'UsageError', argument: 'redirectUri' })
      expect(viaUri.message).toContain(`${port} is in use`)
      expect(w.authorizeUrls).toEqual([])
    } finally {
      await closeServer(taken)
    }
  })

  it('uses a loopback redirectUri as given, its path included, with a free port for port 0', async () => {
    const w = world()
    const { visit } = w
    const result = await w.app.acquireTokenInteractive(GRAPH, {
      redirectUri: 'http://127.0.0.1:0/callback',
      responseMode: 'query',
      openBrowser: w.browser((redirectUri) => visit('GET', new URL('/', redirectUri).toString())),
    })
    expect(result.account?.username).toBe(ALICE)
    const redirectUri = w.authorizeUrls[0]!.searchParams.get('redirect_uri')!
    expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
    expect(redirectUri).not.toContain(':0/')
    await w.browsed()
    // "/" is the server's start address (it sends a browser on to the sign-in page); the response comes to /callback.
    expect(w.visits.map((v) => `${new URL(v.url).pathname} ${v.status}`)).toEqual(['/ 302', '/callback 200'])
    expect(w.idp.tokenRequests.at(-1)!.form['redirect_uri']).toBe(redirectUri)
  })

  it('refuses bad options before listening or asking anything', async () => {
    const w = world()
    const cases: [AcquireTokenInteractiveOptions, string][] = [
      [{ redirectUri: 'https://localhost:8400' }, 'redirectUri'],
      [{ redirectUri: 'http://app.contoso.com/callback' }, 'redirectUri'],
      [{ redirectUri: 'http://localhost:8400/#x' }, 'redirectUri'],
      [{ redirectUri: 'http://user@localhost:8400/' }, 'redirectUri'],
      [{ redirectUri: 'http://[::1]:8400/' }, 'redirectUri'],
      [{ redirectUri: 'http://localhost:99999/' }, 'redirectUri'],
      [{ redirectUri: 'http://localhost:8400', port: 8401 }, 'port'],
      [{ port: 70000 }, 'port'],
      [{ port: 1.5 }, 'port'],
      [{ timeout: 0 }, 'timeout'],
      [{ timeout: -1 }, 'timeout'],
      [{ responseMode: 'fragment' as 'query' }, 'responseMode'],
      [{ maxAge: -1 }, 'maxAge'],
      [{ openBrowser: 'firefox' as unknown as () => void }, 'openBrowser'],
      [{ signal: {} as AbortSignal }, 'signal'],
      [{ extraScopesToConsent: 'x' as unknown as string[] }, 'extraScopesToConsent'],
    ]
    for (const [options, argument] of cases) {
      const error = await rejectionOf(w.app.acquireTokenInteractive(GRAPH, { openBrowser: w.browser(), ...options }))
      expect(error).toMatchObject({ argument, kind: 'UsageError' })
    }
    expect(await rejectionOf(w.app.acquireTokenInteractive(['openid'], { openBrowser: w.browser() }))).toMatchObject({ kind: 'UsageError', argument: 'scopes' })
    expect(w.authorizeUrls).toEqual([])
    expect(w.idp.requests).toHaveLength(0)
  })

  it('stores the signed-in account through a persisted cache', async () => {
    class MemoryPersistence implements CachePersistence {
      stored = ''
      readonly contexts: CacheAccessContext[] = []
      beforeCacheAccess(cache: SerializableTokenCache): void {
        cache.mergeFrom(this.stored)
      }
      afterCacheAccess(cache: SerializableTokenCache, context: CacheAccessContext): void {
        this.contexts.push(context)
        if (cache.pendingChangeCount === 0) return
        this.stored = cache.serialize()
        cache.markPersisted()
      }
    }
    const persistence = new MemoryPersistence()
    const w = world(new SerializableTokenCache({ persistence }))
    const result = await w.app.acquireTokenInteractive(GRAPH, { openBrowser: w.browser() })
    expect(persistence.contexts.at(-1)).toMatchObject({ clientId: CLIENT, homeAccountId: result.account!.homeAccountId })
    const stored = JSON.parse(persistence.stored) as Record<string, Record<string, { username?: string }>>
    expect(Object.values(stored['Account']!).map((a) => a.username)).toEqual([ALICE])
    expect(Object.keys(stored['RefreshToken']!)).toHaveLength(1)
  })
})
