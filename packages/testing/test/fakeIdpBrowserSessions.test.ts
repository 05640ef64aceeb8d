/**
 * The fake identity provider's browser face over real HTTP on loopback: the HTML sign-in page,
 * the session cookie (which single sign-on and prompt=none need), the pages' framing and opener
 * headers, and the end-session endpoint. A small cookie jar plays the browser here; real
 * Chromium runs the same in fakeIdpChromium.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto'
import { FakeIdentityProvider, fixedClock, seededRandom, SESSION_COOKIE, type FakeIdentityProviderOptions } from '@msal-ts/testing'

const SPA = 'ffffffff-0000-4000-8000-000000000001'
const ALICE = 'alice@contoso.onmicrosoft.com'
const BOB = 'bob@contoso.onmicrosoft.com'
const CAROL = 'carol@contoso.onmicrosoft.com'
const TENANT = 'contoso.onmicrosoft.com'
const APP_ORIGIN = 'http://localhost:5173'
const REDIRECT = `${APP_ORIGIN}/redirect`
const SIGNED_OUT = `${APP_ORIGIN}/signed-out`
const SCOPE = 'User.Read openid profile offline_access'
const verifier = randomBytes(32).toString('base64url')
const challenge = createHash('sha256').update(verifier).digest('base64url')

type Params = Record<string, string | undefined>

/** A browser's cookie jar for the provider's origin, and the requests it sends (never following redirects). */
class Browser {
  cookie: string | undefined
  constructor(readonly base: string) {}

  async send(pathAndQuery: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<{ response: Response; body: string }> {
    const response = await fetch(`${this.base}${pathAndQuery}`, {
      method: init.method ?? (init.form !== undefined ? 'POST' : 'GET'),
      headers: { ...(this.cookie !== undefined ? { cookie: `${SESSION_COOKIE}=${this.cookie}` } : {}), ...init.headers },
      ...(init.form !== undefined ? { body: new URLSearchParams(init.form) } : {}),
      redirect: 'manual',
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]
      if (name !== SESSION_COOKIE) continue
      this.cookie = attributes.some((attribute) => attribute.toLowerCase() === 'max-age=0') ? undefined : value
    }
    return { response, body: await response.text() }
  }
}

const query = (params: Params): string => new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString()

const authorizePath = (overrides: Params = {}): string =>
  `/${TENANT}/oauth2/v2.0/authorize?${query({
    client_id: SPA,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: SCOPE,
    state: 'st4te',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  })}`

const decodeEntities = (text: string): string => text.replace(/&(amp|lt|gt|quot|#39);/g, (_, entity: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[entity]!)

/** Fills in and submits the sign-in page as a person would. */
const submitSignIn = (browser: Browser, page: string, username: string, password = '') => {
  const action = /<form method="post" action="([^"]+)">/.exec(page)![1]!
  const request = decodeEntities(/<input type="hidden" name="request" value="([^"]*)">/.exec(page)![1]!)
  return browser.send(decodeEntities(action), { form: { request, username, password } })
}

/** The authorization response a 302 carries (query or fragment) or a form_post page posts. */
const responseParams = (response: Response, body: string): Record<string, string> => {
  const location = response.headers.get('location')
  if (location !== null) {
    const url = new URL(location)
    return Object.fromEntries(new URLSearchParams(url.hash !== '' ? url.hash.slice(1) : url.search))
  }
  return Object.fromEntries([...body.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)" \/>/g)].map(([, name, value]) => [name!, decodeEntities(value!)]))
}

const setUp = async (options: FakeIdentityProviderOptions = { signInPage: true }) => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now, random: seededRandom(31), ...options })
    .registerApp({ clientId: SPA, spaRedirectUris: [REDIRECT, SIGNED_OUT] })
    .registerUser({ username: ALICE, password: 'alice-pw' })
    .registerUser({ username: BOB, password: 'bob-pw' })
    .registerUser({ username: CAROL })
    .registerApp({ clientId: 'odd', redirectUris: ['not a url'] })
  const base = await idp.listen()
  return { idp, clock, base, browser: new Browser(base) }
}

