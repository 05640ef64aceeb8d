/**
 * Single-page applications at the fake identity provider, as Entra treats them: redirect URIs
 * registered under the SPA platform, whose codes and refresh tokens are redeemed only
 * cross-origin (with `Origin`, as a browser's fetch sends it), codes only with PKCE, and refresh
 * tokens that live a fixed 24 hours from the sign-in (on the provider's virtual clock).
 */
import { createHash, randomBytes } from 'node:crypto'
import { FakeIdentityProvider, fixedClock, seededRandom, SPA_REFRESH_TOKEN_LIFETIME_MS } from '@msal-ts/testing'

const SPA = 'eeeeeeee-0000-4000-8000-000000000001'
const HYBRID = 'eeeeeeee-0000-4000-8000-000000000002'
const ALICE = 'alice@contoso.onmicrosoft.com'
const TENANT = 'contoso.onmicrosoft.com'
const ORIGIN = 'https://login.microsoftonline.com'
const APP_ORIGIN = 'http://localhost:5173'
const SPA_URI = 'http://localhost:5173/redirect'
const LOOPBACK_SPA_URI = 'http://localhost/spa'
const WEB_URI = 'https://app.contoso.com/signin-oidc'
const DESKTOP_URI = 'http://localhost'
const SCOPE = 'User.Read openid profile offline_access'
const CORRELATION = '44444444-4444-4444-8444-444444444444'
const HOUR_MS = 3600_000

type Json = Record<string, unknown>
type Params = Record<string, string | undefined>

const newIdp = () => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now, random: seededRandom(21) })
    .registerApp({ clientId: SPA, spaRedirectUris: [SPA_URI, LOOPBACK_SPA_URI], redirectUris: [DESKTOP_URI] })
    .registerApp({ clientId: HYBRID, clientSecret: 'hybrid-s3cret', redirectUris: [WEB_URI] })
    .registerUser({ username: ALICE })
  return { idp, clock }
}

const verifier = randomBytes(32).toString('base64url')
const challenge = createHash('sha256').update(verifier).digest('base64url')

const authorizeUrl = (overrides: Params = {}): string => {
  const url = new URL(`${ORIGIN}/${TENANT}/oauth2/v2.0/authorize`)
  const params: Params = { client_id: SPA, response_type: 'code', redirect_uri: SPA_URI, scope: SCOPE, state: 's', code_challenge: challenge, code_challenge_method: 'S256', login_hint: ALICE, ...overrides }
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value)
  return url.toString()
}

const codeFor = async (idp: FakeIdentityProvider, overrides: Params = {}): Promise<string> => {
  const outcome = await idp.authorize(authorizeUrl(overrides))
  const code = 'redirect' in outcome ? outcome.params['code'] : undefined
  if (code === undefined) throw new Error(`no code: ${JSON.stringify(outcome)}`)
  return code
}

/** A token request over the in-process Http face, from a page at `origin` (a browser's fetch) or, with none, from a server. */
const post = async (idp: FakeIdentityProvider, form: Params, origin: string | undefined): Promise<{ status: number; json: Json }> => {
  const outcome = await idp.http({
    method: 'POST',
    url: `${ORIGIN}/${TENANT}/oauth2/v2.0/token`,
    headers: { 'client-request-id': CORRELATION, ...(origin !== undefined ? { Origin: origin } : {}) },
    form: Object.fromEntries(Object.entries(form).filter(([, value]) => value !== undefined)) as Record<string, string>,
  })
  if (outcome._tag !== 'HttpResponse') throw new Error(outcome.kind)
  return { status: outcome.status, json: JSON.parse(outcome.body) as Json }
}

const redeem = (code: string, overrides: Params = {}): Params => ({
  grant_type: 'authorization_code',
  client_id: SPA,
  code,
  redirect_uri: SPA_URI,
  code_verifier: verifier,
  scope: SCOPE,
  ...overrides,
})

const refresh = (refreshToken: unknown, clientId = SPA): Params => ({ grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken as string, scope: SCOPE })

const SPA_ONLY = "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests."
const NOT_CROSS_ORIGIN = (origin: string) => `Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '${origin}'.`
const EXPIRED =
  'The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page.'

const expectEntraError = (response: { status: number; json: Json }, error: string, code: number, text: string) => {
  expect(response.status).toBe(400)
  expect(response.json).toMatchObject({ error, error_codes: [code], correlation_id: CORRELATION })
  expect(response.json['error_description']).toMatch(new RegExp(`^AADSTS${code}: ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} Trace ID: `))
}

