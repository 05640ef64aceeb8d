/**
 * Conformance against a real OpenID provider: oidc-provider on loopback, used through
 * `oidcAuthority` by the real application classes with the default Node interpreter (real fetch,
 * clock and randomness; the device flow's waits between polls are on virtual time). What the
 * provider enforces (PKCE, client authentication, one-time codes, refresh token rotation and reuse
 * detection, the device flow's states) is what these tests lean on.
 */
import { createHash } from 'node:crypto'
import { decodeJwt } from 'jose'
import { ConfidentialClientApplication, createNodeInterpreter, PublicClientApplication, SerializableTokenCache, type Account, type TokenResult } from '@msal-ts/node'
import { holdSleeps, type HeldSleeps } from '@msal-ts/testing'
import { rejectionOf } from '../support/rejection.js'
import {
  DESKTOP_APP,
  startOidcProvider,
  USER,
  WEB_APP,
  type EndpointCall,
  type OidcProviderHarness,
} from './oidcProviderHarness.js'

let op: OidcProviderHarness

beforeAll(async () => {
  op = await startOidcProvider()
})
afterAll(() => op.close())
afterEach(() => expect(op.serverErrors).toEqual([]))

/** A loopback redirect URI on some port: the desktop app registered http://127.0.0.1/callback, any port (RFC 8252). */
const LOOPBACK_REDIRECT = 'http://127.0.0.1:8400/callback'

const desktopApp = (cache = new SerializableTokenCache()) =>
  new PublicClientApplication({ clientId: DESKTOP_APP.clientId, oidcAuthority: op.issuer, tokenCache: cache })

const webApp = (cache = new SerializableTokenCache(), clientSecret: string = WEB_APP.clientSecret) =>
  new ConfidentialClientApplication({ clientId: WEB_APP.clientId, clientCredential: clientSecret, oidcAuthority: op.issuer, tokenCache: cache })

/** What initiateAuthCodeFlow sent as the nonce: its SHA-256, hex. */
const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex')

/** The refresh tokens a cache holds. */
const refreshTokensIn = (cache: SerializableTokenCache): string[] =>
  Object.values((JSON.parse(cache.serialize()) as { RefreshToken?: Record<string, { secret: string }> }).RefreshToken ?? {}).map((rt) => rt.secret)

/** The provider's record of the requests made since `mark` (op.calls.length before them). */
const callsSince = (mark: number): EndpointCall[] => op.calls.slice(mark)

/**
 * Signs the user in to a desktop app with prompt=consent: without it, oidc-provider (as OpenID
 * Connect Core §11 says) grants no offline_access, hence no refresh token.
 */
const signInToDesktop = async (app: PublicClientApplication, provider: OidcProviderHarness = op): Promise<TokenResult> => {
  const flow = await app.initiateAuthCodeFlow([], { redirectUri: LOOPBACK_REDIRECT, prompt: 'consent' })
  return app.acquireTokenByAuthCodeFlow(flow, await provider.signInThroughBrowser(flow.authUri, { login: USER.login, consent: true }))
}

const expectSignedIn = (result: TokenResult | undefined, clientId: string): Account => {
  expect(result?.idTokenClaims).toMatchObject({ iss: op.issuer, aud: clientId, sub: USER.claims.sub })
  expect(result?.account).toMatchObject({ homeAccountId: USER.claims.sub, environment: new URL(op.issuer).host, realm: '' })
  return result!.account!
}

