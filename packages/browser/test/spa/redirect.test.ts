/**
 * Redirect sign-in in real Chromium (issue 11, items 2–4): no initialize() trap; the flow kept in
 * sessionStorage under its state; handleRedirectPromise once per page load; the response from
 * the query, the fragment or the bridge page's stash, with only its own parameters removed from
 * the URL; the user back where they were without a second page load; a response with no stored
 * flow refused; the interaction flag that heals itself; a misregistered redirect URI named.
 */
import type { Page } from 'playwright-core'
import { ALICE, openApp, signInByRedirect, signInToBrowser, spaSuite, ssoByRedirect, startup, TENANT, type SpaSite } from './harness.js'

const suite = spaSuite()
const newContext = suite.newContext
let site: SpaSite
beforeAll(() => {
  site = suite.site
})

const tokenPosts = () => site.idp.tokenRequests
const sessionKeys = (page: Page) => page.evaluate(() => Object.keys(sessionStorage).sort())

/**
 * A redirect sign-in from `page`, the browser signed in at the provider already (no sign-in
 * page), with the response sent to /hold (not the app): answers the response's URL.
 */
const signInToHold = async (page: Page, request: Record<string, unknown> = {}): Promise<URL> => {
  await signInToBrowser(page.context(), site)
  await Promise.all([
    page.waitForURL(`${site.app.origin}/hold**`),
    page.evaluate((r) => void window.spa.app.loginRedirect({ scopes: ['User.Read'], loginHint: 'alice@contoso.onmicrosoft.com', ...r }), {
      redirectUri: `${site.app.origin}/hold`,
      ...request,
    }),
  ])
  return new URL(page.url())
}

