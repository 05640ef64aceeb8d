/**
 * Logout and events in real Chromium (issue 11, item 11): logoutRedirect and logoutPopup remove
 * the account's entries and send the browser to the end-session endpoint with
 * post_logout_redirect_uri and logout_hint; with tokens in localStorage, a logout in one tab
 * reaches another tab's event callback and its accounts; the active account is persisted and
 * broadcast; msal-browser's event names in order.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { ALICE, CLIENT_ID, ENTRA_HOST, openApp, signedInApp, spaSuite, TENANT, type SeenEvent } from './harness.js'

const suite = spaSuite()

const signedOutPage = () => `${suite.site.app.origin}/signed-out`

/** Keys of the account's entries (its account, ID, access and refresh tokens) in a storage area of the page: not the app's metadata, which is no account's. */
const cacheKeys = (page: Page, area: 'sessionStorage' | 'localStorage') =>
  page.evaluate(
    ([name, prefix]) => Object.keys(window[name]).filter((key) => key.startsWith(prefix) && key.includes('|') && !key.includes('.AppMetadata|')),
    [area, `msal-ts.${CLIENT_ID}.`] as const,
  )

const sessionCookies = async (context: BrowserContext) => (await context.cookies(`https://${ENTRA_HOST}`)).filter((cookie) => cookie.name === 'ESTSAUTH')
const events = (page: Page): Promise<SeenEvent[]> => page.evaluate(() => window.spa.events)

describe('logout', () => {
  it("logoutRedirect: the account's entries go, then the end-session endpoint with post_logout_redirect_uri and logout_hint ends the provider's session and returns", async () => {
    const context = await suite.newContext({ options: { postLogoutRedirectUri: signedOutPage() } })
    const { page } = await signedInApp(context, suite.site)
    expect(await cacheKeys(page, 'sessionStorage')).toHaveLength(4)
    expect(await sessionCookies(context)).toHaveLength(1)

    await page.evaluate(() => void window.spa.app.logoutRedirect())
    await page.waitForURL(`${signedOutPage()}?state=*`)
    expect((await page.evaluate(() => window.spa.startup)).outcomes).toEqual([{ ok: true, value: null }])
    expect(await cacheKeys(page, 'sessionStorage')).toEqual([])
    expect(await page.evaluate(() => window.spa.app.getAllAccounts())).toEqual([])
    expect(await page.evaluate(() => Object.keys(sessionStorage).filter((key) => key.endsWith('.interaction')))).toEqual([])

    const endSession = suite.site.idp.endSessionRequests.at(-1)!
    expect(endSession).toMatchObject({ clientId: CLIENT_ID, logoutHint: ALICE, signedOut: [ALICE] })
    const asked = new URL(suite.site.idp.requests.find((request) => request.path === `/${TENANT}/oauth2/v2.0/logout`)!.url)
    expect(Object.fromEntries(asked.searchParams)).toEqual({ client_id: CLIENT_ID, state: expect.any(String), post_logout_redirect_uri: signedOutPage(), logout_hint: ALICE })
    expect(page.url()).toBe(`${signedOutPage()}?state=${asked.searchParams.get('state')}`)
    expect(await sessionCookies(context)).toEqual([])
    expect((await events(page)).map((event) => event.eventType)).toEqual(['msal:handleRedirectStart', 'msal:handleRedirectEnd'])
  })

  it('logoutPopup: the entries go at once, the provider signs out in a popup that comes back to the app and closes; the page stays', async () => {
    const context = await suite.newContext({ options: { postLogoutRedirectUri: signedOutPage() } })
    const { page } = await signedInApp(context, suite.site)
    const [popup, accountsRightAfter] = await Promise.all([
      context.waitForEvent('page'),
      page.evaluate(() => {
        ;(window as unknown as { done: unknown }).done = window.spa.settle(window.spa.app.logoutPopup())
        return window.spa.app.getAllAccounts().length
      }),
    ])
    expect(accountsRightAfter).toBe(0)
    // The popup may have closed already (a loaded machine): a close already past would never come.
    if (!popup.isClosed()) await popup.waitForEvent('close')
    expect(await page.evaluate(() => (window as unknown as { done: unknown }).done)).toEqual({ ok: true })
    expect(await cacheKeys(page, 'sessionStorage')).toEqual([])
    expect(suite.site.idp.endSessionRequests.at(-1)).toMatchObject({ logoutHint: ALICE, signedOut: [ALICE] })
    expect(await sessionCookies(context)).toEqual([])
    expect(page.url()).toBe(`${suite.site.app.origin}/`)
  })
})

