import { acquireTokenByDeviceFlow, createClientContext, decodePublicClientConfig, HttpCache, initiateDeviceFlow, applyStateChange, runFlow, TokenCache, type ClientContext, type DeviceFlow, type HttpOutcome, type HttpRequest, type MsalError } from '@msal-ts/core'
import { ApiId, emptyTelemetry, recordServerAnswer } from '@msal-ts/core/protocol'
import { createTestInterpreter, fixedClock, type FixedClock, DEFAULT_START_MS } from '@msal-ts/testing'

const CLIENT = '11111111-2222-4333-8444-555555555555'
const AUTHORITY = 'https://login.microsoftonline.com/organizations'
const DEVICE_ENDPOINT = `${AUTHORITY}/oauth2/v2.0/devicecode`
const TOKEN_ENDPOINT = `${AUTHORITY}/oauth2/v2.0/token`
const OIDC = 'https://id.example.com/realms/main'
const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code'
const UID = 'a1b2c3d4-0000-4000-8000-000000000001'
const UTID = 'f0e1d2c3-0000-4000-8000-000000000002'
const DEVICE_CODE = 'DAQABAAEAAAD--device-code'
const USER_CODE = 'BPPVYQZMA'

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const jwt = (claims: Record<string, unknown>): string => `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}.c2ln`

const json = (status: number, body: unknown): HttpOutcome => ({
  _tag: 'HttpResponse',
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
})

/** Entra's answer to a device authorization request. */
const ENTRA_DEVICE_ANSWER = {
  user_code: USER_CODE,
  device_code: DEVICE_CODE,
  verification_uri: 'https://microsoft.com/devicelogin',
  expires_in: 900,
  interval: 5,
  message: `To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ${USER_CODE} to authenticate.`,
}

const entraError = (error: string, code: number): HttpOutcome =>
  json(400, { error, error_description: `AADSTS${code}: ${error}.`, error_codes: [code], correlation_id: 'server-correlation', trace_id: 'trace' })
const PENDING = entraError('authorization_pending', 70016)
const SLOW_DOWN = entraError('slow_down', 70016)

const tokens = (clock: FixedClock): HttpOutcome => {
  const now = Math.floor(clock.now() / 1000)
  return json(200, {
    token_type: 'Bearer',
    scope: 'User.Read openid profile',
    expires_in: 3599,
    access_token: 'at-1',
    refresh_token: 'rt-1',
    id_token: jwt({ aud: CLIENT, iss: `https://login.microsoftonline.com/${UTID}/v2.0`, tid: UTID, oid: UID, sub: 'sub-1', preferred_username: 'alice@contoso.com', iat: now, exp: now + 3600 }),
    client_info: b64url({ uid: UID, utid: UTID }),
  })
}

const context = (options: Record<string, unknown> = {}): ClientContext => {
  const config = decodePublicClientConfig({ clientId: CLIENT, authority: AUTHORITY, ...options })
  if (config._tag === 'Left') throw new Error(config.left.message)
  return createClientContext({ config: config.right, platform: { sku: 'test', version: '0', os: 'test' }, tokenCache: new TokenCache({ clock: () => DEFAULT_START_MS / 1000 }), httpCache: new HttpCache() })
}

type Answer = HttpOutcome | ((clock: FixedClock, request: HttpRequest) => HttpOutcome)

/**
 * Virtual time, and an identity provider written out by hand: the device authorization endpoint
 * answers `device`, the token endpoint the `polls` in turn (the last one again when they run out).
 */
const harness = (answers: { device?: Answer; polls?: readonly Answer[]; discovery?: Record<string, unknown> } = {}) => {
  const clock = fixedClock()
  const requests: Array<HttpRequest & { atMs: number }> = []
  const polls = [...(answers.polls ?? [])]
  const answer = (a: Answer | undefined, request: HttpRequest): HttpOutcome => {
    if (a === undefined) throw new Error(`unexpected request to ${request.url}`)
    return typeof a === 'function' ? a(clock, request) : a
  }
  const { interpret } = createTestInterpreter({
    clock,
    http: (request) => {
      requests.push({ ...request, atMs: clock.now() })
      if (request.url.endsWith('/.well-known/openid-configuration')) return json(200, answers.discovery)
      if (/devicecode$|device_authorization$/.test(request.url)) return answer(answers.device ?? json(200, ENTRA_DEVICE_ANSWER), request)
      return answer(polls.length > 1 ? polls.shift() : polls[0], request)
    },
  })
  const tokenPolls = () => requests.filter((request) => request.form?.['grant_type'] === GRANT_TYPE)
  return { clock, interpret, requests, tokenPolls, startMs: clock.now() }
}

