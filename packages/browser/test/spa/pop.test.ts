/**
 * Proof-of-possession tokens and SSH certificates in the single-page app, in real Chromium
 * (issue 15): msal-browser's `authenticationScheme: 'pop'` fields on acquireTokenSilent,
 * acquireTokenPopup and acquireTokenRedirect, a non-extractable WebCrypto key kept in IndexedDB,
 * and the page calling the testing kit's resource server (401 with a nonce, then 200), which
 * verifies each signed request as a resource does. Bearer and PoP tokens for one scope stay
 * apart; without `proofOfPossession` such a request is a ConfigurationError.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { parseSshCertificate, PopResourceServer } from '@msal-ts/testing'
import { ALICE, openApp, signedInApp, signInToBrowser, spaSuite, ssoByRedirect, startup, type Outcome, type TokenResultData } from './harness.js'

const suite = spaSuite()
const API = 'api://contoso-orders'
const SCOPE = `${API}/Orders.Read`

let resource: PopResourceServer
let base: string
beforeAll(async () => {
  resource = new PopResourceServer({ jwks: () => suite.site.idp.jwks(), clock: suite.site.clock.now, audience: API, allowedOrigins: '*' })
  base = await resource.listen()
})
afterAll(() => resource.close())

/** What a page learns from one PoP call: the token result, and the resource's answer to it. */
interface PopCall {
  readonly token: Outcome<TokenResultData>
  readonly challenge?: number
  readonly status?: number
  readonly body?: Record<string, unknown>
}

/**
 * The calling pattern an app follows (MSAL Python's test_at_pop_calling_pattern): call the
 * resource, read the nonce from its 401, ask for a PoP token for that request, call again.
 */
const callResource = (page: Page, account: unknown, url: string, method = 'GET'): Promise<PopCall> =>
  page.evaluate(
    async ({ account, url, method }) => {
      const first = await fetch(url, { method })
      const nonce = /PoP nonce="([^"]+)"/.exec(first.headers.get('www-authenticate') ?? '')?.[1]
      const request = { scopes: ['api://contoso-orders/Orders.Read'], account, authenticationScheme: 'pop' as const, resourceRequestMethod: method, resourceRequestUri: url, shrNonce: nonce }
      const token = await window.spa.settle(window.spa.app.acquireTokenSilent(request as never))
      if (!token.ok) return { token, challenge: first.status }
      const answer = await fetch(url, { method, headers: { Authorization: `PoP ${token.value.accessToken}` } })
      return { token, challenge: first.status, status: answer.status, body: (await answer.json()) as Record<string, unknown> }
    },
    { account, url, method },
  ) as Promise<PopCall>

const popContext = (): Promise<BrowserContext> => suite.newContext({ proofOfPossession: true })
const tokenPosts = () => suite.site.idp.tokenRequests
const kidOf = (reqCnf: string | undefined): unknown => JSON.parse(Buffer.from(reqCnf ?? '', 'base64url').toString()).kid

