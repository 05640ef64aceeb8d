/**
 * Proof-of-possession tokens without a broker (issue 15): every application class asks for a
 * token bound to its own key (`token_type=pop`, `req_cnf`), files it apart from bearer tokens, and
 * hands back a signed HTTP request, signed afresh on every call, which the testing kit's resource
 * server verifies as a resource does. MSAL Python's PopTestCase (test_at_pop_should_contain_pop_scheme_content,
 * test_at_pop_calling_pattern) and msal-common's PopTokenGenerator / CacheManager cases, against
 * the fake identity provider.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { ConfidentialClientApplication, PopAuthScheme, PublicClientApplication, SerializableTokenCache, type TokenResult } from '@msal-ts/node'
import { ConfidentialClientApplication as WebConfidentialClientApplication } from '@msal-ts/browser'
import { createTestInterpreter, FakeIdentityProvider, fixedClock, PopResourceServer, testPopKey, type FixedClock } from '@msal-ts/testing'
import { rejectionOf } from './support/rejection.js'

const CLIENT = '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a'
const WEB_APP = '4d3c2b1a-9f8e-4d7c-8b6a-5f4e3d2c1b0a'
const SECRET = 'web-secret'
const ALICE = 'alice@contoso.onmicrosoft.com'
const AUTHORITY = 'https://login.microsoftonline.com/organizations'
const API = 'api://contoso-orders'
const SCOPES = [`${API}/Orders.Read`]
const RESOURCE_URL = 'https://orders.contoso.example/v1/orders?status=open'

interface World {
  readonly idp: FakeIdentityProvider
  readonly clock: FixedClock
  readonly cache: SerializableTokenCache
  readonly app: PublicClientApplication
  readonly resource: PopResourceServer
}

const world = (): World => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now })
    .registerApp({ clientId: CLIENT })
    .registerApp({ clientId: WEB_APP, clientSecret: SECRET, redirectUris: ['https://web.contoso.example/callback'] })
    .registerUser({ username: ALICE, password: 'pw' })
  const cache = new SerializableTokenCache()
  const app = new PublicClientApplication({ clientId: CLIENT, authority: AUTHORITY, tokenCache: cache, interpreter: createTestInterpreter({ http: idp.http, clock }).interpret })
  const resource = new PopResourceServer({ jwks: () => idp.jwks(), clock: clock.now, audience: API })
  return { idp, clock, cache, app, resource }
}

/** Alice signed in (a migrated refresh token): her account, with a bearer token for SCOPES cached. */
const signIn = async (w: World): Promise<TokenResult> =>
  w.app.acquireTokenByRefreshToken(w.idp.issueRefreshToken({ username: ALICE, clientId: CLIENT, scopes: [...SCOPES, 'openid', 'profile', 'offline_access'] }), SCOPES)

const claimsOf = (shr: string) => decodeJwt(shr) as Record<string, unknown>