describe('removeAccount and request fields', () => {
  it("removeAccount: the account's entries go, it is no longer active, ACCOUNT_REMOVED is raised", async () => {
    const context = await suite.newContext({})
    const { page, result } = await signedInApp(context, suite.site)
    await page.evaluate((account) => window.spa.app.setActiveAccount(account), result.account)
    expect(await cacheKeys(page, 'sessionStorage')).toHaveLength(4)
    expect(await page.evaluate((account) => window.spa.settle(window.spa.app.removeAccount(account!)), result.account)).toEqual({ ok: true })
    expect(await cacheKeys(page, 'sessionStorage')).toEqual([])
    expect(await page.evaluate(() => window.spa.app.getActiveAccount())).toBeNull()
    expect((await events(page)).slice(-2)).toEqual([
      expect.objectContaining({ eventType: 'msal:activeAccountChanged', username: undefined }),
      expect.objectContaining({ eventType: 'msal:accountRemoved', username: ALICE }),
    ])
  })

  it('a misspelt or unsupported request field is a UsageError naming it, before anything is sent or opened', async () => {
    const context = await suite.newContext({})
    const { page } = await signedInApp(context, suite.site)
    const requestsBefore = suite.site.idp.requests.length
    const outcomes = await page.evaluate(async () => [
      await window.spa.settle(window.spa.app.acquireTokenSilent({ scopes: ['User.Read'], forceRefesh: true } as never)),
      await window.spa.settle(window.spa.app.loginPopup({ authority: 'https://login.example/other' } as never)),
      await window.spa.settle(window.spa.app.acquireTokenRedirect({ scopes: ['User.Read'], cacheLookupPolicy: 1 } as never)),
    ])
    expect(outcomes).toEqual([
      { ok: false, error: expect.objectContaining({ kind: 'UsageError', argument: 'forceRefesh', message: expect.stringMatching(/no such option .*forceRefresh/) }) },
      { ok: false, error: expect.objectContaining({ kind: 'UsageError', argument: 'authority', message: expect.stringMatching(/one PublicClientApplication per authority/) }) },
      { ok: false, error: expect.objectContaining({ kind: 'UsageError', argument: 'cacheLookupPolicy', message: expect.stringMatching(/forceRefresh: true/) }) },
    ])
    expect(context.pages()).toHaveLength(1)
    expect(suite.site.idp.requests.length).toBe(requestsBefore)
    expect(page.url()).toBe(`${suite.site.app.origin}/`)
  })
})

describe('events across tabs (localStorage)', () => {
  it('a logout in tab A reaches tab B: its callback hears it, getAllAccounts() is empty, acquireTokenSilent says no_account', async () => {
    const context = await suite.newContext({ options: { cacheLocation: 'localStorage', postLogoutRedirectUri: signedOutPage() } })
    const { page: a, result } = await signedInApp(context, suite.site)
    await a.evaluate((account) => window.spa.app.setActiveAccount(account), result.account)
    const b = await openApp(context, suite.site)
    expect(await b.evaluate(() => window.spa.app.getAllAccounts().map((account) => account.username))).toEqual([ALICE])

    await a.evaluate(() => void window.spa.app.logoutRedirect())
    await b.waitForFunction(() => window.spa.events.some((event) => event.eventType === 'msal:logoutSuccess'))
    expect((await events(b)).filter((event) => event.fromOtherTab)).toEqual([
      expect.objectContaining({ eventType: 'msal:activeAccountChanged', username: undefined }),
      expect.objectContaining({ eventType: 'msal:accountRemoved', username: ALICE }),
      expect.objectContaining({ eventType: 'msal:logoutSuccess', interactionType: 'redirect', username: ALICE }),
    ])
    expect(await b.evaluate(() => window.spa.app.getAllAccounts())).toEqual([])
    expect(await b.evaluate(() => window.spa.app.getActiveAccount())).toBeNull()
    expect(await b.evaluate(() => window.spa.settle(window.spa.app.acquireTokenSilent({ scopes: ['User.Read'] })))).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'InteractionRequiredError', reason: 'no_account' }),
    })
    expect(await cacheKeys(b, 'localStorage')).toEqual([])
  })

  it('the active account is persisted (a reload keeps it) and broadcast (another tab hears it and uses it)', async () => {
    const context = await suite.newContext({ options: { cacheLocation: 'localStorage' } })
    const { page: a, result } = await signedInApp(context, suite.site)
    const b = await openApp(context, suite.site)
    expect(await b.evaluate(() => window.spa.app.getActiveAccount())).toBeNull()

    await a.evaluate((account) => window.spa.app.setActiveAccount(account), result.account)
    await b.waitForFunction(() => window.spa.events.some((event) => event.eventType === 'msal:activeAccountChanged'))
    expect((await events(b)).filter((event) => event.fromOtherTab)).toEqual([expect.objectContaining({ eventType: 'msal:activeAccountChanged', username: ALICE })])
    expect(await b.evaluate(() => window.spa.app.getActiveAccount()?.username)).toBe(ALICE)
    expect(await b.evaluate(() => window.spa.app.acquireTokenSilent({ scopes: ['User.Read'] }).then((token) => token.tokenSource))).toBe('cache')

    await a.reload()
    await a.waitForFunction(() => window.spa !== undefined)
    expect(await a.evaluate(() => window.spa.app.getActiveAccount()?.username)).toBe(ALICE)
  })

  it("a sign-in raises msal-browser's events in order, and tells the other tabs", async () => {
    const context = await suite.newContext({ options: { cacheLocation: 'localStorage' } })
    const b = await openApp(context, suite.site)
    const { page: a } = await signedInApp(context, suite.site)
    expect((await events(a)).map((event) => event.eventType)).toEqual([
      'msal:handleRedirectStart',
      'msal:accountAdded',
      'msal:loginSuccess',
      'msal:handleRedirectEnd',
    ])
    await b.waitForFunction(() => window.spa.events.some((event) => event.eventType === 'msal:loginSuccess'))
    expect((await events(b)).filter((event) => event.fromOtherTab).map((event) => event.eventType)).toEqual(['msal:accountAdded', 'msal:loginSuccess'])
    expect(await b.evaluate(() => window.spa.app.getAllAccounts().map((account) => account.username))).toEqual([ALICE])
  })
})
