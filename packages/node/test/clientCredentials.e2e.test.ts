import { decodeJwt } from 'jose'
import type { Effect } from '@msal-ts/core'
import { ConfidentialClientApplication, createNodeInterpreter, MsalError, TokenCache, type Logger } from '@msal-ts/node'
import { FakeIdentityProvider, faults, fixedClock } from '@msal-ts/testing'
import { rejectionOf } from './support/rejection.js'

const CLIENT = '0f9e8d7c-6b5a-4493-8281-7f6e5d4c3b2a'
const SECRET = 'e2e-secret'
const SCOPES = ['api://e2e/.default']

const newIdp = (options = {}) => new FakeIdentityProvider(options).registerApp({ clientId: CLIENT, clientSecret: SECRET })

describe('acquireTokenForClient against the fake identity provider, in process', () => {
  const app = (idp: FakeIdentityProvider, extra: Record<string, unknown> = {}) =>
    new ConfidentialClientApplication({
      clientId: CLIENT,
      clientCredential: SECRET,
      authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
      httpClient: idp.fetch,
      ...extra,
    })

  it('costs one request cold (built-in endpoints for a Microsoft host) and none warm', async () => {
    const idp = newIdp()
    const cca = app(idp)
    const first = await cca.acquireTokenForClient(SCOPES)
    expect(first).toMatchObject({ tokenSource: 'identity_provider', tokenType: 'Bearer', expiresIn: 3599, scopes: SCOPES })
    expect(decodeJwt(first.accessToken)).toMatchObject({ aud: 'api://e2e', azp: CLIENT })
    expect(idp.requests).toHaveLength(1)
    const request = idp.requests[0]!
    expect(request.url).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token')
    expect(request.form).toEqual({ grant_type: 'client_credentials', client_id: CLIENT, scope: 'api://e2e/.default', client_secret: SECRET })
    expect(request.headers).toMatchObject({
      'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
      'x-client-sku': 'msal.ts.node',
      'x-client-ver': '0.1.0',
      'x-client-os': process.platform,
      'x-ms-lib-capability': 'retry-after, h429',
      'client-request-id': first.correlationId,
      'x-client-current-telemetry': '4|730,2|',
      'x-client-last-telemetry': '4|0|||',
    })
    const second = await cca.acquireTokenForClient(SCOPES)
    expect(second).toMatchObject({ tokenSource: 'cache', accessToken: first.accessToken })
    expect(second.correlationId).not.toBe(first.correlationId)
    expect(idp.requests).toHaveLength(1)
  })

  it('sends 50 identical concurrent cold calls as one request, and gives each caller its own result object', async () => {
    const idp = newIdp()
    const cca = app(idp)
    const results = await Promise.all(Array.from({ length: 50 }, () => cca.acquireTokenForClient(SCOPES)))
    expect(idp.tokenRequests).toHaveLength(1)
    expect(new Set(results.map((r) => r.accessToken)).size).toBe(1)
    expect(new Set(results).size).toBe(50)
  })

  it('does not merge calls that differ (other scopes, a claims challenge)', async () => {
    const idp = newIdp()
    const cca = app(idp)
    await Promise.all([
      cca.acquireTokenForClient(SCOPES),
      cca.acquireTokenForClient(['api://other/.default']),
      cca.acquireTokenForClient(SCOPES, { claimsChallenge: '{"access_token":{"nbf":{"essential":true}}}' }),
    ])
    expect(idp.tokenRequests).toHaveLength(3)
  })

  it('shares one failure between concurrent callers; the next identical call waits out Retry-After without the network', async () => {
    // The Node interpreter on virtual time: Retry-After passes when the test says.
    const clock = fixedClock()
    const idp = newIdp({ clock: clock.now }).injectFault(faults.throttled(1), { path: '/token' })
    const node = createNodeInterpreter({ httpClient: idp.fetch })
    const cca = app(idp, { interpreter: (effect: Effect) => (effect._tag === 'Now' ? clock.now() : node(effect)) })
    const failures = await Promise.all([1, 2, 3].map(() => rejectionOf(cca.acquireTokenForClient(SCOPES))))
    expect(failures.map((f) => f.kind)).toEqual(['ThrottledError', 'ThrottledError', 'ThrottledError'])
    expect(idp.tokenRequests).toHaveLength(1)
    expect(await rejectionOf(cca.acquireTokenForClient(SCOPES))).toMatchObject({ kind: 'ThrottledError', retryAfterMs: 1000 })
    expect(idp.tokenRequests).toHaveLength(1)
    clock.advance(999)
    expect(await rejectionOf(cca.acquireTokenForClient(SCOPES))).toMatchObject({ kind: 'ThrottledError' })
    expect(idp.tokenRequests).toHaveLength(1)
    clock.advance(1)
    expect((await cca.acquireTokenForClient(SCOPES)).tokenSource).toBe('identity_provider')
    expect(idp.tokenRequests).toHaveLength(2)
  })

  it('reports the failure in the next request`s telemetry, and clears it after a success', async () => {
    const idp = newIdp().injectFault(faults.serverError(500), { path: '/token' })
    const cca = app(idp)
    const failure = await rejectionOf(cca.acquireTokenForClient(SCOPES))
    await cca.acquireTokenForClient(['api://second/.default']) // other scopes: not held back by the 500
    await cca.acquireTokenForClient(['api://other/.default'])
    const last = idp.tokenRequests.map((r) => r.headers['x-client-last-telemetry'])
    expect(last).toEqual(['4|0|||', `4|0|730,${failure.correlationId}|temporarily_unavailable|`, '4|0|||'])
  })

  it('sends client capabilities as xms_cc, and a claims challenge merged with them', async () => {
    const idp = newIdp()
    const cca = app(idp, { clientCapabilities: ['CP1'] })
    const plain = await cca.acquireTokenForClient(SCOPES)
    expect(decodeJwt(plain.accessToken)['xms_cc']).toEqual(['CP1'])
    await cca.acquireTokenForClient(SCOPES, { claimsChallenge: '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}' })
    expect(JSON.parse(idp.tokenRequests[1]!.form['claims']!)).toEqual({ access_token: { acrs: { essential: true, value: 'c1' }, xms_cc: { values: ['CP1'] } } })
    expect(idp.tokenRequests[1]!.headers['x-client-current-telemetry']).toBe('4|730,1|')
  })

  it('keeps apps apart in a shared cache, and removeTokensForClient forgets only its own', async () => {
    const idp = newIdp().registerApp({ clientId: 'other-client', clientSecret: 'other' })
    const cache = new TokenCache()
    const mine = app(idp, { tokenCache: cache })
    const theirs = new ConfidentialClientApplication({ clientId: 'other-client', clientCredential: 'other', authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com', httpClient: idp.fetch, tokenCache: cache })
    const other = app(idp, { tokenCache: cache, authority: 'https://login.microsoftonline.com/fabrikam.onmicrosoft.com' })
    const [a, b, c] = [await mine.acquireTokenForClient(SCOPES), await theirs.acquireTokenForClient(SCOPES), await other.acquireTokenForClient(SCOPES)]
    expect(new Set([a.accessToken, b.accessToken, c.accessToken]).size).toBe(3)
    expect(cache.accessTokenCount).toBe(3)
    mine.removeTokensForClient() // this client, every tenant in its environment
    expect(cache.accessTokenCount).toBe(1)
    expect((await theirs.acquireTokenForClient(SCOPES)).tokenSource).toBe('cache')
    expect((await mine.acquireTokenForClient(SCOPES)).tokenSource).toBe('identity_provider')
  })

  it('rejects empty scopes at once, without a request and without caching anything', async () => {
    const idp = newIdp()
    const cca = app(idp)
    const error = await rejectionOf(cca.acquireTokenForClient([]))
    expect(error).toMatchObject({ kind: 'UsageError', error: 'invalid_argument', argument: 'scopes', message: 'scopes: expected at least one scope, got an empty array' })
    expect(idp.requests).toHaveLength(0)
    expect(cca.tokenCache.accessTokenCount).toBe(0)
  })

  it('answers junk scopes with a UsageError even while another call is in flight', async () => {
    const cca = app(newIdp())
    const pending = cca.acquireTokenForClient(SCOPES)
    const cyclic: unknown[] = []
    cyclic.push(cyclic)
    const error = await rejectionOf(cca.acquireTokenForClient(cyclic as never))
    expect(error).toMatchObject({ kind: 'UsageError', argument: 'scopes' })
    await pending
  })

  it('rejects a claims challenge that is not JSON', async () => {
    const error = await rejectionOf(app(newIdp()).acquireTokenForClient(SCOPES, { claimsChallenge: 'nope' }))
    expect(error).toMatchObject({ kind: 'UsageError', argument: 'claimsChallenge' })
  })

  it('warns that /common cannot issue app tokens, and passes on the error Entra gives', async () => {
    const lines: string[] = []
    const cca = app(newIdp(), { authority: 'https://login.microsoftonline.com/common', logger: (_: string, message: string) => lines.push(message) })
    const error = await rejectionOf(cca.acquireTokenForClient(SCOPES))
    expect(error).toMatchObject({ kind: 'ServerError', error: 'invalid_request', errorCodes: [50059] })
    expect(lines).toContain('acquireTokenForClient with the /common authority is unreliable; use a specific tenant')
  })

  it('logs through the application logger, at its level', async () => {
    const lines: Array<[string, string]> = []
    const logger: Logger = (level, message) => lines.push([level, message])
    const idp = newIdp().injectFault(faults.connectionError(), { path: '/token' })
    await app(idp, { logger, logLevel: 'warning' }).acquireTokenForClient(SCOPES)
    expect(lines).toEqual([['warning', expect.stringMatching(/^connection to https:\/\/login\.microsoftonline\.com failed \(.+\); retrying once$/)]])
  })
})

describe('acquireTokenForClient over real HTTP on loopback', () => {
  let idp: FakeIdentityProvider
  let base: string
  beforeEach(async () => {
    idp = newIdp()
    base = await idp.listen()
  })
  afterEach(() => idp.close())

  it('discovers the tenant once, then only asks for tokens (global fetch, http allowed on loopback)', async () => {
    const cca = new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: SECRET, authority: `${base}/contoso.onmicrosoft.com` })
    expect((await cca.acquireTokenForClient(SCOPES)).tokenSource).toBe('identity_provider')
    expect((await cca.acquireTokenForClient(['api://two/.default'])).tokenSource).toBe('identity_provider')
    expect((await cca.acquireTokenForClient(SCOPES)).tokenSource).toBe('cache')
    expect(idp.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration',
      'POST /contoso.onmicrosoft.com/oauth2/v2.0/token',
      'POST /contoso.onmicrosoft.com/oauth2/v2.0/token',
    ])
  })

  it('gives up after the timeout with a TimeoutError, caching nothing', async () => {
    idp.injectFault(faults.timeout(), { path: '/token' })
    const cca = new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: SECRET, authority: `${base}/t`, timeout: 0.3 })
    const started = Date.now()
    const error = await rejectionOf(cca.acquireTokenForClient(SCOPES))
    expect(error.kind).toBe('TimeoutError')
    expect(error.message).toContain('no response within 300 ms')
    expect(Date.now() - started).toBeLessThan(5000)
    expect(cca.tokenCache.accessTokenCount).toBe(0)
  })

  it('reports a refused connection as a NetworkError after one retry', async () => {
    await idp.close()
    const cca = new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: SECRET, authority: `${base}/t` })
    const error = await rejectionOf(cca.acquireTokenForClient(SCOPES))
    expect(error).toMatchObject({ kind: 'NetworkError', error: 'network_error', url: `${base}/t/v2.0/.well-known/openid-configuration` })
    expect(error.message).toMatch(/ECONNREFUSED/)
  })

  it('keeps a 500 HTML page`s status and says what it was', async () => {
    idp.injectFault(faults.htmlErrorPage(500), { path: '/token' })
    const cca = new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: SECRET, authority: `${base}/t` })
    const error = await rejectionOf(cca.acquireTokenForClient(SCOPES))
    expect(error).toMatchObject({ kind: 'InvalidResponseError', status: 500 })
    expect(error.message).toBe(`invalid response from ${base}/t/oauth2/v2.0/token (HTTP 500): expected a JSON object, got text/html; charset=utf-8`)
  })
})

