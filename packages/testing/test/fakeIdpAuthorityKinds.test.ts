/**
 * The fake identity provider speaks each authority kind's dialect: B2C, AD FS, CIAM, generic
 * OIDC providers, instance discovery for vouched private clouds, Entra's regional hosts and
 * Azure's instance metadata service, on every face (the loopback server through a tunnel too).
 */
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose'
import type { HttpRequest } from '@msal-ts/core'
import { FakeIdentityProvider, fixedClock, loopbackFetch, seededRandom, tenantIdOf } from '@msal-ts/testing'

const CLIENT = 'app-kinds'
const SECRET = 's3cret'
const TENANT = 'contoso.onmicrosoft.com'
const TID = tenantIdOf(TENANT)

type Json = Record<string, unknown>

const newIdp = (options: { knownInstances?: string[]; imdsRegion?: string } = {}) => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now, random: seededRandom(5), ...options }).registerApp({ clientId: CLIENT, clientSecret: SECRET })
  return { idp, clock }
}

const send = async (idp: FakeIdentityProvider, request: HttpRequest): Promise<{ status: number; headers: Readonly<Record<string, string>>; body: string; json: Json }> => {
  const outcome = await idp.http(request)
  if (outcome._tag !== 'HttpResponse') throw new Error(`no response: ${outcome.kind}`)
  let json: Json = {}
  try {
    json = JSON.parse(outcome.body) as Json
  } catch {
    // a text answer (IMDS's format=text)
  }
  return { ...outcome, json }
}

const get = (idp: FakeIdentityProvider, url: string, headers: Record<string, string> = {}) => send(idp, { method: 'GET', url, headers })

const clientCredentials = (idp: FakeIdentityProvider, url: string, form: Record<string, string> = {}) =>
  send(idp, {
    method: 'POST',
    url,
    headers: { 'client-request-id': '33333333-3333-4333-8333-333333333333' },
    form: { grant_type: 'client_credentials', client_id: CLIENT, client_secret: SECRET, scope: 'api://x/.default', ...form },
  })

const verified = async (idp: FakeIdentityProvider, token: string, now: number): Promise<Json> =>
  (await jwtVerify(token, createLocalJWKSet((await idp.jwks()) as never), { currentDate: new Date(now) })).payload as Json

describe('FakeIdentityProvider: Azure AD B2C', () => {
  const B2C = `https://contoso.b2clogin.com/${TENANT}`

  it("serves a user flow's OpenID configuration, its policy in any case, named in lower case", async () => {
    const { idp } = newIdp()
    const { status, json } = await get(idp, `${B2C}/B2C_1_SignIn/v2.0/.well-known/openid-configuration`)
    expect(status).toBe(200)
    expect(json).toMatchObject({
      issuer: `https://contoso.b2clogin.com/${TID}/v2.0/`,
      authorization_endpoint: `${B2C}/b2c_1_signin/oauth2/v2.0/authorize`,
      token_endpoint: `${B2C}/b2c_1_signin/oauth2/v2.0/token`,
      end_session_endpoint: `${B2C}/b2c_1_signin/oauth2/v2.0/logout`,
      jwks_uri: `${B2C}/b2c_1_signin/discovery/v2.0/keys`,
    })
    expect(json['device_authorization_endpoint']).toBeUndefined()
    expect((await get(idp, `${B2C}/b2c_1_signin/discovery/v2.0/keys`)).json).toEqual(await idp.jwks())
  })

  it('recognises a B2C policy on a custom domain by its B2C_ prefix, and nothing else there', async () => {
    const { idp } = newIdp()
    expect((await get(idp, `https://login.contoso.com/${TENANT}/B2C_1A_signin/v2.0/.well-known/openid-configuration`)).json['issuer']).toBe(`https://login.contoso.com/${TID}/v2.0/`)
    // Not B2C: an issuer at /a/b/v2.0 of a generic provider.
    expect((await get(idp, `https://login.contoso.com/a/b/v2.0/.well-known/openid-configuration`)).json['issuer']).toBe('https://login.contoso.com/a/b/v2.0')
  })

  it("issues an app token in B2C's response shape", async () => {
    const { idp, clock } = newIdp()
    const { status, json } = await clientCredentials(idp, `${B2C}/B2C_1_signin/oauth2/v2.0/token`)
    expect(status).toBe(200)
    const iat = Math.floor(clock.now() / 1000)
    expect(Object.keys(json)).toEqual(['access_token', 'token_type', 'not_before', 'expires_in', 'expires_on', 'resource'])
    expect(json).toMatchObject({ token_type: 'Bearer', not_before: iat, expires_in: 3599, expires_on: iat + 3599, resource: 'api://x' })
    expect(await verified(idp, json['access_token'] as string, clock.now())).toMatchObject({ iss: `https://contoso.b2clogin.com/${TID}/v2.0/`, aud: 'api://x', azp: CLIENT, tid: TID, ver: '1.0' })
  })

  it.each([
    ['a wrong secret', { client_secret: 'nope' }, 'invalid_client', /^AADB2C90081: /],
    ['an unknown client', { client_id: 'who' }, 'invalid_client', /^AADB2C90018: The client id 'who' specified in the request is not registered in tenant 'contoso\.onmicrosoft\.com'\./],
    ['no scope', { scope: '' }, 'invalid_request', /^AADB2C90010: /],
    ['a scope without /.default', { scope: 'api://x/read' }, 'invalid_scope', /^AADB2C90012: /],
    ['another grant', { grant_type: 'password' }, 'unsupported_grant_type', /^AADB2C90086: The supplied grant_type \[password\] is not supported\./],
  ])("refuses %s with B2C's error shape (no Entra fields)", async (_, form, error, description) => {
    const { idp } = newIdp()
    const { status, json } = await clientCredentials(idp, `${B2C}/b2c_1_signin/oauth2/v2.0/token`, form)
    expect(status).toBe(400)
    expect(Object.keys(json)).toEqual(['error', 'error_description'])
    expect(json['error']).toBe(error)
    expect(json['error_description']).toMatch(description)
    expect(json['error_description']).toMatch(/\r\nCorrelation ID: 33333333-3333-4333-8333-333333333333\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\r\n$/)
  })
})

