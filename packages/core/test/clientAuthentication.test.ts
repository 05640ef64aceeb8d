import { acquireTokenForClient, CONFIDENTIAL_CLIENT, createClientContext, decodeConfidentialClientConfig, HttpCache, removeTokensForClient, runFlow, TokenCache, type ClientContext, type Effect, type HttpOutcome, type HttpRequest, type Interpret } from '@msal-ts/core'
import { ASSERTION_REUSE_SECONDS, JWT_BEARER_ASSERTION_TYPE } from '@msal-ts/core/protocol'
import { createTestInterpreter, fixedClock, DEFAULT_START_MS } from '@msal-ts/testing'

const CLIENT = '11111111-2222-4333-8444-555555555555'
const TENANT = 'contoso.onmicrosoft.com'
const TOKEN_ENDPOINT = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`
const SCOPE = 'https://graph.microsoft.com/.default'

const json = (status: number, body: unknown): HttpOutcome => ({ _tag: 'HttpResponse', status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const parts = (jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } => {
  const [header, claims] = jwt.split('.')
  return { header: JSON.parse(Buffer.from(header!, 'base64url').toString()), claims: JSON.parse(Buffer.from(claims!, 'base64url').toString()) }
}

const context = (clientCredential: unknown, options: Record<string, unknown> = {}): ClientContext => {
  const config = decodeConfidentialClientConfig({ clientId: CLIENT, authority: `https://login.microsoftonline.com/${TENANT}`, clientCredential, ...options })
  if (config._tag === 'Left') throw new Error(config.left.message)
  return createClientContext({ config: config.right, platform: { sku: 'test', version: '0', os: 'test' }, tokenCache: new TokenCache({ clock: () => DEFAULT_START_MS / 1000 }), httpCache: new HttpCache(), clientAuthentication: CONFIDENTIAL_CLIENT })
}

/**
 * Virtual time and a token endpoint written out by hand; SignJwt is answered with an unsigned
 * JWT of the header and claims asked for (signing itself is the Node interpreter's, tested there).
 */
const harness = (tokenAnswer: (request: HttpRequest, n: number) => HttpOutcome = () => json(200, { token_type: 'Bearer', expires_in: 3600, access_token: 'at' })) => {
  const clock = fixedClock()
  const tokenRequests: HttpRequest[] = []
  const signed: Array<{ header: Record<string, unknown>; claims: Record<string, unknown> }> = []
  const { interpret: inner } = createTestInterpreter({
    clock,
    http: (request) => {
      if (request.url.includes('/discovery/')) return json(200, { tenant_discovery_endpoint: 'x', metadata: [] })
      if (request.url.endsWith('/.well-known/openid-configuration')) {
        const base = request.url.slice(0, -'/.well-known/openid-configuration'.length)
        return json(200, { issuer: base, authorization_endpoint: `${base}/oauth2/authorize`, token_endpoint: `${base}/oauth2/token` })
      }
      tokenRequests.push(request)
      return tokenAnswer(request, tokenRequests.length)
    },
  })
  const interpret: Interpret = (effect: Effect) => {
    if (effect._tag === 'SignJwt') {
      signed.push({ header: { ...effect.header }, claims: { ...effect.claims } })
      return { _tag: 'Assertion', assertion: `${b64url(effect.header)}.${b64url(effect.claims)}.sig` }
    }
    return inner(effect)
  }
  return { clock, interpret, tokenRequests, signed }
}

const CERTIFICATE = { _tag: 'Certificate', sha1Thumbprint: 'dvh2ER1Gwtwuml_9Dz3CNEvP7jY', sha256Thumbprint: 'xaQ-Lpag4-mzPE7tzkyFfaKN_9CIeKzLXyHC7ZmgV1w' }
const token = async (ctx: ClientContext, h: ReturnType<typeof harness>, options = {}) => runFlow(ctx, acquireTokenForClient(ctx, [SCOPE], options), h.interpret)

