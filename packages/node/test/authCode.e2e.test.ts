import { usageError } from '@msal-ts/core'
import { ConfidentialClientApplication, IdTokenError, MsalError, PublicClientApplication, SerializableTokenCache, TokenCache, type AuthCodeFlow } from '@msal-ts/node'
import { createTestInterpreter, FakeIdentityProvider, fixedClock, type AuthorizationOutcome } from '@msal-ts/testing'
import { rejectionOf } from './support/rejection.js'

const WEB_APP = '8d7e6f5a-4b3c-4d2e-9f1a-0b9c8d7e6f5a'
const SECRET = 'web-secret'
const DESKTOP_APP = '9e8f7a6b-5c4d-4e3f-a0b1-c2d3e4f5a6b7'
const ALICE = 'alice@contoso.onmicrosoft.com'
const BOB = 'bob@contoso.onmicrosoft.com'
const REDIRECT = 'https://app.contoso.example/auth/callback'
const AUTHORITY = 'https://login.microsoftonline.com/organizations'

const setUp = () => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now })
    .registerApp({ clientId: WEB_APP, clientSecret: SECRET, redirectUris: [REDIRECT] })
    .registerApp({ clientId: DESKTOP_APP, redirectUris: ['http://localhost'] })
    .registerUser({ username: ALICE })
    .registerUser({ username: BOB })
  const cache = new SerializableTokenCache()
  const interpret = createTestInterpreter({ http: idp.http, clock }).interpret
  const web = new ConfidentialClientApplication({ clientId: WEB_APP, clientCredential: SECRET, authority: AUTHORITY, tokenCache: cache, interpreter: interpret })
  const desktop = new PublicClientApplication({ clientId: DESKTOP_APP, authority: AUTHORITY, tokenCache: new TokenCache(), interpreter: interpret })
  return { idp, clock, cache, web, desktop }
}

/** What the browser brings back to the redirect URI: the query (or the form_post fields). */
const redirectParams = (outcome: AuthorizationOutcome): Record<string, string> => {
  if ('errorPage' in outcome) throw new Error(`the provider showed an error page: ${outcome.errorPage.message}`)
  return { ...outcome.params }
}

/** A web framework's session store: JSON in, JSON out. */
const throughSession = (flow: AuthCodeFlow): AuthCodeFlow => JSON.parse(JSON.stringify(flow)) as AuthCodeFlow

