/**
 * The SPA's sign-in, refresh and sign-out code is a chunk a page loads when a call first needs it
 * (spa/flows.ts). When that chunk does not load, the call fails with a NetworkError saying so (a
 * popup it opened closes), a cache hit still answers, and the chunk is asked for again.
 */
import { signedInApp, spaSuite } from './harness.js'

const suite = spaSuite()

describe('lazily loaded code', () => {
  it('a flows chunk that does not load: NetworkError naming it, the popup closed, cache hits unaffected; asked for again by the next call', async () => {
    const context = await suite.newContext()
    const { page, result } = await signedInApp(context, suite.site)
    // The page loaded again (nothing loaded yet; its tokens are in this tab's storage), and the network refuses its flows chunk.
    const flowsRequests: string[] = []
    await page.route('**/flows-*.js', (route) => {
      flowsRequests.push(route.request().url())
      return route.abort('connectionrefused')
    })
    await page.reload()
    await page.waitForFunction(() => window.spa !== undefined)
    const silent = (forceRefresh: boolean) =>
      page.evaluate(([account, force]) => window.spa.settle(window.spa.app.acquireTokenSilent({ scopes: ['User.Read'], account, forceRefresh: force })), [result.account, forceRefresh] as const)

    // A cache hit needs no chunk.
    expect(await silent(false)).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'cache' }) })
    expect(flowsRequests).toEqual([])

    // A refresh does: it fails, saying what did not load.
    const refused = await silent(true)
    expect(refused).toEqual({ ok: false, error: expect.objectContaining({ kind: 'NetworkError', message: expect.stringMatching(/sign-in and refresh code .* did not load/) }) })
    expect(flowsRequests).toHaveLength(1)

    // A popup sign-in opens its popup in the click's task, then closes it when the code does not load.
    await page.evaluate(() => {
      const button = document.createElement('button')
      button.textContent = 'Sign in with a popup'
      button.addEventListener('click', () => {
        window.clicked = { outcome: window.spa.settle(window.spa.app.loginPopup({ scopes: ['User.Read'] })) }
      })
      document.body.append(button)
    })
    const [popup] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Sign in with a popup' }).click()])
    const closed = popup.isClosed() ? Promise.resolve() : popup.waitForEvent('close')
    expect(await page.evaluate(() => window.clicked!.outcome)).toEqual({ ok: false, error: expect.objectContaining({ kind: 'NetworkError' }) })
    await closed
    // Each call asked for the chunk again (a failed load is not kept).
    expect(flowsRequests).toHaveLength(2)

    // Once it loads, the same refresh succeeds.
    await page.unroute('**/flows-*.js')
    expect(await silent(true)).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'identity_provider' }) })
  })

  it("the HTTP code's chunk refused: a request is a NetworkError saying so; the page effects' chunk refused: a refresh still works (no lock, a CORS preflight)", async () => {
    const context = await suite.newContext()
    const { page, result } = await signedInApp(context, suite.site)
    const refresh = () =>
      page.evaluate((account) => window.spa.settle(window.spa.app.acquireTokenSilent({ scopes: ['User.Read'], account, forceRefresh: true })), result.account)
    await page.route('**/http-*.js', (route) => route.abort('connectionrefused'))
    await page.reload()
    await page.waitForFunction(() => window.spa !== undefined)
    expect(await refresh()).toEqual({ ok: false, error: expect.objectContaining({ kind: 'NetworkError', message: expect.stringMatching(/HTTP code .* did not load/) }) })
    await page.unroute('**/http-*.js')

    await page.route('**/pageEffects-*.js', (route) => route.abort('connectionrefused'))
    await page.reload()
    await page.waitForFunction(() => window.spa !== undefined)
    expect(await refresh()).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'identity_provider' }) })
  })
})