describe('redirect', () => {
  it('has no initialize() trap: loginRedirect called in the same task as the constructor signs in; PublicClientApplication.create and initialize() resolve', async () => {
    const context = await newContext()
    await signInToBrowser(context, site)
    const page = await openApp(context, site)
    const [, checks] = await Promise.all([
      page.waitForURL((url) => url.hash.startsWith('#code=')),
      page.evaluate(async () => {
        const { PublicClientApplication, config } = window.spa
        const app = new PublicClientApplication(config.options)
        void app.loginRedirect({ scopes: ['User.Read'], loginHint: 'alice@contoso.onmicrosoft.com' })
        const created = await PublicClientApplication.create(config.options)
        return [created instanceof PublicClientApplication, await app.initialize()]
      }),
    ])
    expect(checks).toEqual([true, undefined])
    const { outcomes } = await startup(page)
    expect(outcomes).toEqual([{ ok: true, value: expect.objectContaining({ account: expect.objectContaining({ username: ALICE }), tokenSource: 'identity_provider' }) }])
  })

  it('keeps the flow in sessionStorage under its state; two concurrent handleRedirectPromise() calls share one promise and one token POST; a query response is removed from the URL, other parameters and the hash route kept, with no second page load', async () => {
    const page = await openApp(await newContext({ handleCalls: 2, options: { responseMode: 'query' } }), site, '/?tab=2#/dashboard')
    const response = await signInToHold(page)
    const state = response.searchParams.get('state')!
    expect([...response.searchParams.keys()]).toEqual(['code', 'client_info', 'state', 'session_state'])

    // Before the page load that completes it: the flow, under its state, and this tab's flag.
    const keys = await sessionKeys(page)
    expect(keys).toContain(`msal-ts.flow.${state}`)
    const stored = JSON.parse((await page.evaluate((key) => sessionStorage.getItem(key), `msal-ts.flow.${state}`))!) as Record<string, unknown>
    expect(stored).toEqual({
      flow: expect.objectContaining({ state, codeVerifier: expect.any(String), nonce: expect.any(String), scopes: expect.arrayContaining(['User.Read', 'openid']), redirectUri: `${site.app.origin}/hold` }),
      returnTo: `${site.app.origin}/?tab=2#/dashboard`,
      createdAt: expect.any(Number),
    })
    const flag = JSON.parse((await page.evaluate(() => Object.entries(sessionStorage).find(([key]) => key.endsWith('.interaction'))?.[1]))!) as Record<string, unknown>
    expect(flag).toEqual({ type: 'redirect', state, tabId: expect.any(String), startedAt: expect.any(Number) })

    site.app.pageLoads.length = 0
    await page.goto(`${site.app.origin}/?tab=2&${response.searchParams.toString()}#/dashboard`)
    const { outcomes, samePromise } = await startup(page)
    expect(samePromise).toBe(true)
    expect(outcomes).toHaveLength(2)
    expect(outcomes[0]).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'identity_provider' }) })
    expect(outcomes[1]).toEqual(outcomes[0])
    expect(tokenPosts()).toHaveLength(1)
    expect(page.url()).toBe(`${site.app.origin}/?tab=2#/dashboard`)
    expect(site.app.pageLoads).toEqual([`/?tab=2&${response.searchParams.toString()}`])
    // The flow and the flag are gone.
    expect((await sessionKeys(page)).filter((key) => key.startsWith('msal-ts.flow.') || key.endsWith('.interaction'))).toEqual([])
  })

  it('reads a fragment response, and removes only it (the query stays)', async () => {
    const page = await openApp(await newContext(), site, '/?tab=2')
    const response = await signInToHold(page)
    expect(response.search).toBe('')
    const params = new URLSearchParams(response.hash.slice(1))
    expect([...params.keys()]).toEqual(['code', 'client_info', 'state', 'session_state'])
    await page.goto(`${site.app.origin}/?tab=2#${params.toString()}`)
    expect((await startup(page)).outcomes).toEqual([{ ok: true, value: expect.objectContaining({ tokenSource: 'identity_provider' }) }])
    expect(page.url()).toBe(`${site.app.origin}/?tab=2`)
  })

  it('returns the user to the page they were on (query and hash route) without a second page load', async () => {
    const context = await newContext()
    await signInToBrowser(context, site)
    const page = await openApp(context, site, '/dashboard?tab=2#/reports')
    site.app.pageLoads.length = 0
    expect(await ssoByRedirect(page, site)).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'identity_provider' }) })
    expect(page.url()).toBe(`${site.app.origin}/dashboard?tab=2#/reports`)
    // The redirect URI's page loaded once, and the user's page was restored with history.replaceState.
    expect(site.app.pageLoads).toEqual(['/'])
    expect(await page.evaluate(() => history.length)).toBeGreaterThan(1)
  })

  it("through the bridge page (@msal-ts/browser/redirect): it stashes the response and returns to the user's page, whose handleRedirectPromise redeems it", async () => {
    const context = await newContext({ options: { redirectUri: `${site.app.origin}/redirect.html` } })
    await signInToBrowser(context, site)
    const page = await openApp(context, site, '/dashboard?tab=2#/reports')
    site.app.pageLoads.length = 0
    expect(await ssoByRedirect(page, site)).toEqual({ ok: true, value: expect.objectContaining({ account: expect.objectContaining({ username: ALICE }) }) })
    expect(page.url()).toBe(`${site.app.origin}/dashboard?tab=2#/reports`)
    expect(site.app.pageLoads).toEqual(['/dashboard?tab=2'])
    expect(tokenPosts()).toHaveLength(1)
    expect((await sessionKeys(page)).filter((key) => key === 'msal-ts.response' || key.startsWith('msal-ts.flow.'))).toEqual([])
  })

  it('refuses a response whose state matches no flow this tab stored (forged or replayed): UsageError, no token POST, the response removed from the URL', async () => {
    const page = await openApp(await newContext(), site, '/?tab=2#code=forged-code&state=forged-state&session_state=x')
    expect((await startup(page)).outcomes).toEqual([{ ok: false, error: expect.objectContaining({ kind: 'UsageError', message: expect.stringContaining('state matches no sign-in') }) }])
    expect(tokenPosts()).toEqual([])
    expect(page.url()).toBe(`${site.app.origin}/?tab=2`)
  })

  it('names a redirect URI registered as a web app instead of a single-page app: AADSTS9002326 → ConfigurationError', async () => {
    const context = await newContext({ options: { redirectUri: `${site.app.origin}/web` } })
    await signInToBrowser(context, site)
    const outcome = await ssoByRedirect(await openApp(context, site), site)
    expect(outcome).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'ConfigurationError', field: 'redirectUri', message: expect.stringContaining('register this redirect URI as a single-page application') }),
    })
    expect(tokenPosts().map((request) => request.origin)).toEqual([site.app.origin])
  })
})