describe('auth code flow against the fake identity provider', () => {
  it('a web app signs Alice in: PKCE, state and nonce checked, tokens and account cached, silent then hits the cache', async () => {
    const { idp, web, cache } = setUp()
    const flow = await web.initiateAuthCodeFlow(['User.Read'], { redirectUri: REDIRECT, loginHint: ALICE })
    expect(idp.requests).toHaveLength(0) // the endpoints of a Microsoft host are built in
    const params = redirectParams(await idp.authorize(flow.authUri))
    const result = await web.acquireTokenByAuthCodeFlow(throughSession(flow), params)
    expect(result).toMatchObject({ tokenSource: 'identity_provider', account: { username: ALICE, accountSource: 'authorization_code' }, idTokenClaims: { preferred_username: ALICE } })
    const redemption = idp.tokenRequests.at(-1)!
    expect(redemption.form).toMatchObject({ grant_type: 'authorization_code', client_id: WEB_APP, client_secret: SECRET, redirect_uri: REDIRECT, code_verifier: flow.codeVerifier })
    expect(cache.accessTokenCount).toBe(1)
    const accounts = await web.getAccounts()
    expect(accounts.map((a) => a.username)).toEqual([ALICE])
    const silent = await web.acquireTokenSilent(['User.Read'], accounts[0])
    expect(silent).toMatchObject({ tokenSource: 'cache', accessToken: result.accessToken })
  })

  it('form_post: the fields the browser posts complete the flow', async () => {
    const { idp, web } = setUp()
    const flow = await web.initiateAuthCodeFlow(['User.Read'], { redirectUri: REDIRECT, responseMode: 'form_post', loginHint: BOB })
    const outcome = await idp.authorize(flow.authUri)
    expect('formPost' in outcome && outcome.formPost.action).toBe(REDIRECT)
    const fields = 'formPost' in outcome ? outcome.formPost.fields : {}
    expect((await web.acquireTokenByAuthCodeFlow(flow, fields)).account?.username).toBe(BOB)
  })

  it('a replayed redirect (the code again) is refused by the identity provider and caches nothing more', async () => {
    const { idp, web, cache } = setUp()
    const flow = await web.initiateAuthCodeFlow(['User.Read'], { redirectUri: REDIRECT, loginHint: ALICE })
    const params = redirectParams(await idp.authorize(flow.authUri))
    await web.acquireTokenByAuthCodeFlow(flow, params)
    const snapshot = cache.serialize()
    const replayed = await rejectionOf(web.acquireTokenByAuthCodeFlow(flow, params))
    expect(replayed).toMatchObject({ kind: 'ServerError', error: 'invalid_grant', errorCodes: [54005] })
    expect(cache.serialize()).toBe(snapshot)
  })

  it('a forged redirect (another flow\'s state) is a usage error before any request', async () => {
    const { idp, web, cache } = setUp()
    const mine = await web.initiateAuthCodeFlow(['User.Read'], { redirectUri: REDIRECT, loginHint: ALICE })
    const attackers = await web.initiateAuthCodeFlow(['User.Read'], { redirectUri: REDIRECT, loginHint: BOB })
    const forged = redirectParams(await idp.authorize(attackers.authUri))
    const before = idp.tokenRequests.length
    expect(await rejectionOf(web.acquireTokenByAuthCodeFlow(mine, forged))).toMatchObject({ kind: 'UsageError', argument: 'authResponse' })
    expect(idp.tokenRequests).toHaveLength(before)
    expect(cache.accessTokenCount).toBe(0)
  })

  it('an ID token whose nonce is not the flow\'s: an IdTokenError (MSAL Python\'s class name too), nothing cached', async () => {
    const { idp, web, cache } = setUp()
    const flow = await web.initiateAuthCodeFlow(['User.Read'], { redirectUri: REDIRECT, loginHint: ALICE })
    const params = redirectParams(await idp.authorize(flow.authUri))
    const error = await rejectionOf(web.acquireTokenByAuthCodeFlow({ ...flow, nonce: 'another-flows-nonce' }, params))
    expect(error).toBeInstanceOf(IdTokenError)
    expect(error).toBeInstanceOf(MsalError)
    expect(error).toMatchObject({ kind: 'IdTokenError', check: 'nonce' })
    expect(cache.accessTokenCount).toBe(0)
    expect(usageError('x', 'x')).not.toBeInstanceOf(IdTokenError)
  })

  it('the user declining: an AuthorizationError with Entra\'s error, cache unchanged', async () => {
    const { idp, web, cache } = setUp()
    idp.onAuthorize(() => ({ error: 'access_denied' }))
    const flow = await web.initiateAuthCodeFlow(['User.Read'], { redirectUri: REDIRECT })
    const params = redirectParams(await idp.authorize(flow.authUri))
    const error = await rejectionOf(web.acquireTokenByAuthCodeFlow(flow, params))
    expect(error).toMatchObject({ kind: 'AuthorizationError', error: 'access_denied' })
    expect(error.errorDescription).toMatch(/^AADSTS65004/)
    expect(cache.accessTokenCount).toBe(0)
  })

  it('maxAge: sent, auth_time checked; past max_age the provider signs the user in again and the check passes', async () => {
    const { idp, web, clock } = setUp()
    idp.signInToBrowser(ALICE)
    const fresh = await web.initiateAuthCodeFlow(['User.Read'], { redirectUri: REDIRECT, maxAge: 3600 })
    expect(new URL(fresh.authUri).searchParams.get('max_age')).toBe('3600')
    const result = await web.acquireTokenByAuthCodeFlow(fresh, redirectParams(await idp.authorize(fresh.authUri)))
    expect(typeof result.idTokenClaims?.['auth_time']).toBe('number')
    // Two hours later the browser session is older than max_age: the provider re-authenticates.
    clock.advance(7200_000)
    const stale = await web.initiateAuthCodeFlow(['User.Read'], { redirectUri: REDIRECT, maxAge: 60 })
    const params = redirectParams(await idp.authorize(stale.authUri))
    await expect(web.acquireTokenByAuthCodeFlow(stale, params)).resolves.toMatchObject({ tokenSource: 'identity_provider' })
  })

  it('a public client redeems with PKCE and no secret', async () => {
    const { idp, desktop } = setUp()
    const flow = await desktop.initiateAuthCodeFlow(['User.Read'], { redirectUri: 'http://localhost:51234', loginHint: ALICE })
    const result = await desktop.acquireTokenByAuthCodeFlow(flow, redirectParams(await idp.authorize(flow.authUri)))
    expect(result.account?.username).toBe(ALICE)
    expect(idp.tokenRequests.at(-1)!.form['client_secret']).toBeUndefined()
  })

  it('getAuthorizationRequestUrl + acquireTokenByAuthorizationCode (the older pair) with a nonce', async () => {
    const { idp, web } = setUp()
    const url = await web.getAuthorizationRequestUrl(['User.Read'], { redirectUri: REDIRECT, state: 'st', nonce: 'n-123', loginHint: ALICE })
    const params = redirectParams(await idp.authorize(url))
    expect(params['state']).toBe('st')
    const result = await web.acquireTokenByAuthorizationCode(params['code']!, ['User.Read'], { redirectUri: REDIRECT, nonce: 'n-123' })
    expect(result.idTokenClaims?.['nonce']).toBe('n-123')
  })
})
