/**
 * Storage and CORS in real Chromium (issue 11, items 9 and 10): tokens in sessionStorage (the
 * default), localStorage or memory, one storage key per cache entity in MSAL's unified-cache JSON;
 * other tabs' writes reach a tab's in-memory index through storage events; discovery answers kept
 * in storage with their lifetime, so the page load after a redirect does not ask again; and no
 * CORS round trip that needs not be: a full sign-in against Entra makes one request from script
 * (the token POST) and no preflight, nor does a silent refresh.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { ALICE, CLIENT_ID, openApp, signedInApp, signInByRedirect, signInOnPage, spaSuite, TENANT } from './harness.js'

const suite = spaSuite()
const PREFIX = `msal-ts.${CLIENT_ID}.`

/** The app's storage keys in each area of a page, by kind ("AccessToken", "http", ...). */
const storedKinds = (page: Page) =>
  page.evaluate((prefix) => {
    const kinds = (storage: Storage) =>
      Object.keys(storage)
        .filter((key) => key.startsWith(prefix))
        .map((key) => key.slice(prefix.length).split('|')[0]!)
        .sort()
    return { session: kinds(sessionStorage), local: kinds(localStorage) }
  }, PREFIX)

const entity = (page: Page, area: 'sessionStorage' | 'localStorage', kind: string) =>
  page.evaluate(
    ([name, key]) => {
      const found = Object.entries(window[name as 'sessionStorage']).find(([stored]) => stored.startsWith(key!))
      return found === undefined ? undefined : (JSON.parse(found[1]) as Record<string, unknown>)
    },
    [area, `${PREFIX}${kind}|`],
  )

const ENTITIES = ['AccessToken', 'Account', 'AppMetadata', 'IdToken', 'RefreshToken']
const accountsIn = (page: Page) => page.evaluate(() => window.spa.app.getAllAccounts().map((account) => account.username))