describe('FakeIdentityProvider: redirect URI platforms and where codes may be redeemed', () => {
  it.each<[string, Params, string | undefined, number | undefined]>([
    ['a SPA URI, redeemed cross-origin', {}, APP_ORIGIN, undefined],
    ['a SPA loopback URI on any port, redeemed cross-origin', { redirect_uri: 'http://localhost:61000/spa' }, APP_ORIGIN, undefined],
    ['a SPA URI, redeemed without Origin (a server)', {}, undefined, 9002327],
    ['a desktop (web platform) URI, redeemed without Origin', { redirect_uri: 'http://localhost:53100' }, undefined, undefined],
    ['a desktop (web platform) URI, redeemed cross-origin', { redirect_uri: 'http://localhost:53100' }, APP_ORIGIN, 9002326],
  ])('a code issued for %s', async (_, overrides, origin, refused) => {
    const { idp } = newIdp()
    const code = await codeFor(idp, overrides)
    const response = await post(idp, redeem(code, { redirect_uri: overrides['redirect_uri'] ?? SPA_URI }), origin)
    if (refused === undefined) {
      expect(response.status).toBe(200)
      expect(response.json['access_token']).toBeDefined()
    } else {
      expectEntraError(response, 'invalid_request', refused, refused === 9002327 ? SPA_ONLY : NOT_CROSS_ORIGIN(APP_ORIGIN))
    }
  })

  it("refuses a confidential web app's code redeemed from a browser page (AADSTS9002326), and takes it from its server", async () => {
    const { idp } = newIdp()
    const code = await codeFor(idp, { client_id: HYBRID, redirect_uri: WEB_URI })
    const form = redeem(code, { client_id: HYBRID, redirect_uri: WEB_URI, client_secret: 'hybrid-s3cret' })
    expectEntraError(await post(idp, form, 'https://app.contoso.com'), 'invalid_request', 9002326, NOT_CROSS_ORIGIN('https://app.contoso.com'))
    expect((await post(idp, form, undefined)).status).toBe(200)
  })

  it('requires PKCE for a SPA code (AADSTS9002325); a refused redemption does not use the code up', async () => {
    const { idp } = newIdp()
    const code = await codeFor(idp, { code_challenge: undefined, code_challenge_method: undefined })
    expectEntraError(await post(idp, redeem(code, { code_verifier: undefined }), APP_ORIGIN), 'invalid_request', 9002325, 'Proof Key for Code Exchange is required for cross-origin authorization code redemption.')
    const withoutOrigin = await codeFor(idp)
    expectEntraError(await post(idp, redeem(withoutOrigin), undefined), 'invalid_request', 9002327, SPA_ONLY)
    expect((await post(idp, redeem(withoutOrigin), APP_ORIGIN)).status).toBe(200)
  })

  it('sends a request that names no redirect URI to the first web one, else the first SPA one', async () => {
    const { idp } = newIdp()
    idp.registerApp({ clientId: 'spa-only', spaRedirectUris: [SPA_URI] })
    const spaOnly = await idp.authorize(authorizeUrl({ client_id: 'spa-only', redirect_uri: undefined }))
    expect('redirect' in spaOnly && spaOnly.redirect.origin + spaOnly.redirect.pathname).toBe(SPA_URI)
    const both = await idp.authorize(authorizeUrl({ redirect_uri: undefined }))
    expect('redirect' in both && both.redirect.origin).toBe(DESKTOP_URI)
  })

  it('refuses an unregistered URI whatever the platforms (AADSTS50011 error page)', async () => {
    const { idp } = newIdp()
    expect(await idp.authorize(authorizeUrl({ redirect_uri: 'http://localhost:5173/elsewhere' }))).toMatchObject({ errorPage: { errorCode: 50011 } })
  })

  it('refuses to register one URI under both platforms, as Entra does', () => {
    const { idp } = newIdp()
    expect(() => idp.registerApp({ clientId: 'twice', redirectUris: [SPA_URI], spaRedirectUris: [SPA_URI] })).toThrow(`${SPA_URI} registered as both web and single-page application redirect URIs`)
  })
})

