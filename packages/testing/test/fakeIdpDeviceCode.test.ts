import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose'
import { DEVICE_LOGIN_URI, FakeIdentityProvider, fixedClock, seededRandom, tenantIdOf } from '@msal-ts/testing'

const APP = 'eeeeeeee-0000-4000-8000-000000000001'
const OTHER = 'eeeeeeee-0000-4000-8000-000000000002'
const WEB = 'eeeeeeee-0000-4000-8000-000000000003'
const WEB_SECRET = 'web-s3cret'
const ALICE = 'alice@contoso.onmicrosoft.com'
const TENANT = 'contoso.onmicrosoft.com'
const TID = tenantIdOf(TENANT)
const ORIGIN = 'https://login.microsoftonline.com'
const SCOPE = 'User.Read openid profile offline_access'
const CORRELATION = '44444444-4444-4444-8444-444444444444'
const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code'

type Json = Record<string, unknown>
type Params = Record<string, string | undefined>

const newIdp = (options: ConstructorParameters<typeof FakeIdentityProvider>[0] = {}) => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now, random: seededRandom(5), ...options })
    .registerApp({ clientId: APP, familyId: '1' })
    .registerApp({ clientId: OTHER })
    .registerApp({ clientId: WEB, clientSecret: WEB_SECRET })
    .registerUser({ username: ALICE, displayName: 'Alice Smith' })
  return { idp, clock }
}

const post = async (idp: FakeIdentityProvider, path: string, form: Params): Promise<{ status: number; json: Json }> => {
  const outcome = await idp.http({
    method: 'POST',
    url: `${ORIGIN}/${TENANT}/oauth2/v2.0/${path}`,
    headers: { 'client-request-id': CORRELATION },
    form: Object.fromEntries(Object.entries(form).filter(([, v]) => v !== undefined)) as Record<string, string>,
  })
  if (outcome._tag !== 'HttpResponse') throw new Error(outcome.kind)
  return { status: outcome.status, json: JSON.parse(outcome.body) as Json }
}

interface DeviceCodeResponse {
  user_code: string
  device_code: string
  verification_uri: string
  expires_in: number
  interval: number
  message: string
}

/** What MSAL sends to start the flow. */
const start = async (idp: FakeIdentityProvider, form: Params = {}): Promise<DeviceCodeResponse> => {
  const { status, json } = await post(idp, 'devicecode', { client_id: APP, scope: SCOPE, ...form })
  expect(status).toBe(200)
  return json as unknown as DeviceCodeResponse
}

/** What MSAL sends to poll. */
const poll = (idp: FakeIdentityProvider, deviceCode: string, form: Params = {}) =>
  post(idp, 'token', { grant_type: GRANT_TYPE, client_id: APP, device_code: deviceCode, client_info: '1', scope: SCOPE, ...form })

const verify = async (idp: FakeIdentityProvider, token: unknown, nowMs: number): Promise<JWTPayload> =>
  (await jwtVerify(token as string, createLocalJWKSet((await idp.jwks()) as never), { currentDate: new Date(nowMs) })).payload

const expectEntraError = (response: { status: number; json: Json }, error: string, code: number, status = 400) => {
  expect(response.status).toBe(status)
  expect(response.json).toMatchObject({ error, error_codes: [code], correlation_id: CORRELATION, error_uri: `${ORIGIN}/error?code=${code}` })
  expect(response.json['error_description']).toMatch(new RegExp(`^AADSTS${code}: .+ Trace ID: [0-9a-f-]{36} Correlation ID: ${CORRELATION} Timestamp: `))
}