describe('auth code flow with PKCE against oidc-provider', () => {
  it('a desktop app signs the user in: the provider enforces S256, state and the hashed nonce round-trip, the account is keyed by sub', async () => {
    const cache = new SerializableTokenCache()
    const app = desktopApp(cache)
    const flow = await app.initiateAuthCodeFlow([], { redirectUri: LOOPBACK_REDIRECT, prompt: 'consent' })
    const request = new URL(flow.authUri)
    expect(`${request.origin}${request.pathname}`).toBe(`${op.issuer}/auth`) // from the provider's discovery document
    expect(Object.fromEntries(request.searchParams)).toMatchObject({
      client_id: DESKTOP_APP.clientId,
      response_type: 'code',
      redirect_uri: LOOPBACK_REDIRECT,
      scope: 'openid profile offline_access',
      state: flow.state,
      nonce: sha256Hex(flow.nonce),
      code_challenge_method: 'S256',
    })

    const params = await op.signInThroughBrowser(flow.authUri, { login: USER.login, consent: true })
    // RFC 9207: the provider names itself in the response; state comes back unchanged.
    expect(params).toMatchObject({ state: flow.state, iss: op.issuer, code: expect.any(String) })

    // The provider checks the verifier against the challenge: another verifier is refused, and
    // the code (not consumed by a failed check) then works with the right one.
    const before = cache.serialize()
    const mark = op.calls.length
    const wrongVerifier = await rejectionOf(app.acquireTokenByAuthCodeFlow({ ...flow, codeVerifier: 'x'.repeat(43) }, params))
    expect(wrongVerifier).toMatchObject({ kind: 'ServerError', error: 'invalid_grant', status: 400 })
    expect(cache.serialize()).toBe(before)

    const result = await app.acquireTokenByAuthCodeFlow(flow, params)
    expect(callsSince(mark)).toMatchObject([
      { route: 'token', grantType: 'authorization_code', clientAuthMethod: 'none', status: 400, error: 'invalid_grant' },
      { route: 'token', grantType: 'authorization_code', clientAuthMethod: 'none', status: 200 },
    ])
    expect(result).toMatchObject({ tokenSource: 'identity_provider', tokenType: 'Bearer', expiresIn: 3600, scopes: [] })
    const account = expectSignedIn(result, DESKTOP_APP.clientId)
    // The ID token carries the nonce's hash as sent; the result's claims are the ID token's.
    expect(result.idTokenClaims).toMatchObject({ nonce: sha256Hex(flow.nonce) })
    expect(decodeJwt(result.idToken!)).toEqual(result.idTokenClaims)
    // No client_info from a generic provider: the home account id is the ID token's sub, and
    // the username is empty, as the provider keeps profile claims for its userinfo endpoint.
    expect(account).toMatchObject({ localAccountId: USER.claims.sub, username: '', accountSource: 'authorization_code' })
    expect(await app.getAccounts()).toEqual([account])
    expect(refreshTokensIn(cache)).toHaveLength(1)
    expect(await app.acquireTokenSilent([], account)).toMatchObject({ tokenSource: 'cache', accessToken: result.accessToken })

    // The code is single-use: redeeming it again is the provider's invalid_grant, the cache unchanged.
    const signedIn = cache.serialize()
    expect(await rejectionOf(app.acquireTokenByAuthCodeFlow(flow, params))).toMatchObject({ kind: 'ServerError', error: 'invalid_grant' })
    expect(cache.serialize()).toBe(signedIn)
  })

  it('without prompt=consent the provider grants no offline access: tokens but no refresh token, and nothing to refresh with', async () => {
    const cache = new SerializableTokenCache()
    const app = desktopApp(cache)
    const flow = await app.initiateAuthCodeFlow([], { redirectUri: LOOPBACK_REDIRECT })
    const result = await app.acquireTokenByAuthCodeFlow(flow, await op.signInThroughBrowser(flow.authUri, { login: USER.login, consent: true }))
    const account = expectSignedIn(result, DESKTOP_APP.clientId)
    expect(refreshTokensIn(cache)).toEqual([])
    expect(await app.acquireTokenSilent([], account)).toMatchObject({ tokenSource: 'cache', accessToken: result.accessToken })
    const mark = op.calls.length
    expect(await app.acquireTokenSilent([], account, { forceRefresh: true })).toBeUndefined()
    expect(callsSince(mark)).toEqual([])
  })

  it('an ID token whose nonce is not the flow\'s (a substituted response) is refused and nothing is cached', async () => {
    const cache = new SerializableTokenCache()
    const app = desktopApp(cache)
    const flow = await app.initiateAuthCodeFlow([], { redirectUri: LOOPBACK_REDIRECT })
    const params = await op.signInThroughBrowser(flow.authUri, { login: USER.login, consent: true })
    const substituted = await rejectionOf(app.acquireTokenByAuthCodeFlow({ ...flow, nonce: 'a-nonce-of-another-sign-in' }, params))
    expect(substituted).toMatchObject({ kind: 'IdTokenError', check: 'nonce' })
    expect(op.calls.at(-1)).toMatchObject({ grantType: 'authorization_code', status: 200 }) // the provider did issue tokens
    expect(cache.serialize()).toBe(new SerializableTokenCache().serialize())
  })

  it('the user refuses consent: the provider redirects with access_denied, an AuthorizationError, and the cache is unchanged', async () => {
    const cache = new SerializableTokenCache()
    const app = desktopApp(cache)
    const flow = await app.initiateAuthCodeFlow([], { redirectUri: LOOPBACK_REDIRECT, prompt: 'consent' })
    const params = await op.signInThroughBrowser(flow.authUri, { login: USER.login, consent: false })
    expect(params).toEqual({ error: 'access_denied', error_description: 'End-User aborted interaction', state: flow.state, iss: op.issuer })
    const mark = op.calls.length
    const refused = await rejectionOf(app.acquireTokenByAuthCodeFlow(flow, params))
    expect(refused).toMatchObject({ kind: 'AuthorizationError', error: 'access_denied', errorDescription: 'End-User aborted interaction' })
    expect(callsSince(mark)).toEqual([])
    expect(cache.serialize()).toBe(new SerializableTokenCache().serialize())
    expect(await app.getAccounts()).toEqual([])
  })

  it('acquireTokenInteractive: the browser signs in and posts the response (form_post) to the app\'s loopback server on http://localhost', async () => {
    const app = desktopApp()
    let landing: { status: number; text: string } | undefined
    const result = await app.acquireTokenInteractive([], {
      prompt: 'consent',
      timeout: 20,
      openBrowser: async (url) => {
        const browser = op.browser()
        const redirect = await browser.signIn(url, { login: USER.login, consent: true })
        expect(redirect).toMatchObject({ responseMode: 'form_post', url: expect.stringMatching(/^http:\/\/localhost:\d+\/?$/) })
        landing = await browser.deliver(redirect)
      },
    })
    expectSignedIn(result, DESKTOP_APP.clientId)
    expect(landing?.status).toBe(200)
  })
})