/** Signs `username` in through the page: the browser then holds the session cookie. Answers the authorization response. */
const signInThroughPage = async (browser: Browser, username: string, password: string, overrides: Params = {}) => {
  const page = await browser.send(authorizePath({ login_hint: username, ...overrides }))
  expect(page.body).toContain('id="sign-in"')
  const signedIn = await submitSignIn(browser, page.body, username, password)
  return { ...signedIn, params: responseParams(signedIn.response, signedIn.body) }
}

let idp: FakeIdentityProvider
afterEach(() => idp?.close())

describe('FakeIdentityProvider: the sign-in page', () => {
  it('shows a page a person fills in (username filled from login_hint), which refuses to be framed and sets no cookie', async () => {
    const set = await setUp()
    idp = set.idp
    const { response, body } = await set.browser.send(authorizePath({ login_hint: ALICE }))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(response.headers.get('content-security-policy')).toBe("frame-ancestors 'none'")
    expect(response.headers.get('cross-origin-opener-policy')).toBeNull()
    expect(response.headers.getSetCookie()).toEqual([])
    expect(body).toContain('<label for="username">Username</label>')
    expect(body).toContain('<label for="password">Password</label>')
    expect(body).toContain('<button id="sign-in" type="submit">Sign in</button>')
    expect(body).toContain(`id="username" name="username" type="email" autocomplete="username" value="${ALICE}"`)
    expect(body).toContain(`<form method="post" action="/${TENANT}/login">`)
  })

  it.each([
    ['query', undefined],
    ['fragment', 'fragment'],
    ['form_post', 'form_post'],
  ])('signs the user in and sends the code back in the %s, setting an HttpOnly, SameSite=None, Secure session cookie', async (_, responseMode) => {
    const set = await setUp()
    idp = set.idp
    const page = await set.browser.send(authorizePath({ login_hint: ALICE, response_mode: responseMode }))
    const { response, body } = await submitSignIn(set.browser, page.body, ALICE, 'alice-pw')
    const [cookie] = response.headers.getSetCookie()
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[\\w-]{43}; Path=/; HttpOnly; Secure; SameSite=None$`))
    if (responseMode === 'form_post') {
      expect(response.status).toBe(200)
      expect(body).toContain(`action="${REDIRECT}"`)
      expect(response.headers.get('x-frame-options')).toBeNull()
    } else {
      expect(response.status).toBe(302)
      const location = new URL(response.headers.get('location')!)
      expect(location.origin + location.pathname).toBe(REDIRECT)
      expect(responseMode === 'fragment' ? location.search : location.hash).toBe('')
    }
    const params = responseParams(response, body)
    expect(Object.keys(params)).toEqual(['code', 'state', 'session_state'])
    // The code redeems from the page's origin (a SPA redirect URI).
    const token = await fetch(`${set.base}/${TENANT}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { origin: APP_ORIGIN },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: SPA, code: params['code']!, redirect_uri: REDIRECT, code_verifier: verifier, scope: SCOPE }),
    })
    expect(token.status).toBe(200)
    expect(token.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
  })

  it.each([
    ['a wrong password', ALICE, 'nope', /AADSTS50126: Error validating credentials due to invalid username or password\./],
    ['an unknown user', 'mallory@contoso.onmicrosoft.com', 'x', /AADSTS50034: The user account mallory@contoso\.onmicrosoft\.com does not exist in the 'contoso\.onmicrosoft\.com' directory\./],
  ])('shows the page again with the error for %s, and signs nobody in', async (_, username, password, error) => {
    const set = await setUp()
    idp = set.idp
    const page = await set.browser.send(authorizePath())
    const { response, body } = await submitSignIn(set.browser, page.body, username, password)
    expect(response.status).toBe(200)
    expect(decodeEntities(body)).toMatch(new RegExp(`<p id="error" role="alert">${error.source}`))
    expect(body).toContain(`value="${username}"`)
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(set.browser.cookie).toBeUndefined()
  })

  it('signs in a user registered without a password with any password', async () => {
    const set = await setUp()
    idp = set.idp
    expect((await signInThroughPage(set.browser, CAROL, 'anything')).params['code']).toBeDefined()
  })

  it('checks the authorization request again when the page is submitted (a tampered redirect URI gets the error page)', async () => {
    const set = await setUp()
    idp = set.idp
    const page = await set.browser.send(authorizePath())
    const tampered = page.body.replace(encodeURIComponent(REDIRECT), encodeURIComponent('https://evil.example/steal'))
    const { response, body } = await submitSignIn(set.browser, tampered, ALICE, 'alice-pw')
    expect(response.status).toBe(400)
    expect(body).toContain('AADSTS50011: ')
    expect(set.browser.cookie).toBeUndefined()
  })

  it('with the session cookie: single sign-on (no page, same session); prompt=login and select_account show the page again', async () => {
    const set = await setUp()
    idp = set.idp
    const first = await signInThroughPage(set.browser, ALICE, 'alice-pw')
    const sso = await set.browser.send(authorizePath())
    expect(sso.response.status).toBe(302)
    expect(responseParams(sso.response, sso.body)['session_state']).toBe(first.params['session_state'])
    for (const prompt of ['login', 'select_account']) {
      const again = await set.browser.send(authorizePath({ prompt }))
      expect(again.response.status).toBe(200)
      expect(again.body).toContain(`value="${ALICE}"`) // the signed-in account, filled in
    }
    // A browser without the cookie (another person's) gets the page.
    expect((await new Browser(set.base).send(authorizePath())).body).toContain('id="sign-in"')
  })

  it('shows the page when the session is older than max_age', async () => {
    const set = await setUp()
    idp = set.idp
    await signInThroughPage(set.browser, ALICE, 'alice-pw')
    set.clock.advance(120_000)
    expect((await set.browser.send(authorizePath({ max_age: '60' }))).response.status).toBe(200)
    expect((await set.browser.send(authorizePath({ max_age: '600' }))).response.status).toBe(302)
  })

  it('lets an onAuthorize rule decide with no page: its error goes back to the app, its user signs in (and gets the cookie)', async () => {
    const set = await setUp()
    idp = set.idp
    idp.onAuthorize(() => ({ error: 'access_denied' }))
    const denied = await set.browser.send(authorizePath())
    expect(responseParams(denied.response, denied.body)).toMatchObject({ error: 'access_denied', state: 'st4te' })
    idp.onAuthorize(() => ({ user: BOB }))
    expect((await set.browser.send(authorizePath())).response.status).toBe(302)
    idp.onAuthorize(undefined)
    expect((await set.browser.send(authorizePath({ prompt: 'none' }))).response.headers.get('location')).toMatch(/[?&]code=/)
  })

  it('keeps idp.authorize() (and openBrowser) automatic: the imaginary browser signs in with no page', async () => {
    const set = await setUp()
    idp = set.idp
    const outcome = await idp.authorize(`${set.base}${authorizePath({ login_hint: ALICE })}`)
    expect('redirect' in outcome && outcome.params['code']).toBeTruthy()
    // The imaginary browser's session is not a real browser's.
    expect((await set.browser.send(authorizePath({ prompt: 'none' }))).response.headers.get('location')).toMatch(/error=login_required/)
  })
})