describe('FakeIdentityProvider: AD FS', () => {
  const ADFS = 'https://adfs.contoso.com/adfs'

  it("serves AD FS's OpenID configuration at /adfs/.well-known (no /v2.0)", async () => {
    const { idp } = newIdp()
    const { json } = await get(idp, `${ADFS}/.well-known/openid-configuration`)
    expect(json).toMatchObject({
      issuer: ADFS,
      authorization_endpoint: `${ADFS}/oauth2/authorize/`,
      token_endpoint: `${ADFS}/oauth2/token`,
      jwks_uri: `${ADFS}/discovery/keys`,
      access_token_issuer: 'http://adfs.contoso.com/adfs/services/trust',
    })
    expect(json['grant_types_supported']).toContain('client_credentials')
    expect((await get(idp, `${ADFS}/discovery/keys`)).json).toEqual(await idp.jwks())
  })

  it('issues an app token with just access_token, token_type "bearer" and expires_in', async () => {
    const { idp, clock } = newIdp()
    for (const url of [`${ADFS}/oauth2/token`, `${ADFS}/oauth2/token/`]) {
      const { json } = await clientCredentials(idp, url)
      expect(Object.keys(json)).toEqual(['access_token', 'token_type', 'expires_in'])
      expect(json).toMatchObject({ token_type: 'bearer', expires_in: 3599 })
      expect(await verified(idp, json['access_token'] as string, clock.now())).toMatchObject({ iss: 'http://adfs.contoso.com/adfs/services/trust', aud: 'api://x', appid: CLIENT, ver: '1.0' })
    }
  })

  it.each([
    ['a wrong secret', { client_secret: 'nope' }, 401, 'invalid_client', /^MSIS9622: /],
    ['an unknown client', { client_id: 'who' }, 400, 'invalid_client', /^MSIS9607: /],
    ['another grant', { grant_type: 'password' }, 400, 'unsupported_grant_type', /^MSIS9611: /],
  ])('refuses %s with a plain OAuth2 error', async (_, form, status, error, description) => {
    const { idp } = newIdp()
    const response = await clientCredentials(idp, `${ADFS}/oauth2/token`, form)
    expect(response.status).toBe(status)
    expect(Object.keys(response.json)).toEqual(['error', 'error_description'])
    expect(response.json['error']).toBe(error)
    expect(response.json['error_description']).toMatch(description)
  })
})

