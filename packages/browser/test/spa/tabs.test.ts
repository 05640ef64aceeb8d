/**
 * One refresh across tabs in real Chromium (issue 11, item 8): with tokens in localStorage, three
 * tabs each making ten concurrent acquireTokenSilent calls after the access token expired make
 * exactly one token request at the provider; every tab gets the same new token. Identical calls
 * in a tab share one flight; across tabs a Web Lock per client and account orders the refresh,
 * and a tab that waited re-reads storage and reuses the token the first one got.
 */
import type { Page } from 'playwright-core'
import { openApp, signedInApp, spaSuite } from './harness.js'

const suite = spaSuite()

declare global {
  interface Window {
    /** The calls this tab makes when the test says go (a message on the "go" channel). */
    burst?: Promise<Array<{ token: string; source: string } | { error: string }>>
  }
}

/** Arms a tab: on "go", `calls` concurrent acquireTokenSilent calls for the active account. */
const arm = (page: Page, calls: number): Promise<void> =>
  page.evaluate((n) => {
    const go = new BroadcastChannel('go')
    window.burst = new Promise<void>((resolve) => (go.onmessage = () => resolve())).then(() =>
      Promise.all(
        Array.from({ length: n }, () =>
          window.spa.app.acquireTokenSilent({ scopes: ['User.Read'] }).then(
            (result) => ({ token: result.accessToken, source: result.tokenSource }),
            (error: { kind?: string; message?: string }) => ({ error: `${error.kind}: ${error.message}` }),
          ),
        ),
      ),
    )
  }, calls)

describe('tabs', () => {
  it.each([
    ['', {}],
    [' (cache encryption on: the waiting tabs decrypt what the refreshing tab wrote)', { cacheEncryption: 'session' as const }],
  ])('three tabs × ten concurrent acquireTokenSilent calls after the access token expired: exactly one token request, one new token in every tab%s', async (_, encryption) => {
    const context = await suite.newContext({ ...encryption, options: { cacheLocation: 'localStorage' } })
    const { page: first, result } = await signedInApp(context, suite.site)
    await first.evaluate((account) => window.spa.app.setActiveAccount(account), result.account)
    const others = [await openApp(context, suite.site), await openApp(context, suite.site)]
    const tabs = [first, ...others]
    await Promise.all(tabs.map((tab) => tab.evaluate(() => window.spa.app.initialize())))
    // Every tab knows the account and its token from localStorage.
    expect(await Promise.all(tabs.map((tab) => tab.evaluate(() => window.spa.app.getActiveAccount()?.username)))).toEqual(Array(3).fill(result.account.username))

    await suite.site.clock.jump(3_600_000)
    suite.site.idp.clearRequests()
    await Promise.all(tabs.map((tab) => arm(tab, 10)))
    await first.evaluate(() => new BroadcastChannel('go').postMessage('go'))
    const bursts = await Promise.all(tabs.map((tab) => tab.evaluate(() => window.burst!)))

    expect(suite.site.idp.tokenRequests.map((request) => request.form['grant_type'])).toEqual(['refresh_token'])
    const all = bursts.flat()
    expect(all).toHaveLength(30)
    const tokens = new Set(all.map((outcome) => ('token' in outcome ? outcome.token : outcome.error)))
    expect(tokens.size).toBe(1)
    const [token] = tokens
    expect(token).not.toBe(result.accessToken)
    expect(token).toMatch(/^ey/)
    // One tab redeemed the refresh token; the others found its token in storage after the lock.
    expect(new Set(bursts.map((burst) => burst[0] !== undefined && 'source' in burst[0] && burst[0].source))).toEqual(new Set(['identity_provider', 'cache']))
    expect(suite.site.idp.preflightRequests).toEqual([])
  })
})

