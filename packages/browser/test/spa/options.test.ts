/**
 * The SPA's options in real Chromium, where a browser is needed to see them act: `timeout` is in
 * seconds, as every msal-ts application class (and MSAL Python) takes it.
 */
import { signedInApp, spaSuite } from './harness.js'

const suite = spaSuite()

describe('options', () => {
  it('timeout is seconds per request: a refresh slower than it is a TimeoutError, one within it succeeds', async () => {
    const context = await suite.newContext()
    const { page, result } = await signedInApp(context, suite.site)
    // Token requests leave the browser after 500 ms (one the page gave up on by then never does).
    await page.route('**/oauth2/v2.0/token*', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 500))
      await route.continue().catch(() => undefined)
    })
    const refreshWith = (timeout: number) =>
      page.evaluate(
        ([seconds, account]) => window.spa.settle(window.spa.create({ timeout: seconds }).acquireTokenSilent({ scopes: ['User.Read'], account, forceRefresh: true })),
        [timeout, result.account] as const,
      )
    expect(await refreshWith(10)).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'identity_provider' }) })
    expect(await refreshWith(0.1)).toEqual({ ok: false, error: expect.objectContaining({ kind: 'TimeoutError' }) })
    expect(suite.site.idp.tokenRequests.filter((request) => request.form['grant_type'] === 'refresh_token')).toHaveLength(1)
  })
})
