import { createHash } from 'node:crypto'
import { acquireTokenByAuthCodeFlow, acquireTokenByAuthorizationCode, createClientContext, decodePublicClientConfig, getAuthorizationRequestUrl, HttpCache, initiateAuthCodeFlow, run, runFlow, TokenCache, type AuthCodeFlow, type ClientContext, type Effect, type HttpOutcome, type HttpRequest, type MsalError } from '@msal-ts/core'

const CLIENT = '11111111-2222-4333-8444-555555555555'
const NOW_MS = 1_767_225_600_000
const NOW = NOW_MS / 1000
const UID = 'a1b2c3d4-0000-4000-8000-000000000001'
const UTID = 'f0e1d2c3-0000-4000-8000-000000000002'

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const jwt = (claims: Record<string, unknown>): string => `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}.c2ln`
const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex')

/** A deterministic interpreter: counting random bytes, fixed time, HTTP from a handler. */
const interpreter = (http: (request: HttpRequest) => HttpOutcome) => {
  const requests: HttpRequest[] = []
  let counter = 0
  const interpret = (effect: Effect): unknown => {
    switch (effect._tag) {
      case 'Http':
        requests.push(effect.request)
        return http(effect.request)
      case 'Now':
        return NOW_MS
      case 'RandomBytes':
        counter += 1
        return new Uint8Array(effect.length).fill(counter)
      case 'Sha256':
        return new Uint8Array(createHash('sha256').update(effect.data, 'utf8').digest())
      default:
        return undefined
    }
  }
  return { interpret, requests }
}

const context = (options: Record<string, unknown> = {}): ClientContext => {
  const config = decodePublicClientConfig({ clientId: CLIENT, authority: 'https://login.microsoftonline.com/organizations', ...options })
  if (config._tag === 'Left') throw new Error(config.left.message)
  return createClientContext({ config: config.right, platform: { sku: 'test', version: '0', os: 'test' }, tokenCache: new TokenCache(), httpCache: new HttpCache() })
}

/** The token endpoint's answer to a code redemption, with an ID token carrying these claims. */
const tokenAnswer = (claims: Record<string, unknown>) => (): HttpOutcome => ({
  _tag: 'HttpResponse',
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    token_type: 'Bearer',
    scope: 'User.Read openid profile',
    expires_in: 3599,
    access_token: 'at-1',
    refresh_token: 'rt-1',
    id_token: jwt({ aud: CLIENT, iss: `https://login.microsoftonline.com/${UTID}/v2.0`, tid: UTID, oid: UID, sub: 'sub-1', preferred_username: 'alice@contoso.com', iat: NOW, exp: NOW + 3600, ...claims }),
    client_info: b64url({ uid: UID, utid: UTID }),
  }),
})

const left = (outcome: unknown): MsalError => {
  const either = outcome as { _tag: string; left: MsalError }
  expect(either._tag).toBe('Left')
  return either.left
}

const startFlow = (ctx: ClientContext, options: Record<string, unknown> = {}): AuthCodeFlow => {
  const { interpret } = interpreter(() => {
    throw new Error('no request expected: the endpoints of a Microsoft host are built in')
  })
  const outcome = run(initiateAuthCodeFlow(ctx, ['User.Read'], { redirectUri: 'http://localhost:8400/callback', ...options }), interpret) as { _tag: string; right: AuthCodeFlow }
  expect(outcome._tag).toBe('Right')
  return outcome.right
}

