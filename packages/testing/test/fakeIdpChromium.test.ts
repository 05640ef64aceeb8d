/**
 * The fake identity provider serving a real browser: headless Chromium (Debian's, via
 * playwright-core) loads a tiny single-page app on http://localhost:<port>, another site than
 * the provider's http://127.0.0.1:<port>, which sends it to the authorization endpoint; the test
 * clicks through the sign-in page as a person would. Then: the session cookie (HttpOnly,
 * `SameSite=None; Secure` on plain-http loopback), a hidden prompt=none iframe with third-party
 * cookies allowed and blocked, the page's own CORS-simple token request, preflights, framing
 * (X-Frame-Options / frame-ancestors), Cross-Origin-Opener-Policy on a popup, and the
 * end-session endpoint. Nothing leaves loopback: a proxy refuses every other request.
 */
import type { Server } from 'node:http'
import type { BrowserContext, Page } from 'playwright-core'
import { FakeIdentityProvider, SESSION_COOKIE } from '@msal-ts/testing'
import { BROWSER_TIMEOUT_MS, closeServer, launchChromium, portOf, startRefusingProxy, type ChromiumSession } from './chromium/chromium.js'
import { startSpa } from './chromium/spaPage.js'

const SPA = 'aaaaaaaa-5555-4000-8000-000000000001'
const ALICE = 'alice@contoso.onmicrosoft.com'
const PASSWORD = 'alice-pw'
const TENANT = 'contoso.onmicrosoft.com'
const SCOPE = 'User.Read openid profile offline_access'

/** A provider with the sign-in page, the app registered with SPA redirect URIs (any port on localhost) and a web one. */
const newProvider = (coop: boolean): FakeIdentityProvider =>
  new FakeIdentityProvider({ signInPage: true, ...(coop ? { crossOriginOpenerPolicy: 'same-origin' as const } : {}) })
    .registerUser({ username: ALICE, password: PASSWORD })
    .registerApp({ clientId: SPA, spaRedirectUris: ['http://localhost/callback', 'http://localhost/signed-out'], redirectUris: ['http://localhost/web-callback'] })

interface Site {
  readonly idp: FakeIdentityProvider
  readonly spa: { readonly server: Server; readonly origin: string }
}

const startSite = async (coop: boolean): Promise<Site> => {
  const idp = newProvider(coop)
  await idp.listen()
  return { idp, spa: await startSpa({ authority: `${idp.url}/${TENANT}`, clientId: SPA, scope: SCOPE }) }
}

let plain: Site
let isolated: Site
let proxy: Awaited<ReturnType<typeof startRefusingProxy>>
let blocked: ChromiumSession
let allowed: ChromiumSession

beforeAll(async () => {
  ;[plain, isolated, proxy] = await Promise.all([startSite(false), startSite(true), startRefusingProxy()])
  // One after the other: two Chromium launches at once crowd a 2-core machine.
  blocked = await launchChromium('blocked', portOf(proxy.server))
  allowed = await launchChromium('allowed', portOf(proxy.server))
}, 60_000)

afterAll(async () => {
  await Promise.all([blocked?.close(), allowed?.close()])
  for (const site of [plain, isolated]) {
    if (site === undefined) continue
    await site.idp.close()
    await closeServer(site.spa.server)
  }
  if (proxy !== undefined) await closeServer(proxy.server)
  // Chromium's own background traffic (updates, autofill), refused; its hosts reported so an unexpected destination shows.
  if (proxy !== undefined && proxy.refused.length > 0) {
    const hosts = new Set(proxy.refused.map((target) => (target.startsWith('http') ? new URL(target).host : target)))
    console.log(`Chromium: ${proxy.refused.length} non-loopback requests refused (${[...hosts].join(', ')})`)
  }
})

beforeEach(() => {
  for (const site of [plain, isolated]) {
    site.idp.clearRequests()
    site.idp.clearBrowserSessions()
  }
})

const openApp = async (context: BrowserContext, site: Site = plain): Promise<Page> => {
  const page = await context.newPage()
  page.setDefaultTimeout(BROWSER_TIMEOUT_MS)
  await page.goto(`${site.spa.origin}/`)
  return page
}