describe('refresh against oidc-provider', () => {
  it('a public client\'s refresh token rotates on every use; the cache keeps only the newest, so refreshing keeps working', async () => {
    const cache = new SerializableTokenCache()
    const app = desktopApp(cache)
    const result = await signInToDesktop(app)
    const account = result.account!
    const [first] = refreshTokensIn(cache)

    const mark = op.calls.length
    const refreshed = await app.acquireTokenSilent([], account, { forceRefresh: true })
    expect(callsSince(mark)).toMatchObject([{ route: 'token', grantType: 'refresh_token', clientAuthMethod: 'none', scope: 'openid profile offline_access', status: 200 }])
    expect(refreshed).toMatchObject({ tokenSource: 'identity_provider', account })
    expect(refreshed!.accessToken).not.toBe(result.accessToken)
    const [second, ...others] = refreshTokensIn(cache)
    expect(others).toEqual([])
    expect(second).not.toBe(first)
    // Silent now serves the refreshed token from the cache.
    expect(await app.acquireTokenSilent([], account)).toMatchObject({ tokenSource: 'cache', accessToken: refreshed!.accessToken })

    // Had the cache kept the consumed token, the provider would refuse it (and revoke the grant).
    const again = await app.acquireTokenSilentWithError([], account, { forceRefresh: true })
    expect(again).toMatchObject({ tokenSource: 'identity_provider' })
    expect(refreshTokensIn(cache)).toHaveLength(1)
    expect(refreshTokensIn(cache)).not.toContain(second)
  })

  it('acquireTokenByRefreshToken migrates a refresh token into another cache; a consumed one is the provider\'s invalid_grant', async () => {
    const source = new SerializableTokenCache()
    await signInToDesktop(desktopApp(source))
    const [token] = refreshTokensIn(source)

    const cache = new SerializableTokenCache()
    const app = desktopApp(cache)
    const migrated = await app.acquireTokenByRefreshToken(token!, [])
    expect(op.calls.at(-1)).toMatchObject({ grantType: 'refresh_token', status: 200 })
    const account = expectSignedIn(migrated, DESKTOP_APP.clientId)
    expect(await app.getAccounts()).toEqual([account])
    const [rotated] = refreshTokensIn(cache)
    expect(rotated).not.toBe(token)

    // The migrated token was consumed by the rotation: the provider refuses it, nothing changes.
    const snapshot = cache.serialize()
    const reused = await rejectionOf(app.acquireTokenByRefreshToken(token!, []))
    expect(reused).toMatchObject({ kind: 'ServerError', error: 'invalid_grant', errorDescription: 'grant request is invalid' })
    expect(cache.serialize()).toBe(snapshot)
    // Reuse detection revoked the whole grant: silent cannot refresh any more, and says so by
    // resolving undefined (sign the user in again); the cached access token is still served.
    expect(await app.acquireTokenSilent([], account, { forceRefresh: true })).toBeUndefined()
    expect(op.calls.at(-1)).toMatchObject({ grantType: 'refresh_token', status: 400, error: 'invalid_grant' })
    expect(await app.acquireTokenSilent([], account)).toMatchObject({ tokenSource: 'cache', accessToken: migrated.accessToken })
  })
})