describe('storage', () => {
  it('sessionStorage (the default): one key per entity, in MSAL unified-cache JSON; this tab only, across reloads', async () => {
    const context = await suite.newContext()
    const { page, result } = await signedInApp(context, suite.site)
    expect(await storedKinds(page)).toEqual({ session: ENTITIES, local: [] })
    const [homeOid, homeTid] = result.account.homeAccountId.split('.')
    expect(await entity(page, 'sessionStorage', 'AccessToken')).toEqual({
      home_account_id: result.account.homeAccountId,
      environment: 'login.microsoftonline.com',
      credential_type: 'AccessToken',
      client_id: CLIENT_ID,
      secret: result.accessToken,
      realm: homeTid,
      target: 'User.Read openid profile',
      cached_at: expect.stringMatching(/^\d+$/),
      expires_on: String(result.expiresOn),
      extended_expires_on: expect.stringMatching(/^\d+$/),
      token_type: 'Bearer',
    })
    expect(await entity(page, 'sessionStorage', 'Account')).toMatchObject({ home_account_id: result.account.homeAccountId, local_account_id: homeOid, username: ALICE, authority_type: 'MSSTS', realm: homeTid })
    expect(await entity(page, 'sessionStorage', 'RefreshToken')).toMatchObject({ credential_type: 'RefreshToken', client_id: CLIENT_ID, expires_on: expect.stringMatching(/^\d+$/) })

    await page.reload()
    await page.waitForFunction(() => window.spa !== undefined)
    expect(await accountsIn(page)).toEqual([ALICE])
    const other = await openApp(context, suite.site)
    expect(await accountsIn(other)).toEqual([])
  })

  it('localStorage: every tab of the browser, across restarts of the page', async () => {
    const context = await suite.newContext({ options: { cacheLocation: 'localStorage' } })
    const { page } = await signedInApp(context, suite.site)
    expect(await storedKinds(page)).toEqual({ session: [], local: ENTITIES })
    const other = await openApp(context, suite.site)
    expect(await accountsIn(other)).toEqual([ALICE])
  })

  it('memory: nothing in Web Storage; a reload forgets the account', async () => {
    const context = await suite.newContext({ options: { cacheLocation: 'memory' } })
    const page = await openApp(context, suite.site)
    // A popup keeps this page (and its memory).
    const [popup] = await Promise.all([
      context.waitForEvent('page'),
      page.evaluate(() => {
        ;(window as unknown as { signedIn: unknown }).signedIn = window.spa.settle(window.spa.app.loginPopup({ scopes: ['User.Read'], loginHint: 'alice@contoso.onmicrosoft.com' }))
      }),
    ])
    await signInOnPage(popup)
    expect(await page.evaluate(() => (window as unknown as { signedIn: unknown }).signedIn)).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'identity_provider' }) })
    expect(await accountsIn(page)).toEqual([ALICE])
    expect(await storedKinds(page)).toEqual({ session: [], local: [] })
    await page.reload()
    await page.waitForFunction(() => window.spa !== undefined)
    expect(await accountsIn(page)).toEqual([])
  })

  it("another tab's writes reach this tab's in-memory index through storage events: its sign-in (the account) and its refresh (a new token, a cache hit here with no storage read)", async () => {
    const context = await suite.newContext({ options: { cacheLocation: 'localStorage' } })
    const other = await openApp(context, suite.site)
    expect(await accountsIn(other)).toEqual([])
    const { page, result } = await signedInApp(context, suite.site)
    await other.waitForFunction(() => window.spa.app.getAllAccounts().length === 1)

    // The first tab refreshes: no event is broadcast for that, only storage changes.
    const seen = await other.evaluate(() => window.spa.storageEvents.length)
    const refreshed = await page.evaluate((account) => window.spa.app.acquireTokenSilent({ scopes: ['User.Read'], account, forceRefresh: true }).then((token) => token.accessToken), result.account)
    await other.waitForFunction(([prefix, from]) => window.spa.storageEvents.slice(from as number).some((event) => event.set && event.key?.startsWith(`${prefix}AccessToken|`)), [PREFIX, seen] as const)
    expect(
      await other.evaluate(async (account) => {
        const before = window.spa.storageReads()
        const token = await window.spa.app.acquireTokenSilent({ scopes: ['User.Read'], account })
        return { token: token.accessToken, source: token.tokenSource, reads: window.spa.storageReads() - before }
      }, result.account),
    ).toEqual({ token: refreshed, source: 'cache', reads: 0 })
    expect(refreshed).not.toBe(result.accessToken)
  })

  it('keeps discovery answers in storage with their lifetime: an authority that needs discovery asks once, not again on the page load that completes the redirect', async () => {
    // An Entra tenant on a host Microsoft does not know (the provider's own loopback address): tenant discovery.
    const context = await suite.newContext({ options: { authority: `${suite.site.idp.url}/${TENANT}`, validateAuthority: false } })
    const page = await openApp(context, suite.site)
    expect(await signInByRedirect(page, suite.site)).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'identity_provider' }) })
    const fromScript = suite.site.idp.requests.filter((request) => request.origin === suite.site.app.origin)
    expect(fromScript.map((request) => `${request.method} ${request.path}`)).toEqual([`GET /${TENANT}/v2.0/.well-known/openid-configuration`, `POST /${TENANT}/oauth2/v2.0/token`])
    const stored = await page.evaluate((key) => JSON.parse(sessionStorage.getItem(key)!) as { format: string; entries: Array<[string, { expiresAtMs: number }]> }, `${PREFIX}http`)
    expect(stored.format).toBe('msal-ts/http-cache@1')
    expect(stored.entries.map(([key]) => key)).toEqual([`GET ${suite.site.idp.url}/${TENANT}/v2.0/.well-known/openid-configuration`])
    expect(stored.entries[0]![1].expiresAtMs).toBeGreaterThan(suite.site.clock.now() + 3_600_000)
  })
})

describe('CORS', () => {
  const requestsFromScript = () => suite.site.idp.requests.filter((request) => request.origin === suite.site.app.origin)

  it('a full sign-in against Entra makes one request from script (the token POST) and no preflight; a silent refresh adds one CORS-simple POST', async () => {
    const context: BrowserContext = await suite.newContext()
    const page = await openApp(context, suite.site)
    expect(await signInByRedirect(page, suite.site)).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'identity_provider' }) })
    expect(requestsFromScript().map((request) => `${request.method} ${request.path}`)).toEqual([`POST /${TENANT}/oauth2/v2.0/token`])

    await suite.site.clock.jump(3_600_000)
    expect(await page.evaluate(() => window.spa.app.acquireTokenSilent({ scopes: ['User.Read'], account: window.spa.app.getAllAccounts()[0] }).then((token) => token.tokenSource))).toBe('identity_provider')
    expect(requestsFromScript().map((request) => `${request.method} ${request.path}`)).toEqual([`POST /${TENANT}/oauth2/v2.0/token`, `POST /${TENANT}/oauth2/v2.0/token`])
    expect(suite.site.idp.requests.filter((request) => request.method === 'OPTIONS')).toEqual([])
    // Only CORS-safelisted request headers: the library's own travel in the query.
    for (const request of requestsFromScript()) {
      // (x-forwarded-* are the test's TLS front's.)
      expect(Object.keys(request.headers).filter((name) => (name.startsWith('x-') && !name.startsWith('x-forwarded-')) || name === 'client-request-id')).toEqual([])
      expect(new URL(request.url).searchParams.get('x-client-sku')).toBe('msal.ts.browser')
      expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded\b/)
    }
  })
})
