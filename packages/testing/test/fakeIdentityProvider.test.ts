import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose'
import type { HttpOutcome, HttpRequest, HttpResponse } from '@msal-ts/core'
import { FakeIdentityProvider, faults, fixedClock, seededRandom, tenantIdOf } from '@msal-ts/testing'
import { certificateFixture } from './fixtures/certificates/index.js'

const CLIENT = 'app-1'
const SECRET = 's3cret'
const TOKEN_URL = 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token'

const tokenRequest = (form: Record<string, string>, url = TOKEN_URL): HttpRequest => ({
  method: 'POST',
  url,
  headers: { 'client-request-id': '11111111-1111-4111-8111-111111111111' },
  form: { grant_type: 'client_credentials', client_id: CLIENT, client_secret: SECRET, scope: 'api://x/.default', ...form },
})

const newIdp = () => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now, random: seededRandom(3) }).registerApp({ clientId: CLIENT, clientSecret: SECRET, roles: ['Things.Read'] })
  return { idp, clock }
}

const answer = async (idp: FakeIdentityProvider, request: HttpRequest): Promise<HttpResponse & { json: Record<string, unknown> }> => {
  const outcome = await idp.http(request)
  if (outcome._tag !== 'HttpResponse') throw new Error(`no response: ${outcome.kind}`)
  return { ...outcome, json: JSON.parse(outcome.body) as Record<string, unknown> }
}

describe('FakeIdentityProvider: client credentials', () => {
  it("issues a signed JWT app token in Entra's response shape", async () => {
    const { idp, clock } = newIdp()
    const response = await answer(idp, tokenRequest({}))
    expect(response.status).toBe(200)
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(response.headers['client-request-id']).toBe('11111111-1111-4111-8111-111111111111')
    expect(response.json).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 })
    expect(response.json['refresh_in']).toBeUndefined()
    const token = response.json['access_token'] as string
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(await idp.jwks() as never), { currentDate: new Date(clock.now()) })
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: 'fake-idp-key-1' })
    expect(payload).toMatchObject({
      aud: 'api://x',
      azp: CLIENT,
      idtyp: 'app',
      tid: tenantIdOf('contoso.onmicrosoft.com'),
      roles: ['Things.Read'],
      ver: '2.0',
      iat: clock.now() / 1000,
      exp: clock.now() / 1000 + 3599,
    })
  })

  it('sends refresh_in when configured, and puts client capabilities in the token', async () => {
    const idp = new FakeIdentityProvider({ refreshInSeconds: 1800, tokenLifetimeSeconds: 7200 }).registerApp({ clientId: CLIENT, clientSecret: SECRET })
    const response = await answer(idp, tokenRequest({ claims: '{"access_token":{"xms_cc":{"values":["CP1"]}}}' }))
    expect(response.json).toMatchObject({ expires_in: 7200, refresh_in: 1800 })
    expect(decodeJwt(response.json['access_token'] as string)['xms_cc']).toEqual(['CP1'])
  })

  it.each([
    ['a wrong secret', { client_secret: 'nope' }, 401, 'invalid_client', 7000215],
    ['no secret', { client_secret: undefined as unknown as string }, 401, 'invalid_client', 7000218],
    ['an unknown client', { client_id: 'who' }, 400, 'unauthorized_client', 700016],
    ['no scope', { scope: '' }, 400, 'invalid_request', 900144],
    ['a scope without /.default', { scope: 'User.Read' }, 400, 'invalid_scope', 1002012],
    ['two scopes', { scope: 'api://x/.default api://y/.default' }, 400, 'invalid_scope', 70011],
    ['malformed claims', { claims: '{' }, 400, 'invalid_request', 90014],
    ['an unsupported grant', { grant_type: 'implicit' }, 400, 'unsupported_grant_type', 70003],
  ])("answers %s with Entra's error shape", async (_, form, status, error, code) => {
    const { idp } = newIdp()
    const cleaned = Object.fromEntries(Object.entries({ ...tokenRequest(form).form }).filter(([, v]) => v !== undefined)) as Record<string, string>
    const response = await answer(idp, { ...tokenRequest({}), form: cleaned })
    expect(response.status).toBe(status)
    expect(response.json).toMatchObject({
      error,
      error_codes: [code],
      correlation_id: '11111111-1111-4111-8111-111111111111',
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    })
    expect(response.json['error_description']).toMatch(new RegExp(`^AADSTS${code}: .+ Trace ID: [0-9a-f-]{36} Correlation ID: 11111111-1111-4111-8111-111111111111 Timestamp: 2026-01-01 00:00:00Z$`))
    expect(response.json['timestamp']).toBe('2026-01-01 00:00:00Z')
    expect(response.json['trace_id']).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('refuses client credentials on /common (no tenant)', async () => {
    const { idp } = newIdp()
    const response = await answer(idp, tokenRequest({}, 'https://login.microsoftonline.com/common/oauth2/v2.0/token'))
    expect(response.json).toMatchObject({ error: 'invalid_request', error_codes: [50059] })
  })

  it('knows only the tenants it is told about, when told', async () => {
    const idp = new FakeIdentityProvider({ tenants: ['contoso.onmicrosoft.com'] })
    const unknown = await answer(idp, { method: 'GET', url: 'https://login.microsoftonline.com/fabrikam.com/v2.0/.well-known/openid-configuration', headers: {} })
    expect(unknown.status).toBe(400)
    expect(unknown.json).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] })
    const known = await answer(idp, { method: 'GET', url: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration', headers: {} })
    expect(known.status).toBe(200)
  })

  it('serves tenant discovery with endpoints on the origin it was asked on', async () => {
    const { idp } = newIdp()
    const doc = await answer(idp, { method: 'GET', url: 'https://id.example/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration', headers: {} })
    expect(doc.json).toMatchObject({
      token_endpoint: 'https://id.example/contoso.onmicrosoft.com/oauth2/v2.0/token',
      authorization_endpoint: 'https://id.example/contoso.onmicrosoft.com/oauth2/v2.0/authorize',
      device_authorization_endpoint: 'https://id.example/contoso.onmicrosoft.com/oauth2/v2.0/devicecode',
      issuer: `https://id.example/${tenantIdOf('contoso.onmicrosoft.com')}/v2.0`,
      jwks_uri: 'https://id.example/contoso.onmicrosoft.com/discovery/v2.0/keys',
    })
  })

  it('answers unknown paths with a 404 HTML page, and records every request', async () => {
    const { idp } = newIdp()
    const outcome = await idp.http({ method: 'GET', url: 'https://login.microsoftonline.com/nowhere', headers: {} })
    expect(outcome).toMatchObject({ _tag: 'HttpResponse', status: 404, headers: { 'content-type': 'text/html; charset=utf-8' } })
    await idp.http(tokenRequest({}))
    expect(idp.requests.map((r) => r.path)).toEqual(['/nowhere', '/contoso.onmicrosoft.com/oauth2/v2.0/token'])
    expect(idp.tokenRequests).toHaveLength(1)
    expect(idp.tokenRequests[0]!.form['client_id']).toBe(CLIENT)
  })
})

