/**
 * Silent acquisition in real Chromium (issue 11, item 7): a cache hit reads no storage; then the
 * refresh token, unless its own 24-hour lifetime is (nearly) over, with no token request wasted
 * on it; then a hidden prompt=none iframe, which third-party cookies decide (blocked here by
 * default: login_required; allowed in a profile that says so: a token); `silentIframe: 'never'`;
 * the iframe's timeout; errors that say why and carry MSAL's classification. Time jumps are the
 * virtual clock's.
 */
import type { Page } from 'playwright-core'
import { faults } from '@msal-ts/testing'
import { ALICE, launchSpaBrowser, signedInApp, spaSuite, type Outcome, type SpaBrowser, type TokenResultData } from './harness.js'

const suite = spaSuite()

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

/** acquireTokenSilent in the page, for the account (default: the active account). */
const silent = (page: Page, request: Record<string, unknown> = {}): Promise<Outcome<TokenResultData>> =>
  page.evaluate((r) => window.spa.settle(window.spa.app.acquireTokenSilent({ scopes: ['User.Read'], ...r })), request) as Promise<Outcome<TokenResultData>>

const tokenGrants = () => suite.site.idp.tokenRequests.map((request) => request.form['grant_type'])
const authorizeRequests = () => suite.site.idp.requests.filter((request) => request.path.endsWith('/authorize'))