describe('the interaction flag heals itself', () => {
  it('a tab closed on the sign-in page does not block the app: a new tab, and the same tab coming back without a response, sign in', async () => {
    const context = await newContext()
    const first = await openApp(context, site)
    await first.evaluate(() => void window.spa.app.loginRedirect({ scopes: ['User.Read'] }))
    await first.waitForURL(/\/oauth2\/v2\.0\/authorize\?/)
    await first.close()

    const second = await openApp(context, site)
    expect(await signInByRedirect(second, site)).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'identity_provider' }) })

    // The same tab: off to the sign-in page, then back to the app by its address (no response).
    await second.evaluate(() => void window.spa.app.loginRedirect({ scopes: ['User.Read'], prompt: 'login' }))
    await second.waitForURL(/\/oauth2\/v2\.0\/authorize\?/)
    await second.goto(`${site.app.origin}/`)
    expect((await startup(second)).outcomes).toEqual([{ ok: true, value: null }])
    expect(await second.evaluate(() => Object.keys(sessionStorage).filter((key) => key.endsWith('.interaction')))).toEqual([])
    expect(await ssoByRedirect(second, site)).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'identity_provider' }) })
  })

  it('a live flag blocks with InteractionInProgressError naming it and its age; one older than interactionTimeoutMs, or whose flow is gone, does not', async () => {
    // handleCalls 0: this page never completes the redirect, so the flag another page load set stays.
    const context = await newContext({ handleCalls: 0, options: { interactionTimeoutMs: 60_000 } })
    const page = await openApp(context, site)
    await signInToHold(page)
    await page.goto(`${site.app.origin}/`)
    await page.waitForFunction(() => window.spa !== undefined)
    await site.clock.jump(5_000)

    const blocked = await page.evaluate(() => window.spa.settle(window.spa.app.loginRedirect({ scopes: ['User.Read'] })))
    expect(blocked).toEqual({ ok: false, error: expect.objectContaining({ kind: 'InteractionInProgressError', interaction: 'redirect', ageMs: expect.any(Number) }) })
    const { ageMs, message } = (blocked as unknown as { error: { ageMs: number; message: string } }).error
    expect(ageMs).toBeGreaterThanOrEqual(5_000)
    expect(ageMs).toBeLessThan(60_000)
    expect(message).toMatch(/a redirect sign-in began in this tab \d+ s ago/)

    // Older than the timeout: no longer blocks.
    await site.clock.jump(60_000)
    await page.evaluate(() => void window.spa.app.loginRedirect({ scopes: ['User.Read'], prompt: 'login' }))
    await page.waitForURL(/\/oauth2\/v2\.0\/authorize\?/)

    // Back without a response to this page (which never completes a redirect): the new flag is
    // live and blocks; once its flow is gone (a cleared sessionStorage), it does not.
    await page.goto(`${site.app.origin}/`)
    await page.waitForFunction(() => window.spa !== undefined)
    expect(await page.evaluate(() => window.spa.settle(window.spa.app.loginRedirect({ scopes: ['User.Read'] })))).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'InteractionInProgressError' }),
    })
    await page.evaluate(() => {
      for (const key of Object.keys(sessionStorage)) if (key.startsWith('msal-ts.flow.')) sessionStorage.removeItem(key)
    })
    await page.evaluate(() => void window.spa.app.loginRedirect({ scopes: ['User.Read'], prompt: 'login' }))
    await page.waitForURL(/\/oauth2\/v2\.0\/authorize\?/)
  })

  it('the back button from the sign-in page (a page restored from the back/forward cache) leaves no flag', async () => {
    const context = await newContext()
    await signInToBrowser(context, site)
    const page = await openApp(context, site)
    await page.evaluate(() => {
      ;(window as unknown as { restored: boolean }).restored = false
      window.addEventListener('pageshow', (event) => ((window as unknown as { restored: boolean }).restored = event.persisted))
    })
    await page.evaluate(() => void window.spa.app.loginRedirect({ scopes: ['User.Read'], prompt: 'login' }))
    await page.waitForURL(new RegExp(`/${TENANT}/oauth2/v2\\.0/authorize\\?`))
    // A page restored from the cache fires no load event.
    await page.goBack({ waitUntil: 'commit' })
    await page.waitForURL(`${site.app.origin}/`, { waitUntil: 'commit' })
    // The same document, back from the cache: no page load ran handleRedirectPromise again.
    expect(await page.evaluate(() => (window as unknown as { restored: boolean }).restored)).toBe(true)
    expect(await page.evaluate(() => Object.keys(sessionStorage).filter((key) => key.endsWith('.interaction')))).toEqual([])
    expect(await ssoByRedirect(page, site)).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'identity_provider' }) })
  })
})
