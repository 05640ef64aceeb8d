/**
 * The fake answers browser pages of another origin as Entra does: CORS preflights for its API
 * endpoints, and the page's origin echoed on the answers. Real Chromium exercises this end to end
 * in packages/browser/test/runtimes.e2e.test.ts; here each rule is pinned over real HTTP.
 */
import { FakeIdentityProvider, faults } from '@msal-ts/testing'

const CLIENT = 'app-1'
const SECRET = 's3cret'
const PAGE = 'http://localhost:5173'
/** The headers msal-ts sends with a token request, as a browser lists them in a preflight. */
const MSAL_HEADERS = 'client-request-id,content-type,x-client-os,x-client-sku,x-client-ver,x-ms-lib-capability'

describe('FakeIdentityProvider: CORS for browser pages', () => {
  let idp: FakeIdentityProvider
  let base: string
  beforeEach(async () => {
    idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET })
    base = await idp.listen()
  })
  afterEach(() => idp.close())

  const preflight = (path: string, method: string, headers = MSAL_HEADERS) =>
    fetch(`${base}${path}`, { method: 'OPTIONS', headers: { origin: PAGE, 'access-control-request-method': method, 'access-control-request-headers': headers } })

  it.each([
    ['the token endpoint', '/contoso.onmicrosoft.com/oauth2/v2.0/token', 'POST'],
    ['tenant discovery', '/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration', 'GET'],
    ['instance discovery', '/common/discovery/instance', 'GET'],
    ['the signing keys', '/contoso.onmicrosoft.com/discovery/v2.0/keys', 'GET'],
    ['the end-session endpoint (a page that apps may also fetch)', '/contoso.onmicrosoft.com/oauth2/v2.0/logout', 'GET'],
  ])('grants a preflight for %s: the origin, its method and MSAL\'s headers', async (_, path, method) => {
    const response = await preflight(path, method)
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE)
    expect(response.headers.get('access-control-allow-methods')?.split(', ')).toContain(method)
    expect(response.headers.get('access-control-allow-headers')?.split(', ')).toEqual(expect.arrayContaining(MSAL_HEADERS.split(',')))
    expect(response.headers.get('vary')).toBe('Origin')
  })

  it('grants nothing for a method the endpoint does not take or a header MSAL does not send', async () => {
    for (const response of [await preflight('/t/oauth2/v2.0/token', 'PUT'), await preflight('/t/oauth2/v2.0/token', 'POST', 'content-type,x-custom')]) {
      expect(response.status).toBe(204)
      expect(response.headers.get('access-control-allow-origin')).toBeNull()
    }
  })

  it('answers 404 to a preflight for an unknown path or a page (the authorization endpoint)', async () => {
    expect((await preflight('/nothing/here', 'GET')).status).toBe(404)
    expect((await preflight('/t/oauth2/v2.0/authorize', 'GET')).status).toBe(404)
  })

  it('echoes the page origin on answers, errors and faults included; requests without Origin get no CORS headers', async () => {
    const token = (headers: Record<string, string>, secret = SECRET) =>
      fetch(`${base}/t/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT, client_secret: secret, scope: 'api://x/.default' }),
      })
    const ok = await token({ origin: PAGE })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('access-control-allow-origin')).toBe(PAGE)
    expect(ok.headers.get('access-control-expose-headers')).toContain('retry-after')
    const refused = await token({ origin: PAGE }, 'wrong')
    expect(refused.status).toBe(401)
    expect(refused.headers.get('access-control-allow-origin')).toBe(PAGE)
    idp.injectFault(faults.throttled(7), { path: '/token' })
    const throttled = await token({ origin: PAGE })
    expect([throttled.status, throttled.headers.get('access-control-allow-origin'), throttled.headers.get('retry-after')]).toEqual([429, PAGE, '7'])
    expect((await token({})).headers.get('access-control-allow-origin')).toBeNull()
  })

  it('records preflights (as OPTIONS) without counting them as token requests or letting them take a fault', async () => {
    idp.injectFault(faults.serverError(500), { path: '/token' })
    await preflight('/t/oauth2/v2.0/token', 'POST')
    expect(idp.requests.map((request) => request.method)).toEqual(['OPTIONS'])
    expect(idp.requests[0]).toMatchObject({ origin: PAGE, preflight: true })
    expect(idp.preflightRequests).toEqual(idp.requests)
    expect(idp.tokenRequests).toHaveLength(0)
    const faulted = await fetch(`${base}/t/oauth2/v2.0/token`, { method: 'POST', headers: { origin: PAGE } })
    expect(faulted.status).toBe(500)
  })

  it('answers CORS-simple requests (only a form content type, as a SPA sends) with no preflight, and records their Origin', async () => {
    const discovery = await fetch(`${base}/t/v2.0/.well-known/openid-configuration`, { headers: { origin: PAGE } })
    const token = await fetch(`${base}/t/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { origin: PAGE, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT, client_secret: SECRET, scope: 'api://x/.default' }),
    })
    for (const response of [discovery, token]) expect([response.status, response.headers.get('access-control-allow-origin')]).toEqual([200, PAGE])
    await fetch(`${base}/t/v2.0/.well-known/openid-configuration`)
    expect(idp.requests.map((request) => [request.method, request.origin, request.preflight])).toEqual([
      ['GET', PAGE, false],
      ['POST', PAGE, false],
      ['GET', undefined, false],
    ])
    expect(idp.preflightRequests).toEqual([])
    expect(idp.tokenRequests).toHaveLength(1)
  })
})
