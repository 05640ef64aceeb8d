/**
 * Popup sign-in in real Chromium with its popup blocker on (issue 11, items 5 and 6): the popup
 * opens in the click's own task; a blocked popup is a PopupBlockedError at once, or a redirect;
 * the response comes back over a BroadcastChannel when a Cross-Origin-Opener-Policy on the
 * sign-in page cuts the popup off; a popup the user closes is a cancellation; the bridge page
 * (@msal-ts/browser/redirect) as the popup's redirect URI.
 */
import type { BrowserContext, Page } from 'playwright-core'
import type { FakeIdentityProvider } from '@msal-ts/testing'
import { ALICE, openApp, signInOnPage, spaSuite, startup, TENANT, type ContextConfig, type Outcome } from './harness.js'

// Chromium's popup blocker is on (see the harness).
const suite = spaSuite()

let isolated: FakeIdentityProvider
beforeAll(async () => {
  isolated = await suite.site.extraProvider({ crossOriginOpenerPolicy: 'same-origin' })
})
beforeEach(() => isolated.clearRequests())

declare global {
  interface Window {
    /** The outcome of the popup sign-in the button started, and whether window.open ran inside the click's task. */
    clicked?: { outcome: Promise<Outcome<unknown>>; openedInClickTask?: boolean }
    /** The popup window handle the app got. */
    popupHandle?: Window | null
  }
}

/**
 * A "Sign in" button whose click handler calls loginPopup, as an app's does; window.open is
 * watched, to see whether it runs before the handler returns.
 */
const addSignInButton = (page: Page, request: Record<string, unknown> = {}): Promise<void> =>
  page.evaluate((r) => {
    const open = window.open.bind(window)
    let inClickTask = false
    window.open = (...args: Parameters<typeof window.open>) => {
      window.clicked!.openedInClickTask = inClickTask
      window.popupHandle = open(...args)
      return window.popupHandle
    }
    const button = document.createElement('button')
    button.textContent = 'Sign in with a popup'
    button.addEventListener('click', () => {
      inClickTask = true
      window.clicked = { outcome: undefined as never }
      window.clicked.outcome = window.spa.settle(window.spa.app.loginPopup({ scopes: ['User.Read'], loginHint: 'alice@contoso.onmicrosoft.com', ...r }))
      inClickTask = false
    })
    document.body.append(button)
  }, request)

/** Clicks the button; answers the popup. */
const clickSignIn = async (context: BrowserContext, page: Page): Promise<Page> => {
  const [popup] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Sign in with a popup' }).click()])
  return popup
}

const clickedOutcome = (page: Page) => page.evaluate(() => window.clicked!.outcome)
const interactionFlags = (page: Page) => page.evaluate(() => Object.keys(sessionStorage).filter((key) => key.endsWith('.interaction')))

const isolatedOptions = (redirectPath: string): ContextConfig['options'] => ({
  authority: `${isolated.url}/${TENANT}`,
  validateAuthority: false,
  redirectUri: `${suite.site.app.origin}${redirectPath}`,
})

