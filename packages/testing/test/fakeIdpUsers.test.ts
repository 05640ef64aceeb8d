import { createLocalJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose'
import type { HttpRequest } from '@msal-ts/core'
import { DEFAULT_USER_TENANT, FakeIdentityProvider, faults, fixedClock, GRAPH_RESOURCE_ID, seededRandom, tenantIdOf } from '@msal-ts/testing'

// Apps: two public members of Microsoft's family (FOCI), a public loner, a confidential web app.
const APP = 'aaaaaaaa-0000-4000-8000-000000000001'
const SIBLING = 'aaaaaaaa-0000-4000-8000-000000000002'
const LONER = 'aaaaaaaa-0000-4000-8000-000000000003'
const WEB = 'aaaaaaaa-0000-4000-8000-000000000004'
const WEB_SECRET = 'web-s3cret'
const ALICE = 'alice@contoso.onmicrosoft.com'
const PASSWORD = 'correct horse battery staple'
const TENANT = 'contoso.onmicrosoft.com'
const TID = tenantIdOf(TENANT)
const CORRELATION = '22222222-2222-4222-8222-222222222222'
const ORIGIN = 'https://login.microsoftonline.com'

const newIdp = () => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now, random: seededRandom(7) })
    .registerApp({ clientId: APP, familyId: '1' })
    .registerApp({ clientId: SIBLING, familyId: '1' })
    .registerApp({ clientId: LONER })
    .registerApp({ clientId: WEB, clientSecret: WEB_SECRET })
    .registerUser({ username: ALICE, password: PASSWORD, displayName: 'Alice Smith' })
    .registerUser({ username: 'bob@fabrikam.com', password: 'pw', tenant: 'fabrikam.com' })
    .registerUser({ username: 'carol@contoso.onmicrosoft.com' }) // no password: cannot use ROPC
  return { idp, clock }
}

type Json = Record<string, unknown>

const send = async (idp: FakeIdentityProvider, request: HttpRequest): Promise<{ status: number; json: Json }> => {
  const outcome = await idp.http(request)
  if (outcome._tag !== 'HttpResponse') throw new Error(`no response: ${outcome.kind}`)
  return { status: outcome.status, json: JSON.parse(outcome.body) as Json }
}

const post = (idp: FakeIdentityProvider, form: Record<string, string | undefined>, tenant = TENANT) =>
  send(idp, {
    method: 'POST',
    url: `${ORIGIN}/${tenant}/oauth2/v2.0/token`,
    headers: { 'client-request-id': CORRELATION },
    form: Object.fromEntries(Object.entries(form).filter(([, v]) => v !== undefined)) as Record<string, string>,
  })

const get = (idp: FakeIdentityProvider, url: string) => send(idp, { method: 'GET', url, headers: { 'client-request-id': CORRELATION } })

/** What MSAL sends to redeem a refresh token. */
const refreshForm = (refreshToken: string, overrides: Record<string, string | undefined> = {}) => ({
  grant_type: 'refresh_token',
  client_id: APP,
  refresh_token: refreshToken,
  scope: 'User.Read openid profile offline_access',
  client_info: '1',
  ...overrides,
})

/** What MSAL sends for the password grant. */
const passwordForm = (overrides: Record<string, string | undefined> = {}) => ({
  grant_type: 'password',
  client_id: APP,
  username: ALICE,
  password: PASSWORD,
  scope: 'User.Read openid profile offline_access',
  client_info: '1',
  ...overrides,
})

const verify = async (idp: FakeIdentityProvider, token: unknown, nowMs: number): Promise<JWTPayload> => {
  const { payload, protectedHeader } = await jwtVerify(token as string, createLocalJWKSet((await idp.jwks()) as never), { currentDate: new Date(nowMs) })
  expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: 'fake-idp-key-1' })
  return payload
}

const decodeClientInfo = (value: unknown): unknown => JSON.parse(Buffer.from(value as string, 'base64url').toString('utf8'))

