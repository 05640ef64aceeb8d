import { createHash, randomBytes } from 'node:crypto'
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose'
import { FakeIdentityProvider, faults, fixedClock, seededRandom, tenantIdOf, type AuthorizationOutcome, type AuthorizeRequest } from '@msal-ts/testing'

// A public client (desktop app: loopback and custom redirect URIs), a confidential web app, an app with no redirect URIs.
const APP = 'dddddddd-0000-4000-8000-000000000001'
const WEB = 'dddddddd-0000-4000-8000-000000000002'
const BARE = 'dddddddd-0000-4000-8000-000000000003'
const OTHER = 'dddddddd-0000-4000-8000-000000000004'
const WEB_SECRET = 'web-s3cret'
const LOOPBACK = 'http://localhost'
const CALLBACK = 'https://app.contoso.com/auth/callback'
const WEB_CALLBACK = 'https://web.contoso.com/signin-oidc'
const ALICE = 'alice@contoso.onmicrosoft.com'
const BOB = 'bob@contoso.onmicrosoft.com'
const TENANT = 'contoso.onmicrosoft.com'
const TID = tenantIdOf(TENANT)
const ORIGIN = 'https://login.microsoftonline.com'
const AUTHORIZE = `${ORIGIN}/${TENANT}/oauth2/v2.0/authorize`
const SCOPE = 'User.Read openid profile offline_access'
const CORRELATION = '33333333-3333-4333-8333-333333333333'

type Json = Record<string, unknown>
type Params = Record<string, string | undefined>

const newIdp = (options: ConstructorParameters<typeof FakeIdentityProvider>[0] = {}) => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now, random: seededRandom(11), ...options })
    .registerApp({ clientId: APP, redirectUris: [LOOPBACK, CALLBACK, 'http://127.0.0.1/callback'] })
    .registerApp({ clientId: WEB, clientSecret: WEB_SECRET, redirectUris: [WEB_CALLBACK] })
    .registerApp({ clientId: BARE })
    .registerApp({ clientId: OTHER, redirectUris: [LOOPBACK] })
    .registerUser({ username: ALICE, displayName: 'Alice Smith' })
    .registerUser({ username: BOB })
  return { idp, clock }
}

/** A PKCE pair, as RFC 7636 computes it: the challenge is BASE64URL(SHA256(verifier)). */
const pkce = () => {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

const PKCE = pkce()

/** An authorization URL as MSAL builds one; `undefined` drops a parameter. */
const authorizeUrl = (overrides: Params = {}, base = AUTHORIZE): string => {
  const params: Params = {
    client_id: APP,
    response_type: 'code',
    redirect_uri: 'http://localhost:53123',
    scope: SCOPE,
    state: 'st4te',
    nonce: 'n0nce',
    code_challenge: PKCE.challenge,
    code_challenge_method: 'S256',
    login_hint: ALICE,
    client_info: '1',
    'client-request-id': CORRELATION,
    ...overrides,
  }
  const url = new URL(base)
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value)
  return url.toString()
}

const redeemForm = (code: string, overrides: Params = {}): Params => ({
  grant_type: 'authorization_code',
  client_id: APP,
  code,
  redirect_uri: 'http://localhost:53123',
  code_verifier: PKCE.verifier,
  scope: SCOPE,
  client_info: '1',
  ...overrides,
})

const post = async (idp: FakeIdentityProvider, form: Params): Promise<{ status: number; json: Json }> => {
  const outcome = await idp.http({
    method: 'POST',
    url: `${ORIGIN}/${TENANT}/oauth2/v2.0/token`,
    headers: { 'client-request-id': CORRELATION },
    form: Object.fromEntries(Object.entries(form).filter(([, v]) => v !== undefined)) as Record<string, string>,
  })
  if (outcome._tag !== 'HttpResponse') throw new Error(outcome.kind)
  return { status: outcome.status, json: JSON.parse(outcome.body) as Json }
}

const paramsOf = (outcome: AuthorizationOutcome): Readonly<Record<string, string>> => {
  if ('errorPage' in outcome) throw new Error(`error page: ${outcome.errorPage.message}`)
  return outcome.params
}

/** Signs in through the authorization endpoint and returns the code. */
const codeFor = async (idp: FakeIdentityProvider, overrides: Params = {}): Promise<string> => {
  const code = paramsOf(await idp.authorize(authorizeUrl(overrides)))['code']
  if (code === undefined) throw new Error('no code')
  return code
}

const verify = async (idp: FakeIdentityProvider, token: unknown, nowMs: number): Promise<JWTPayload> =>
  (await jwtVerify(token as string, createLocalJWKSet((await idp.jwks()) as never), { currentDate: new Date(nowMs) })).payload