describe('popup', () => {
  it('a second popup sign-in (another click) while one is open is an InteractionInProgressError (its popup closes); the first completes', async () => {
    const context = await suite.newContext()
    const page = await openApp(context, suite.site)
    const tokenRequestsBefore = suite.site.idp.tokenRequests.length
    await page.evaluate(() => {
      const outcomes: Promise<unknown>[] = []
      ;(window as unknown as { outcomes: Promise<unknown>[] }).outcomes = outcomes
      const button = document.createElement('button')
      button.textContent = 'Sign in'
      button.addEventListener('click', () => void outcomes.push(window.spa.settle(window.spa.app.loginPopup({ scopes: ['User.Read'], loginHint: 'alice@contoso.onmicrosoft.com' }))))
      document.body.append(button)
    })
    const [first] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Sign in' }).click()])
    await page.getByRole('button', { name: 'Sign in' }).click()
    const second = await page.evaluate(() => (window as unknown as { outcomes: Promise<unknown>[] }).outcomes[1])
    expect(second).toEqual({ ok: false, error: expect.objectContaining({ kind: 'InteractionInProgressError' }) })
    expect(context.pages().filter((open) => open !== page && open !== first)).toEqual([])
    await signInOnPage(first)
    const one = await page.evaluate(() => (window as unknown as { outcomes: Promise<unknown>[] }).outcomes[0])
    expect(one).toEqual({ ok: true, value: expect.objectContaining({ account: expect.objectContaining({ username: ALICE }) }) })
    expect(suite.site.idp.tokenRequests.slice(tokenRequestsBefore)).toHaveLength(1)
    expect(await interactionFlags(page)).toEqual([])
  })

  it('opens the popup in the click handler\'s own task, so the popup blocker allows it; the app page as redirect URI hands the response back and the popup closes', async () => {
    const context = await suite.newContext()
    const page = await openApp(context, suite.site)
    await addSignInButton(page)
    const popup = await clickSignIn(context, page)
    expect(await page.evaluate(() => window.clicked!.openedInClickTask)).toBe(true)
    // Waited for from before the sign-in: on a loaded machine the popup can close before this test
    // gets round to listening, and a close already past would never come.
    const closed = popup.waitForEvent('close')
    await signInOnPage(popup)
    await closed
    expect(await clickedOutcome(page)).toEqual({ ok: true, value: expect.objectContaining({ account: expect.objectContaining({ username: ALICE }), tokenSource: 'identity_provider' }) })
    expect(suite.site.idp.tokenRequests.map((request) => request.origin)).toEqual([suite.site.app.origin])
    expect(await interactionFlags(page)).toEqual([])
    // The app page in the popup redeemed nothing itself.
    expect(suite.site.idp.tokenRequests).toHaveLength(1)
  })

  it('blocked (no user gesture): PopupBlockedError at once, and no request', async () => {
    const context = await suite.newContext({ atLoad: 'loginPopup' })
    const page = await openApp(context, suite.site)
    const outcome = await page.evaluate(async () => {
      const started = performance.now()
      const settled = await window.spa.atLoad!
      return { settled, afterMs: performance.now() - started }
    })
    expect(outcome.settled).toEqual({ ok: false, error: expect.objectContaining({ kind: 'PopupBlockedError', message: expect.stringContaining('user action') }) })
    expect(outcome.afterMs).toBeLessThan(1_000)
    expect(context.pages()).toHaveLength(1)
    expect(suite.site.idp.requests).toEqual([])
    expect(await interactionFlags(page)).toEqual([])
  })

  it("blocked, with popupFallback: 'redirect': the same sign-in by a full-page redirect", async () => {
    const context = await suite.newContext({ atLoad: 'loginPopup', options: { popupFallback: 'redirect' } })
    const page = await context.newPage()
    await page.goto(`${suite.site.app.origin}/`)
    await signInOnPage(page)
    await page.waitForURL(`${suite.site.app.origin}/`)
    expect((await startup(page)).outcomes).toEqual([{ ok: true, value: expect.objectContaining({ account: expect.objectContaining({ username: ALICE }) }) }])
    expect(context.pages()).toHaveLength(1)
  })

  it.each([
    ['the bridge page', '/redirect.html'],
    ['the app page', '/'],
  ])(
    'with Cross-Origin-Opener-Policy on the sign-in page (the popup cut off from the app: closed reads true, no opener): the response comes back over the BroadcastChannel (%s as redirect URI)',
    async (_, redirectPath) => {
      const context = await suite.newContext({ options: isolatedOptions(redirectPath) })
      const page = await openApp(context, suite.site)
      await addSignInButton(page)
      const popup = await clickSignIn(context, page)
      await popup.waitForURL(/\/oauth2\/v2\.0\/authorize\?/)
      expect(await page.evaluate(() => window.popupHandle!.closed)).toBe(true)
      // However long the user takes, a handle cut off by COOP is not a closed popup.
      await suite.site.clock.jump(10_000)
      await signInOnPage(popup)
      expect(await clickedOutcome(page)).toEqual({ ok: true, value: expect.objectContaining({ account: expect.objectContaining({ username: ALICE }) }) })
      if (!popup.isClosed()) await popup.waitForEvent('close')
      expect(isolated.tokenRequests.map((request) => request.origin)).toEqual([suite.site.app.origin])
      expect(await interactionFlags(page)).toEqual([])
    },
  )

  it('the bridge page is served without Cross-Origin-Opener-Policy', async () => {
    const response = await fetch(`${suite.site.app.origin.replace('localhost', '127.0.0.1')}/redirect.html`)
    expect(response.status).toBe(200)
    expect(response.headers.get('cross-origin-opener-policy')).toBeNull()
    expect(await response.text()).toContain('/bridge.js')
  })

  it('a popup the user closes on the sign-in page (no COOP) is a CancelledError within about a second; the next popup works', async () => {
    const context = await suite.newContext()
    const page = await openApp(context, suite.site)
    await addSignInButton(page)
    const popup = await clickSignIn(context, page)
    await popup.waitForURL(/\/oauth2\/v2\.0\/authorize\?/)
    // The user looks at the sign-in page for a moment (the app sees it there), then closes it.
    await suite.site.clock.pass(1_000)
    const closedAt = Date.now()
    await popup.close()
    expect(await clickedOutcome(page)).toEqual({ ok: false, error: expect.objectContaining({ kind: 'CancelledError', message: expect.stringContaining('closed the popup') }) })
    expect(Date.now() - closedAt).toBeLessThan(1_500)
    expect(await interactionFlags(page)).toEqual([])

    const next = await clickSignIn(context, page)
    await signInOnPage(next)
    expect(await clickedOutcome(page)).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'identity_provider' }) })
  })

  it('a popup cut off by COOP that never answers ends at popupTimeoutMs (virtual time) with a TimeoutError; the flag is released', async () => {
    const context = await suite.newContext({ options: { ...isolatedOptions('/redirect.html'), popupTimeoutMs: 120_000 } })
    const page = await openApp(context, suite.site)
    await addSignInButton(page)
    const popup = await clickSignIn(context, page)
    await popup.waitForURL(/\/oauth2\/v2\.0\/authorize\?/)
    await popup.close()
    await suite.site.clock.jump(60_000)
    expect(await page.evaluate(() => Promise.race([window.clicked!.outcome, new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))]))).toBe('waiting')
    await suite.site.clock.jump(60_000)
    expect(await clickedOutcome(page)).toEqual({ ok: false, error: expect.objectContaining({ kind: 'TimeoutError', message: expect.stringContaining('no response came back from the popup') }) })
    expect(await interactionFlags(page)).toEqual([])
  })
})