describe('FakeIdentityProvider: faults', () => {
  it('injects each fault kind into the effect face', async () => {
    const { idp } = newIdp()
    idp
      .injectFault(faults.connectionError())
      .injectFault(faults.timeout())
      .injectFault(faults.throttled(2))
      .injectFault(faults.serverError(503, 9))
      .injectFault(faults.malformedJson())
      .injectFault(faults.htmlErrorPage(502))
    const outcomes: HttpOutcome[] = []
    for (let i = 0; i < 7; i++) outcomes.push(await idp.http(tokenRequest({})))
    expect(outcomes.map((o) => (o._tag === 'HttpFailure' ? o.kind : o.status))).toEqual(['connection', 'timeout', 429, 503, 200, 502, 200])
    expect(outcomes[2]).toMatchObject({ headers: { 'retry-after': '2' } })
    expect(outcomes[3]).toMatchObject({ headers: { 'retry-after': '9' } })
    expect(() => JSON.parse((outcomes[4] as HttpResponse).body)).toThrow()
    expect((outcomes[5] as HttpResponse).body).toContain('<!DOCTYPE html>')
  })

  it('matches faults by path, lets `skip` requests through first, and counts `times`', async () => {
    const { idp } = newIdp()
    idp.injectFault(faults.htmlErrorPage(), { path: '/oauth2/v2.0/token', skip: 1, times: 2 })
    const discovery = await idp.http({ method: 'GET', url: 'https://x/t/v2.0/.well-known/openid-configuration', headers: {} })
    const statuses = [discovery]
    for (let i = 0; i < 4; i++) statuses.push(await idp.http(tokenRequest({})))
    expect(statuses.map((o) => (o._tag === 'HttpResponse' ? o.status : o.kind))).toEqual([200, 200, 500, 500, 200])
  })

  it('drops the connection and hangs on the fetch face', async () => {
    const { idp } = newIdp()
    idp.injectFault(faults.connectionError()).injectFault(faults.timeout())
    await expect(idp.fetch(TOKEN_URL, { method: 'POST' })).rejects.toThrow('fetch failed')
    const controller = new AbortController()
    const hanging = idp.fetch(TOKEN_URL, { method: 'POST', signal: controller.signal })
    controller.abort()
    await expect(hanging).rejects.toThrow()
  })
})