const expectEntraError = (response: { status: number; json: Json }, status: number, error: string, code: number) => {
  expect(response.status).toBe(status)
  expect(response.json).toMatchObject({ error, error_codes: [code], correlation_id: CORRELATION })
  expect(response.json['error_description']).toMatch(new RegExp(`^AADSTS${code}: `))
}

describe('FakeIdentityProvider: the authorization endpoint', () => {
  it('redirects (302) to the redirect URI with code, client_info, state and session_state, on the Http face', async () => {
    const { idp } = newIdp()
    const outcome = await idp.http({ method: 'GET', url: authorizeUrl(), headers: {} })
    expect(outcome).toMatchObject({ _tag: 'HttpResponse', status: 302, body: '' })
    if (outcome._tag !== 'HttpResponse') throw new Error()
    const location = new URL(outcome.headers['location']!)
    expect(location.origin + location.pathname).toBe('http://localhost:53123/')
    expect([...location.searchParams.keys()]).toEqual(['code', 'client_info', 'state', 'session_state'])
    expect(location.searchParams.get('state')).toBe('st4te')
    const alice = idp.getUser(ALICE)!
    expect(JSON.parse(Buffer.from(location.searchParams.get('client_info')!, 'base64url').toString())).toEqual({ uid: alice.oid, utid: TID })
    expect(location.searchParams.get('code')).toMatch(/^1\.A[A-Za-z0-9_-]{128}$/)
    expect(location.searchParams.get('session_state')).toMatch(/^[0-9a-f-]{36}$/)
    expect(location.hash).toBe('')
  })

  it('answers the fetch face with the 302 itself (never following it)', async () => {
    const { idp } = newIdp()
    const response = await idp.fetch(authorizeUrl(), { redirect: 'manual' })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toMatch(/^http:\/\/localhost:53123\/\?code=/)
  })

  it('answers the loopback server with a real 302', async () => {
    const { idp } = newIdp()
    const base = await idp.listen()
    try {
      const response = await fetch(authorizeUrl({}, `${base}/${TENANT}/oauth2/v2.0/authorize`), { redirect: 'manual' })
      expect(response.status).toBe(302)
      const location = new URL(response.headers.get('location')!)
      expect(location.host).toBe('localhost:53123')
      // The code it carries redeems over the same server.
      const token = await fetch(`${base}/${TENANT}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(redeemForm(location.searchParams.get('code')!) as Record<string, string>),
      })
      expect(token.status).toBe(200)
    } finally {
      await idp.close()
    }
  })

  it.each([
    ['query (the default)', undefined, 'query'],
    ['query', 'query', 'query'],
    ['fragment', 'fragment', 'fragment'],
  ])('puts the response in the %s', async (_, responseMode, where) => {
    const { idp } = newIdp()
    const outcome = await idp.authorize(authorizeUrl({ response_mode: responseMode, redirect_uri: CALLBACK }))
    if (!('redirect' in outcome)) throw new Error('expected a redirect')
    expect(outcome.redirect.origin + outcome.redirect.pathname).toBe(CALLBACK)
    const carried = new URLSearchParams(where === 'query' ? outcome.redirect.search : outcome.redirect.hash.slice(1))
    expect(Object.fromEntries(carried)).toEqual(outcome.params)
    expect(where === 'query' ? outcome.redirect.hash : outcome.redirect.search).toBe('')
  })

  it('answers response_mode=form_post with a page that posts the response to the redirect URI', async () => {
    const { idp } = newIdp()
    const outcome = await idp.authorize(authorizeUrl({ response_mode: 'form_post', redirect_uri: CALLBACK }))
    if (!('formPost' in outcome)) throw new Error('expected a form post')
    expect(outcome.formPost.action).toBe(CALLBACK)
    expect(Object.keys(outcome.formPost.fields)).toEqual(['code', 'client_info', 'state', 'session_state'])
    expect(outcome.params).toEqual(outcome.formPost.fields)

    const http = await idp.http({ method: 'GET', url: authorizeUrl({ response_mode: 'form_post', redirect_uri: CALLBACK }), headers: {} })
    if (http._tag !== 'HttpResponse') throw new Error()
    expect(http.status).toBe(200)
    expect(http.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(http.headers['location']).toBeUndefined()
    expect(http.body).toContain(`<form method="POST" name="hiddenform" action="${CALLBACK}">`)
    expect(http.body).toMatch(/<input type="hidden" name="code" value="1\.A[^"]+" \/><input type="hidden" name="client_info" value="[\w-]+" \/><input type="hidden" name="state" value="st4te" \/>/)
    expect(http.body).toContain('document.forms[0].submit();')
  })

  it.each<[string, string, boolean]>([
    ['any port of a registered loopback URI', 'http://localhost:53123', true],
    ['a loopback URI with no port', 'http://localhost', true],
    ['a loopback URI with a trailing slash', 'http://localhost:1/', true],
    ['127.0.0.1 on any port, same path', 'http://127.0.0.1:8400/callback', true],
    ['an exact non-loopback URI', CALLBACK, true],
    ['a loopback URI with another path', 'http://localhost:8400/other', false],
    ['127.0.0.1 where only localhost has that path', 'http://127.0.0.1:8400', false],
    ['https on localhost (not a loopback URI)', 'https://localhost:8443', false],
    ['a non-loopback URI on another port', 'https://app.contoso.com:8443/auth/callback', false],
    ['a non-loopback URI with another path', 'https://app.contoso.com/auth/callback2', false],
    ['a URI that is not a URL', 'not a url', false],
  ])('matches redirect URIs: %s', async (_, redirectUri, accepted) => {
    const { idp } = newIdp()
    const outcome = await idp.authorize(authorizeUrl({ redirect_uri: redirectUri }))
    if (accepted) {
      expect('redirect' in outcome && outcome.params['code']).toBeTruthy()
    } else {
      expect(outcome).toMatchObject({ errorPage: { status: 400, errorCode: 50011 } })
    }
  })

  it.each<[string, Params, number, RegExp]>([
    ['no client_id', { client_id: undefined }, 900144, /^AADSTS900144: The request body must contain the following parameter: 'client_id'\.$/],
    ['an unknown client', { client_id: 'who' }, 700016, /^AADSTS700016: Application with identifier 'who' was not found in the directory 'contoso\.onmicrosoft\.com'\./],
    ['an unregistered redirect URI', { redirect_uri: 'https://evil.example/steal' }, 50011, /^AADSTS50011: The redirect URI 'https:\/\/evil\.example\/steal' specified in the request does not match the redirect URIs configured for the application 'dddddddd-0000-4000-8000-000000000001'\./],
    ['no redirect URI, for an app with none registered', { client_id: BARE, redirect_uri: undefined }, 500113, /^AADSTS500113: No reply address is registered for the application\.$/],
    ['a redirect URI, for an app with none registered', { client_id: BARE }, 50011, /^AADSTS50011: /],
  ])('shows an error page, never a redirect, for %s', async (_, overrides, code, message) => {
    const { idp } = newIdp()
    const url = authorizeUrl({ ...overrides, state: 'st4te' })
    const outcome = await idp.authorize(url)
    if (!('errorPage' in outcome)) throw new Error('expected an error page')
    expect(outcome.errorPage).toMatchObject({ status: 400, errorCode: code })
    expect(outcome.errorPage.message).toMatch(message)
    expect(outcome.errorPage.html).toContain(`AADSTS${code}: `)
    expect(outcome.errorPage.html).toContain(`Correlation Id: ${CORRELATION}`)

    const http = await idp.http({ method: 'GET', url, headers: {} })
    expect(http).toMatchObject({ _tag: 'HttpResponse', status: 400, headers: { 'content-type': 'text/html; charset=utf-8' } })
    if (http._tag !== 'HttpResponse') throw new Error()
    expect(http.headers['location']).toBeUndefined()
    expect(http.body).toBe(outcome.errorPage.html.replace(/Request Id: [0-9a-f-]+/, http.body.match(/Request Id: [0-9a-f-]+/)![0]))
  })

  it('shows an error page for an unknown tenant, when tenants are listed', async () => {
    const { idp } = newIdp({ tenants: [TENANT] })
    const outcome = await idp.authorize(authorizeUrl({}, `${ORIGIN}/nowhere.example/oauth2/v2.0/authorize`))
    expect(outcome).toMatchObject({ errorPage: { status: 400, errorCode: 90002 } })
    expect('errorPage' in outcome && outcome.errorPage.message).toMatch(/^AADSTS90002: Tenant 'nowhere\.example' not found\./)
  })

  it.each<[string, Params, string, number]>([
    ['no response_type', { response_type: undefined }, 'invalid_request', 900144],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type', 700051],
    ['response_type=id_token', { response_type: 'id_token' }, 'unsupported_response_type', 700054],
    ['response_type=code id_token', { response_type: 'code id_token' }, 'unsupported_response_type', 700054],
    ['an unknown response_type', { response_type: 'magic' }, 'unsupported_response_type', 70005],
    ['no scope', { scope: undefined }, 'invalid_request', 900144],
    ['an unknown code_challenge_method', { code_challenge_method: 'S512' }, 'invalid_request', 50149],
    ['a code_challenge of the wrong size', { code_challenge: 'abc' }, 'invalid_request', 501491],
    ['an S256 code_challenge longer than a SHA-256 hash', { code_challenge: PKCE.verifier + 'x' }, 'invalid_request', 501491],
    ['a plain code_challenge shorter than a verifier', { code_challenge: 'abc', code_challenge_method: 'plain' }, 'invalid_request', 501491],
    ['an unknown prompt', { prompt: 'maybe' }, 'invalid_request', 90023],
    ['a max_age that is not a number', { max_age: 'soon' }, 'invalid_request', 90023],
    ['claims that are not JSON', { claims: '{' }, 'invalid_request', 90014],
    ['an unknown response_mode (answered in the query)', { response_mode: 'carrier_pigeon' }, 'invalid_request', 90023],
  ])("sends %s back to the redirect URI as Entra's error", async (_, overrides, error, code) => {
    const { idp } = newIdp()
    const outcome = await idp.authorize(authorizeUrl(overrides))
    if (!('redirect' in outcome)) throw new Error('expected a redirect')
    expect(outcome.redirect.origin).toBe('http://localhost:53123')
    expect(Object.keys(outcome.params)).toEqual(['error', 'error_description', 'error_uri', 'state'])
    expect(outcome.params).toMatchObject({ error, error_uri: `${ORIGIN}/error?code=${code}`, state: 'st4te' })
    expect(outcome.params['error_description']).toMatch(
      new RegExp(`^AADSTS${code}: .+ Trace ID: [0-9a-f-]{36} Correlation ID: ${CORRELATION} Timestamp: 2026-01-01 00:00:00Z$`),
    )
    expect(outcome.redirect.searchParams.get('error')).toBe(error)
  })

  it('sends errors the way the response was asked for (fragment, form_post)', async () => {
    const { idp } = newIdp()
    const fragment = await idp.authorize(authorizeUrl({ scope: undefined, response_mode: 'fragment' }))
    expect('redirect' in fragment && new URLSearchParams(fragment.redirect.hash.slice(1)).get('error')).toBe('invalid_request')
    const formPost = await idp.authorize(authorizeUrl({ scope: undefined, response_mode: 'form_post' }))
    expect('formPost' in formPost && formPost.formPost.fields['error']).toBe('invalid_request')
  })

  it('records the request, and lets faults hit it', async () => {
    const { idp } = newIdp()
    await idp.authorize(authorizeUrl())
    expect(idp.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /${TENANT}/oauth2/v2.0/authorize`])
    expect(idp.tokenRequests).toEqual([])
    idp.injectFault(faults.htmlErrorPage(503), { path: '/authorize' })
    expect(await idp.authorize(authorizeUrl())).toMatchObject({ errorPage: { status: 503, errorCode: undefined } })
    idp.injectFault(faults.connectionError(), { path: '/authorize' })
    await expect(idp.authorize(authorizeUrl())).rejects.toThrow('connection-error')
  })

  it('serves CIAM tenants at their own hosts', async () => {
    const { idp } = newIdp()
    const code = paramsOf(await idp.authorize(authorizeUrl({}, `https://contoso.ciamlogin.com/${TENANT}/oauth2/v2.0/authorize`)))['code']
    expect(code).toBeDefined()
  })

  it('takes the request as a form POST too, as Entra does', async () => {
    const { idp } = newIdp()
    const form = Object.fromEntries(new URL(authorizeUrl()).searchParams)
    const outcome = await idp.http({ method: 'POST', url: AUTHORIZE, headers: {}, form })
    if (outcome._tag !== 'HttpResponse') throw new Error()
    expect(outcome.status).toBe(302)
    const location = new URL(outcome.headers['location']!)
    expect(location.searchParams.get('state')).toBe('st4te')
    expect((await post(idp, redeemForm(location.searchParams.get('code')!))).status).toBe(200)
    // A form POST to the loopback server, as a browser submits one.
    const base = await idp.listen()
    try {
      const response = await fetch(`${base}/${TENANT}/oauth2/v2.0/authorize`, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' })
      expect(response.status).toBe(302)
      expect(new URL(response.headers.get('location')!).searchParams.get('state')).toBe('st4te')
    } finally {
      await idp.close()
    }
  })

  it('answers other methods and paths with 404', async () => {
    const { idp } = newIdp()
    expect((await idp.fetch(authorizeUrl(), { method: 'PUT' })).status).toBe(404)
    expect(await idp.authorize(`${ORIGIN}/${TENANT}/oauth2/v2.0/authorise`)).toMatchObject({ errorPage: { status: 404 } })
  })
})

describe('FakeIdentityProvider: who signs in', () => {
  const usernameIn = async (idp: FakeIdentityProvider, nowMs: number, overrides: Params = {}) => {
    const { json } = await post(idp, redeemForm(await codeFor(idp, overrides)))
    return (await verify(idp, json['id_token'], nowMs))['preferred_username']
  }

  it("signs in the login_hint's user (any case)", async () => {
    const { idp, clock } = newIdp()
    expect(await usernameIn(idp, clock.now(), { login_hint: BOB.toUpperCase() })).toBe(BOB)
  })

  it('cannot choose between several users with no hint: an error page that says what to do', async () => {
    const { idp } = newIdp()
    const outcome = await idp.authorize(authorizeUrl({ login_hint: 'nobody@contoso.onmicrosoft.com' }))
    expect(outcome).toMatchObject({ errorPage: { status: 400, errorCode: undefined } })
    expect('errorPage' in outcome && outcome.errorPage.message).toMatch(/2 users are registered.+Set the interactiveUser option or an onAuthorize rule/)
  })

  it('signs in the only user when there is one', async () => {
    const clock = fixedClock()
    const idp = new FakeIdentityProvider({ clock: clock.now }).registerApp({ clientId: APP, redirectUris: [LOOPBACK] }).registerUser({ username: ALICE })
    expect(await usernameIn(idp, clock.now(), { login_hint: undefined })).toBe(ALICE)
  })

  it('signs in the interactiveUser option, whatever the hint', async () => {
    const { idp, clock } = newIdp({ interactiveUser: BOB })
    expect(await usernameIn(idp, clock.now(), { login_hint: ALICE })).toBe(BOB)
  })

  it('single sign-on: the one user signed in to the browser, when the request names nobody', async () => {
    const { idp, clock } = newIdp()
    await codeFor(idp, { login_hint: BOB })
    expect(await usernameIn(idp, clock.now(), { login_hint: undefined })).toBe(BOB)
    // prompt=select_account and prompt=login ask again: nobody is chosen for them.
    expect(await idp.authorize(authorizeUrl({ login_hint: undefined, prompt: 'select_account' }))).toHaveProperty('errorPage')
  })

  it('lets an onAuthorize rule decide, seeing the whole request', async () => {
    const { idp, clock } = newIdp()
    const seen: AuthorizeRequest[] = []
    idp.onAuthorize((request) => {
      seen.push(request)
      return request.domainHint === 'fabrikam.com' ? { user: BOB } : undefined
    })
    expect(await usernameIn(idp, clock.now(), { domain_hint: 'fabrikam.com', prompt: 'consent', claims: '{"id_token":{}}', max_age: '60' })).toBe(BOB)
    expect(seen[0]).toMatchObject({
      tenant: TENANT,
      clientId: APP,
      redirectUri: 'http://localhost:53123',
      redirectUriAsked: true,
      responseMode: 'query',
      scopes: ['User.Read', 'openid', 'profile', 'offline_access'],
      state: 'st4te',
      nonce: 'n0nce',
      prompt: 'consent',
      loginHint: ALICE,
      domainHint: 'fabrikam.com',
      claims: '{"id_token":{}}',
      maxAge: 60,
      codeChallenge: PKCE.challenge,
    })
    expect(seen[0]!.url.searchParams.get('client_info')).toBe('1')
    expect(await usernameIn(idp, clock.now())).toBe(ALICE) // undefined: the defaults
    idp.onAuthorize(undefined)
    expect(await usernameIn(idp, clock.now(), { domain_hint: 'fabrikam.com' })).toBe(ALICE)
  })

  it.each<[string, { error: string; errorDescription?: string; errorCode?: number }, string, number, string]>([
    ['access_denied', { error: 'access_denied' }, 'access_denied', 65004, 'User declined to consent to access the app.'],
    ['consent_required', { error: 'consent_required' }, 'consent_required', 65001, `The user or administrator has not consented to use the application with ID '${APP}'.`],
    ['interaction_required', { error: 'interaction_required' }, 'interaction_required', 50076, 'you must use multi-factor authentication'],
    ['login_required', { error: 'login_required' }, 'login_required', 50058, 'A silent sign-in request was sent but no user is signed in.'],
    ['a custom error', { error: 'temporarily_unavailable', errorDescription: 'Down for maintenance.', errorCode: 90033 }, 'temporarily_unavailable', 90033, 'Down for maintenance.'],
    ['an unknown error with no code', { error: 'server_error' }, 'server_error', 90023, 'The authentication service request is not valid.'],
  ])('sends a rule\'s %s back to the app', async (_, decision, error, code, text) => {
    const { idp } = newIdp()
    idp.onAuthorize(() => decision)
    const params = paramsOf(await idp.authorize(authorizeUrl()))
    expect(params).toMatchObject({ error, error_uri: `${ORIGIN}/error?code=${code}`, state: 'st4te' })
    expect(params['error_description']).toContain(`AADSTS${code}: `)
    expect(params['error_description']).toContain(text)
    expect(params['code']).toBeUndefined()
  })

  it('throws, to the test, for a rule or option naming an unregistered user', async () => {
    const { idp } = newIdp({ interactiveUser: 'ghost@contoso.onmicrosoft.com' })
    await expect(idp.authorize(authorizeUrl())).rejects.toThrow("interactiveUser 'ghost@contoso.onmicrosoft.com' is not registered")
    idp.onAuthorize(() => ({ user: 'ghost@contoso.onmicrosoft.com' }))
    await expect(idp.authorize(authorizeUrl())).rejects.toThrow("onAuthorize chose 'ghost@contoso.onmicrosoft.com'")
  })

  describe('prompt=none', () => {
    it.each([
      ['nobody is signed in', [], undefined, 'login_required', 50058],
      ['the hinted user is not signed in', [BOB], ALICE, 'login_required', 50058],
      ['two users are signed in and none is named', [ALICE, BOB], undefined, 'interaction_required', 16000],
    ])('refuses when %s', async (_, signedIn, hint, error, code) => {
      const { idp } = newIdp()
      for (const user of signedIn) idp.signInToBrowser(user)
      const params = paramsOf(await idp.authorize(authorizeUrl({ prompt: 'none', login_hint: hint })))
      expect(params).toMatchObject({ error, state: 'st4te' })
      expect(params['error_description']).toMatch(new RegExp(`^AADSTS${code}: `))
    })

    it('signs in silently with the browser session an earlier sign-in left', async () => {
      const { idp, clock } = newIdp()
      const first = paramsOf(await idp.authorize(authorizeUrl()))
      const silent = paramsOf(await idp.authorize(authorizeUrl({ prompt: 'none', login_hint: undefined })))
      expect(silent['code']).toBeDefined()
      expect(silent['session_state']).toBe(first['session_state'])
      idp.signInToBrowser(BOB)
      const hinted = await idp.authorize(authorizeUrl({ prompt: 'none', login_hint: BOB }))
      expect(await verify(idp, (await post(idp, redeemForm(paramsOf(hinted)['code']!))).json['id_token'], clock.now())).toMatchObject({ preferred_username: BOB })
    })

    it('finds no session once the user signed out everywhere, or the browser forgot', async () => {
      const { idp } = newIdp()
      idp.signInToBrowser(ALICE)
      idp.revokeSignInSessions(ALICE)
      expect(paramsOf(await idp.authorize(authorizeUrl({ prompt: 'none' })))['error']).toBe('login_required')
      idp.signInToBrowser(ALICE).clearBrowserSessions()
      expect(paramsOf(await idp.authorize(authorizeUrl({ prompt: 'none' })))['error']).toBe('login_required')
    })

    it('refuses a session older than max_age', async () => {
      const { idp, clock } = newIdp()
      idp.signInToBrowser(ALICE)
      clock.advance(120_000)
      expect(paramsOf(await idp.authorize(authorizeUrl({ prompt: 'none', max_age: '60' })))['error']).toBe('login_required')
      expect(paramsOf(await idp.authorize(authorizeUrl({ prompt: 'none', max_age: '600' })))['code']).toBeDefined()
    })
  })
})

describe('FakeIdentityProvider: the authorization code grant', () => {
  it("redeems a code for the user's tokens, in Entra's shape, with the nonce in the ID token", async () => {
    const { idp, clock } = newIdp()
    const code = await codeFor(idp)
    clock.advance(5_000)
    const { status, json } = await post(idp, redeemForm(code))
    expect(status).toBe(200)
    expect(Object.keys(json)).toEqual(['token_type', 'scope', 'expires_in', 'ext_expires_in', 'access_token', 'refresh_token', 'id_token', 'client_info'])
    expect(json).toMatchObject({ token_type: 'Bearer', scope: 'User.Read openid profile', expires_in: 3599 })
    const alice = idp.getUser(ALICE)!
    expect(await verify(idp, json['access_token'], clock.now())).toMatchObject({ aud: '00000003-0000-0000-c000-000000000000', scp: 'User.Read', azp: APP, azpacr: '0', oid: alice.oid })
    const idToken = await verify(idp, json['id_token'], clock.now())
    expect(Object.keys(idToken)).toEqual(['aud', 'iss', 'iat', 'nbf', 'exp', 'name', 'nonce', 'oid', 'preferred_username', 'rh', 'sub', 'tid', 'uti', 'ver'])
    expect(idToken).toMatchObject({ aud: APP, iss: `${ORIGIN}/${TID}/v2.0`, nonce: 'n0nce', preferred_username: ALICE, tid: TID })
    expect(JSON.parse(Buffer.from(json['client_info'] as string, 'base64url').toString())).toEqual({ uid: alice.oid, utid: TID })
    // Its refresh token works.
    const refreshed = await post(idp, { grant_type: 'refresh_token', client_id: APP, refresh_token: json['refresh_token'] as string, scope: SCOPE })
    expect(refreshed.status).toBe(200)
    expect(idp.tokenRequests.map((r) => r.form['grant_type'])).toEqual(['authorization_code', 'refresh_token'])
  })

  it('verifies PKCE end to end: the verifier whose S256 hash is the challenge, and no other', async () => {
    const { idp } = newIdp()
    const mine = pkce()
    const code = await codeFor(idp, { code_challenge: mine.challenge })
    expectEntraError(await post(idp, redeemForm(code, { code_verifier: undefined })), 400, 'invalid_grant', 501481)
    expectEntraError(await post(idp, redeemForm(code, { code_verifier: PKCE.verifier })), 400, 'invalid_grant', 501481)
    expectEntraError(await post(idp, redeemForm(code, { code_verifier: mine.challenge })), 400, 'invalid_grant', 501481)
    const { json } = await post(idp, redeemForm(code, { code_verifier: mine.verifier }))
    expect(json['error_description']).toBeUndefined() // failed attempts do not use the code up
    expect(json['access_token']).toBeDefined()
  })

  it.each([
    ['code_challenge_method=plain', 'plain'],
    ['a challenge that names no method (plain, by RFC 7636)', undefined],
  ])('verifies PKCE for %s: the verifier is the challenge itself', async (_, method) => {
    const { idp } = newIdp()
    const mine = pkce()
    const code = await codeFor(idp, { code_challenge: mine.verifier, code_challenge_method: method })
    expectEntraError(await post(idp, redeemForm(code, { code_verifier: undefined })), 400, 'invalid_grant', 501481)
    // The S256 hash of the verifier is not the verifier: a plain challenge is compared as sent.
    expectEntraError(await post(idp, redeemForm(code, { code_verifier: mine.challenge })), 400, 'invalid_grant', 501481)
    expect((await post(idp, redeemForm(code, { code_verifier: mine.verifier }))).status).toBe(200)
  })

  it('words the PKCE error as Entra does', async () => {
    const { idp } = newIdp()
    const { json } = await post(idp, redeemForm(await codeFor(idp), { code_verifier: 'x'.repeat(43) }))
    expect(json['error_description']).toMatch(/^AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request\. Trace ID/)
  })

  it('redeems a code asked for without PKCE with no verifier', async () => {
    const { idp } = newIdp()
    const code = await codeFor(idp, { code_challenge: undefined, code_challenge_method: undefined })
    expect((await post(idp, redeemForm(code, { code_verifier: undefined }))).status).toBe(200)
  })

  it('redeems a code once: the second time is AADSTS54005', async () => {
    const { idp } = newIdp()
    const code = await codeFor(idp)
    expect((await post(idp, redeemForm(code))).status).toBe(200)
    const again = await post(idp, redeemForm(code))
    expectEntraError(again, 400, 'invalid_grant', 54005)
    expect(again.json['error_description']).toMatch(/^AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token\./)
  })

  it("expires codes after 10 minutes on the provider's clock (AADSTS70008)", async () => {
    const { idp, clock } = newIdp()
    const early = await codeFor(idp)
    const late = await codeFor(idp)
    clock.advance(10 * 60_000 - 1)
    expect((await post(idp, redeemForm(early))).status).toBe(200)
    clock.advance(1)
    const expired = await post(idp, redeemForm(late))
    expectEntraError(expired, 400, 'invalid_grant', 70008)
    expect(expired.json['error_description']).toMatch(/^AADSTS70008: The provided authorization code or refresh token has expired due to inactivity\./)
  })

  it.each<[string, Params, Params, number, string, number]>([
    ['no code', {}, { code: undefined }, 400, 'invalid_request', 900144],
    ['a code it never issued', {}, { code: 'made-up' }, 400, 'invalid_grant', 70000],
    ["another app's code", {}, { client_id: OTHER }, 400, 'invalid_grant', 70000],
    ['another redirect URI', {}, { redirect_uri: 'http://localhost:53124' }, 400, 'invalid_client', 500112],
    ['no redirect URI, where the request named one', {}, { redirect_uri: undefined }, 400, 'invalid_client', 500112],
    ['a redirect URI, where the request named none', { redirect_uri: undefined }, { redirect_uri: LOOPBACK }, 400, 'invalid_client', 500112],
    ['an unknown client', {}, { client_id: 'who' }, 400, 'unauthorized_client', 700016],
    ['a public client sending a secret', {}, { client_secret: 'why' }, 401, 'invalid_client', 700025],
    ['scopes of two resources', {}, { scope: 'User.Read api://orders/Orders.Read' }, 400, 'invalid_scope', 28000],
  ])("answers %s with Entra's error", async (_, authorizeOverrides, redeemOverrides, status, error, code) => {
    const { idp } = newIdp()
    const issued = await codeFor(idp, authorizeOverrides)
    expectEntraError(await post(idp, redeemForm(issued, redeemOverrides)), status, error, code)
  })

  it("quotes both reply addresses when they differ, as Entra does", async () => {
    const { idp } = newIdp()
    const { json } = await post(idp, redeemForm(await codeFor(idp), { redirect_uri: 'http://localhost:1' }))
    expect(json['error_description']).toMatch(
      /^AADSTS500112: The reply address 'http:\/\/localhost:1' does not match the reply address 'http:\/\/localhost:53123' provided when requesting Authorization code\./,
    )
  })

  it('sends the app to its first redirect URI when the request names none, and redeems without one', async () => {
    const { idp } = newIdp()
    const outcome = await idp.authorize(authorizeUrl({ redirect_uri: undefined }))
    expect('redirect' in outcome && outcome.redirect.origin).toBe('http://localhost')
    expect((await post(idp, redeemForm(paramsOf(outcome)['code']!, { redirect_uri: undefined }))).status).toBe(200)
  })

  it('makes a confidential client authenticate', async () => {
    const { idp, clock } = newIdp()
    const code = await codeFor(idp, { client_id: WEB, redirect_uri: WEB_CALLBACK, response_mode: 'form_post' })
    const form = redeemForm(code, { client_id: WEB, redirect_uri: WEB_CALLBACK })
    expectEntraError(await post(idp, form), 401, 'invalid_client', 7000218)
    expectEntraError(await post(idp, { ...form, client_secret: 'nope' }), 401, 'invalid_client', 7000215)
    const { status, json } = await post(idp, { ...form, client_secret: WEB_SECRET })
    expect(status).toBe(200)
    expect(await verify(idp, json['access_token'], clock.now())).toMatchObject({ azp: WEB, azpacr: '1' })
  })

  it.each([
    ['the scopes the code was issued for, when the redemption names none', undefined, 'User.Read openid profile', true],
    ['the scopes the redemption names', 'api://orders/Orders.Read openid', 'api://orders/Orders.Read openid', true],
  ])('grants %s', async (_, scope, granted, refreshToken) => {
    const { idp } = newIdp()
    const { json } = await post(idp, redeemForm(await codeFor(idp), { scope }))
    expect(json['scope']).toBe(granted)
    expect('refresh_token' in json).toBe(refreshToken)
  })

  it('issues no refresh token without offline_access, and no client_info unless asked', async () => {
    const { idp } = newIdp()
    const code = await codeFor(idp, { scope: 'User.Read openid' })
    const { json } = await post(idp, redeemForm(code, { scope: 'User.Read openid', client_info: undefined }))
    expect(Object.keys(json)).toEqual(['token_type', 'scope', 'expires_in', 'ext_expires_in', 'access_token', 'id_token'])
  })

  describe('auth_time and max_age', () => {
    const idTokenOf = async (idp: FakeIdentityProvider, nowMs: number, overrides: Params) =>
      verify(idp, (await post(idp, redeemForm(await codeFor(idp, overrides)))).json['id_token'], nowMs)

    it('puts auth_time in the ID token only when max_age was asked', async () => {
      const { idp, clock } = newIdp()
      expect(await idTokenOf(idp, clock.now(), {})).not.toHaveProperty('auth_time')
      const withMaxAge = await idTokenOf(idp, clock.now(), { max_age: '3600' })
      expect(withMaxAge['auth_time']).toBe(clock.now() / 1000)
      expect(Object.keys(withMaxAge).slice(0, 6)).toEqual(['aud', 'iss', 'iat', 'nbf', 'exp', 'auth_time'])
    })

    it('keeps the first sign-in time while the browser session lasts, and renews it for prompt=login or an exceeded max_age', async () => {
      const { idp, clock } = newIdp()
      const signedInAt = clock.now() / 1000
      await codeFor(idp)
      clock.advance(10 * 60_000)
      expect((await idTokenOf(idp, clock.now(), { max_age: '3600' }))['auth_time']).toBe(signedInAt)
      expect((await idTokenOf(idp, clock.now(), { max_age: '3600', prompt: 'none' }))['auth_time']).toBe(signedInAt)
      expect((await idTokenOf(idp, clock.now(), { max_age: '60' }))['auth_time']).toBe(clock.now() / 1000)
      clock.advance(60_000)
      expect((await idTokenOf(idp, clock.now(), { max_age: '3600', prompt: 'login' }))['auth_time']).toBe(clock.now() / 1000)
    })

    it('takes max_age=0 as "authenticate now"', async () => {
      const { idp, clock } = newIdp()
      await codeFor(idp)
      clock.advance(1_000)
      expect((await idTokenOf(idp, clock.now(), { max_age: '0' }))['auth_time']).toBe(clock.now() / 1000)
    })
  })
})