describe('a confidential client against oidc-provider', () => {
  it('a web app signs the user in with its secret (client_secret_post), form_post and max_age included', async () => {
    const cache = new SerializableTokenCache()
    const app = webApp(cache)
    const flow = await app.initiateAuthCodeFlow([], { redirectUri: WEB_APP.redirectUri, responseMode: 'form_post', prompt: 'consent', maxAge: 600 })
    const browser = op.browser()
    const redirect = await browser.signIn(flow.authUri, { login: USER.login, consent: true })
    expect(redirect).toMatchObject({ url: WEB_APP.redirectUri, responseMode: 'form_post', params: { state: flow.state } })

    // A wrong secret is the provider's invalid_client; the code survives for the right one.
    const impostor = await rejectionOf(webApp(new SerializableTokenCache(), 'not-the-secret').acquireTokenByAuthCodeFlow(flow, redirect.params))
    expect(impostor).toMatchObject({ kind: 'ServerError', error: 'invalid_client', status: 401 })

    const mark = op.calls.length
    const result = await app.acquireTokenByAuthCodeFlow(flow, redirect.params)
    expect(callsSince(mark)).toMatchObject([{ grantType: 'authorization_code', clientId: WEB_APP.clientId, clientAuthMethod: 'client_secret_post', status: 200 }])
    const account = expectSignedIn(result, WEB_APP.clientId)
    // max_age makes the provider state when the user signed in; the library checked it.
    expect(result.idTokenClaims).toMatchObject({ auth_time: expect.any(Number), nonce: sha256Hex(flow.nonce) })
    expect(await app.getAccounts()).toEqual([account])

    // A confidential client's refresh token is not rotated (oidc-provider rotates those only late in their life).
    const [token] = refreshTokensIn(cache)
    const refreshed = await app.acquireTokenSilent([], account, { forceRefresh: true })
    expect(op.calls.at(-1)).toMatchObject({ grantType: 'refresh_token', clientAuthMethod: 'client_secret_post', status: 200 })
    expect(refreshed!.accessToken).not.toBe(result.accessToken)
    expect(refreshTokensIn(cache)).toEqual([token])

    // Returning with the browser's session: no login page this time (single sign-on), consent asked again.
    const next = await app.initiateAuthCodeFlow([], { redirectUri: WEB_APP.redirectUri, prompt: 'consent' })
    const sso = await browser.signIn(next.authUri, { consent: true })
    expect((await app.acquireTokenByAuthCodeFlow(next, sso.params)).account).toEqual(account)
  })
})