describe('PoP tokens in the browser', () => {
  it('acquireTokenSilent: a PoP token through the refresh token, bound to a non-extractable key in IndexedDB; the resource answers 401 with a nonce, then 200', async () => {
    const { page, result } = await signedInApp(await popContext(), suite.site)
    expect(await page.evaluate(() => window.spa.app.isPopSupported())).toBe(true)
    const call = await callResource(page, result.account, `${base}/v1/orders?status=open`)
    expect(call).toMatchObject({ challenge: 401, status: 200, token: { ok: true, value: { tokenType: 'pop', tokenSource: 'identity_provider' } }, body: { ok: true, oid: suite.site.idp.getUser(ALICE)!.oid } })
    const refresh = tokenPosts().at(-1)!
    expect(refresh.form).toMatchObject({ grant_type: 'refresh_token', token_type: 'pop' })
    expect(refresh.origin).toBe(suite.site.app.origin)
    // The key: WebCrypto's, RSA 2048 / SHA-256, its private half not extractable, kept in IndexedDB under the client id.
    const stored = await page.evaluate(async () => {
      const pair = (await window.spa.storedPopKey())!
      const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey)
      const thumbprint = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n }))))
      return {
        extractable: pair.privateKey.extractable,
        algorithm: pair.privateKey.algorithm as RsaHashedKeyAlgorithm,
        kid: btoa(String.fromCharCode(...thumbprint)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
        exportRefused: await crypto.subtle.exportKey('pkcs8', pair.privateKey).then(() => false, () => true),
      }
    })
    expect(stored).toMatchObject({ extractable: false, exportRefused: true, algorithm: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, hash: { name: 'SHA-256' } } })
    expect(kidOf(refresh.form['req_cnf'])).toBe(stored.kid)
    expect(resource.calls.at(-1)?.verdict).toMatchObject({ ok: true, kid: stored.kid })
  })

  it('a cache hit signs afresh (no token request), and after a reload the same key in IndexedDB still finds the cached PoP token', async () => {
    const context = await popContext()
    const { page, result } = await signedInApp(context, suite.site)
    await callResource(page, result.account, `${base}/v1/orders`)
    const posts = tokenPosts().length
    const again = await callResource(page, result.account, `${base}/v1/orders`, 'POST')
    expect(again).toMatchObject({ status: 200, token: { value: { tokenType: 'pop', tokenSource: 'cache' } } })
    // A new page load: a new application, its key read back from IndexedDB (tokens from this tab's sessionStorage).
    await page.reload()
    await startup(page)
    const afterReload = await callResource(page, result.account, `${base}/v1/orders/42`, 'DELETE')
    expect(afterReload).toMatchObject({ status: 200, token: { value: { tokenSource: 'cache' } } })
    expect(tokenPosts()).toHaveLength(posts)
  })

  it('bearer and PoP tokens for the same scope never shadow each other', async () => {
    const { page, result } = await signedInApp(await popContext(), suite.site)
    const pop = await callResource(page, result.account, `${base}/v1/orders`)
    expect(pop.status).toBe(200)
    const bearer = await page.evaluate((account) => window.spa.settle(window.spa.app.acquireTokenSilent({ scopes: ['api://contoso-orders/Orders.Read'], account })), result.account)
    // No bearer token for the scope was cached: the PoP one is not taken for it.
    expect(bearer).toMatchObject({ ok: true, value: { tokenType: 'Bearer', tokenSource: 'identity_provider' } })
    expect(tokenPosts().map((post) => post.form['token_type'])).toEqual([undefined, 'pop', undefined])
    const entries = await page.evaluate(() =>
      Object.entries(sessionStorage)
        .filter(([key]) => key.includes('.AccessToken|'))
        .map(([, value]) => JSON.parse(value) as Record<string, string>)
        .filter((entry) => entry['target']?.includes('Orders.Read'))
        .map((entry) => [entry['token_type'], entry['key_id'] !== undefined]),
    )
    expect(entries.sort()).toEqual([
      ['Bearer', false],
      ['pop', true],
    ])
    // Each from the cache now, each its own.
    expect(await callResource(page, result.account, `${base}/v1/orders`)).toMatchObject({ status: 200, token: { value: { tokenSource: 'cache' } } })
    expect(await page.evaluate((account) => window.spa.app.acquireTokenSilent({ scopes: ['api://contoso-orders/Orders.Read'], account }).then((r) => [r.tokenType, r.tokenSource]), result.account)).toEqual(['Bearer', 'cache'])
    expect(tokenPosts()).toHaveLength(3)
  })

  it('acquireTokenPopup with the PoP fields: the code redeemed for a PoP token, which the resource accepts', async () => {
    const context = await popContext()
    await signInToBrowser(context, suite.site)
    const page = await openApp(context, suite.site)
    const nonce = resource.issueNonce()
    const url = `${base}/v1/orders`
    await page.evaluate(
      ({ url, nonce }) => {
        const button = document.createElement('button')
        button.textContent = 'Get a PoP token'
        button.addEventListener('click', () => {
          ;(window as unknown as { popped: unknown }).popped = window.spa.settle(
            window.spa.app.acquireTokenPopup({ scopes: ['api://contoso-orders/Orders.Read'], loginHint: 'alice@contoso.onmicrosoft.com', authenticationScheme: 'pop', resourceRequestMethod: 'GET', resourceRequestUri: url, shrNonce: nonce }),
          )
        })
        document.body.append(button)
      },
      { url, nonce },
    )
    await page.getByRole('button', { name: 'Get a PoP token' }).click()
    const popped = (await page.evaluate(() => (window as unknown as { popped: Promise<Outcome<TokenResultData>> }).popped)) as Outcome<TokenResultData>
    expect(popped).toMatchObject({ ok: true, value: { tokenType: 'pop', account: { username: ALICE } } })
    expect(tokenPosts().at(-1)!.form).toMatchObject({ grant_type: 'authorization_code', token_type: 'pop' })
    const token = (popped as { value: TokenResultData }).value.accessToken
    expect(await resource.verify({ method: 'GET', url, authorization: `PoP ${token}` })).toMatchObject({ ok: true })
  })

  it('acquireTokenRedirect with the PoP fields: kept across the page load, the code redeemed for a PoP token signed for that request', async () => {
    const context = await popContext()
    await signInToBrowser(context, suite.site)
    const page = await openApp(context, suite.site)
    const nonce = resource.issueNonce()
    const url = `${base}/v1/orders?mine=1`
    const outcome = await ssoByRedirect(page, suite.site, ALICE, { scopes: [SCOPE], authenticationScheme: 'pop', resourceRequestMethod: 'PUT', resourceRequestUri: url, shrNonce: nonce })
    expect(outcome).toMatchObject({ ok: true, value: { tokenType: 'pop' } })
    expect(await resource.verify({ method: 'PUT', url, authorization: `PoP ${(outcome as { value: TokenResultData }).value.accessToken}` })).toMatchObject({ ok: true })
    expect(tokenPosts().at(-1)!.form).toMatchObject({ grant_type: 'authorization_code', token_type: 'pop' })
  })

  it('SSH certificates: authenticationScheme ssh-cert with sshJwk and sshKid; msal-browser\'s errors for a missing key or key id', async () => {
    const { page, result } = await signedInApp(await popContext(), suite.site)
    const outcomes = await page.evaluate(async (account) => {
      const pair = await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])
      const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey)
      const sshJwk = JSON.stringify({ kty: 'RSA', n: jwk.n, e: jwk.e })
      const scopes = ['https://pas.windows.net/CheckMyAccess/Linux/.default']
      const ask = (fields: Record<string, unknown>) => window.spa.settle(window.spa.app.acquireTokenSilent({ scopes, account, authenticationScheme: 'ssh-cert', ...fields }))
      return { n: jwk.n, first: await ask({ sshJwk, sshKid: 'key1' }), again: await ask({ sshJwk, sshKid: 'key1' }), noJwk: await ask({ sshKid: 'key1' }), noKid: await ask({ sshJwk }) }
    }, result.account)
    expect(outcomes.first).toMatchObject({ ok: true, value: { tokenType: 'ssh-cert', tokenSource: 'identity_provider' } })
    expect(parseSshCertificate((outcomes.first as { value: TokenResultData }).value.accessToken)).toMatchObject({ keyId: 'key1', n: outcomes.n, principals: [ALICE] })
    expect(outcomes.again).toMatchObject({ ok: true, value: { tokenSource: 'cache' } })
    expect(outcomes.noJwk).toMatchObject({ ok: false, error: { kind: 'UsageError', argument: 'sshJwk', message: expect.stringContaining('Missing sshJwk in SSH certificate request') } })
    expect(outcomes.noKid).toMatchObject({ ok: false, error: { kind: 'UsageError', argument: 'sshKid' } })
  })

  it('without proofOfPossession: isPopSupported() is false and a PoP request is a ConfigurationError naming the option (no request made)', async () => {
    const { page, result } = await signedInApp(await suite.newContext(), suite.site)
    const posts = tokenPosts().length
    const outcome = await page.evaluate(
      async (account) => ({
        supported: window.spa.app.isPopSupported(),
        call: await window.spa.settle(
          window.spa.app.acquireTokenSilent({ scopes: ['api://contoso-orders/Orders.Read'], account, authenticationScheme: 'pop', resourceRequestMethod: 'GET', resourceRequestUri: 'https://orders.example/' }),
        ),
      }),
      result.account,
    )
    expect(outcome.supported).toBe(false)
    expect(outcome.call).toMatchObject({
      ok: false,
      error: { kind: 'ConfigurationError', field: 'proofOfPossession', message: expect.stringContaining('@msal-ts/browser/pop') },
    })
    expect(tokenPosts()).toHaveLength(posts)
  })
})