describe('FakeIdentityProvider: prompt=none and the session cookie', () => {
  it.each([
    ['query', undefined],
    ['fragment', 'fragment'],
    ['form_post', 'form_post'],
  ])('answers in the %s: a code with the cookie, login_required without; never refusing to be framed', async (_, responseMode) => {
    const set = await setUp()
    idp = set.idp
    await signInThroughPage(set.browser, ALICE, 'alice-pw')
    const silent = await set.browser.send(authorizePath({ prompt: 'none', response_mode: responseMode }))
    expect(responseParams(silent.response, silent.body)).toMatchObject({ code: expect.any(String), state: 'st4te' })
    const cookieless = await new Browser(set.base).send(authorizePath({ prompt: 'none', response_mode: responseMode }))
    const refused = responseParams(cookieless.response, cookieless.body)
    expect(refused).toMatchObject({ error: 'login_required', state: 'st4te' })
    expect(refused['error_description']).toMatch(/^AADSTS50058: /)
    for (const { response } of [silent, cookieless]) expect([response.headers.get('x-frame-options'), response.headers.get('content-security-policy')]).toEqual([null, null])
  })

  it('answers interaction_required for two signed-in users and no hint, the hinted one with one; consent_required as a rule says', async () => {
    const set = await setUp()
    idp = set.idp
    await signInThroughPage(set.browser, ALICE, 'alice-pw')
    await signInThroughPage(set.browser, BOB, 'bob-pw', { prompt: 'login' })
    const two = await set.browser.send(authorizePath({ prompt: 'none' }))
    expect(responseParams(two.response, two.body)).toMatchObject({ error: 'interaction_required' })
    const hinted = await set.browser.send(authorizePath({ prompt: 'none', login_hint: BOB }))
    expect(responseParams(hinted.response, hinted.body)['code']).toBeDefined()
    idp.onAuthorize((request) => (request.prompt === 'none' ? { error: 'consent_required' } : undefined))
    const consent = await set.browser.send(authorizePath({ prompt: 'none', login_hint: BOB }))
    expect(responseParams(consent.response, consent.body)['error_description']).toMatch(/^AADSTS65001: /)
  })

  it('finds nobody with a cookie the provider does not know (and clears it), after revocation, or after clearBrowserSessions', async () => {
    const set = await setUp()
    idp = set.idp
    const stale = new Browser(set.base)
    stale.cookie = 'made-up'
    const unknown = await stale.send(authorizePath({ prompt: 'none' }))
    expect(unknown.response.headers.get('location')).toMatch(/error=login_required/)
    expect(unknown.response.headers.getSetCookie()).toEqual([`${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=None`])
    await signInThroughPage(set.browser, ALICE, 'alice-pw')
    idp.revokeSignInSessions(ALICE)
    expect((await set.browser.send(authorizePath({ prompt: 'none' }))).response.headers.get('location')).toMatch(/error=login_required/)
    await signInThroughPage(set.browser, ALICE, 'alice-pw', { prompt: 'login' })
    idp.clearBrowserSessions()
    expect((await set.browser.send(authorizePath({ prompt: 'none' }))).response.headers.get('location')).toMatch(/error=login_required/)
  })

  it('gives a test a signed-in browser cookie (sessionCookie); signInToBrowser only signs the imaginary browser in', async () => {
    const set = await setUp()
    idp = set.idp
    idp.signInToBrowser(ALICE)
    expect((await set.browser.send(authorizePath({ prompt: 'none' }))).response.headers.get('location')).toMatch(/error=login_required/)
    const cookie = idp.sessionCookie(ALICE)
    expect(cookie.name).toBe(SESSION_COOKIE)
    set.browser.cookie = cookie.value
    expect((await set.browser.send(authorizePath({ prompt: 'none' }))).response.headers.get('location')).toMatch(/[?&]code=/)
    expect(() => idp.sessionCookie('ghost@contoso.onmicrosoft.com')).toThrow("no user 'ghost@contoso.onmicrosoft.com'")
  })

  it("sessions: 'cookie' without the page: the fake signs the user in at once and sets the cookie, which prompt=none then needs", async () => {
    const set = await setUp({ sessions: 'cookie' })
    idp = set.idp
    const signedIn = await set.browser.send(authorizePath({ login_hint: ALICE }))
    expect(signedIn.response.status).toBe(302)
    expect(set.browser.cookie).toBeDefined()
    expect((await set.browser.send(authorizePath({ prompt: 'none' }))).response.headers.get('location')).toMatch(/[?&]code=/)
    expect((await new Browser(set.base).send(authorizePath({ prompt: 'none' }))).response.headers.get('location')).toMatch(/error=login_required/)
    // The in-process fetch face is a browser too: it gets the cookie, and needs it back.
    const inProcess = await idp.fetch(`https://login.microsoftonline.com${authorizePath({ login_hint: BOB })}`, { redirect: 'manual' })
    const cookie = inProcess.headers.getSetCookie()[0]!.split(';')[0]!
    const silent = await idp.fetch(`https://login.microsoftonline.com${authorizePath({ prompt: 'none' })}`, { redirect: 'manual', headers: { cookie } })
    expect(silent.headers.get('location')).toMatch(/[?&]code=/)
  })

  it("keeps the default (one imaginary browser, no page, no cookie) and refuses signInPage with sessions: 'imaginary'", async () => {
    const set = await setUp({})
    idp = set.idp
    const signedIn = await set.browser.send(authorizePath({ login_hint: ALICE }))
    expect([signedIn.response.status, signedIn.response.headers.getSetCookie()]).toEqual([302, []])
    expect((await new Browser(set.base).send(authorizePath({ prompt: 'none' }))).response.headers.get('location')).toMatch(/[?&]code=/)
    expect(() => new FakeIdentityProvider({ signInPage: true, sessions: 'imaginary' })).toThrow("signInPage needs sessions: 'cookie'")
  })
})