describe('initiateAuthCodeFlow', () => {
  it('builds the authorization URL with PKCE S256, state, hashed nonce and client_info, and keeps the secrets in the flow', () => {
    const flow = startFlow(context(), { prompt: 'select_account', loginHint: 'alice@contoso.com', domainHint: 'contoso.com', maxAge: 600, responseMode: 'form_post' })
    const url = new URL(flow.authUri)
    expect(`${url.origin}${url.pathname}`).toBe('https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize')
    const params = Object.fromEntries(url.searchParams)
    expect(params).toEqual({
      client_id: CLIENT,
      response_type: 'code',
      redirect_uri: 'http://localhost:8400/callback',
      scope: 'User.Read openid profile offline_access',
      state: flow.state,
      nonce: sha256Hex(flow.nonce),
      code_challenge: createHash('sha256').update(flow.codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
      response_mode: 'form_post',
      prompt: 'select_account',
      login_hint: 'alice@contoso.com',
      domain_hint: 'contoso.com',
      max_age: '600',
      client_info: '1',
      // MSAL Python's routing hint for the login hint (_ClientWithCcsRoutingInfo.initiate_auth_code_flow).
      'X-AnchorMailbox': 'UPN:alice@contoso.com',
    })
    expect(flow.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/)
    expect(flow).toMatchObject({ scopes: ['User.Read', 'openid', 'profile', 'offline_access'], maxAge: 600, responseMode: 'form_post' })
    // Plain JSON: it survives a session store.
    expect(JSON.parse(JSON.stringify(flow))).toEqual(flow)
  })

  it('merges a claims challenge with the client capabilities, and honours excludeScopes', () => {
    const flow = startFlow(context({ clientCapabilities: ['CP1'], excludeScopes: ['offline_access'] }), { claimsChallenge: '{"id_token":{"auth_time":{"essential":true}}}' })
    const params = new URL(flow.authUri).searchParams
    expect(JSON.parse(params.get('claims')!)).toEqual({ id_token: { auth_time: { essential: true } }, access_token: { xms_cc: { values: ['CP1'] } } })
    expect(params.get('scope')).toBe('User.Read openid profile')
  })

  it.each([
    ['a reserved scope', ['openid'], {}, 'scopes'],
    ['a negative maxAge', ['User.Read'], { maxAge: -1 }, 'maxAge'],
    ['an unknown responseMode', ['User.Read'], { responseMode: 'token' }, 'responseMode'],
    ['a relative redirectUri', ['User.Read'], { redirectUri: '/callback' }, 'redirectUri'],
    ['a claims challenge that is not JSON', ['User.Read'], { claimsChallenge: 'nope' }, 'claimsChallenge'],
  ])('refuses %s', (_, scopes, options, argument) => {
    const { interpret, requests } = interpreter(tokenAnswer({}))
    expect(left(runFlow(context(), initiateAuthCodeFlow(context(), scopes, options as never), interpret))).toMatchObject({ kind: 'UsageError', argument })
    expect(requests).toHaveLength(0)
  })
})

describe('acquireTokenByAuthCodeFlow', () => {
  const redeem = (ctx: ClientContext, flow: unknown, response: unknown, claims: Record<string, unknown> = {}, options = {}) => {
    const harness = interpreter(tokenAnswer(claims))
    return { outcome: runFlow(ctx, acquireTokenByAuthCodeFlow(ctx, flow, response, options), harness.interpret), requests: harness.requests }
  }

  it('redeems the code with the verifier and files tokens and account', () => {
    const ctx = context()
    const flow = startFlow(ctx)
    const { outcome, requests } = redeem(ctx, flow, { code: 'the-code', state: flow.state, client_info: 'x', session_state: 's' }, { nonce: sha256Hex(flow.nonce) })
    expect(outcome).toMatchObject({ _tag: 'Right', right: { accessToken: 'at-1', tokenSource: 'identity_provider', account: { homeAccountId: `${UID}.${UTID}`, username: 'alice@contoso.com', accountSource: 'authorization_code' } } })
    expect(requests).toHaveLength(1)
    expect(requests[0]!.form).toEqual({
      client_id: CLIENT,
      grant_type: 'authorization_code',
      code: 'the-code',
      redirect_uri: 'http://localhost:8400/callback',
      code_verifier: flow.codeVerifier,
      scope: 'User.Read openid profile offline_access',
      client_info: '1',
    })
    expect(requests[0]!.headers['x-client-current-telemetry']).toBe('4|832,0|')
    expect(ctx.tokenCache.accessTokenCount).toBe(1)
    expect(ctx.tokenCache.refreshTokens.size).toBe(1)
  })

  const unchanged = (ctx: ClientContext) => expect([ctx.tokenCache.accessTokenCount, ctx.tokenCache.refreshTokens.size, ctx.tokenCache.accounts.size]).toEqual([0, 0, 0])

  it.each([
    ['a forged redirect (wrong state)', () => ({ code: 'c', state: 'forged' }), { kind: 'UsageError', argument: 'authResponse' }],
    ['a redirect without state', () => ({ code: 'c' }), { kind: 'UsageError', argument: 'authResponse' }],
    ['a repeated state parameter', (flow: AuthCodeFlow) => ({ code: 'c', state: [flow.state, flow.state] }), { kind: 'UsageError', argument: 'authResponse' }],
    ['a redirect with neither code nor error', (flow: AuthCodeFlow) => ({ state: flow.state }), { kind: 'UsageError', argument: 'authResponse' }],
    [
      'error=access_denied',
      (flow: AuthCodeFlow) => ({ state: flow.state, error: 'access_denied', error_description: 'AADSTS65004: User declined to consent.' }),
      { kind: 'AuthorizationError', error: 'access_denied', errorDescription: 'AADSTS65004: User declined to consent.' },
    ],
    ['not an object', () => 'code=c', { kind: 'UsageError', argument: 'authResponse' }],
  ])('%s: a clear error, no request, cache unchanged', (_, response, expected) => {
    const ctx = context()
    const flow = startFlow(ctx)
    const { outcome, requests } = redeem(ctx, flow, response(flow))
    expect(left(outcome)).toMatchObject(expected)
    expect(requests).toHaveLength(0)
    unchanged(ctx)
  })

  it.each([
    ['a tampered flow (no verifier)', (flow: AuthCodeFlow) => ({ ...flow, codeVerifier: undefined })],
    ['something that is not a flow', () => ({ hello: 'world' })],
    ['undefined (the session lost it)', () => undefined],
  ])('%s is a usage error naming the flow', (_, mangle) => {
    const ctx = context()
    const flow = startFlow(ctx)
    expect(left(redeem(ctx, mangle(flow), { code: 'c', state: flow.state }).outcome)).toMatchObject({ kind: 'UsageError', argument: 'authCodeFlow' })
  })

  it.each([
    ['a wrong nonce', () => ({ nonce: sha256Hex('someone else') }), 'nonce'],
    ['no nonce', () => ({}), 'nonce'],
    ['a wrong audience', (flow: AuthCodeFlow) => ({ nonce: sha256Hex(flow.nonce), aud: 'another-app' }), 'aud'],
  ])('an ID token with %s fails the sign-in and caches nothing', (_, claims, check) => {
    const ctx = context()
    const flow = startFlow(ctx)
    const { outcome } = redeem(ctx, flow, { code: 'c', state: flow.state }, claims(flow))
    expect(left(outcome)).toMatchObject({ kind: 'IdTokenError', check })
    unchanged(ctx)
  })

  it('checks auth_time against maxAge, with 120 s of skew', () => {
    const ctx = context()
    const flow = startFlow(ctx, { maxAge: 600 })
    const nonce = sha256Hex(flow.nonce)
    expect(left(redeem(ctx, flow, { code: 'c', state: flow.state }, { nonce }).outcome)).toMatchObject({ kind: 'IdTokenError', check: 'auth_time' })
    expect(left(redeem(ctx, flow, { code: 'c', state: flow.state }, { nonce, auth_time: NOW - 600 - 121 }).outcome)).toMatchObject({ check: 'auth_time' })
    expect(redeem(ctx, flow, { code: 'c', state: flow.state }, { nonce, auth_time: NOW - 600 - 120 }).outcome).toMatchObject({ _tag: 'Right' })
  })

  it('only warns about an expired ID token', () => {
    const ctx = context()
    const flow = startFlow(ctx)
    expect(redeem(ctx, flow, { code: 'c', state: flow.state }, { nonce: sha256Hex(flow.nonce), exp: NOW - 3600 }).outcome).toMatchObject({ _tag: 'Right' })
  })

  it('redeems for a subset of the flow\'s scopes, and refuses scopes the flow did not ask for', () => {
    const ctx = context()
    const flow = startFlow(ctx)
    const ok = redeem(ctx, flow, { code: 'c', state: flow.state }, { nonce: sha256Hex(flow.nonce) }, { scopes: ['User.Read'] })
    expect(ok.outcome).toMatchObject({ _tag: 'Right' })
    const extra = redeem(ctx, flow, { code: 'c', state: flow.state }, { nonce: sha256Hex(flow.nonce) }, { scopes: ['Mail.Read'] })
    expect(left(extra.outcome)).toMatchObject({ kind: 'UsageError', argument: 'scopes' })
    expect(extra.requests).toHaveLength(0)
  })
})

describe('getAuthorizationRequestUrl and acquireTokenByAuthorizationCode (the older pair)', () => {
  it('sends the nonce as given and checks it as given', () => {
    const ctx = context()
    const { interpret } = interpreter(tokenAnswer({ nonce: 'n-1' }))
    const url = run(getAuthorizationRequestUrl(ctx, ['User.Read'], { state: 's', nonce: 'n-1', redirectUri: 'http://localhost/cb' }), interpret) as { right: string }
    const params = new URL(url.right).searchParams
    expect([params.get('nonce'), params.get('state'), params.get('code_challenge')]).toEqual(['n-1', 's', null])
    expect(run(acquireTokenByAuthorizationCode(ctx, 'code', ['User.Read'], { nonce: 'n-1', redirectUri: 'http://localhost/cb' }), interpret)).toMatchObject({ _tag: 'Right' })
    expect(left(runFlow(ctx, acquireTokenByAuthorizationCode(ctx, 'code', ['User.Read'], { nonce: 'n-2' }), interpret))).toMatchObject({ kind: 'IdTokenError', check: 'nonce' })
    expect(left(runFlow(ctx, acquireTokenByAuthorizationCode(ctx, '', ['User.Read']), interpret))).toMatchObject({ kind: 'UsageError', argument: 'code' })
  })
})