describe('FakeIdentityProvider: the loopback server', () => {
  it('serves the same protocol over real HTTP on 127.0.0.1', async () => {
    const { idp } = newIdp()
    const base = await idp.listen()
    try {
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const response = await fetch(`${base}/contoso.onmicrosoft.com/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT, client_secret: SECRET, scope: 'api://x/.default' }),
      })
      expect(response.status).toBe(200)
      expect(((await response.json()) as { token_type: string }).token_type).toBe('Bearer')
      const doc = (await (await fetch(`${base}/t1/v2.0/.well-known/openid-configuration`)).json()) as { token_endpoint: string }
      expect(doc.token_endpoint).toBe(`${base}/t1/oauth2/v2.0/token`)
    } finally {
      await idp.close()
    }
  })

  it('resets the connection for a connection fault, and close() ends a hanging one', async () => {
    const { idp } = newIdp()
    const base = await idp.listen()
    idp.injectFault(faults.connectionError()).injectFault(faults.timeout())
    await expect(fetch(`${base}/t/oauth2/v2.0/token`, { method: 'POST' })).rejects.toThrow('fetch failed')
    const hanging = fetch(`${base}/t/oauth2/v2.0/token`, { method: 'POST' })
    await new Promise((resolve) => setTimeout(resolve, 50))
    await idp.close()
    await expect(hanging).rejects.toThrow()
  })
})

describe('FakeIdentityProvider: signing keys', () => {
  const appTokenOf = async (idp: FakeIdentityProvider): Promise<string> => {
    idp.registerApp({ clientId: CLIENT, clientSecret: SECRET })
    return (await answer(idp, tokenRequest({}))).json['access_token'] as string
  }
  const verifiesWith = async (token: string, jwksOf: FakeIdentityProvider): Promise<boolean> =>
    jwtVerify(token, createLocalJWKSet((await jwksOf.jwks()) as never)).then(
      () => true,
      () => false,
    )

  it('providers given no key share one generated key; uniqueSigningKey gives a provider its own', async () => {
    const [first, second, own] = [new FakeIdentityProvider(), new FakeIdentityProvider(), new FakeIdentityProvider({ uniqueSigningKey: true })]
    expect(await second.jwks()).toEqual(await first.jwks())
    expect(await verifiesWith(await appTokenOf(first), second)).toBe(true)
    expect((await own.jwks()).keys).not.toEqual((await first.jwks()).keys)
    expect(await verifiesWith(await appTokenOf(own), first)).toBe(false)
    expect(await verifiesWith(await appTokenOf(first), own)).toBe(false)
  })

  it('signingKeyPem signs with that key, the same claims to the same bytes', async () => {
    const pem = certificateFixture('leaf.key.pkcs8.pem')
    const [one, two] = [1, 2].map(() => new FakeIdentityProvider({ clock: fixedClock().now, random: seededRandom(3), signingKeyPem: pem }))
    const token = await appTokenOf(one!)
    expect(await appTokenOf(two!)).toBe(token)
    expect(await verifiesWith(token, new FakeIdentityProvider())).toBe(false)
  })

  it('refuses signingKeyPem with uniqueSigningKey: true', () => {
    expect(() => new FakeIdentityProvider({ signingKeyPem: certificateFixture('leaf.key.pkcs8.pem'), uniqueSigningKey: true })).toThrow(
      /signingKeyPem and uniqueSigningKey/,
    )
  })
})