type Harness = ReturnType<typeof harness>

const left = (outcome: unknown): MsalError => {
  const either = outcome as { _tag: string; left: MsalError }
  expect(either).toMatchObject({ _tag: 'Left' })
  return either.left
}

const right = <A>(outcome: unknown): A => {
  const either = outcome as { _tag: string; right: A; left?: MsalError }
  if (either._tag !== 'Right') throw new Error(`expected success, got ${either.left?.message}`)
  return either.right
}

const start = (ctx: ClientContext, h: Harness, scopes: readonly string[] = ['User.Read'], options = {}) =>
  runFlow(ctx, initiateDeviceFlow(ctx, scopes, options), h.interpret)

const startFlow = (ctx: ClientContext, h: Harness): DeviceFlow => right<DeviceFlow>(start(ctx, h))

const redeem = (ctx: ClientContext, h: Harness, flow: unknown, options = {}) => runFlow(ctx, acquireTokenByDeviceFlow(ctx, flow, options), h.interpret)

const cacheSize = (ctx: ClientContext): number =>
  (['AccessToken', 'RefreshToken', 'IdToken', 'Account'] as const).reduce((n, type) => n + (ctx.tokenCache as TokenCache).find(type).length, 0)

describe('initiateDeviceFlow', () => {
  it("asks Entra's device code endpoint for a code, and hands back the answer camelCased with expiresAt", () => {
    const ctx = context()
    const h = harness()
    const flow = startFlow(ctx, h)
    expect(h.requests).toHaveLength(1)
    const [request] = h.requests
    expect(request).toMatchObject({ method: 'POST', url: DEVICE_ENDPOINT })
    expect(request!.form).toEqual({ client_id: CLIENT, scope: 'User.Read openid profile offline_access' })
    expect(request!.headers).toMatchObject({ 'client-request-id': flow.correlationId, 'x-client-sku': 'test' })
    expect(flow).toEqual({
      userCode: USER_CODE,
      deviceCode: DEVICE_CODE,
      verificationUri: 'https://microsoft.com/devicelogin',
      message: ENTRA_DEVICE_ANSWER.message,
      expiresIn: 900,
      expiresAt: h.startMs / 1000 + 900,
      codeExpiresAt: h.startMs / 1000 + 900,
      interval: 5,
      scopes: ['User.Read', 'openid', 'profile', 'offline_access'],
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    })
    // Plain JSON: it can be stored and handed back.
    expect(JSON.parse(JSON.stringify(flow))).toEqual(flow)
  })

  it('sends the claims challenge merged with the client capabilities, and honours excludeScopes', () => {
    const h = harness()
    right(start(context({ clientCapabilities: ['CP1'], excludeScopes: ['offline_access'] }), h, ['User.Read'], { claimsChallenge: '{"access_token":{"nbf":{"essential":true}}}' }))
    expect(h.requests[0]!.form).toEqual({
      client_id: CLIENT,
      scope: 'User.Read openid profile',
      claims: JSON.stringify({ access_token: { nbf: { essential: true }, xms_cc: { values: ['CP1'] } } }),
    })
  })

  it('defaults the interval to 5 s and the lifetime to 1800 s, takes numbers sent as strings, and writes a message when there is none', () => {
    const h = harness({ device: json(200, { user_code: 'WDJB-MJHT', device_code: 'dc', verification_uri: 'https://id.example.com/device' }) })
    const flow = right<DeviceFlow>(start(context(), h))
    expect(flow).toMatchObject({ interval: 5, expiresIn: 1800, expiresAt: h.startMs / 1000 + 1800 })
    expect(flow.message).toBe('To sign in, use a web browser to open the page https://id.example.com/device and enter the code WDJB-MJHT to authenticate.')

    const strings = harness({ device: json(200, { ...ENTRA_DEVICE_ANSWER, interval: '3', expires_in: '600' }) })
    expect(right<DeviceFlow>(start(context(), strings))).toMatchObject({ interval: 3, expiresIn: 600 })
  })

  it('accepts the verification_url spelling (AD FS, Entra v1), keeps verification_uri_complete and anything else the server sent', () => {
    const { verification_uri, ...rest } = ENTRA_DEVICE_ANSWER
    const h = harness({ device: json(200, { ...rest, verification_url: verification_uri, verification_uri_complete: `${verification_uri}?code=${USER_CODE}`, extra_hint: 'kept' }) })
    const flow = right<DeviceFlow>(start(context(), h))
    expect(flow).toMatchObject({ verificationUri: verification_uri, verificationUriComplete: `${verification_uri}?code=${USER_CODE}`, extra_hint: 'kept' })
    expect(flow).not.toHaveProperty('verification_url')
  })

  it('refuses a reserved scope before any request', () => {
    const h = harness()
    expect(left(start(context(), h, ['User.Read', 'offline_access']))).toMatchObject({ kind: 'UsageError', argument: 'scopes' })
    expect(h.requests).toHaveLength(0)
  })

  it("turns the server's error into a ServerError with its fields", () => {
    const h = harness({ device: entraError('invalid_scope', 70011) })
    const error = left(start(context(), h))
    expect(error).toMatchObject({ kind: 'ServerError', status: 400, error: 'invalid_scope', errorCodes: [70011], errorDescription: 'AADSTS70011: invalid_scope.', correlationId: 'server-correlation' })
  })

  it.each([
    ['no user_code', { ...ENTRA_DEVICE_ANSWER, user_code: undefined }, /user_code/],
    ['an empty device_code', { ...ENTRA_DEVICE_ANSWER, device_code: '' }, /device_code/],
    ['no verification URI in either spelling', { ...ENTRA_DEVICE_ANSWER, verification_uri: undefined }, /verification_uri: missing/],
    ['an interval that is not a number', { ...ENTRA_DEVICE_ANSWER, interval: 'soon' }, /interval/],
    ['a body that is not JSON', '<html>gateway</html>', /expected a JSON object/],
  ])('reports an answer with %s as an InvalidResponseError naming the problem', (_, body, problem) => {
    const h = harness({ device: json(200, body) })
    const error = left(start(context(), h))
    expect(error).toMatchObject({ kind: 'InvalidResponseError', status: 200, url: DEVICE_ENDPOINT })
    expect(error.message).toMatch(problem)
    expect(JSON.stringify(error)).not.toContain(DEVICE_CODE)
  })

  it("uses an OpenID provider's device_authorization_endpoint, and names the option when the provider has none", () => {
    const discovery = { issuer: OIDC, authorization_endpoint: `${OIDC}/authorize`, token_endpoint: `${OIDC}/token` }
    const withEndpoint = harness({ discovery: { ...discovery, device_authorization_endpoint: `${OIDC}/device_authorization` } })
    right(start(context({ authority: undefined, oidcAuthority: OIDC }), withEndpoint))
    expect(withEndpoint.requests.map((r) => r.url)).toEqual([`${OIDC}/.well-known/openid-configuration`, `${OIDC}/device_authorization`])

    const without = harness({ discovery })
    const error = left(start(context({ authority: undefined, oidcAuthority: OIDC }), without))
    expect(error).toMatchObject({ kind: 'ConfigurationError', field: 'oidcAuthority' })
    expect(error.message).toMatch(/device_authorization_endpoint/)
    expect(without.requests).toHaveLength(1)
  })
})