describe('client assertions signed with a certificate', () => {
  it('send the claims and header BEHAVIOUR.md gives: PS256 with x5t#S256 when there is a SHA-256 thumbprint', async () => {
    const h = harness()
    await expect(token(context(CERTIFICATE), h)).resolves.toMatchObject({ _tag: 'Right' })
    const form = h.tokenRequests[0]!.form!
    expect(form['client_assertion_type']).toBe(JWT_BEARER_ASSERTION_TYPE)
    expect(form['client_secret']).toBeUndefined()
    const { header, claims } = parts(form['client_assertion']!)
    expect(header).toEqual({ alg: 'PS256', typ: 'JWT', 'x5t#S256': CERTIFICATE.sha256Thumbprint })
    const nowSec = Math.floor(h.clock.now() / 1000)
    expect(claims).toEqual({ aud: TOKEN_ENDPOINT, iss: CLIENT, sub: CLIENT, iat: nowSec, exp: nowSec + 600, jti: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) })
  })

  it('use RS256 with x5t for a SHA-1 thumbprint, and add x5c when the chain is given', async () => {
    const h = harness()
    await token(context({ _tag: 'Certificate', sha1Thumbprint: CERTIFICATE.sha1Thumbprint, x5c: ['MIIleaf', 'MIIca'] }), h)
    expect(h.signed[0]!.header).toEqual({ alg: 'RS256', typ: 'JWT', x5t: CERTIFICATE.sha1Thumbprint, x5c: ['MIIleaf', 'MIIca'] })
  })

  it('use RS256 with x5t for AD FS even when a SHA-256 thumbprint is there, and refuse AD FS without a SHA-1 one', async () => {
    const adfs = (credential: unknown) => context(credential, { authority: 'https://fs.contoso.com/adfs' })
    const h = harness()
    await token(adfs(CERTIFICATE), h)
    expect(h.signed[0]!.header).toMatchObject({ alg: 'RS256', x5t: CERTIFICATE.sha1Thumbprint })
    expect(h.signed[0]!.header['x5t#S256']).toBeUndefined()
    const outcome = await token(adfs({ _tag: 'Certificate', sha256Thumbprint: CERTIFICATE.sha256Thumbprint }), harness())
    expect(outcome).toMatchObject({ _tag: 'Left', left: { kind: 'ConfigurationError', field: 'clientCredential', message: expect.stringContaining('RS256') } })
  })

  it('merge clientClaims in, letting them override MSAL\'s own', async () => {
    const h = harness()
    await token(context(CERTIFICATE, { clientClaims: { xms_az_nwperimid: ['a'], exp: 1 } }), h)
    expect(h.signed[0]!.claims).toMatchObject({ xms_az_nwperimid: ['a'], exp: 1, iss: CLIENT })
  })

  it('refuse clientClaims with a credential that signs nothing', () => {
    const config = decodeConfidentialClientConfig({ clientId: CLIENT, clientCredential: 'secret', clientClaims: { a: 1 } })
    expect(config).toMatchObject({ _tag: 'Left', left: { field: 'clientClaims' } })
  })

  it(`are reused for ${ASSERTION_REUSE_SECONDS} s per token endpoint, then signed anew`, async () => {
    const h = harness()
    const ctx = context(CERTIFICATE)
    await token(ctx, h)
    runFlow(ctx, removeTokensForClient(ctx), () => undefined)
    h.clock.advance((ASSERTION_REUSE_SECONDS - 1) * 1000)
    await token(ctx, h)
    runFlow(ctx, removeTokensForClient(ctx), () => undefined)
    h.clock.advance(2000)
    await token(ctx, h)
    const sent = h.tokenRequests.map((request) => request.form!['client_assertion'])
    expect(h.signed).toHaveLength(2)
    expect(sent[1]).toBe(sent[0])
    expect(sent[2]).not.toBe(sent[0])
  })

  it('are signed anew, once, when the token endpoint refuses a reused one, and never reused there again', async () => {
    const seen = new Set<string>()
    const h = harness((request) => {
      const jti = parts(request.form!['client_assertion']!).claims['jti'] as string
      if (seen.has(jti)) return json(401, { error: 'invalid_client', error_description: 'client assertion tokens must only be used once' })
      seen.add(jti)
      return json(200, { token_type: 'Bearer', expires_in: 3600, access_token: `at-${seen.size}` })
    })
    const ctx = context(CERTIFICATE)
    await token(ctx, h)
    runFlow(ctx, removeTokensForClient(ctx), () => undefined)
    await expect(token(ctx, h)).resolves.toMatchObject({ _tag: 'Right', right: { accessToken: 'at-2' } })
    runFlow(ctx, removeTokensForClient(ctx), () => undefined)
    await expect(token(ctx, h)).resolves.toMatchObject({ _tag: 'Right', right: { accessToken: 'at-3' } })
    // first; reused (refused); fresh; then fresh straight away.
    expect(h.tokenRequests).toHaveLength(4)
    expect(h.signed).toHaveLength(3)
  })

  it.each<[string, HttpOutcome]>([
    ['a bare 403 with an empty body', { _tag: 'HttpResponse', status: 403, headers: {}, body: '' }],
    ['a 401 with an empty body', { _tag: 'HttpResponse', status: 401, headers: {}, body: '' }],
    ['a 400 HTML page', { _tag: 'HttpResponse', status: 400, headers: { 'content-type': 'text/html' }, body: '<html><body>Bad Request</body></html>' }],
    ['a 403 JSON invalid_client', json(403, { error: 'invalid_client' })],
  ])('are signed anew, once, when a reused one is refused with %s (issue 14: 400, 401 or 403, JSON or not)', async (_, refusal) => {
    const seen = new Set<string>()
    const h = harness((request) => {
      const jti = parts(request.form!['client_assertion']!).claims['jti'] as string
      if (seen.has(jti)) return refusal
      seen.add(jti)
      return json(200, { token_type: 'Bearer', expires_in: 3600, access_token: `at-${seen.size}` })
    })
    const ctx = context(CERTIFICATE)
    await token(ctx, h)
    runFlow(ctx, removeTokensForClient(ctx), () => undefined)
    await expect(token(ctx, h)).resolves.toMatchObject({ _tag: 'Right', right: { accessToken: 'at-2' } })
    expect(h.tokenRequests).toHaveLength(3)
  })

  it('are not retried for another OAuth2 error (invalid_scope is about the request, not the assertion)', async () => {
    let n = 0
    const h = harness(() => (++n === 1 ? json(200, { token_type: 'Bearer', expires_in: 3600, access_token: 'at' }) : json(400, { error: 'invalid_scope' })))
    const ctx = context(CERTIFICATE)
    await token(ctx, h)
    runFlow(ctx, removeTokensForClient(ctx), () => undefined)
    await expect(token(ctx, h)).resolves.toMatchObject({ _tag: 'Left', left: { kind: 'ServerError', error: 'invalid_scope' } })
    expect(h.tokenRequests).toHaveLength(2)
  })

  it('are signed anew for every request at an oidcAuthority (a generic provider may accept a jti once), unless reuseClientAssertion says otherwise', async () => {
    for (const [options, signatures] of [[{}, 2], [{ reuseClientAssertion: true }, 1]] as const) {
      const h = harness()
      const ctx = context(CERTIFICATE, { authority: undefined, oidcAuthority: 'https://id.example/realm', ...options })
      await token(ctx, h)
      runFlow(ctx, removeTokensForClient(ctx), () => undefined)
      await token(ctx, h)
      expect(h.signed).toHaveLength(signatures)
    }
    // Microsoft's authorities keep MSAL's reuse by default; reuseClientAssertion: false turns it off.
    const entra = harness()
    const off = context(CERTIFICATE, { reuseClientAssertion: false })
    await token(off, entra)
    runFlow(off, removeTokensForClient(off), () => undefined)
    await token(off, entra)
    expect(entra.signed).toHaveLength(2)
  })

  it('refuse reuseClientAssertion with a credential that signs nothing', () => {
    expect(decodeConfidentialClientConfig({ clientId: CLIENT, clientCredential: 'secret', reuseClientAssertion: false })).toMatchObject({ _tag: 'Left', left: { field: 'reuseClientAssertion' } })
  })

  it('are not retried when a freshly signed one is refused', async () => {
    const h = harness(() => json(401, { error: 'invalid_client', error_description: 'AADSTS700027: bad signature', error_codes: [700027] }))
    await expect(token(context(CERTIFICATE), h)).resolves.toMatchObject({ _tag: 'Left', left: { kind: 'ServerError', error: 'invalid_client' } })
    expect(h.tokenRequests).toHaveLength(1)
  })

  it('turn a signing failure into a ConfigurationError naming the credential', async () => {
    const h = harness()
    const failing: Interpret = (effect) => (effect._tag === 'SignJwt' ? { _tag: 'CredentialFailure', message: 'key too short' } : h.interpret(effect))
    const ctx = context(CERTIFICATE)
    const outcome = await runFlow(ctx, acquireTokenForClient(ctx, [SCOPE]), failing)
    expect(outcome).toMatchObject({ _tag: 'Left', left: { kind: 'ConfigurationError', field: 'clientCredential', message: expect.stringContaining('key too short') } })
    expect(h.tokenRequests).toHaveLength(0)
  })
})