describe('acquireTokenSilent', () => {
  it('a cache hit reads no Web Storage (the in-memory index), for the given account and for the active account', async () => {
    const { page, result } = await signedInApp(await suite.newContext(), suite.site)
    const counts = await page.evaluate(async (account) => {
      const { app, storageReads } = window.spa
      app.setActiveAccount(account)
      const before = storageReads()
      const given = await app.acquireTokenSilent({ scopes: ['User.Read'], account })
      const afterGiven = storageReads()
      const active = await app.acquireTokenSilent({ scopes: ['User.Read'] })
      return { given: given.tokenSource, active: active.tokenSource, readsGiven: afterGiven - before, readsActive: storageReads() - afterGiven, same: given.accessToken === active.accessToken }
    }, result.account)
    expect(counts).toEqual({ given: 'cache', active: 'cache', readsGiven: 0, readsActive: 0, same: true })
    expect(suite.site.idp.tokenRequests).toHaveLength(1)
  })

  it('an expired access token: the refresh token, one CORS-simple POST (no preflight)', async () => {
    const { page, result } = await signedInApp(await suite.newContext(), suite.site)
    await suite.site.clock.jump(HOUR_MS)
    const refreshed = await silent(page, { account: result.account })
    expect(refreshed).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'identity_provider', account: expect.objectContaining({ username: ALICE }) }) })
    expect((refreshed as { value: TokenResultData }).value.accessToken).not.toBe(result.accessToken)
    expect(tokenGrants()).toEqual(['authorization_code', 'refresh_token'])
    expect(suite.site.idp.tokenRequests.map((request) => request.origin)).toEqual([suite.site.app.origin, suite.site.app.origin])
    expect(suite.site.idp.preflightRequests).toEqual([])
    expect(await silent(page, { account: result.account })).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'cache' }) })
  })

  it("the SPA refresh token's own 24 hours nearly over: InteractionRequiredError refresh_token_expired, and no token request spent on it", async () => {
    const { page, result } = await signedInApp(await suite.newContext({ options: { silentIframe: 'never' } }), suite.site)
    const stored = await page.evaluate(() => Object.entries(sessionStorage).filter(([key]) => key.includes('.RefreshToken|')).map(([, value]) => JSON.parse(value) as Record<string, string>))
    expect(stored).toEqual([expect.objectContaining({ credential_type: 'RefreshToken', expires_on: expect.stringMatching(/^\d+$/) })])
    // Two minutes left: inside the 300 s margin, so not worth a request that would fail with AADSTS700084.
    await suite.site.clock.jump(DAY_MS - 120_000)
    expect(await silent(page, { account: result.account })).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'InteractionRequiredError', reason: 'refresh_token_expired', classification: expect.any(String), message: expect.stringContaining('24 hours') }),
    })
    expect(tokenGrants()).toEqual(['authorization_code'])
    expect(authorizeRequests()).toHaveLength(1) // the sign-in's own: no iframe
  })

  it("third-party cookies blocked (Chromium's default here): the hidden iframe gets login_required, well within the iframe timeout; after 24 hours silent acquisition says refresh_token_expired and spends no token request", async () => {
    const { page, result } = await signedInApp(await suite.newContext({ options: { iframeTimeoutMs: 10_000 } }), suite.site)
    const sso = await page.evaluate(async () => {
      const started = performance.now()
      const outcome = await window.spa.settle(window.spa.app.ssoSilent({ scopes: ['User.Read'], loginHint: 'alice@contoso.onmicrosoft.com' }))
      return { outcome, ms: performance.now() - started }
    })
    expect(sso.outcome).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'InteractionRequiredError', reason: 'login_required', error: 'login_required', errorDescription: expect.stringMatching(/^AADSTS50058: /), classification: expect.any(String) }),
    })
    expect(sso.ms).toBeLessThan(10_000)
    expect(authorizeRequests().at(-1)?.url).toContain('prompt=none')
    expect(await page.evaluate(() => document.querySelectorAll('iframe').length)).toBe(0)

    await suite.site.clock.jump(DAY_MS)
    expect(await silent(page, { account: result.account })).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'InteractionRequiredError', reason: 'refresh_token_expired', message: expect.stringContaining('the hidden iframe could not sign in either') }),
    })
    expect(tokenGrants()).toEqual(['authorization_code'])
  })

  it("silentIframe: 'never': no iframe, InteractionRequiredError login_required when nothing is cached for the account", async () => {
    const { page } = await signedInApp(await suite.newContext({ options: { silentIframe: 'never' } }), suite.site)
    const stranger = { homeAccountId: 'nobody.nowhere', environment: 'login.microsoftonline.com', username: 'nobody@contoso.onmicrosoft.com', authorityType: 'MSSTS' }
    expect(await silent(page, { account: stranger })).toEqual({ ok: false, error: expect.objectContaining({ kind: 'InteractionRequiredError', reason: 'login_required' }) })
    expect(authorizeRequests()).toHaveLength(1)
    expect(await silent(page, { account: undefined })).toEqual({ ok: false, error: expect.objectContaining({ kind: 'InteractionRequiredError', reason: 'no_account' }) })
  })

  it('an iframe that never answers ends at iframeTimeoutMs (virtual time): iframe_timeout, the iframe removed', async () => {
    const { page } = await signedInApp(await suite.newContext({ options: { iframeTimeoutMs: 5_000 } }), suite.site)
    suite.site.idp.injectFault(faults.timeout(), { path: '/authorize', times: 1 })
    await page.evaluate(() => {
      ;(window as unknown as { sso: unknown }).sso = window.spa.settle(window.spa.app.ssoSilent({ scopes: ['User.Read'] }))
    })
    await page.waitForFunction(() => document.querySelectorAll('iframe').length === 1)
    await suite.site.clock.jump(5_000)
    expect(await page.evaluate(() => (window as unknown as { sso: unknown }).sso)).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'InteractionRequiredError', reason: 'iframe_timeout' }),
    })
    expect(await page.evaluate(() => document.querySelectorAll('iframe').length)).toBe(0)
    suite.site.idp.clearFaults()
  })

  it("timeout is in seconds (MSAL Python's unit): a refresh the provider never answers is a TimeoutError once that many seconds (virtual time) have passed, not before", async () => {
    const { page, result } = await signedInApp(await suite.newContext({ options: { timeout: 10, silentIframe: 'never' } }), suite.site)
    await suite.site.clock.jump(HOUR_MS)
    suite.site.idp.injectFault(faults.timeout(), { path: '/token', times: 1 })
    await Promise.all([
      page.waitForRequest((request) => request.method() === 'POST' && request.url().includes('/oauth2/v2.0/token')),
      page.evaluate((account) => {
        void window.spa.settle(window.spa.app.acquireTokenSilent({ scopes: ['User.Read'], account })).then((outcome) => {
          ;(window as unknown as { refreshed: unknown }).refreshed = outcome
        })
      }, result.account),
    ])
    await suite.site.clock.jump(9_000)
    expect(await page.evaluate(() => (window as unknown as { refreshed?: unknown }).refreshed)).toBeUndefined()
    await suite.site.clock.jump(2_000)
    await page.waitForFunction(() => (window as unknown as { refreshed?: unknown }).refreshed !== undefined)
    expect(await page.evaluate(() => (window as unknown as { refreshed: unknown }).refreshed)).toEqual({ ok: false, error: expect.objectContaining({ kind: 'TimeoutError' }) })
    suite.site.idp.clearFaults()
  })

  it("a refresh token the provider refuses (sessions revoked): InteractionRequiredError refresh_refused with the provider's error, codes and MSAL's classification", async () => {
    const { page, result } = await signedInApp(await suite.newContext({ options: { silentIframe: 'never' } }), suite.site)
    suite.site.idp.revokeSignInSessions(ALICE)
    await suite.site.clock.jump(HOUR_MS)
    expect(await silent(page, { account: result.account })).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'InteractionRequiredError', reason: 'refresh_refused', error: 'invalid_grant', errorCodes: [50173], classification: expect.any(String) }),
    })
  })
})

describe('third-party cookies allowed (a profile whose preferences allow them)', () => {
  let allowed: SpaBrowser
  beforeAll(async () => {
    allowed = await launchSpaBrowser(suite.site, { thirdPartyCookies: 'allowed' })
  }, 60_000)
  afterAll(() => allowed?.close())

  it("the hidden iframe signs in with the provider's session: ssoSilent, and acquireTokenSilent after the refresh token's 24 hours", async () => {
    const context = await suite.newContext({ options: { redirectUri: `${suite.site.app.origin}/redirect.html` } }, allowed)
    const { page, result } = await signedInApp(context, suite.site)
    expect(await page.evaluate(() => window.spa.settle(window.spa.app.ssoSilent({ scopes: ['User.Read'], loginHint: 'alice@contoso.onmicrosoft.com' })))).toEqual({
      ok: true,
      value: expect.objectContaining({ tokenSource: 'identity_provider', account: expect.objectContaining({ username: ALICE }) }),
    })
    await suite.site.clock.jump(DAY_MS)
    expect(await silent(page, { account: result.account })).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'identity_provider' }) })
    // The code from the iframe, never the expired refresh token.
    expect(tokenGrants()).toEqual(['authorization_code', 'authorization_code', 'authorization_code'])
  })
})