describe('PopAuthScheme: MSAL Python\'s checks and messages', () => {
  it('takes an upper-case method, a URL and a nonce', () => {
    const scheme = new PopAuthScheme(PopAuthScheme.HTTP_GET, RESOURCE_URL, 'nonce-1')
    expect(scheme).toMatchObject({ httpMethod: 'GET', url: RESOURCE_URL, nonce: 'nonce-1' })
  })

  it.each([
    ['a lower-case method', 'get', RESOURCE_URL, 'n', 'authScheme.httpMethod: http_method must be uppercase, according to https://datatracker.ietf.org/doc/html/draft-ietf-oauth-signed-http-request-03#section-3'],
    ['a method it does not know', 'HEAD', RESOURCE_URL, 'n', 'authScheme.httpMethod: http_method must be uppercase'],
    ['no nonce', 'GET', RESOURCE_URL, '', 'authScheme: All http_method, url and nonce are required parameters'],
    ['no url', 'GET', '', 'n', 'authScheme: All http_method, url and nonce are required parameters'],
    ['no method', '', RESOURCE_URL, 'n', 'authScheme: All http_method, url and nonce are required parameters'],
    ['a relative url', 'GET', '/v1/orders', 'n', 'authScheme.url: expected the resource\'s absolute URL'],
  ])('refuses %s with a UsageError', (_, method, url, nonce, message) => {
    let thrown: unknown
    try {
      new PopAuthScheme(method, url, nonce)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toMatchObject({ kind: 'UsageError', message: expect.stringContaining(message) })
  })

  it('a plain object with the same fields is checked the same way when passed as authScheme', async () => {
    const w = world()
    const account = (await signIn(w)).account!
    w.idp.clearRequests()
    expect(await rejectionOf(w.app.acquireTokenSilent(SCOPES, account, { authScheme: { httpMethod: 'post', url: RESOURCE_URL, nonce: 'n' } }))).toMatchObject({
      kind: 'UsageError',
      argument: 'authScheme.httpMethod',
    })
    expect(await rejectionOf(w.app.acquireTokenSilent(SCOPES, account, { authScheme: new PopAuthScheme('GET', RESOURCE_URL, 'n'), data: { tokenType: 'ssh-cert', keyId: 'k', reqCnf: '{}' } }))).toMatchObject({
      kind: 'UsageError',
      argument: 'data',
    })
    expect(w.idp.requests).toEqual([])
  })
})

describe('isPopSupported', () => {
  it('is true on every application class: msal-ts signs PoP requests itself', () => {
    const interpreter = createTestInterpreter({ http: () => ({ _tag: 'HttpFailure', kind: 'connection', message: 'offline' }) }).interpret
    expect(new PublicClientApplication({ clientId: CLIENT, interpreter }).isPopSupported()).toBe(true)
    expect(new ConfidentialClientApplication({ clientId: WEB_APP, clientCredential: SECRET, interpreter }).isPopSupported()).toBe(true)
    expect(new WebConfidentialClientApplication({ clientId: WEB_APP, clientCredential: SECRET, interpreter }).isPopSupported()).toBe(true)
  })
})

describe('acquireTokenSilent with a PopAuthScheme', () => {
  it('asks for a PoP token with the refresh token (token_type=pop, req_cnf = base64url {kid, xms_ksl}), bound to the app key (cnf.kid)', async () => {
    const w = world()
    const account = (await signIn(w)).account!
    w.idp.clearRequests()
    const nonce = w.resource.issueNonce()
    const result = (await w.app.acquireTokenSilent(SCOPES, account, { authScheme: new PopAuthScheme('GET', RESOURCE_URL, nonce) }))!
    const key = testPopKey()
    const sent = w.idp.tokenRequests
    expect(sent).toHaveLength(1)
    expect(sent[0]!.form).toMatchObject({ grant_type: 'refresh_token', token_type: 'pop', req_cnf: Buffer.from(JSON.stringify({ kid: key.kid, xms_ksl: 'sw' })).toString('base64url') })
    expect(result).toMatchObject({ tokenType: 'pop', tokenSource: 'identity_provider', scopes: SCOPES, account })
    // The result's access token is the signed request; the token it presents is bound to the key.
    expect(decodeProtectedHeader(result.accessToken)).toEqual({ typ: 'pop', alg: 'RS256', kid: Buffer.from(JSON.stringify({ kid: key.kid })).toString('base64url') })
    const shr = claimsOf(result.accessToken)
    expect(Object.keys(shr)).toEqual(['at', 'ts', 'm', 'u', 'nonce', 'p', 'q', 'cnf'])
    expect(shr).toEqual({
      at: expect.any(String),
      ts: Math.floor(w.clock.now() / 1000),
      m: 'GET',
      u: 'orders.contoso.example',
      nonce,
      p: '/v1/orders',
      q: [[], 'status=open'],
      cnf: { jwk: key.jwk },
    })
    expect(decodeJwt(shr['at'] as string)).toMatchObject({ aud: API, cnf: { kid: key.kid } })
    expect(await w.resource.verify({ method: 'GET', url: RESOURCE_URL, authorization: `PoP ${result.accessToken}` })).toMatchObject({ ok: true, kid: key.kid })
  })

  it('a cache hit sends no request and signs afresh: another nonce, a later ts, the same token inside', async () => {
    const w = world()
    const account = (await signIn(w)).account!
    const first = (await w.app.acquireTokenSilent(SCOPES, account, { authScheme: new PopAuthScheme('GET', RESOURCE_URL, w.resource.issueNonce()) }))!
    w.idp.clearRequests()
    w.clock.advance(60_000)
    const nonce = w.resource.issueNonce()
    const second = (await w.app.acquireTokenSilent(SCOPES, account, { authScheme: new PopAuthScheme('POST', 'https://orders.contoso.example/v1/orders', nonce) }))!
    expect(w.idp.requests).toEqual([])
    expect(second).toMatchObject({ tokenType: 'pop', tokenSource: 'cache' })
    expect(claimsOf(second.accessToken)).toMatchObject({ at: claimsOf(first.accessToken)['at'], ts: claimsOf(first.accessToken)['ts'] as number + 60, m: 'POST', nonce, p: '/v1/orders/' })
    expect(claimsOf(second.accessToken)).not.toHaveProperty('q')
    expect(await w.resource.verify({ method: 'POST', url: 'https://orders.contoso.example/v1/orders', authorization: `PoP ${second.accessToken}` })).toMatchObject({ ok: true })
  })

  it('bearer and PoP tokens for the same scopes never shadow each other: two entries, each found by its own kind of call', async () => {
    const w = world()
    const signedIn = await signIn(w)
    const account = signedIn.account!
    const pop = (await w.app.acquireTokenSilent(SCOPES, account, { authScheme: new PopAuthScheme('GET', RESOURCE_URL, w.resource.issueNonce()) }))!
    const entries = Object.values(JSON.parse(w.cache.serialize()).AccessToken as Record<string, Record<string, string>>)
    expect(entries).toHaveLength(2)
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ token_type: 'Bearer', secret: signedIn.accessToken }),
        expect.objectContaining({ token_type: 'pop', key_id: testPopKey().kid, secret: claimsOf(pop.accessToken)['at'] }),
      ]),
    )
    expect(entries.find((entry) => entry['token_type'] === 'Bearer')).not.toHaveProperty('key_id')
    w.idp.clearRequests()
    // The bearer call gets the bearer token, never the PoP one; the PoP call the PoP one.
    expect(await w.app.acquireTokenSilent(SCOPES, account)).toMatchObject({ tokenType: 'Bearer', tokenSource: 'cache', accessToken: signedIn.accessToken })
    const again = (await w.app.acquireTokenSilent(SCOPES, account, { authScheme: new PopAuthScheme('GET', RESOURCE_URL, w.resource.issueNonce()) }))!
    expect(claimsOf(again.accessToken)['at']).toBe(claimsOf(pop.accessToken)['at'])
    expect(w.idp.requests).toEqual([])
  })

  it('a PoP call before any PoP token is cached does not take the bearer token: it refreshes', async () => {
    const w = world()
    const account = (await signIn(w)).account!
    w.idp.clearRequests()
    await w.app.acquireTokenSilent(SCOPES, account, { authScheme: new PopAuthScheme('GET', RESOURCE_URL, 'n') })
    expect(w.idp.tokenRequests.map((request) => request.form['token_type'])).toEqual(['pop'])
  })

  it("refuses a bearer answer to a PoP request, and a PoP token bound to another key (InvalidResponseError), and caches neither", async () => {
    const w = world()
    const account = (await signIn(w)).account!
    const before = w.cache.serialize()
    // An identity provider that ignores req_cnf.
    const ignoring = createTestInterpreter({ http: (request) => w.idp.http({ ...request, form: { ...request.form, token_type: 'Bearer' } }), clock: w.clock }).interpret
    const app = new PublicClientApplication({ clientId: CLIENT, authority: AUTHORITY, tokenCache: w.cache, interpreter: ignoring })
    expect(await rejectionOf(app.acquireTokenSilentWithError(SCOPES, account, { authScheme: new PopAuthScheme('GET', RESOURCE_URL, 'n') }))).toMatchObject({
      kind: 'InvalidResponseError',
      message: expect.stringContaining('and the answer is a Bearer token'),
    })
    // One that binds the token to a key the app did not ask for.
    const otherKey = Buffer.from(JSON.stringify({ kid: 'someone-elses-key' })).toString('base64url')
    const misbinding = createTestInterpreter({ http: (request) => w.idp.http({ ...request, form: { ...request.form, req_cnf: otherKey } }), clock: w.clock }).interpret
    const app2 = new PublicClientApplication({ clientId: CLIENT, authority: AUTHORITY, tokenCache: w.cache, interpreter: misbinding })
    expect(await rejectionOf(app2.acquireTokenSilentWithError(SCOPES, account, { authScheme: new PopAuthScheme('GET', RESOURCE_URL, 'n') }))).toMatchObject({
      kind: 'InvalidResponseError',
      message: expect.stringContaining('bound (cnf.kid) to another key'),
    })
    expect(JSON.parse(w.cache.serialize()).AccessToken).toEqual(JSON.parse(before).AccessToken)
  })

  it('two apps with their own keys: each one\'s PoP token is found only with its key', async () => {
    const w = world()
    const account = (await signIn(w)).account!
    const other = testPopKey((await import('node:crypto')).generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)
    const second = new PublicClientApplication({ clientId: CLIENT, authority: AUTHORITY, tokenCache: w.cache, interpreter: createTestInterpreter({ http: w.idp.http, clock: w.clock, popKey: other }).interpret })
    await w.app.acquireTokenSilent(SCOPES, account, { authScheme: new PopAuthScheme('GET', RESOURCE_URL, 'n') })
    w.idp.clearRequests()
    const theirs = (await second.acquireTokenSilent(SCOPES, account, { authScheme: new PopAuthScheme('GET', RESOURCE_URL, w.resource.issueNonce()) }))!
    expect(w.idp.tokenRequests).toHaveLength(1)
    expect(decodeJwt(claimsOf(theirs.accessToken)['at'] as string)).toMatchObject({ cnf: { kid: other.kid } })
    expect(await w.resource.verify({ method: 'GET', url: RESOURCE_URL, authorization: `PoP ${theirs.accessToken}` })).toMatchObject({ ok: true, kid: other.kid })
  })
})