describe('other credentials', () => {
  it('send a pre-signed assertion as it is, every time', async () => {
    const h = harness()
    const ctx = context({ _tag: 'ClientAssertion', assertion: 'a.b.c' })
    await token(ctx, h, { claimsChallenge: '{"access_token":{}}' })
    await token(ctx, h, { claimsChallenge: '{"access_token":{}}' })
    expect(h.tokenRequests.map((r) => r.form!['client_assertion'])).toEqual(['a.b.c', 'a.b.c'])
  })

  it('ask the callback for an assertion before every request, and report its failure', async () => {
    const h = harness()
    let n = 0
    const asked: unknown[] = []
    const withCallback: Interpret = (effect) => {
      if (effect._tag !== 'ClientAssertion') return h.interpret(effect)
      asked.push({ clientId: effect.clientId, tokenEndpoint: effect.tokenEndpoint })
      n += 1
      return n < 3 ? { _tag: 'Assertion', assertion: `x.${n}.y` } : { _tag: 'CredentialFailure', message: 'vault unreachable' }
    }
    const ctx = context({ _tag: 'ClientAssertionCallback' })
    const options = { claimsChallenge: '{"access_token":{}}' }
    await runFlow(ctx, acquireTokenForClient(ctx, [SCOPE], options), withCallback)
    await runFlow(ctx, acquireTokenForClient(ctx, [SCOPE], options), withCallback)
    const third = await runFlow(ctx, acquireTokenForClient(ctx, [SCOPE], options), withCallback)
    expect(h.tokenRequests.map((r) => r.form!['client_assertion'])).toEqual(['x.1.y', 'x.2.y'])
    expect(asked[0]).toEqual({ clientId: CLIENT, tokenEndpoint: TOKEN_ENDPOINT })
    expect(third).toMatchObject({ _tag: 'Left', left: { kind: 'ConfigurationError', message: expect.stringContaining('vault unreachable') } })
  })

  it('send a secret in the form (client_secret_post) or in a Basic header (client_secret_basic, RFC 6749 §2.3.1)', async () => {
    const post = harness()
    await token(context('s3cret'), post)
    expect(post.tokenRequests[0]!.form!['client_secret']).toBe('s3cret')
    expect(post.tokenRequests[0]!.headers['Authorization']).toBeUndefined()
    const basic = harness()
    await token(context({ _tag: 'ClientSecret', secret: 'a b:c+é', method: 'client_secret_basic' }), basic)
    expect(basic.tokenRequests[0]!.form!['client_secret']).toBeUndefined()
    const header = basic.tokenRequests[0]!.headers['Authorization']!
    expect(header.startsWith('Basic ')).toBe(true)
    const [id, secret] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')
    expect(decodeURIComponent(id!.replace(/\+/g, ' '))).toBe(CLIENT)
    expect(decodeURIComponent(secret!.replace(/\+/g, ' '))).toBe('a b:c+é')
  })
})