describe('ConfidentialClientApplication configuration', () => {
  const valid = { clientId: CLIENT, clientCredential: SECRET, authority: 'https://login.microsoftonline.com/t' }

  it.each([
    [{ ...valid, clientId: '' }, 'clientId', 'clientId: expected a non-empty string, got ""'],
    [{ ...valid, clientCredential: undefined }, 'clientCredential', 'clientCredential: expected a client secret string, { clientSecret }, { privateKey, thumbprint | thumbprintSha256 }, { privateKeyPfxPath, passphrase } or { clientAssertion }, got nothing'],
    [{ ...valid, authority: 'http://login.microsoftonline.com/t' }, 'authority', 'authority: must use https; plain http is allowed only for loopback hosts'],
    [{ ...valid, authority: 'not a url' }, 'authority', 'authority: expected an absolute URL'],
    [{ ...valid, timeout: 0 }, 'timeout', 'timeout: expected a number of seconds above 0 and at most 2,147,483 (e.g. 30), got 0'],
    [{ ...valid, timeout: '30' }, 'timeout', 'timeout: expected a number of seconds above 0 and at most 2,147,483 (e.g. 30), got "30"'],
    // A timer cannot wait that long (it would fire at once): refused rather than overflowing.
    [{ ...valid, timeout: 1e10 }, 'timeout', 'timeout: expected a number of seconds above 0 and at most 2,147,483 (e.g. 30), got 10000000000'],
    [{ ...valid, httpClient: {} }, 'httpClient', 'httpClient: expected a fetch-compatible function, got an object'],
    [{ ...valid, tokenCache: {} }, 'tokenCache', 'tokenCache: expected a TokenCache or SerializableTokenCache, got an object'],
    [{ ...valid, logLevel: 'debug' }, 'logLevel', `logLevel: expected one of 'error', 'warning', 'info', 'verbose', got "debug"`],
  ])('throws an MsalError naming the bad option: %j', (options, field, message) => {
    let thrown: unknown
    try {
      new ConfidentialClientApplication(options as never)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(MsalError)
    expect(thrown).toMatchObject({ kind: 'ConfigurationError', error: 'invalid_configuration', field })
    expect((thrown as Error).message).toContain(message)
  })

  it('exposes its client id and canonical authority', () => {
    const cca = new ConfidentialClientApplication({ ...valid, authority: 'https://LOGIN.microsoftonline.com/T/' })
    expect([cca.clientId, cca.authority]).toEqual([CLIENT, 'https://login.microsoftonline.com/T'])
  })
})