describe('the other PoP methods: username/password, the auth code flow, interactive', () => {
  it('acquireTokenByUsernamePassword with authScheme: a PoP token on the password grant, then from the cache', async () => {
    const w = world()
    const nonce = w.resource.issueNonce()
    const result = await w.app.acquireTokenByUsernamePassword(ALICE, 'pw', SCOPES, { authScheme: new PopAuthScheme('PUT', RESOURCE_URL, nonce) })
    expect(w.idp.tokenRequests.at(-1)!.form).toMatchObject({ grant_type: 'password', token_type: 'pop' })
    expect(result).toMatchObject({ tokenType: 'pop', tokenSource: 'identity_provider' })
    expect(await w.resource.verify({ method: 'PUT', url: RESOURCE_URL, authorization: `PoP ${result.accessToken}` })).toMatchObject({ ok: true })
    w.idp.clearRequests()
    const cached = await w.app.acquireTokenSilent(SCOPES, result.account!, { authScheme: new PopAuthScheme('GET', RESOURCE_URL, nonce) })
    expect(cached).toMatchObject({ tokenType: 'pop', tokenSource: 'cache' })
    expect(w.idp.requests).toEqual([])
  })

  it('the auth code flow: acquireTokenByAuthCodeFlow and acquireTokenByAuthorizationCode redeem the code for a PoP token', async () => {
    const w = world()
    const web = new ConfidentialClientApplication({ clientId: WEB_APP, clientCredential: SECRET, authority: AUTHORITY, interpreter: createTestInterpreter({ http: w.idp.http, clock: w.clock }).interpret })
    const flow = await web.initiateAuthCodeFlow(SCOPES, { redirectUri: 'https://web.contoso.example/callback', loginHint: ALICE })
    const outcome = await w.idp.authorize(flow.authUri)
    const params = 'params' in outcome ? outcome.params : {}
    const nonce = w.resource.issueNonce()
    const result = await web.acquireTokenByAuthCodeFlow(flow, params, { authScheme: new PopAuthScheme('DELETE', RESOURCE_URL, nonce) })
    expect(w.idp.tokenRequests.at(-1)!.form).toMatchObject({ grant_type: 'authorization_code', token_type: 'pop', client_secret: SECRET })
    expect(await w.resource.verify({ method: 'DELETE', url: RESOURCE_URL, authorization: `PoP ${result.accessToken}` })).toMatchObject({ ok: true })

    const second = await web.initiateAuthCodeFlow(SCOPES, { redirectUri: 'https://web.contoso.example/callback', loginHint: ALICE })
    const code = (await w.idp.authorize(second.authUri)) as { params: Record<string, string> }
    const byCode = await web.acquireTokenByAuthorizationCode(code.params['code']!, SCOPES, {
      redirectUri: 'https://web.contoso.example/callback',
      codeVerifier: second.codeVerifier,
      authScheme: new PopAuthScheme('GET', RESOURCE_URL, nonce),
    })
    expect(byCode.tokenType).toBe('pop')
    expect(await w.resource.verify({ method: 'GET', url: RESOURCE_URL, authorization: `PoP ${byCode.accessToken}` })).toMatchObject({ ok: true })
  })

  it('acquireTokenInteractive with authScheme: the browser sign-in redeemed for a PoP token', async () => {
    const w = world()
    w.idp.registerApp({ clientId: 'a1b2c3d4-0000-4000-8000-00000000d35c', redirectUris: ['http://localhost'] }).signInToBrowser(ALICE)
    const desktop = new PublicClientApplication({ clientId: 'a1b2c3d4-0000-4000-8000-00000000d35c', authority: AUTHORITY, interpreter: createTestInterpreter({ http: w.idp.http, clock: w.clock }).interpret })
    const nonce = w.resource.issueNonce()
    const result = await desktop.acquireTokenInteractive(SCOPES, { openBrowser: w.idp.openBrowser, authScheme: new PopAuthScheme('PATCH', RESOURCE_URL, nonce), timeout: 30 })
    expect(result).toMatchObject({ tokenType: 'pop', account: { username: ALICE } })
    expect(await w.resource.verify({ method: 'PATCH', url: RESOURCE_URL, authorization: `PoP ${result.accessToken}` })).toMatchObject({ ok: true })
  })

  it('acquireTokenInteractive refuses a bad authScheme before it opens a port', async () => {
    const w = world()
    let opened = false
    const error = await rejectionOf(w.app.acquireTokenInteractive(SCOPES, { openBrowser: () => void (opened = true), authScheme: { httpMethod: 'get', url: RESOURCE_URL, nonce: 'n' } }))
    expect(error).toMatchObject({ kind: 'UsageError', argument: 'authScheme.httpMethod' })
    expect(opened).toBe(false)
  })

  it('methods MSAL Python takes no auth_scheme on refuse it, saying which do', async () => {
    const w = world()
    const web = new ConfidentialClientApplication({ clientId: WEB_APP, clientCredential: SECRET, authority: AUTHORITY, interpreter: createTestInterpreter({ http: w.idp.http, clock: w.clock }).interpret })
    const scheme = new PopAuthScheme('GET', RESOURCE_URL, 'n')
    expect(await rejectionOf(web.acquireTokenForClient([`${API}/.default`], { authScheme: scheme } as never))).toMatchObject({ kind: 'UsageError', argument: 'authScheme', message: expect.stringContaining('acquireTokenSilent') })
    expect(await rejectionOf(web.acquireTokenOnBehalfOf('assertion', SCOPES, { authScheme: scheme } as never))).toMatchObject({ kind: 'UsageError', argument: 'authScheme' })
    expect(await rejectionOf(w.app.acquireTokenByRefreshToken('rt', SCOPES, { authScheme: scheme } as never))).toMatchObject({ kind: 'UsageError', argument: 'authScheme' })
    expect(w.idp.requests).toEqual([])
  })
})