describe('client credentials with an fmiPath', () => {
  it('send fmi_path and cache tokens apart per path', async () => {
    let n = 0
    const h = harness(() => json(200, { token_type: 'Bearer', expires_in: 3600, access_token: `at-${++n}` }))
    const ctx = context('secret')
    const get = (fmiPath?: string) => runFlow(ctx, acquireTokenForClient(ctx, [SCOPE], fmiPath === undefined ? {} : { fmiPath }), h.interpret)
    expect(await get('a/b')).toMatchObject({ right: { accessToken: 'at-1', tokenSource: 'identity_provider' } })
    expect(await get('a/c')).toMatchObject({ right: { accessToken: 'at-2', tokenSource: 'identity_provider' } })
    expect(await get()).toMatchObject({ right: { accessToken: 'at-3', tokenSource: 'identity_provider' } })
    expect(await get('a/b')).toMatchObject({ right: { accessToken: 'at-1', tokenSource: 'cache' } })
    expect(await get()).toMatchObject({ right: { accessToken: 'at-3', tokenSource: 'cache' } })
    expect(h.tokenRequests.map((r) => r.form!['fmi_path'])).toEqual(['a/b', 'a/c', undefined])
    const stored = [...(ctx.tokenCache as TokenCache).search('AccessToken', {})] as unknown as Array<Record<string, unknown>>
    expect(stored.filter((at) => typeof at['ext_cache_key'] === 'string')).toHaveLength(2)
  })

  it("answer from a path's kept hit only while a lookup would find that token: other scopes, a change to the cache, refresh_on and expiry all look again", async () => {
    let n = 0
    const h = harness(() => json(200, { token_type: 'Bearer', expires_in: 3600, refresh_in: 1800, access_token: `at-${++n}` }))
    const ctx = context('secret')
    const get = (scope = SCOPE, fmiPath = 'a/b') => runFlow(ctx, acquireTokenForClient(ctx, [scope], { fmiPath }), h.interpret)
    expect(await get()).toMatchObject({ right: { accessToken: 'at-1', tokenSource: 'identity_provider' } })
    expect(await get()).toMatchObject({ right: { accessToken: 'at-1', tokenSource: 'cache' } })
    expect(await get()).toMatchObject({ right: { accessToken: 'at-1', tokenSource: 'cache' } }) // kept from the last hit
    // The same path with other scopes is another lookup.
    expect(await get('api://other/.default')).toMatchObject({ right: { accessToken: 'at-2', tokenSource: 'identity_provider' } })
    expect(await get('api://other/.default')).toMatchObject({ right: { accessToken: 'at-2', tokenSource: 'cache' } })
    expect(await get()).toMatchObject({ right: { accessToken: 'at-1', tokenSource: 'cache' } })
    // Removing the app's tokens changes the cache: the kept token is not handed out.
    runFlow(ctx, removeTokensForClient(ctx), () => undefined)
    expect(await get()).toMatchObject({ right: { accessToken: 'at-3', tokenSource: 'identity_provider' } })
    expect(await get()).toMatchObject({ right: { accessToken: 'at-3', tokenSource: 'cache' } })
    // Past refresh_on the token is refreshed (no longer fresh), then the new one is kept.
    h.clock.advance(1801 * 1000)
    expect(await get()).toMatchObject({ right: { accessToken: 'at-4', tokenSource: 'identity_provider' } })
    expect(await get()).toMatchObject({ right: { accessToken: 'at-4', tokenSource: 'cache' } })
    // Within the expiry margin of a token kept with no change since, the lookup goes to the network.
    h.clock.advance((3600 - 299) * 1000)
    expect(await get()).toMatchObject({ right: { accessToken: 'at-5', tokenSource: 'identity_provider' } })
    expect(h.tokenRequests.map((r) => [r.form!['scope'], r.form!['fmi_path']])).toEqual([
      [SCOPE, 'a/b'],
      ['api://other/.default', 'a/b'],
      [SCOPE, 'a/b'],
      [SCOPE, 'a/b'],
      [SCOPE, 'a/b'],
    ])
  })

  it('refuse an empty or non-string fmiPath', async () => {
    const h = harness()
    for (const fmiPath of ['', '  ', 42]) {
      const ctx = context('secret')
      const outcome = await runFlow(ctx, acquireTokenForClient(ctx, [SCOPE], { fmiPath: fmiPath as string }), h.interpret)
      expect(outcome).toMatchObject({ _tag: 'Left', left: { kind: 'UsageError', argument: 'fmiPath' } })
    }
    expect(h.tokenRequests).toHaveLength(0)
  })
})