describe('FakeIdentityProvider: CIAM', () => {
  it("names the tenant by its id in every endpoint, however it was asked, with the tenant's own issuer host", async () => {
    const { idp } = newIdp()
    for (const tenant of [TENANT, TID]) {
      const { json } = await get(idp, `https://contoso.ciamlogin.com/${tenant}/v2.0/.well-known/openid-configuration`)
      expect(json).toMatchObject({
        issuer: `https://${TID}.ciamlogin.com/${TID}/v2.0`,
        token_endpoint: `https://contoso.ciamlogin.com/${TID}/oauth2/v2.0/token`,
        authorization_endpoint: `https://contoso.ciamlogin.com/${TID}/oauth2/v2.0/authorize`,
      })
    }
  })

  it("issues Entra's app token with the CIAM issuer", async () => {
    const { idp } = newIdp()
    const { json } = await clientCredentials(idp, `https://contoso.ciamlogin.com/${TID}/oauth2/v2.0/token`)
    expect(json).toMatchObject({ token_type: 'Bearer', ext_expires_in: 3599 })
    expect(decodeJwt(json['access_token'] as string)).toMatchObject({ iss: `https://${TID}.ciamlogin.com/${TID}/v2.0`, tid: TID })
  })

  it('knows a tenant listed by name when asked by its id', async () => {
    const idp = new FakeIdentityProvider({ tenants: [TENANT] }).registerApp({ clientId: CLIENT, clientSecret: SECRET })
    expect((await clientCredentials(idp, `https://contoso.ciamlogin.com/${TID}/oauth2/v2.0/token`)).status).toBe(200)
    expect((await clientCredentials(idp, `https://contoso.ciamlogin.com/${tenantIdOf('other')}/oauth2/v2.0/token`)).json['error_codes']).toEqual([90002])
  })
})

describe('FakeIdentityProvider: generic OpenID Connect providers', () => {
  it.each([
    ['at a path', 'https://id.example/tenant-x'],
    ['at a host root', 'https://id.example'],
    ['at a deep path (dSTS)', 'https://x.dsts.core.azure-test.net/dstsv2/common'],
  ])('serves an issuer %s, and client credentials at its token endpoint', async (_, issuer) => {
    const { idp, clock } = newIdp()
    const { json: doc } = await get(idp, `${issuer}/.well-known/openid-configuration`)
    expect(doc).toMatchObject({ issuer, token_endpoint: `${issuer}/oauth2/token`, authorization_endpoint: `${issuer}/oauth2/authorize`, jwks_uri: `${issuer}/.well-known/jwks.json` })
    expect((await get(idp, doc['jwks_uri'] as string)).json).toEqual(await idp.jwks())
    const { json } = await clientCredentials(idp, doc['token_endpoint'] as string)
    expect(Object.keys(json)).toEqual(['access_token', 'token_type', 'expires_in'])
    expect(await verified(idp, json['access_token'] as string, clock.now())).toMatchObject({ iss: issuer, sub: CLIENT, client_id: CLIENT, aud: 'api://x' })
  })

  it("leaves Microsoft's cloud hosts to Entra (no generic provider at login.microsoftonline.com/{tenant}/oauth2/token)", async () => {
    const { idp } = newIdp()
    expect((await clientCredentials(idp, `https://login.microsoftonline.com/${TENANT}/oauth2/token`)).status).toBe(404)
    expect((await get(idp, `https://login.microsoftonline.com/${TENANT}/.well-known/openid-configuration`)).status).toBe(404)
  })

  it('refuses a wrong secret with RFC 6749 error fields only', async () => {
    const { idp } = newIdp()
    const { status, json } = await clientCredentials(idp, 'https://id.example/oauth2/token', { client_secret: 'nope' })
    expect([status, json]).toEqual([401, { error: 'invalid_client', error_description: 'Client authentication failed.' }])
  })
})

describe('FakeIdentityProvider: instance discovery for private clouds', () => {
  const discover = (idp: FakeIdentityProvider, authority: string) =>
    get(idp, `https://login.microsoftonline.com/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${authority}/oauth2/v2.0/authorize`)}`)

  it('vouches for the hosts it is told about, with the host as its only alias', async () => {
    const { idp } = newIdp({ knownInstances: ['Login.Contoso.Example'] })
    const { status, json } = await discover(idp, `https://login.contoso.example/${TENANT}`)
    expect(status).toBe(200)
    expect(json).toEqual({
      tenant_discovery_endpoint: `https://login.contoso.example/${TENANT}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: 'login.contoso.example', preferred_cache: 'login.contoso.example', aliases: ['login.contoso.example'] }],
    })
  })

  it('answers any other host with invalid_instance', async () => {
    const { idp } = newIdp({ knownInstances: ['login.contoso.example'] })
    const { status, json } = await discover(idp, `https://login.other.example/${TENANT}`)
    expect(status).toBe(400)
    expect(json).toMatchObject({ error: 'invalid_instance', error_codes: [50049] })
  })
})