describe('against the resource server over HTTP (MSAL Python\'s test_at_pop_calling_pattern)', () => {
  let w: World
  let base: string
  beforeEach(async () => {
    w = world()
    base = await w.resource.listen()
  })
  afterEach(() => w.resource.close())

  it('401 with a nonce, a PoP token for that nonce, 200', async () => {
    const account = (await signIn(w)).account!
    const url = `${base}/v1/orders?status=open`
    const challenge = await fetch(url)
    expect(challenge.status).toBe(401)
    const nonce = /PoP nonce="([^"]+)"/.exec(challenge.headers.get('www-authenticate') ?? '')?.[1]
    expect(nonce).toBeDefined()
    const token = (await w.app.acquireTokenSilent(SCOPES, account, { authScheme: new PopAuthScheme('GET', url, nonce!) }))!
    const answer = await fetch(url, { headers: { Authorization: `PoP ${token.accessToken}` } })
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ ok: true, oid: w.idp.getUser(ALICE)!.oid, kid: testPopKey().kid })
  })

  it('refuses what a resource must refuse: a bearer token, another method or path, a tampered request, an unknown nonce, a stale ts', async () => {
    const signedIn = await signIn(w)
    const account = signedIn.account!
    const url = `${base}/v1/orders`
    const nonce = w.resource.issueNonce()
    const token = (await w.app.acquireTokenSilent(SCOPES, account, { authScheme: new PopAuthScheme('GET', url, nonce) }))!
    const reasonFor = async (init: { method?: string; authorization: string; url?: string }) => {
      const answer = await fetch(init.url ?? url, { method: init.method ?? 'GET', headers: { Authorization: init.authorization } })
      expect(answer.status).toBe(401)
      expect(answer.headers.get('www-authenticate')).toMatch(/^PoP nonce="[^"]+", error="invalid_token"/)
      return ((await answer.json()) as { reason: string }).reason
    }
    expect(await reasonFor({ authorization: `Bearer ${signedIn.accessToken}` })).toBe('no Authorization: PoP header')
    expect(await reasonFor({ method: 'DELETE', authorization: `PoP ${token.accessToken}` })).toMatch(/^m is "GET"/)
    expect(await reasonFor({ url: `${base}/v1/invoices`, authorization: `PoP ${token.accessToken}` })).toMatch(/^p is "\/v1\/orders\/"/)
    const [header, payload, signature] = token.accessToken.split('.')
    const tampered = Buffer.from(JSON.stringify({ ...claimsOf(token.accessToken), m: 'DELETE' })).toString('base64url')
    expect(await reasonFor({ method: 'DELETE', authorization: `PoP ${header}.${tampered}.${signature}` })).toMatch(/does not verify/)
    const unknown = (await w.app.acquireTokenSilent(SCOPES, account, { authScheme: new PopAuthScheme('GET', url, 'a-nonce-it-never-issued') }))!
    expect(await reasonFor({ authorization: `PoP ${unknown.accessToken}` })).toBe('the nonce is not one this resource issued')
    // A bearer token properly signed into a request by the key holder: still not bound to the key.
    const key = testPopKey()
    const wrapped = key.sign(key.kid, decodeProtectedHeader(token.accessToken), { ...claimsOf(token.accessToken), at: signedIn.accessToken })
    expect(wrapped._tag).toBe('Assertion')
    expect(await reasonFor({ authorization: `PoP ${(wrapped as { assertion: string }).assertion}` })).toBe('the access token is not bound to a key (no cnf.kid): a bearer token')
    // Another query than the one signed.
    const withQuery = (await w.app.acquireTokenSilent(SCOPES, account, { authScheme: new PopAuthScheme('GET', `${url}?page=2`, nonce) }))!
    expect(await reasonFor({ url: `${url}?page=3`, authorization: `PoP ${withQuery.accessToken}` })).toMatch(/^q signs "page=2"/)
    // Later, the old request is stale (its nonce, then its ts); a new call (still a cache hit) signs a fresh one.
    const patient = new PopResourceServer({ jwks: () => w.idp.jwks(), clock: w.clock.now, nonceLifetimeSeconds: 3600 })
    const patientNonce = patient.issueNonce()
    const signedThen = (await w.app.acquireTokenSilent(SCOPES, account, { authScheme: new PopAuthScheme('GET', url, patientNonce) }))!
    expect(await patient.verify({ method: 'GET', url, authorization: `PoP ${signedThen.accessToken}` })).toMatchObject({ ok: true })
    w.clock.advance(400_000)
    expect(await reasonFor({ authorization: `PoP ${token.accessToken}` })).toBe('the nonce has expired')
    expect(await patient.verify({ method: 'GET', url, authorization: `PoP ${signedThen.accessToken}` })).toEqual({ ok: false, reason: expect.stringMatching(/^ts \d+ is not within 300 s of now$/) })
    const fresh = w.resource.issueNonce()
    const later = (await w.app.acquireTokenSilent(SCOPES, account, { authScheme: new PopAuthScheme('GET', url, fresh) }))!
    expect(later.tokenSource).toBe('cache')
    expect((await fetch(url, { headers: { Authorization: `PoP ${later.accessToken}` } })).status).toBe(200)
    expect(payload).toBeDefined()
  })
})