describe('FakeIdentityProvider: SPA refresh tokens', () => {
  /** Signs in through the SPA URI and redeems the code from the page: the first token response. */
  const signIn = async (idp: FakeIdentityProvider) => {
    const response = await post(idp, redeem(await codeFor(idp)), APP_ORIGIN)
    expect(response.status).toBe(200)
    return response.json
  }

  it('says how long the refresh token has left (refresh_token_expires_in): counted from the sign-in, however often it is rotated', async () => {
    const { idp, clock } = newIdp()
    const signedInAt = clock.now()
    const first = await signIn(idp)
    expect(first['refresh_token_expires_in']).toBe(86_400)
    let token = first['refresh_token']
    for (const hoursLater of [1, 10, 23.5]) {
      clock.set(signedInAt + hoursLater * HOUR_MS)
      const rotated = await post(idp, refresh(token), APP_ORIGIN)
      expect(rotated.status).toBe(200)
      expect(rotated.json['refresh_token']).not.toBe(token)
      expect(rotated.json['refresh_token_expires_in']).toBe(86_400 - hoursLater * 3600)
      token = rotated.json['refresh_token']
    }
  })

  it('expires 24 hours after the sign-in, rotated or not (AADSTS700084), on the virtual clock', async () => {
    const { idp, clock } = newIdp()
    const signedInAt = clock.now()
    const first = await signIn(idp)
    clock.advance(23 * HOUR_MS)
    const rotated = await post(idp, refresh(first['refresh_token']), APP_ORIGIN)
    expect(rotated.json['refresh_token_expires_in']).toBe(3600)
    clock.set(signedInAt + SPA_REFRESH_TOKEN_LIFETIME_MS - 1000)
    const lastSecond = await post(idp, refresh(rotated.json['refresh_token']), APP_ORIGIN)
    expect(lastSecond.json['refresh_token_expires_in']).toBe(1)
    clock.set(signedInAt + SPA_REFRESH_TOKEN_LIFETIME_MS)
    for (const token of [first['refresh_token'], rotated.json['refresh_token'], lastSecond.json['refresh_token']]) {
      expectEntraError(await post(idp, refresh(token), APP_ORIGIN), 'invalid_grant', 700084, EXPIRED)
    }
    // A new sign-in starts a new 24 hours.
    expect((await signIn(idp))['refresh_token_expires_in']).toBe(86_400)
  })

  it('is redeemed only cross-origin, rotated ones too (AADSTS9002327)', async () => {
    const { idp } = newIdp()
    const first = await signIn(idp)
    expectEntraError(await post(idp, refresh(first['refresh_token']), undefined), 'invalid_request', 9002327, SPA_ONLY)
    const rotated = await post(idp, refresh(first['refresh_token']), APP_ORIGIN)
    expectEntraError(await post(idp, refresh(rotated.json['refresh_token']), undefined), 'invalid_request', 9002327, SPA_ONLY)
  })

  it("keeps other apps' refresh tokens as they were: no refresh_token_expires_in, no Origin rule unless they came through a web redirect URI", async () => {
    const { idp } = newIdp()
    const desktop = await post(idp, redeem(await codeFor(idp, { redirect_uri: 'http://localhost:53100' }), { redirect_uri: 'http://localhost:53100' }), undefined)
    expect(desktop.json['refresh_token_expires_in']).toBeUndefined()
    expectEntraError(await post(idp, refresh(desktop.json['refresh_token']), APP_ORIGIN), 'invalid_request', 9002326, NOT_CROSS_ORIGIN(APP_ORIGIN))
    const issued = idp.issueRefreshToken({ username: ALICE, clientId: SPA, scopes: ['User.Read', 'offline_access'] })
    for (const origin of [undefined, APP_ORIGIN]) {
      const response = await post(idp, refresh(issued), origin)
      expect([response.status, response.json['refresh_token_expires_in']]).toEqual([200, undefined])
    }
  })

  it('issues a SPA refresh token for a test (issueRefreshToken spa: true), with the same rules', async () => {
    const { idp, clock } = newIdp()
    const token = idp.issueRefreshToken({ username: ALICE, clientId: SPA, scopes: ['User.Read', 'offline_access'], spa: true })
    expectEntraError(await post(idp, refresh(token), undefined), 'invalid_request', 9002327, SPA_ONLY)
    expect((await post(idp, refresh(token), APP_ORIGIN)).json['refresh_token_expires_in']).toBe(86_400)
    clock.advance(SPA_REFRESH_TOKEN_LIFETIME_MS)
    expectEntraError(await post(idp, refresh(token), APP_ORIGIN), 'invalid_grant', 700084, EXPIRED)
  })
})