describe('acquireTokenByDeviceFlow', () => {
  it("polls as MSAL Python does (device_code also as code, client_info, no scope) until approval, interval seconds apart, and files the user's tokens", () => {
    const ctx = context()
    const h = harness({ polls: [PENDING, PENDING, PENDING, tokens] })
    const flow = startFlow(ctx, h)
    const result = right<Record<string, unknown>>(redeem(ctx, h, flow))

    const polls = h.tokenPolls()
    expect(polls).toHaveLength(4)
    for (const poll of polls) {
      expect(poll.url).toBe(TOKEN_ENDPOINT)
      expect(poll.form).toEqual({ client_id: CLIENT, grant_type: GRANT_TYPE, device_code: DEVICE_CODE, code: DEVICE_CODE, client_info: '1' })
      expect(poll.headers).toMatchObject({ 'client-request-id': flow.correlationId, 'x-client-current-telemetry': '4|622,0|' })
    }
    // The first poll at once, then one every 5 s of virtual time.
    expect(polls.map((poll) => poll.atMs - h.startMs)).toEqual([0, 5000, 10000, 15000])
    expect(h.clock.now() - h.startMs).toBe(15000)

    expect(result).toMatchObject({
      accessToken: 'at-1',
      tokenSource: 'identity_provider',
      scopes: ['User.Read'],
      correlationId: flow.correlationId,
      account: { homeAccountId: `${UID}.${UTID}`, username: 'alice@contoso.com', accountSource: GRANT_TYPE },
    })
    expect((ctx.tokenCache as TokenCache).find('Account')).toEqual([expect.objectContaining({ account_source: GRANT_TYPE, home_account_id: `${UID}.${UTID}` })])
    expect((ctx.tokenCache as TokenCache).find('RefreshToken')).toHaveLength(1)
    expect((ctx.tokenCache as TokenCache).find('AccessToken')).toEqual([expect.objectContaining({ secret: 'at-1', target: 'User.Read openid profile' })])
    // Success clears the telemetry buffer; the pending polls were never in it.
    expect(ctx.state.telemetry.failures).toEqual([])
  })

  it('adds 5 s to the interval at each slow_down', () => {
    const ctx = context()
    const h = harness({ polls: [PENDING, SLOW_DOWN, PENDING, SLOW_DOWN, tokens] })
    right(redeem(ctx, h, startFlow(ctx, h)))
    expect(h.tokenPolls().map((poll) => (poll.atMs - h.startMs) / 1000)).toEqual([0, 5, 15, 25, 40])
  })

  it('polls at least a second apart when the server asks for no interval', () => {
    const ctx = context()
    const h = harness({ device: json(200, { ...ENTRA_DEVICE_ANSWER, interval: 0 }), polls: [PENDING, PENDING, tokens] })
    right(redeem(ctx, h, startFlow(ctx, h)))
    expect(h.tokenPolls().map((poll) => poll.atMs - h.startMs)).toEqual([0, 1000, 2000])
  })

  it('sends the claims challenge merged with the client capabilities', () => {
    const ctx = context({ clientCapabilities: ['CP1'] })
    const h = harness({ polls: [tokens] })
    right(redeem(ctx, h, startFlow(ctx, h), { claimsChallenge: '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}' }))
    expect(JSON.parse(h.tokenPolls()[0]!.form!['claims']!)).toEqual({ access_token: { acrs: { essential: true, value: 'c1' }, xms_cc: { values: ['CP1'] } } })
  })

  it.each([
    ['the user declines', 'authorization_declined', 70000],
    ['the server says the code expired', 'expired_token', 70020],
    ['the code is unknown', 'bad_verification_code', 70018],
  ])('stops when %s, with that ServerError, reported to telemetry once, and caches nothing', (_, error, code) => {
    const ctx = context()
    const h = harness({ polls: [PENDING, PENDING, entraError(error, code)] })
    const flow = startFlow(ctx, h)
    expect(left(redeem(ctx, h, flow))).toMatchObject({ kind: 'ServerError', error, errorCodes: [code], status: 400 })
    expect(h.tokenPolls()).toHaveLength(3)
    expect(cacheSize(ctx)).toBe(0)
    expect(ctx.state.telemetry.failures).toEqual([{ api: 622, correlationId: flow.correlationId, error }])
  })

  it("keeps other calls' failures in the telemetry buffer while it takes its own pending polls out", () => {
    const ctx = context()
    applyStateChange(ctx, { _tag: 'ServerAnswered', api: ApiId.acquireTokenSilent, correlationId: 'earlier-call', error: 'invalid_grant' })
    const h = harness({ polls: [PENDING, SLOW_DOWN, PENDING, entraError('authorization_declined', 70000)] })
    const flow = startFlow(ctx, h)
    left(redeem(ctx, h, flow))
    expect(h.tokenPolls()[0]!.headers['x-client-last-telemetry']).toBe('4|0|84,earlier-call|invalid_grant|')
    const earlier = recordServerAnswer(emptyTelemetry, ApiId.acquireTokenSilent, 'earlier-call', 'invalid_grant')
    expect(ctx.state.telemetry).toEqual(recordServerAnswer(earlier, ApiId.acquireTokenByDeviceFlow, flow.correlationId, 'authorization_declined'))
    expect(ctx.state.telemetry.failures.map((failure) => failure.error)).toEqual(['invalid_grant', 'authorization_declined'])
  })

  it('stops with a TimeoutError, caching nothing, when the code expires on the clock before the user signs in', () => {
    const ctx = context()
    const h = harness({ device: json(200, { ...ENTRA_DEVICE_ANSWER, expires_in: 12 }), polls: [PENDING] })
    const flow = startFlow(ctx, h)
    const error = left(redeem(ctx, h, flow))
    expect(error).toMatchObject({ kind: 'TimeoutError', error: 'timeout', url: TOKEN_ENDPOINT, correlationId: flow.correlationId })
    expect(error.message).toMatch(/device code expired/)
    // Polls at 0, 5 and 10 s; at 15 s the code (12 s) has expired.
    expect(h.tokenPolls().map((poll) => poll.atMs - h.startMs)).toEqual([0, 5000, 10000])
    expect(cacheSize(ctx)).toBe(0)
    expect(ctx.state.telemetry.failures).toEqual([])
  })

  it('does not poll a flow that has already expired', () => {
    const ctx = context()
    const h = harness({ polls: [tokens] })
    const flow = startFlow(ctx, h)
    h.clock.advance(900_000)
    expect(left(redeem(ctx, h, flow))).toMatchObject({ kind: 'TimeoutError' })
    expect(h.tokenPolls()).toHaveLength(0)
  })

  it('stops with a CancelledError before the next poll when the caller sets the flow\'s expiresAt to 0 (MSAL Python\'s way)', () => {
    const ctx = context()
    const caller: { flow?: DeviceFlow } = {}
    const h = harness({
      polls: [
        PENDING,
        () => {
          caller.flow!.expiresAt = 0
          return PENDING
        },
        tokens,
      ],
    })
    const flow = (caller.flow = startFlow(ctx, h))
    const error = left(redeem(ctx, h, flow))
    expect(error).toMatchObject({ kind: 'CancelledError', error: 'user_cancelled' })
    expect(error.message).toMatch(/expiresAt/)
    expect(h.tokenPolls()).toHaveLength(2)
    expect(cacheSize(ctx)).toBe(0)
  })

  it('stops with a CancelledError when its AbortSignal aborts, and does not start when it already has', () => {
    const ctx = context()
    const controller = new AbortController()
    const h = harness({
      polls: [
        PENDING,
        () => {
          controller.abort()
          return PENDING
        },
        tokens,
      ],
    })
    const flow = startFlow(ctx, h)
    expect(left(redeem(ctx, h, flow, { signal: controller.signal }))).toMatchObject({ kind: 'CancelledError', correlationId: flow.correlationId })
    expect(h.tokenPolls()).toHaveLength(2)
    expect(cacheSize(ctx)).toBe(0)

    expect(left(redeem(ctx, h, flow, { signal: controller.signal }))).toMatchObject({ kind: 'CancelledError' })
    expect(h.tokenPolls()).toHaveLength(2)
  })

  it.each([
    ['nothing', undefined],
    ['a flow without a device code', { ...ENTRA_DEVICE_ANSWER, deviceCode: '', expiresAt: 1, interval: 5 }],
    ['a flow without expiresAt', { deviceCode: 'dc', interval: 5 }],
  ])('refuses %s as a UsageError naming the flow', (_, flow) => {
    const h = harness()
    expect(left(redeem(context(), h, flow))).toMatchObject({ kind: 'UsageError', argument: 'flow' })
    expect(h.requests).toHaveLength(0)
  })
})