describe('FakeIdentityProvider: Cross-Origin-Opener-Policy', () => {
  it('sends the configured policy on the authorization, sign-in and end-session pages only', async () => {
    const set = await setUp({ signInPage: true, crossOriginOpenerPolicy: 'same-origin' })
    idp = set.idp
    const page = await set.browser.send(authorizePath())
    const signedIn = await submitSignIn(set.browser, page.body, ALICE, 'alice-pw')
    const errorPage = await set.browser.send(authorizePath({ client_id: 'nobody' }))
    const logout = await set.browser.send(`/${TENANT}/oauth2/v2.0/logout`)
    for (const { response } of [page, signedIn, errorPage, logout]) expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin')
    const discovery = await set.browser.send(`/${TENANT}/v2.0/.well-known/openid-configuration`)
    expect(discovery.response.headers.get('cross-origin-opener-policy')).toBeNull()
  })
})

describe('FakeIdentityProvider: the end-session endpoint', () => {
  const logoutPath = (params: Params) => `/${TENANT}/oauth2/v2.0/logout?${query(params)}`

  it('is in the OpenID configuration', async () => {
    const set = await setUp()
    idp = set.idp
    const configuration = JSON.parse((await set.browser.send(`/${TENANT}/v2.0/.well-known/openid-configuration`)).body) as Record<string, string>
    expect(configuration['end_session_endpoint']).toBe(`${set.base}/${TENANT}/oauth2/v2.0/logout`)
  })

  it('signs the browser out, clears its cookie and sends it back to a registered post_logout_redirect_uri with state; records what it received', async () => {
    const set = await setUp()
    idp = set.idp
    await signInThroughPage(set.browser, ALICE, 'alice-pw')
    const cookie = set.browser.cookie
    const { response } = await set.browser.send(logoutPath({ client_id: SPA, post_logout_redirect_uri: SIGNED_OUT, logout_hint: ALICE, state: 'bye' }))
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe(`${SIGNED_OUT}?state=bye`)
    expect(response.headers.getSetCookie()).toEqual([`${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=None`])
    expect(idp.endSessionRequests).toEqual([
      { at: set.clock.now(), clientId: SPA, postLogoutRedirectUri: SIGNED_OUT, logoutHint: ALICE, idTokenHint: undefined, state: 'bye', signedOut: [ALICE], redirectedTo: `${SIGNED_OUT}?state=bye` },
    ])
    // The old cookie names nobody: prompt=none is login_required.
    set.browser.cookie = cookie
    expect((await set.browser.send(authorizePath({ prompt: 'none' }))).response.headers.get('location')).toMatch(/error=login_required/)
  })

  it.each<[string, Params, number]>([
    ['an unregistered post_logout_redirect_uri', { client_id: SPA, post_logout_redirect_uri: 'https://evil.example/' }, 50011],
    ['an unknown client', { client_id: 'nobody', post_logout_redirect_uri: SIGNED_OUT }, 700016],
    ['a post_logout_redirect_uri with no client_id or id_token_hint', { post_logout_redirect_uri: SIGNED_OUT }, 900144],
    ['a registered post_logout_redirect_uri that is not a URL', { client_id: 'odd', post_logout_redirect_uri: 'not a url' }, 50011],
  ])('shows an error page, signing nobody out, for %s', async (_, params, code) => {
    const set = await setUp()
    idp = set.idp
    await signInThroughPage(set.browser, ALICE, 'alice-pw')
    const { response, body } = await set.browser.send(logoutPath(params))
    expect(response.status).toBe(400)
    expect(response.headers.get('location')).toBeNull()
    expect(body).toContain(`AADSTS${code}: `)
    expect(idp.endSessionRequests.at(-1)).toMatchObject({ signedOut: [], redirectedTo: undefined })
    expect((await set.browser.send(authorizePath({ prompt: 'none' }))).response.headers.get('location')).toMatch(/[?&]code=/)
  })

  it("takes the app from id_token_hint's audience and signs out only its user; the browser keeps its cookie for the other", async () => {
    const set = await setUp()
    idp = set.idp
    const { params } = await signInThroughPage(set.browser, ALICE, 'alice-pw')
    await signInThroughPage(set.browser, BOB, 'bob-pw', { prompt: 'login' })
    const token = await fetch(`${set.base}/${TENANT}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { origin: APP_ORIGIN },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: SPA, code: params['code']!, redirect_uri: REDIRECT, code_verifier: verifier, scope: SCOPE }),
    })
    const idToken = ((await token.json()) as Record<string, string>)['id_token']!
    const { response } = await set.browser.send(logoutPath({ id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT }), { method: 'POST', form: {} })
    expect(response.headers.get('location')).toBe(SIGNED_OUT)
    expect(response.headers.getSetCookie()).toEqual([])
    expect(idp.endSessionRequests.at(-1)).toMatchObject({ clientId: undefined, idTokenHint: idToken, signedOut: [ALICE] })
    expect((await set.browser.send(authorizePath({ prompt: 'none', login_hint: ALICE }))).response.headers.get('location')).toMatch(/error=login_required/)
    expect((await set.browser.send(authorizePath({ prompt: 'none', login_hint: BOB }))).response.headers.get('location')).toMatch(/[?&]code=/)
  })

  it('signs everyone out and shows the signed-out page when nothing is hinted and nowhere to go back to; takes a form POST', async () => {
    const set = await setUp()
    idp = set.idp
    await signInThroughPage(set.browser, ALICE, 'alice-pw')
    await signInThroughPage(set.browser, BOB, 'bob-pw', { prompt: 'login' })
    const { response, body } = await set.browser.send(`/${TENANT}/oauth2/v2.0/logout`, { form: {} })
    expect(response.status).toBe(200)
    expect(body).toContain('<h1 id="signed-out">You signed out of your account</h1>')
    expect(set.browser.cookie).toBeUndefined()
    expect(idp.endSessionRequests.at(-1)).toMatchObject({ signedOut: [ALICE, BOB], redirectedTo: undefined })
  })

  it('signs the imaginary browser out when sessions are imaginary', async () => {
    const set = await setUp({})
    idp = set.idp
    idp.signInToBrowser(ALICE)
    await set.browser.send(logoutPath({ logout_hint: ALICE }))
    expect(await idp.authorize(`${set.base}${authorizePath({ prompt: 'none' })}`)).toMatchObject({ params: { error: 'login_required' } })
  })
})