describe('FakeIdentityProvider: regional hosts', () => {
  it.each([
    ['westus2.login.microsoft.com', 'https://login.microsoftonline.com'],
    ['westus2.login.microsoftonline.us', 'https://login.microsoftonline.us'],
    ['westus2.login.contoso.example', 'https://login.contoso.example'],
  ])("serves the token endpoint on %s, with the cloud's issuer, and records the host", async (host, central) => {
    const { idp } = newIdp({ knownInstances: ['login.contoso.example'] })
    const { json } = await clientCredentials(idp, `https://${host}/${TENANT}/oauth2/v2.0/token`)
    expect(decodeJwt(json['access_token'] as string)['iss']).toBe(`${central}/${TID}/v2.0`)
    expect(idp.tokenRequests.map((r) => r.host)).toEqual([host])
  })

  it('leaves an unknown host its own issuer', async () => {
    const { idp } = newIdp()
    const { json } = await clientCredentials(idp, `https://westus2.login.nowhere.example/${TENANT}/oauth2/v2.0/token`)
    expect(decodeJwt(json['access_token'] as string)['iss']).toBe(`https://westus2.login.nowhere.example/${TID}/v2.0`)
  })
})

describe('FakeIdentityProvider: the instance metadata service', () => {
  const IMDS = 'http://169.254.169.254/metadata/instance/compute/location?format=text&api-version=2021-01-01'

  it('reports the configured region as text (format=text) or JSON', async () => {
    const { idp } = newIdp({ imdsRegion: 'westeurope' })
    const text = await get(idp, IMDS, { metadata: 'true' })
    expect([text.status, text.headers['content-type'], text.body]).toEqual([200, 'text/plain; charset=utf-8', 'westeurope'])
    expect((await get(idp, IMDS.replace('format=text&', ''), { metadata: 'true' })).body).toBe('"westeurope"')
  })

  it('insists on the Metadata header and an api-version', async () => {
    const { idp } = newIdp({ imdsRegion: 'westeurope' })
    expect((await get(idp, IMDS)).json).toEqual({ error: 'Bad request. Required metadata header not specified' })
    expect((await get(idp, IMDS.replace('&api-version=2021-01-01', ''), { metadata: 'true' })).status).toBe(400)
  })

  it('does not answer at all outside Azure (no region set), and records the attempt', async () => {
    const { idp } = newIdp()
    expect(await idp.http({ method: 'GET', url: IMDS, headers: { Metadata: 'true' } })).toMatchObject({ _tag: 'HttpFailure', kind: 'connection' })
    await expect(idp.fetch(IMDS, { headers: { Metadata: 'true' } })).rejects.toThrow('fetch failed')
    expect(idp.requests.map((r) => r.host)).toEqual(['169.254.169.254', '169.254.169.254'])
  })
})

describe('FakeIdentityProvider: reaching any host through the loopback server', () => {
  it('tunnels https://anyhost/path to the loopback server, which answers as that host', async () => {
    const { idp } = newIdp({ imdsRegion: 'westus3' })
    const base = await idp.listen()
    try {
      const doc = (await (await idp.tunnelFetch('https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1_x/v2.0/.well-known/openid-configuration')).json()) as Json
      expect(doc['token_endpoint']).toBe('https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1_x/oauth2/v2.0/token')
      const token = await loopbackFetch(base)('https://adfs.contoso.com/adfs/oauth2/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT, client_secret: SECRET, scope: 'api://x/.default' }),
      })
      expect(((await token.json()) as Json)['token_type']).toBe('bearer')
      const region = await idp.tunnelFetch('http://169.254.169.254/metadata/instance/compute/location?format=text&api-version=2021-01-01', { headers: { Metadata: 'true' } })
      expect(await region.text()).toBe('westus3')
      expect(idp.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        'GET https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1_x/v2.0/.well-known/openid-configuration',
        'POST https://adfs.contoso.com/adfs/oauth2/token',
        'GET http://169.254.169.254/metadata/instance/compute/location?format=text&api-version=2021-01-01',
      ])
    } finally {
      await idp.close()
    }
  })
})

describe('token endpoint paths', () => {
  it('accepts a trailing slash on the token endpoint, as Entra does (MSAL for Node sends one to regional hosts)', async () => {
    const idp = new FakeIdentityProvider().registerApp({ clientId: 'slash-app', clientSecret: 's' })
    for (const url of ['https://login.microsoftonline.com/t1/oauth2/v2.0/token/', 'https://westus2.login.microsoft.com/t1/oauth2/v2.0/token/']) {
      const outcome = await idp.http({ method: 'POST', url, headers: {}, form: { grant_type: 'client_credentials', client_id: 'slash-app', client_secret: 's', scope: 'api://x/.default' } })
      expect(outcome).toMatchObject({ _tag: 'HttpResponse', status: 200 })
    }
  })
})