/** Entra's error shape, with the correlation id the request sent. */
const expectEntraError = (response: { status: number; json: Json }, status: number, error: string, code: number) => {
  expect(response.status).toBe(status)
  expect(response.json).toMatchObject({
    error,
    error_codes: [code],
    timestamp: '2026-01-01 00:00:00Z',
    correlation_id: CORRELATION,
    error_uri: `${ORIGIN}/error?code=${code}`,
  })
  expect(response.json['trace_id']).toMatch(/^[0-9a-f-]{36}$/)
  expect(response.json['error_description']).toMatch(
    new RegExp(`^AADSTS${code}: .+ Trace ID: [0-9a-f-]{36} Correlation ID: ${CORRELATION} Timestamp: 2026-01-01 00:00:00Z$`),
  )
}

const aliceRefreshToken = (idp: FakeIdentityProvider, clientId = APP) =>
  idp.issueRefreshToken({ username: ALICE, clientId, scopes: ['User.Read', 'openid', 'profile', 'offline_access'] })

describe('FakeIdentityProvider: users', () => {
  it('gives users stable GUIDs derived from their home tenant, or the object id given', () => {
    const { idp } = newIdp()
    const again = newIdp().idp
    const alice = idp.getUser('ALICE@contoso.onmicrosoft.com')!
    expect(alice).toMatchObject({ username: ALICE, displayName: 'Alice Smith', tenant: DEFAULT_USER_TENANT, tid: TID, domain: TENANT })
    expect(alice.oid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(again.getUser(ALICE)!.oid).toBe(alice.oid)
    expect(idp.getUser('bob@fabrikam.com')).toMatchObject({ displayName: 'bob', tid: tenantIdOf('fabrikam.com') })
    idp.registerUser({ username: 'dan@contoso.onmicrosoft.com', objectId: 'D0D0D0D0-0000-4000-8000-000000000000' })
    expect(idp.getUser('dan@contoso.onmicrosoft.com')!.oid).toBe('d0d0d0d0-0000-4000-8000-000000000000')
    expect(idp.getUser('nobody@contoso.onmicrosoft.com')).toBeUndefined()
  })

  it('issues refresh tokens only for known users and apps', () => {
    const { idp } = newIdp()
    expect(aliceRefreshToken(idp)).toMatch(/^[A-Za-z0-9_-]{64}$/) // 48 random bytes, base64url
    expect(() => idp.issueRefreshToken({ username: 'who@x.com', clientId: APP, scopes: [] })).toThrow('no user')
    expect(() => idp.issueRefreshToken({ username: ALICE, clientId: 'who', scopes: [] })).toThrow('no app')
  })
})

describe('FakeIdentityProvider: refresh token grant', () => {
  it("answers in Entra's shape: signed access and ID tokens, client_info, a new refresh token, foci", async () => {
    const { idp, clock } = newIdp()
    const refreshToken = aliceRefreshToken(idp)
    const { status, json } = await post(idp, refreshForm(refreshToken))
    expect(status).toBe(200)
    expect(Object.keys(json)).toEqual(['token_type', 'scope', 'expires_in', 'ext_expires_in', 'access_token', 'refresh_token', 'id_token', 'client_info', 'foci'])
    expect(json).toMatchObject({ token_type: 'Bearer', scope: 'User.Read openid profile', expires_in: 3599, ext_expires_in: 3599, foci: '1' })
    expect(json['refresh_token']).toMatch(/^[A-Za-z0-9_-]{64}$/)
    expect(json['refresh_token']).not.toBe(refreshToken)

    const alice = idp.getUser(ALICE)!
    const iat = clock.now() / 1000
    const accessToken = await verify(idp, json['access_token'], clock.now())
    expect(accessToken).toMatchObject({
      aud: GRAPH_RESOURCE_ID,
      iss: `${ORIGIN}/${TID}/v2.0`,
      iat,
      nbf: iat,
      exp: iat + 3599,
      azp: APP,
      azpacr: '0',
      name: 'Alice Smith',
      oid: alice.oid,
      preferred_username: ALICE,
      scp: 'User.Read',
      tid: TID,
      ver: '2.0',
    })
    const idToken = await verify(idp, json['id_token'], clock.now())
    expect(Object.keys(idToken)).toEqual(['aud', 'iss', 'iat', 'nbf', 'exp', 'name', 'oid', 'preferred_username', 'rh', 'sub', 'tid', 'uti', 'ver'])
    expect(idToken).toMatchObject({
      aud: APP,
      iss: `${ORIGIN}/${TID}/v2.0`,
      iat,
      nbf: iat,
      exp: iat + 3600,
      name: 'Alice Smith',
      oid: alice.oid,
      preferred_username: ALICE,
      tid: TID,
      ver: '2.0',
    })
    // sub is pairwise: stable, not the oid, different per audience.
    expect(idToken.sub).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(idToken.sub).not.toBe(accessToken.sub)
    expect(decodeClientInfo(json['client_info'])).toEqual({ uid: alice.oid, utid: TID })
    expect(json['client_info']).not.toMatch(/=/)
  })

  it.each([
    ['Graph by bare name', 'User.Read openid profile offline_access', GRAPH_RESOURCE_ID, 'User.Read', 'User.Read openid profile'],
    ['Graph by URI, two scopes', 'https://graph.microsoft.com/Mail.Read User.Read offline_access', GRAPH_RESOURCE_ID, 'Mail.Read User.Read', 'Mail.Read User.Read'],
    ['an API by URI', 'api://orders/Orders.Read openid', 'api://orders', 'Orders.Read', 'api://orders/Orders.Read openid'],
    ["an API's .default", 'api://orders/.default offline_access', 'api://orders', 'user_impersonation', 'api://orders/user_impersonation'],
    ["Graph's .default", 'https://graph.microsoft.com/.default openid', GRAPH_RESOURCE_ID, 'User.Read', 'User.Read openid'],
    ['OpenID scopes only', 'openid profile offline_access', GRAPH_RESOURCE_ID, 'User.Read', 'User.Read openid profile'],
  ])('grants %s', async (_, scope, aud, scp, grantedScope) => {
    const { idp, clock } = newIdp()
    const { status, json } = await post(idp, refreshForm(aliceRefreshToken(idp), { scope }))
    expect(status).toBe(200)
    expect(json['scope']).toBe(grantedScope)
    const accessToken = await verify(idp, json['access_token'], clock.now())
    expect(accessToken).toMatchObject({ aud, scp })
    expect(String(accessToken['scp']).split(' ')).not.toEqual(expect.arrayContaining(['openid']))
  })

  it.each([
    ['openid and client_info=1', 'User.Read openid offline_access', '1', true, true],
    ['openid without client_info', 'User.Read openid offline_access', undefined, true, false],
    ['client_info=1 without openid', 'User.Read offline_access', '1', false, true],
    ['neither', 'User.Read', undefined, false, false],
  ])('sends id_token and client_info only when asked: %s', async (_, scope, clientInfo, hasIdToken, hasClientInfo) => {
    const { idp } = newIdp()
    const { json } = await post(idp, refreshForm(aliceRefreshToken(idp), { scope, client_info: clientInfo }))
    expect('id_token' in json).toBe(hasIdToken)
    expect('client_info' in json).toBe(hasClientInfo)
    expect('refresh_token' in json).toBe(true) // the refresh grant always rotates
  })

  it('rotates: the new refresh token works, and so does the old one (until revoked)', async () => {
    const { idp, clock } = newIdp()
    const first = aliceRefreshToken(idp)
    const second = (await post(idp, refreshForm(first))).json['refresh_token'] as string
    const third = await post(idp, refreshForm(second))
    expect(third.status).toBe(200)
    expect(third.json['refresh_token']).not.toBe(second)
    expect((await post(idp, refreshForm(first))).status).toBe(200)

    clock.advance(60_000)
    idp.revokeSignInSessions(ALICE)
    for (const token of [first, second, third.json['refresh_token'] as string]) {
      const revoked = await post(idp, refreshForm(token))
      expect(revoked.status).toBe(400)
      expect(revoked.json).toMatchObject({ error: 'invalid_grant', error_codes: [50173] })
      expect(revoked.json['error_description']).toContain(
        "The grant was issued on '2026-01-01T00:00:00.0000000Z' and the TokensValidFrom date (before which tokens are not valid) for this user is '2026-01-01T00:01:00.0000000Z'.",
      )
    }
    expect((await post(idp, refreshForm(aliceRefreshToken(idp)))).status).toBe(200) // signed in again
  })

  it('uses the scopes the refresh token was issued for when the request names none', async () => {
    const { idp, clock } = newIdp()
    const refreshToken = idp.issueRefreshToken({ username: ALICE, clientId: APP, scopes: ['api://orders/Orders.Read', 'offline_access'] })
    const { json } = await post(idp, refreshForm(refreshToken, { scope: undefined }))
    expect(json['scope']).toBe('api://orders/Orders.Read')
    expect(await verify(idp, json['access_token'], clock.now())).toMatchObject({ aud: 'api://orders', scp: 'Orders.Read' })
  })

  it('lets a confidential client redeem with its secret', async () => {
    const { idp, clock } = newIdp()
    const response = await post(idp, refreshForm(aliceRefreshToken(idp, WEB), { client_id: WEB, client_secret: WEB_SECRET }))
    expect(response.status).toBe(200)
    expect('foci' in response.json).toBe(false)
    expect(await verify(idp, response.json['access_token'], clock.now())).toMatchObject({ azp: WEB, azpacr: '1' })
  })

  describe('family refresh tokens (FOCI)', () => {
    it('lets another member of the family redeem a family refresh token, for itself', async () => {
      const { idp, clock } = newIdp()
      const { status, json } = await post(idp, refreshForm(aliceRefreshToken(idp, APP), { client_id: SIBLING }))
      expect(status).toBe(200)
      expect(json['foci']).toBe('1')
      expect(await verify(idp, json['access_token'], clock.now())).toMatchObject({ azp: SIBLING })
      expect(await verify(idp, json['id_token'], clock.now())).toMatchObject({ aud: SIBLING })
      // The new refresh token is the sibling's, and is itself a family token.
      const again = await post(idp, refreshForm(json['refresh_token'] as string, { client_id: APP }))
      expect(again.status).toBe(200)
    })

    it('answers an app outside the family with client_mismatch', async () => {
      const { idp } = newIdp()
      const response = await post(idp, refreshForm(aliceRefreshToken(idp, APP), { client_id: LONER }))
      expectEntraError(response, 400, 'invalid_grant', 70000)
      expect(response.json['suberror']).toBe('client_mismatch')
    })

    it("refuses an app another app's own refresh token, without client_mismatch", async () => {
      const { idp } = newIdp()
      const response = await post(idp, refreshForm(aliceRefreshToken(idp, LONER), { client_id: APP }))
      expectEntraError(response, 400, 'invalid_grant', 70000)
      expect('suberror' in response.json).toBe(false)
    })
  })

  it.each<[string, Record<string, string | undefined>, number, string, number]>([
    ['an unknown refresh token', { refresh_token: 'not-a-token' }, 400, 'invalid_grant', 9002313],
    ['no refresh token', { refresh_token: undefined }, 400, 'invalid_request', 900144],
    ['an unknown client', { client_id: 'who' }, 400, 'unauthorized_client', 700016],
    ['a confidential client without its secret', { client_id: WEB }, 401, 'invalid_client', 7000218],
    ['a confidential client with a wrong secret', { client_id: WEB, client_secret: 'nope' }, 401, 'invalid_client', 7000215],
    ['a public client sending a secret', { client_secret: 'why' }, 401, 'invalid_client', 700025],
    ['scopes of two resources', { scope: 'User.Read api://orders/Orders.Read openid' }, 400, 'invalid_scope', 28000],
    ['malformed claims', { claims: '{' }, 400, 'invalid_request', 90014],
  ])("answers %s with Entra's error", async (_, overrides, status, error, code) => {
    const { idp } = newIdp()
    const token = aliceRefreshToken(idp, overrides.client_id === WEB ? WEB : APP)
    expectEntraError(await post(idp, refreshForm(token, overrides)), status, error, code)
  })

  it('quotes the scopes it refused for naming two resources, as Entra does', async () => {
    const { idp } = newIdp()
    const { json } = await post(idp, refreshForm(aliceRefreshToken(idp), { scope: 'User.Read api://orders/Orders.Read openid' }))
    expect(json['error_description']).toMatch(/^AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource\. Scope User\.Read api:\/\/orders\/Orders\.Read openid is not valid\./)
  })

  it('puts client capabilities from claims in the access token', async () => {
    const { idp } = newIdp()
    const { json } = await post(idp, refreshForm(aliceRefreshToken(idp), { claims: '{"access_token":{"xms_cc":{"values":["CP1"]}}}' }))
    expect(decodeJwt(json['access_token'] as string)['xms_cc']).toEqual(['CP1'])
  })
})

describe('FakeIdentityProvider: password grant (ROPC)', () => {
  it('signs a managed user in, with a refresh token when offline_access is asked', async () => {
    const { idp, clock } = newIdp()
    const { status, json } = await post(idp, passwordForm())
    expect(status).toBe(200)
    expect(Object.keys(json)).toEqual(['token_type', 'scope', 'expires_in', 'ext_expires_in', 'access_token', 'refresh_token', 'id_token', 'client_info', 'foci'])
    const alice = idp.getUser(ALICE)!
    expect(await verify(idp, json['access_token'], clock.now())).toMatchObject({ aud: GRAPH_RESOURCE_ID, scp: 'User.Read', oid: alice.oid, azp: APP })
    expect(await verify(idp, json['id_token'], clock.now())).toMatchObject({ aud: APP, oid: alice.oid, preferred_username: ALICE })
    expect(decodeClientInfo(json['client_info'])).toEqual({ uid: alice.oid, utid: TID })
    // The refresh token it issued works.
    expect((await post(idp, refreshForm(json['refresh_token'] as string))).status).toBe(200)
  })

  it('sends no refresh token without offline_access, and takes the user name in any case', async () => {
    const { idp } = newIdp()
    const { status, json } = await post(idp, passwordForm({ scope: 'User.Read openid profile', username: ALICE.toUpperCase() }))
    expect(status).toBe(200)
    expect('refresh_token' in json).toBe(false)
  })

  it('signs users in through /common and /organizations, at their home tenant', async () => {
    const { idp, clock } = newIdp()
    for (const tenant of ['common', 'organizations']) {
      const { status, json } = await post(idp, passwordForm({ username: 'bob@fabrikam.com', password: 'pw' }), tenant)
      expect(status).toBe(200)
      expect(await verify(idp, json['id_token'], clock.now())).toMatchObject({ tid: tenantIdOf('fabrikam.com'), iss: `${ORIGIN}/${tenantIdOf('fabrikam.com')}/v2.0` })
    }
  })

  it.each([
    ['an unknown user', { username: 'nobody@contoso.onmicrosoft.com' }, TENANT, 400, 'invalid_grant', 50034],
    ['a user of another tenant', { username: 'bob@fabrikam.com', password: 'pw' }, TENANT, 400, 'invalid_grant', 50034],
    ['a wrong password', { password: 'wrong' }, TENANT, 400, 'invalid_grant', 50126],
    ['a user with no password', { username: 'carol@contoso.onmicrosoft.com' }, TENANT, 400, 'invalid_grant', 50126],
    ['no username', { username: undefined }, TENANT, 400, 'invalid_request', 900144],
    ['no password', { password: undefined }, TENANT, 400, 'invalid_request', 900144],
    ['no scope', { scope: undefined }, TENANT, 400, 'invalid_request', 900144],
    ['an unknown client', { client_id: 'who' }, TENANT, 400, 'unauthorized_client', 700016],
    ['a confidential client without its secret', { client_id: WEB }, TENANT, 401, 'invalid_client', 7000218],
    ['scopes of two resources', { scope: 'User.Read api://orders/Orders.Read' }, TENANT, 400, 'invalid_scope', 28000],
  ])("answers %s with Entra's error", async (_, overrides, tenant, status, error, code) => {
    const { idp } = newIdp()
    expectEntraError(await post(idp, passwordForm(overrides), tenant), status, error, code)
  })

  it("words the errors as Entra does, hiding the user's name", async () => {
    const { idp } = newIdp()
    const unknown = await post(idp, passwordForm({ username: 'nobody@contoso.onmicrosoft.com' }))
    expect(unknown.json['error_description']).toMatch(
      /^AADSTS50034: The user account \{EmailHidden\} does not exist in the contoso\.onmicrosoft\.com directory\. To sign into this application, the account must be added to the directory\. Trace ID/,
    )
    const wrong = await post(idp, passwordForm({ password: 'wrong' }))
    expect(wrong.json['error_description']).toMatch(/^AADSTS50126: Error validating credentials due to invalid username or password\. Trace ID/)
  })

  it('lets a confidential client use the password grant with its secret', async () => {
    const { idp } = newIdp()
    expect((await post(idp, passwordForm({ client_id: WEB, client_secret: WEB_SECRET }))).status).toBe(200)
  })
})

describe('FakeIdentityProvider: user realm discovery', () => {
  it.each([
    ['a managed user', `${ORIGIN}/common/userrealm/${ALICE}?api-version=1.0`, { ver: '1.0', account_type: 'Managed', domain_name: TENANT }],
    ['any name in a known domain', `${ORIGIN}/common/userrealm/someone@fabrikam.com?api-version=1.0`, { ver: '1.0', account_type: 'Managed', domain_name: 'fabrikam.com' }],
    ['the UserRealm spelling', `${ORIGIN}/common/UserRealm/${encodeURIComponent(ALICE)}?api-version=1.0`, { account_type: 'Managed', domain_name: TENANT }],
    ['api-version 2.0', `${ORIGIN}/common/userrealm/${ALICE}?api-version=2.0`, { account_type: 'Managed' }],
  ])('answers %s', async (_, url, expected) => {
    const { idp } = newIdp()
    const { status, json } = await get(idp, url)
    expect(status).toBe(200)
    expect(json).toMatchObject({ ...expected, cloud_instance_name: 'microsoftonline.com', cloud_audience_urn: 'urn:federation:MicrosoftOnline' })
  })

  it('answers Unknown, with no domain, for a domain no one signs in with', async () => {
    const { idp } = newIdp()
    const { status, json } = await get(idp, `${ORIGIN}/common/userrealm/someone@example.org?api-version=1.0`)
    expect(status).toBe(200)
    expect(json).toEqual({ ver: '1.0', account_type: 'Unknown', cloud_instance_name: 'microsoftonline.com', cloud_audience_urn: 'urn:federation:MicrosoftOnline' })
  })
})

describe('FakeIdentityProvider: instance discovery', () => {
  const discover = (idp: FakeIdentityProvider, authorizationEndpoint: string, origin = ORIGIN) =>
    get(idp, `${origin}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(authorizationEndpoint)}`)

  it("answers a Microsoft host with its tenant discovery endpoint and Entra's cloud list", async () => {
    const { idp } = newIdp()
    const { status, json } = await discover(idp, `${ORIGIN}/${TENANT}/oauth2/v2.0/authorize`)
    expect(status).toBe(200)
    expect(Object.keys(json)).toEqual(['tenant_discovery_endpoint', 'api-version', 'metadata'])
    expect(json['tenant_discovery_endpoint']).toBe(`${ORIGIN}/${TENANT}/v2.0/.well-known/openid-configuration`)
    expect(json['api-version']).toBe('1.1')
    const metadata = json['metadata'] as Array<{ preferred_network: string; preferred_cache: string; aliases: string[] }>
    expect(metadata[0]).toEqual({
      preferred_network: 'login.microsoftonline.com',
      preferred_cache: 'login.windows.net',
      aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
    })
    expect(metadata.map((cloud) => cloud.preferred_network)).toEqual(expect.arrayContaining(['login.partner.microsoftonline.cn', 'login.microsoftonline.us']))
  })

  it.each([
    ['an alias', 'https://login.windows.net/common/oauth2/v2.0/authorize', ORIGIN, 'https://login.windows.net/common/v2.0/.well-known/openid-configuration'],
    ['another cloud', 'https://login.microsoftonline.us/t1/oauth2/v2.0/authorize', ORIGIN, 'https://login.microsoftonline.us/t1/v2.0/.well-known/openid-configuration'],
    ['the host the fake is asked on', 'http://127.0.0.1:4000/t1/oauth2/v2.0/authorize', 'http://127.0.0.1:4000', 'http://127.0.0.1:4000/t1/v2.0/.well-known/openid-configuration'],
  ])('knows %s', async (_, endpoint, origin, tenantDiscovery) => {
    const { idp } = newIdp()
    const { status, json } = await discover(idp, endpoint, origin)
    expect(status).toBe(200)
    expect(json['tenant_discovery_endpoint']).toBe(tenantDiscovery)
  })

  it.each([
    ['an unknown host', 'https://login.contoso.com/t1/oauth2/v2.0/authorize'],
    ['a malformed endpoint', 'not a url'],
  ])('answers %s with invalid_instance', async (_, endpoint) => {
    const { idp } = newIdp()
    expectEntraError(await discover(idp, endpoint), 400, 'invalid_instance', 50049)
    const { json } = await discover(idp, endpoint)
    expect(json['error_description']).toMatch(/^AADSTS50049: Unknown or invalid instance\. Trace ID/)
  })
})

describe('FakeIdentityProvider: the new routes keep the old machinery', () => {
  it('records every request and injects faults on each route', async () => {
    const { idp } = newIdp()
    idp
      .injectFault(faults.throttled(5), { path: '/userrealm/' })
      .injectFault(faults.serverError(503), { path: '/discovery/instance' })
      .injectFault(faults.htmlErrorPage(502), { path: '/oauth2/v2.0/token' })
    const realm = await idp.http({ method: 'GET', url: `${ORIGIN}/common/userrealm/${ALICE}?api-version=1.0`, headers: {} })
    const instance = await idp.http({ method: 'GET', url: `${ORIGIN}/common/discovery/instance?api-version=1.1`, headers: {} })
    const token = await idp.http({ method: 'POST', url: `${ORIGIN}/${TENANT}/oauth2/v2.0/token`, headers: {}, form: passwordForm() as Record<string, string> })
    expect([realm, instance, token].map((o) => (o._tag === 'HttpResponse' ? o.status : o.kind))).toEqual([429, 503, 502])
    expect((await post(idp, passwordForm())).status).toBe(200)
    expect(idp.requests.map((r) => r.path)).toEqual([
      `/common/userrealm/${ALICE}`,
      '/common/discovery/instance',
      `/${TENANT}/oauth2/v2.0/token`,
      `/${TENANT}/oauth2/v2.0/token`,
    ])
    expect(idp.tokenRequests.map((r) => r.form['grant_type'])).toEqual(['password', 'password'])
  })

  it('answers unsupported grants and wrong methods as before', async () => {
    const { idp } = newIdp()
    expectEntraError(await post(idp, { grant_type: 'constructor', client_id: APP }), 400, 'unsupported_grant_type', 70003)
    const wrongMethod = await idp.http({ method: 'POST', url: `${ORIGIN}/common/userrealm/${ALICE}`, headers: {} })
    expect(wrongMethod).toMatchObject({ _tag: 'HttpResponse', status: 404 })
  })

  it('serves the origin a proxy names (X-Forwarded-Host/-Proto) on the loopback server', async () => {
    const { idp } = newIdp()
    const base = await idp.listen()
    try {
      const forwarded = { 'x-forwarded-host': 'login.microsoftonline.com:443', 'x-forwarded-proto': 'https' }
      const doc = (await (await fetch(`${base}/${TENANT}/v2.0/.well-known/openid-configuration`, { headers: forwarded })).json()) as Json
      expect(doc).toMatchObject({ token_endpoint: `${ORIGIN}/${TENANT}/oauth2/v2.0/token`, issuer: `${ORIGIN}/${TID}/v2.0` })
      const plain = (await (await fetch(`${base}/${TENANT}/v2.0/.well-known/openid-configuration`)).json()) as Json
      expect(plain['token_endpoint']).toBe(`${base}/${TENANT}/oauth2/v2.0/token`)
    } finally {
      await idp.close()
    }
  })
})