describe('device flow against oidc-provider', () => {
  /**
   * A desktop app whose waits between polls (the provider's interval is 5 s) are held until the
   * test ends them; its requests and clock stay real.
   */
  const deviceApp = (cache: SerializableTokenCache) => {
    const sleeps = holdSleeps(createNodeInterpreter())
    return { app: new PublicClientApplication({ clientId: DESKTOP_APP.clientId, oidcAuthority: op.issuer, tokenCache: cache, interpreter: sleeps.interpret }), sleeps }
  }

  /** The app's wait after its first poll, which the provider answered with authorization_pending: one interval long. */
  const waitAfterFirstPoll = async (sleeps: HeldSleeps, mark: number, flow: { interval: number }) => {
    const wait = await sleeps.next()
    expect(callsSince(mark).at(-1)).toMatchObject({ grantType: 'urn:ietf:params:oauth:grant-type:device_code', error: 'authorization_pending' })
    expect(wait.ms).toBe(flow.interval * 1000)
    return wait
  }

  it('the user approves on the provider\'s device page while the app polls; tokens and account land in the cache', async () => {
    const cache = new SerializableTokenCache()
    const { app, sleeps } = deviceApp(cache)
    const mark = op.calls.length
    const flow = await app.initiateDeviceFlow([])
    expect(flow).toMatchObject({ verificationUri: `${op.issuer}/device`, expiresIn: 600, interval: 5 })
    expect(flow.message).toContain(flow.userCode)
    const polling = app.acquireTokenByDeviceFlow(flow)
    const wait = await waitAfterFirstPoll(sleeps, mark, flow)
    await op.approveDeviceCode(flow.userCode, { login: USER.login })
    wait.end()
    const result = await polling
    expect(callsSince(mark)).toMatchObject([
      { route: 'device_authorization', clientAuthMethod: 'none', scope: 'openid profile offline_access', status: 200 },
      { grantType: 'urn:ietf:params:oauth:grant-type:device_code', status: 400, error: 'authorization_pending' },
      { grantType: 'urn:ietf:params:oauth:grant-type:device_code', status: 200 },
    ])
    const account = expectSignedIn(result, DESKTOP_APP.clientId)
    expect(account.accountSource).toBe('urn:ietf:params:oauth:grant-type:device_code')
    expect(await app.getAccounts()).toEqual([account])
    // The device flow has no prompt parameter: the provider grants offline access, and refreshing works.
    expect(refreshTokensIn(cache)).toHaveLength(1)
    expect(await app.acquireTokenSilent([], account, { forceRefresh: true })).toMatchObject({ tokenSource: 'identity_provider' })
  })

  it('the user aborts on the device page: the next poll gets access_denied, a ServerError, and nothing is cached', async () => {
    const cache = new SerializableTokenCache()
    const { app, sleeps } = deviceApp(cache)
    const mark = op.calls.length
    const flow = await app.initiateDeviceFlow([])
    const polling = rejectionOf(app.acquireTokenByDeviceFlow(flow))
    const wait = await waitAfterFirstPoll(sleeps, mark, flow)
    await op.approveDeviceCode(flow.userCode, { login: USER.login, abort: true })
    wait.end()
    expect(await polling).toMatchObject({ kind: 'ServerError', error: 'access_denied', errorDescription: 'End-User aborted interaction' })
    expect(callsSince(mark)).toHaveLength(3) // the start, the pending poll and the refused one
    expect(cache.serialize()).toBe(new SerializableTokenCache().serialize())
  })

  it('an AbortSignal stops the polling at once with a CancelledError, and nothing is cached', async () => {
    const cache = new SerializableTokenCache()
    const { app, sleeps } = deviceApp(cache)
    const mark = op.calls.length
    const flow = await app.initiateDeviceFlow([])
    const controller = new AbortController()
    const polling = rejectionOf(app.acquireTokenByDeviceFlow(flow, { signal: controller.signal }))
    await waitAfterFirstPoll(sleeps, mark, flow)
    // The wait is never ended: only the abort can end the polling.
    controller.abort()
    expect(await polling).toMatchObject({ kind: 'CancelledError' })
    expect(callsSince(mark)).toHaveLength(2) // the start and the one poll
    // Approving afterwards changes nothing for this app.
    await op.approveDeviceCode(flow.userCode, { login: USER.login })
    expect(cache.serialize()).toBe(new SerializableTokenCache().serialize())
  })
})

describe('a provider that knows only openid and offline_access (oidc-provider\'s default scopes)', () => {
  let minimal: OidcProviderHarness
  beforeAll(async () => {
    minimal = await startOidcProvider({ standardScopes: false })
  })
  afterAll(() => minimal.close())

  it('signs in, and a refresh asks only for the reserved scopes the grant has (RFC 6749 §6): no profile, so no invalid_scope', async () => {
    const app = new PublicClientApplication({ clientId: DESKTOP_APP.clientId, oidcAuthority: minimal.issuer, tokenCache: new SerializableTokenCache() })
    const result = await signInToDesktop(app, minimal)
    expect(minimal.calls.at(-1)).toMatchObject({ grantType: 'authorization_code', status: 200 })
    const refreshed = await app.acquireTokenSilentWithError([], result.account!, { forceRefresh: true })
    expect(refreshed).toMatchObject({ tokenSource: 'identity_provider', account: result.account })
    expect(minimal.calls.at(-1)).toMatchObject({ grantType: 'refresh_token', scope: 'openid offline_access', status: 200 })
    expect(minimal.serverErrors).toEqual([])
  })

  it('excludeScopes: ["profile"] keeps the requests within what the provider grants, and refreshing works', async () => {
    const app = new PublicClientApplication({ clientId: DESKTOP_APP.clientId, oidcAuthority: minimal.issuer, tokenCache: new SerializableTokenCache(), excludeScopes: ['profile'] })
    const result = await signInToDesktop(app, minimal)
    const refreshed = await app.acquireTokenSilentWithError([], result.account!, { forceRefresh: true })
    expect(minimal.calls.at(-1)).toMatchObject({ grantType: 'refresh_token', scope: 'openid offline_access', status: 200 })
    expect(refreshed).toMatchObject({ tokenSource: 'identity_provider', account: result.account })
    expect(minimal.serverErrors).toEqual([])
  })
})