/** Fills in the provider's sign-in page (the username is filled in from login_hint) and submits it. */
const fillSignInPage = async (page: Page, site: Site): Promise<void> => {
  await page.waitForURL(`${site.idp.url}/${TENANT}/oauth2/v2.0/authorize?**`)
  expect(await page.getByLabel('Username').inputValue()).toBe(ALICE)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

/** The app sends the browser to the authorization endpoint; the person signs in; the browser lands on the callback. Answers the authorization response. */
const signInByRedirect = async (page: Page, site: Site = plain): Promise<Record<string, string>> => {
  await page.evaluate((hint) => void window.app.signIn({ login_hint: hint }), ALICE)
  await fillSignInPage(page, site)
  await page.waitForURL(`${site.spa.origin}/callback?**`)
  return page.evaluate(() => window.app.response())
}

const fromApp = (site: Site) => site.idp.requests.filter((request) => request.origin === site.spa.origin)

const sessionCookies = async (context: BrowserContext, site: Site = plain) => (await context.cookies(site.idp.url)).filter((cookie) => cookie.name === SESSION_COOKIE)

describe('FakeIdentityProvider in real Chromium', () => {
  it('third-party cookies allowed: sign-in page → code → one CORS-simple token POST; a hidden prompt=none iframe gets a code; logout clears the session, then the iframe gets login_required', async () => {
    const page = await openApp(allowed.context)
    const response = await signInByRedirect(page)
    expect(Object.keys(response)).toEqual(['code', 'state', 'session_state'])

    // Chromium kept the Secure, SameSite=None cookie from plain-http 127.0.0.1 (a potentially trustworthy origin).
    expect(await sessionCookies(allowed.context)).toEqual([expect.objectContaining({ domain: '127.0.0.1', path: '/', httpOnly: true, secure: true, sameSite: 'None', expires: -1 })])
    expect(await page.evaluate(() => document.cookie)).toBe('') // and the app's page never sees it

    const redeemed = await page.evaluate((params) => window.app.redeem(params), response)
    expect(redeemed.status).toBe(200)
    expect(redeemed.body).toMatchObject({ token_type: 'Bearer', refresh_token_expires_in: 86_400 })
    expect(plain.idp.tokenRequests.map((request) => [request.origin, request.form['grant_type']])).toEqual([[plain.spa.origin, 'authorization_code']])
    expect(plain.idp.preflightRequests).toEqual([])

    const silent = await page.evaluate(() => window.app.silent({}))
    expect(silent).toMatchObject({ code: expect.any(String), session_state: response['session_state'] })
    expect((await page.evaluate((params) => window.app.redeem(params), silent as Record<string, string>)).status).toBe(200)
    expect(fromApp(plain).filter((request) => request.preflight)).toEqual([])

    await page.goto(`${plain.idp.url}/${TENANT}/oauth2/v2.0/logout?${new URLSearchParams({ client_id: SPA, post_logout_redirect_uri: `${plain.spa.origin}/signed-out`, logout_hint: ALICE, state: 'bye' })}`)
    await page.waitForURL(`${plain.spa.origin}/signed-out?state=bye`)
    expect(await sessionCookies(allowed.context)).toEqual([])
    expect(plain.idp.endSessionRequests.at(-1)).toMatchObject({ clientId: SPA, logoutHint: ALICE, signedOut: [ALICE], redirectedTo: `${plain.spa.origin}/signed-out?state=bye` })
    expect(await page.evaluate(() => window.app.silent({}))).toMatchObject({ error: 'login_required' })
    await page.close()
  })

  it("third-party cookies blocked (Chromium's default here): the iframe's prompt=none gets login_required, while a top-level prompt=none gets a code", async () => {
    const page = await openApp(blocked.context)
    await signInByRedirect(page)
    expect(await sessionCookies(blocked.context)).toHaveLength(1)
    const silent = await page.evaluate(() => window.app.silent({}))
    expect(silent).toMatchObject({ error: 'login_required' })
    expect((silent as Record<string, string>)['error_description']).toMatch(/^AADSTS50058: /)
    await page.goto(`${plain.spa.origin}/`)
    await page.evaluate(() => void window.app.signIn({ prompt: 'none' }))
    await page.waitForURL(`${plain.spa.origin}/callback?**`)
    expect(await page.evaluate(() => window.app.response())).toMatchObject({ code: expect.any(String) })
    await page.close()
  })

  it("refuses to show the sign-in page in a frame (frame-ancestors 'none', X-Frame-Options DENY), while prompt=none's answer loads in one", async () => {
    const page = await openApp(allowed.context)
    const messages: string[] = []
    page.on('console', (message) => messages.push(message.text()))
    // Chromium commits the refused frame's error page apart from the frame's load event: wait for it.
    const refused = page.waitForEvent('framenavigated', { predicate: (frame) => frame.url() === 'chrome-error://chromewebdata/', timeout: 10_000 })
    await page.evaluate(async () => window.app.frame(await window.app.authorizeUrl({ prompt: 'login' })))
    await refused
    expect(page.frames().map((frame) => frame.url())).toEqual([`${plain.spa.origin}/`, 'chrome-error://chromewebdata/'])
    expect(messages.join('\n')).toContain(`Framing '${plain.idp.url}/' violates the following Content Security Policy directive: "frame-ancestors 'none'"`)
    // The same endpoint's prompt=none answer (a redirect back to the app) is frameable.
    expect(await page.evaluate(() => window.app.silent({}))).toMatchObject({ error: 'login_required' })
    await page.close()
  })

  it("redeems a web redirect URI's code from the page as Entra does: AADSTS9002326, readable by the page (CORS on errors)", async () => {
    const page = await openApp(blocked.context)
    await signInByRedirect(page)
    await page.evaluate((uri) => void window.app.signIn({ redirect_uri: uri }), `${plain.spa.origin}/web-callback`)
    await page.waitForURL(`${plain.spa.origin}/web-callback?**`)
    const redeemed = await page.evaluate(async () => window.app.redeem(window.app.response()))
    expect(redeemed.status).toBe(400)
    expect(redeemed.body['error_description']).toMatch(
      new RegExp(`^AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type\\. Request origin: '${plain.spa.origin}'\\.`),
    )
    await page.close()
  })

  it('preflights: none for CORS-simple requests; a safelisted MSAL header is preflighted and granted; another header is refused by the browser', async () => {
    const page = await openApp(blocked.context)
    expect(await page.evaluate(() => window.app.discovery({}))).toBe(200)
    expect(fromApp(plain).filter((request) => request.preflight)).toHaveLength(0)
    expect(await page.evaluate(() => window.app.discovery({ 'client-request-id': '11111111-1111-4111-8111-111111111111' }))).toBe(200)
    expect(await page.evaluate(() => window.app.discovery({ 'x-custom': '1' }))).toBe('failed')
    expect(fromApp(plain).map((request) => `${request.method}${request.preflight ? ' (preflight)' : ''} ${request.headers['access-control-request-headers'] ?? ''}`.trim())).toEqual([
      'GET',
      'OPTIONS (preflight) client-request-id',
      'GET',
      'OPTIONS (preflight) x-custom',
    ])
    expect(plain.idp.preflightRequests.map((request) => request.origin)).toEqual([plain.spa.origin, plain.spa.origin])
    await page.close()
  })

  it("with COOP on the provider's pages, a full-page redirect sign-in keeps the app's sessionStorage (its flow) and redeems", async () => {
    const page = await openApp(blocked.context, isolated)
    const response = await signInByRedirect(page, isolated)
    expect((await page.evaluate((params) => window.app.redeem(params), response)).status).toBe(200)
    await page.close()
  })

  it.each([
    ['without COOP: the popup keeps its links to the app', false],
    ['with Cross-Origin-Opener-Policy: same-origin: the popup is severed from the app (closed reads true while it is open; no opener)', true],
  ])('a popup sign-in %s', async (_, coop) => {
    const site = coop ? isolated : plain
    const page = await openApp(blocked.context, site)
    const [popup] = await Promise.all([blocked.context.waitForEvent('page'), page.evaluate((hint) => window.app.popup({ login_hint: hint }), ALICE)])
    popup.setDefaultTimeout(BROWSER_TIMEOUT_MS)
    await popup.waitForURL(`${site.idp.url}/${TENANT}/oauth2/v2.0/authorize?**`)
    // The app learns of the severing after the popup's navigation commits (Chromium tells the
    // opener's process afterwards): with COOP, wait until it reads closed (a timeout fails the test).
    if (coop) await page.waitForFunction(() => window.app.popupClosed())
    expect(await page.evaluate(() => window.app.popupClosed())).toBe(coop)
    await fillSignInPage(popup, site)
    await popup.waitForURL(`${site.spa.origin}/callback?**`)
    expect(await popup.evaluate(() => window.app.response())).toMatchObject({ code: expect.any(String) })
    expect(await popup.evaluate(() => window.app.hasOpener())).toBe(!coop)
    expect(await page.evaluate(() => window.app.popupClosed())).toBe(coop)
    await popup.close()
    await page.close()
  })
})
