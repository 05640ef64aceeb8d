/**
 * The example single-page app (examples/spa: `./dev spa`, and `./dev spa --check`, which runs
 * the same check) in real Chromium against the fake identity provider, as a person clicks
 * through it: redirect sign-in through the bridge page, an API call with the access token, a
 * silent refresh, redirect sign-out, popup sign-in as another user, an API call, popup sign-out.
 * The page's script is bundled from the packages' sources here; `./dev spa` bundles the built
 * packages, as the second test does.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose'
import type { Browser, BrowserContext } from 'playwright-core'
import { API_AUDIENCE } from '../../../../examples/spa/api.mjs'
import { runSpaCheck } from '../../../../examples/spa/check.mjs'
import { startSpaExample, USERS, type RunningSpaExample } from '../../../../examples/spa/example.mjs'
import { closeServer, startRefusingProxy } from '../../../testing/test/chromium/chromium.js'
import { isBrowserOwnService, userChromium, workspaceSources } from './harness.js'

// Eight steps, each a page load or a popup: seconds each on a loaded machine.
;(import.meta as ImportMeta & { jest: { setTimeout(ms: number): void } }).jest.setTimeout(120_000)

const [ALICE, BOB] = USERS as [(typeof USERS)[number], (typeof USERS)[number]]
const APP_ORIGIN = /^http:\/\/localhost:\d+$/

describe('examples/spa in Chromium', () => {
  let proxy: Awaited<ReturnType<typeof startRefusingProxy>>
  let browser: Browser
  let context: BrowserContext
  beforeAll(async () => {
    proxy = await startRefusingProxy()
    const through = { server: `http://127.0.0.1:${(proxy.server.address() as { port: number }).port}`, bypass: '127.0.0.1,localhost' }
    browser = await userChromium(through)
    context = await browser.newContext({ proxy: through })
  }, 90_000)
  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await closeServer(proxy.server)
  })

  it('signs in by redirect and by popup, calls the API with the token, refreshes silently and signs out both ways; the page shows each step', async () => {
    const result = await runSpaCheck({ context, plugins: [workspaceSources] })

    expect(result.failure).toBeUndefined()
    expect(result.steps.map(({ step, status }) => [step, status])).toEqual([
      ['1. open the app', 'Not signed in'],
      ['2. sign in by redirect', `Signed in as ${ALICE.displayName} (${ALICE.username})`],
      ['3. call the API', `Signed in as ${ALICE.displayName} (${ALICE.username})`],
      ['4. refresh the token', `Signed in as ${ALICE.displayName} (${ALICE.username})`],
      ['5. sign out by redirect', 'Not signed in'],
      ['6. sign in with a popup', `Signed in as ${BOB.displayName} (${BOB.username})`],
      ['7. call the API', `Signed in as ${BOB.displayName} (${BOB.username})`],
      ['8. sign out with a popup', 'Not signed in'],
    ])
    expect(result.steps[1]?.lastAction).toBe(`loginRedirect: signed in as ${ALICE.username} (token from identity_provider)`)
    // The API validated the token (signature, issuer, audience, permission) and says whose it is.
    expect(result.steps[2]).toMatchObject({
      tokenSource: 'cache',
      api: { status: 200, body: { message: `Hello, ${ALICE.displayName}`, caller: { username: ALICE.username }, token: { aud: 'api://spa-example-api', scp: 'Profile.Read' } } },
    })
    expect(result.steps[3]).toMatchObject({ tokenSource: 'identity_provider', lastAction: 'acquireTokenSilent({ forceRefresh: true }): a new token from identity_provider' })
    expect(result.steps[5]?.lastAction).toBe(`loginPopup: signed in as ${BOB.username} (token from identity_provider)`)
    expect(result.steps[6]).toMatchObject({ tokenSource: 'cache', api: { status: 200, body: { message: `Hello, ${BOB.displayName}`, caller: { username: BOB.username } } } })
    expect(result.steps[7]?.lastAction).toBe('logoutPopup: signed out')

    // Two codes and a refresh token redeemed from the page (cross-origin, as a SPA must), with no
    // CORS preflight; each sign-out ended that user's session at the provider.
    expect(result.tokenRequests).toEqual([
      { grantType: 'authorization_code', origin: expect.stringMatching(APP_ORIGIN) },
      { grantType: 'refresh_token', origin: expect.stringMatching(APP_ORIGIN) },
      { grantType: 'authorization_code', origin: expect.stringMatching(APP_ORIGIN) },
    ])
    expect(result.idpPreflights).toBe(0)
    expect(result.endSessions).toEqual([[ALICE.username], [BOB.username]])
    // The API call carries Authorization: one preflight (then cached by the browser), two calls.
    expect(result.apiRequests).toEqual(['OPTIONS 204', 'GET 200', 'GET 200'])
    // The redirect sign-in came back through the bridge page (its response in the fragment),
    // which returned to the app; the sign-out came back to the app; the popups' redirect URI
    // is the bridge page too.
    expect(result.pageLoads).toEqual(['/', '/redirect.html', '/', expect.stringMatching(/^\/\?state=[\w-]+$/), '/redirect.html', expect.stringMatching(/^\/redirect\.html\?state=[\w-]+$/)])
    expect(result.pageErrors).toEqual([])
    expect(proxy.refused.filter((target) => !isBrowserOwnService(target))).toEqual([])
    expect(result.ok).toBe(true)
  })
})

describe('examples/spa as ./dev spa serves it', () => {
  const built = join(import.meta.dirname, '..', '..', 'dist', 'index.js')
  let example: RunningSpaExample
  beforeAll(async () => {
    if (!existsSync(built)) throw new Error('packages/browser/dist is missing: run the build first (./dev test does)')
    example = await startSpaExample()
  }, 60_000)
  afterAll(() => example?.close())

  it('bundles the page from the built packages, and the bridge page stays tiny', () => {
    expect(new TextDecoder().decode(example.bundle.files['app.js'])).toContain('msal-ts.events.')
    expect(new TextDecoder().decode(example.bundle.files['redirect.js'])).toContain('msal-ts.response')
    expect(example.bundle.sizes.redirect.gzip).toBeLessThan(1_500)
    expect(example.bundle.sizes.app.gzip).toBeGreaterThan(10 * example.bundle.sizes.redirect.gzip)
  })

  it('serves the app with a strict Content-Security-Policy and the bridge page without a Cross-Origin-Opener-Policy', async () => {
    const page = await fetch(`${example.site.origin.replace('localhost', '127.0.0.1')}/some/route`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toBe(
      `default-src 'self'; connect-src 'self' ${new URL(example.authority).origin} ${example.api.url}; frame-src 'self' ${new URL(example.authority).origin}; object-src 'none'; base-uri 'none'; form-action 'none'`,
    )
    const bridge = await fetch(`${example.site.origin.replace('localhost', '127.0.0.1')}/redirect.html`)
    expect(bridge.status).toBe(200)
    expect(bridge.headers.get('cross-origin-opener-policy')).toBeNull()
    expect(await (await fetch(`${example.site.origin.replace('localhost', '127.0.0.1')}/missing.js`)).text()).toBe('not found')
  })

  /** An access token's claims as the provider would issue them for the API (not signed here). */
  const claims = async () => {
    const { issuer } = (await (await fetch(`${example.authority}/v2.0/.well-known/openid-configuration`)).json()) as { issuer: string }
    const nowSec = Math.floor(Date.now() / 1000)
    return { iss: issuer, aud: API_AUDIENCE, scp: 'Profile.Read', name: ALICE.displayName, iat: nowSec, exp: nowSec + 3600 }
  }

  it("the API answers only the app's origin, and refuses a request without a valid bearer token", async () => {
    const appOrigin = example.site.origin
    const preflight = (origin: string) =>
      fetch(`${example.api.url}/me`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } })
    const granted = await preflight(appOrigin)
    expect(granted.status).toBe(204)
    expect(granted.headers.get('access-control-allow-origin')).toBe(appOrigin)
    expect(granted.headers.get('access-control-allow-headers')).toBe('authorization')
    expect((await preflight('http://localhost:1')).headers.get('access-control-allow-origin')).toBeNull()

    const none = await fetch(`${example.api.url}/me`, { headers: { origin: appOrigin } })
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toBe('Bearer')
    expect(none.headers.get('access-control-allow-origin')).toBe(appOrigin)

    const unsigned = await fetch(`${example.api.url}/me`, { headers: { authorization: `Bearer ${new UnsecuredJWT(await claims()).encode()}` } })
    expect(unsigned.status).toBe(401)
    expect(await unsigned.json()).toEqual({ error: 'invalid_token', error_description: 'ERR_JOSE_ALG_NOT_ALLOWED: alg (Algorithm) Header Parameter value not allowed' })

    // The right claims, signed by a key that is not the provider's.
    const { privateKey } = await generateKeyPair('RS256')
    const forged = await new SignJWT(await claims()).setProtectedHeader({ alg: 'RS256', kid: 'not-the-providers' }).sign(privateKey)
    const refused = await fetch(`${example.api.url}/me`, { headers: { authorization: `Bearer ${forged}` } })
    expect(refused.status).toBe(401)
    expect(await refused.json()).toMatchObject({ error: 'invalid_token', error_description: expect.stringMatching(/^ERR_JWKS_NO_MATCHING_KEY/) })
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", error_description="ERR_JWKS_NO_MATCHING_KEY/)
  })
})