describe('FakeIdentityProvider: the device authorization endpoint', () => {
  it("starts a flow in Entra's exact shape", async () => {
    const { idp } = newIdp()
    const flow = await start(idp)
    expect(Object.keys(flow)).toEqual(['user_code', 'device_code', 'verification_uri', 'expires_in', 'interval', 'message'])
    expect(flow.user_code).toMatch(/^[A-Z0-9]{9}$/)
    expect(flow.device_code.length).toBeGreaterThan(100)
    expect(flow).toMatchObject({ verification_uri: 'https://microsoft.com/devicelogin', expires_in: 900, interval: 5 })
    expect(DEVICE_LOGIN_URI).toBe(flow.verification_uri)
    expect(flow.message).toBe(`To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ${flow.user_code} to authenticate.`)
    expect(idp.pendingDeviceCodes).toEqual([{ userCode: flow.user_code, clientId: APP, scopes: SCOPE.split(' '), expiresAtMs: fixedClock().now() + 900_000 }])
  })

  it('gives each flow its own codes', async () => {
    const { idp } = newIdp()
    const [a, b] = [await start(idp), await start(idp)]
    expect(a.user_code).not.toBe(b.user_code)
    expect(a.device_code).not.toBe(b.device_code)
    expect(idp.pendingDeviceCodes.map((c) => c.userCode)).toEqual([a.user_code, b.user_code])
  })

  it('takes its interval and lifetime from the options', async () => {
    const { idp } = newIdp({ deviceCodeIntervalSeconds: 1, deviceCodeLifetimeSeconds: 60 })
    expect(await start(idp)).toMatchObject({ interval: 1, expires_in: 60 })
  })

  it.each<[string, Params, string, number]>([
    ['no client_id', { client_id: undefined }, 'invalid_request', 900144],
    ['an unknown client', { client_id: 'who' }, 'unauthorized_client', 700016],
    ['no scope', { scope: undefined }, 'invalid_request', 900144],
  ])("answers %s with Entra's error", async (_, overrides, error, code) => {
    const { idp } = newIdp()
    expectEntraError(await post(idp, 'devicecode', { client_id: APP, scope: SCOPE, ...overrides }), error, code)
  })

  it('serves POST only, over every face', async () => {
    const { idp } = newIdp()
    expect(await idp.http({ method: 'GET', url: `${ORIGIN}/${TENANT}/oauth2/v2.0/devicecode`, headers: {} })).toMatchObject({ status: 404 })
    const viaFetch = await idp.fetch(`${ORIGIN}/common/oauth2/v2.0/devicecode`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: APP, scope: SCOPE }),
    })
    expect(viaFetch.status).toBe(200)
    const base = await idp.listen()
    try {
      const overHttp = await fetch(`${base}/organizations/oauth2/v2.0/devicecode/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: APP, scope: SCOPE }),
      })
      expect(((await overHttp.json()) as Json)['user_code']).toMatch(/^[A-Z0-9]{9}$/)
    } finally {
      await idp.close()
    }
  })
})

describe('FakeIdentityProvider: the device code grant', () => {
  it('answers authorization_pending until the user approves, then the tokens, once', async () => {
    const { idp, clock } = newIdp()
    const flow = await start(idp)
    const pending = await poll(idp, flow.device_code)
    expectEntraError(pending, 'authorization_pending', 70016)
    expect(pending.json['error_description']).toMatch(/^AADSTS70016: The provided request has not yet been authorized by the user\. The user must input their code\./)

    clock.advance(5_000)
    expectEntraError(await poll(idp, flow.device_code), 'authorization_pending', 70016)
    clock.advance(20_000)
    idp.approveDeviceCode(flow.user_code.toLowerCase(), ALICE.toUpperCase())
    expect(idp.pendingDeviceCodes).toEqual([])
    clock.advance(5_000)
    const { status, json } = await poll(idp, flow.device_code)
    expect(status).toBe(200)
    expect(Object.keys(json)).toEqual(['token_type', 'scope', 'expires_in', 'ext_expires_in', 'access_token', 'refresh_token', 'id_token', 'client_info', 'foci'])
    expect(json['scope']).toBe('User.Read openid profile')
    const alice = idp.getUser(ALICE)!
    expect(await verify(idp, json['access_token'], clock.now())).toMatchObject({ azp: APP, oid: alice.oid, scp: 'User.Read' })
    const idToken = await verify(idp, json['id_token'], clock.now())
    expect(idToken).toMatchObject({ aud: APP, preferred_username: ALICE, tid: TID })
    expect(idToken).not.toHaveProperty('nonce')

    clock.advance(5_000)
    expectEntraError(await poll(idp, flow.device_code), 'bad_verification_code', 70018)
    expect(idp.tokenRequests.map((r) => r.form['grant_type'])).toEqual(Array(4).fill(GRANT_TYPE))
  })

  it('answers slow_down to a poll before the interval is up, then goes on', async () => {
    const { idp, clock } = newIdp()
    const flow = await start(idp)
    expectEntraError(await poll(idp, flow.device_code), 'authorization_pending', 70016)
    clock.advance(1_000)
    const slowDown = await poll(idp, flow.device_code)
    expectEntraError(slowDown, 'slow_down', 70016)
    expect(slowDown.json['error_description']).toMatch(/polling too frequently/)
    clock.advance(4_000) // 4 s since the last poll, even though 5 s since the first
    expectEntraError(await poll(idp, flow.device_code), 'slow_down', 70016)
    clock.advance(5_000)
    idp.approveDeviceCode(flow.user_code, ALICE)
    expect((await poll(idp, flow.device_code)).status).toBe(200)
  })

  it('answers authorization_declined when the user refuses', async () => {
    const { idp } = newIdp()
    const flow = await start(idp)
    idp.declineDeviceCode(flow.user_code)
    const declined = await poll(idp, flow.device_code)
    expectEntraError(declined, 'authorization_declined', 70000)
    expect(() => idp.approveDeviceCode(flow.user_code, ALICE)).toThrow('already declined')
  })

  it("answers expired_token once the code's lifetime is over, on the provider's clock", async () => {
    const { idp, clock } = newIdp()
    const flow = await start(idp)
    clock.advance(900_000 - 1)
    expectEntraError(await poll(idp, flow.device_code), 'authorization_pending', 70016)
    clock.advance(1)
    const expired = await poll(idp, flow.device_code)
    expectEntraError(expired, 'expired_token', 70020)
    expect(expired.json['error_description']).toMatch(/^AADSTS70020: The provided value for the input parameter 'device_code' is not valid\. This device code has expired\./)
    expect(idp.pendingDeviceCodes).toEqual([])
    expect(() => idp.approveDeviceCode(flow.user_code, ALICE)).toThrow('has expired')
  })

  it.each<[string, (deviceCode: string) => Params, string, number, number]>([
    ['an unknown device code', () => ({ device_code: 'made-up' }), 'bad_verification_code', 70018, 400],
    ["another app's device code", () => ({ client_id: OTHER }), 'bad_verification_code', 70018, 400],
    ['no device code', () => ({ device_code: undefined }), 'invalid_request', 900144, 400],
    ['an unknown client', () => ({ client_id: 'who' }), 'unauthorized_client', 700016, 400],
    ['a public client sending a secret', () => ({ client_secret: 'why' }), 'invalid_client', 700025, 401],
  ])("answers %s with Entra's error", async (_, overrides, error, code, status) => {
    const { idp } = newIdp()
    const flow = await start(idp)
    idp.approveDeviceCode(flow.user_code, ALICE)
    expectEntraError(await poll(idp, flow.device_code, overrides(flow.device_code)), error, code, status)
  })

  it('makes a confidential client authenticate when it polls', async () => {
    const { idp } = newIdp()
    const flow = await start(idp, { client_id: WEB })
    idp.approveDeviceCode(flow.user_code, ALICE)
    expectEntraError(await poll(idp, flow.device_code, { client_id: WEB }), 'invalid_client', 7000218, 401)
    expect((await poll(idp, flow.device_code, { client_id: WEB, client_secret: WEB_SECRET })).status).toBe(200)
  })

  it('grants the scopes the flow started with when the poll names none; a refresh token only for offline_access', async () => {
    const { idp } = newIdp()
    const flow = await start(idp, { scope: 'api://orders/Orders.Read openid' })
    idp.approveDeviceCode(flow.user_code, ALICE)
    const { json } = await poll(idp, flow.device_code, { scope: undefined })
    expect(json['scope']).toBe('api://orders/Orders.Read openid')
    expect('refresh_token' in json).toBe(false)
  })

  it('refuses to approve or decline codes that do not exist, or for users who do not', async () => {
    const { idp } = newIdp()
    const flow = await start(idp)
    expect(() => idp.approveDeviceCode('NOSUCHCOD', ALICE)).toThrow("no device code with user code 'NOSUCHCOD'")
    expect(() => idp.declineDeviceCode('NOSUCHCOD')).toThrow('no device code')
    expect(() => idp.approveDeviceCode(flow.user_code, 'ghost@contoso.onmicrosoft.com')).toThrow("no user 'ghost@contoso.onmicrosoft.com'")
    idp.approveDeviceCode(`${flow.user_code.slice(0, 4)}-${flow.user_code.slice(4)}`, ALICE) // as people type it
    expect(() => idp.approveDeviceCode(flow.user_code, ALICE)).toThrow('already approved')
  })

  describe('autoApproveDeviceCodes (for demos)', () => {
    it.each([
      ['at the first poll by default', undefined, 0],
      ['after afterPolls pending polls', 2, 2],
    ])('approves %s', async (_, afterPolls, pendingPolls) => {
      const { idp, clock } = newIdp({ autoApproveDeviceCodes: { user: ALICE, ...(afterPolls !== undefined ? { afterPolls } : {}) } })
      const flow = await start(idp)
      for (let i = 0; i < pendingPolls; i++) {
        expectEntraError(await poll(idp, flow.device_code), 'authorization_pending', 70016)
        clock.advance(5_000)
      }
      const { status, json } = await poll(idp, flow.device_code)
      expect(status).toBe(200)
      expect(await verify(idp, json['id_token'], clock.now())).toMatchObject({ preferred_username: ALICE })
    })

    it('does not count slow_down polls, and leaves declined codes declined', async () => {
      const { idp, clock } = newIdp({ autoApproveDeviceCodes: { user: ALICE, afterPolls: 1 } })
      const flow = await start(idp)
      expectEntraError(await poll(idp, flow.device_code), 'authorization_pending', 70016)
      expectEntraError(await poll(idp, flow.device_code), 'slow_down', 70016)
      clock.advance(5_000)
      expect((await poll(idp, flow.device_code)).status).toBe(200)
      const declined = await start(idp)
      idp.declineDeviceCode(declined.user_code)
      clock.advance(5_000)
      expectEntraError(await poll(idp, declined.device_code), 'authorization_declined', 70000)
    })
  })
})
