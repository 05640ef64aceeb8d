import { decodeJwt } from 'jose'
import type { TokenCache} from '@msal-ts/node';
import { MsalError, PublicClientApplication, SerializableTokenCache, type TokenResult } from '@msal-ts/node'
import { createTestInterpreter, FakeIdentityProvider, fixedClock, type FixedClock } from '@msal-ts/testing'
import { rejectionOf } from './support/rejection.js'

const CLIENT = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d'
/** A second app of Microsoft's family of client ids (FOCI). */
const SIBLING = '6b5c4d3e-2f10-4bac-9d8e-7f6a5b4c3d2e'
/** An app outside the family. */
const STRANGER = '7c6d5e4f-3021-4cbd-8e9f-8a7b6c5d4e3f'
const ALICE = 'alice@contoso.onmicrosoft.com'
const AUTHORITY = 'https://login.microsoftonline.com/organizations'
const GRAPH = ['https://graph.microsoft.com/User.Read']

interface World {
  readonly idp: FakeIdentityProvider
  readonly clock: FixedClock
  readonly cache: TokenCache
  app(clientId?: string, extra?: Record<string, unknown>): PublicClientApplication
}

const world = (idpOptions: Record<string, unknown> = {}): World => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now, ...idpOptions })
    .registerApp({ clientId: CLIENT, familyId: '1' })
    .registerApp({ clientId: SIBLING, familyId: '1' })
    .registerApp({ clientId: STRANGER })
    .registerUser({ username: ALICE, password: 'pw' })
  const cache = new SerializableTokenCache()
  const app = (clientId = CLIENT, extra: Record<string, unknown> = {}) =>
    new PublicClientApplication({
      clientId,
      authority: AUTHORITY,
      tokenCache: cache,
      interpreter: createTestInterpreter({ http: idp.http, clock }).interpret,
      ...extra,
    })
  return { idp, clock, cache, app }
}

/** Signs Alice in to `clientId` by migrating a refresh token the fake issued (acquireTokenByRefreshToken). */
const signIn = async (w: World, clientId = CLIENT): Promise<TokenResult> =>
  w.app(clientId).acquireTokenByRefreshToken(w.idp.issueRefreshToken({ username: ALICE, clientId, scopes: [...GRAPH, 'openid', 'profile', 'offline_access'] }), GRAPH)

describe('acquireTokenByRefreshToken (migration)', () => {
  it('files the tokens with an account that getAccounts then lists', async () => {
    const w = world()
    const result = await signIn(w)
    // Entra reports Graph's permissions by name, as the result does.
    expect(result).toMatchObject({ tokenSource: 'identity_provider', scopes: ['User.Read'], account: { username: ALICE, environment: 'login.microsoftonline.com' } })
    expect(decodeJwt(result.idToken!)).toMatchObject({ aud: CLIENT, preferred_username: ALICE })
    expect(result.idTokenClaims).toMatchObject({ preferred_username: ALICE })
    const request = w.idp.tokenRequests.at(-1)!
    expect(request.form).toMatchObject({ grant_type: 'refresh_token', client_id: CLIENT, client_info: '1', scope: 'https://graph.microsoft.com/User.Read openid profile offline_access' })
    expect(request.headers['x-client-current-telemetry']).toBe('4|85,1|')
    const accounts = await w.app().getAccounts()
    expect(accounts).toEqual([result.account])
  })

  it('refuses a reserved scope and an empty refresh token before any request', async () => {
    const w = world()
    const app = w.app()
    expect(await rejectionOf(app.acquireTokenByRefreshToken('rt', ['openid']))).toMatchObject({ kind: 'UsageError', argument: 'scopes' })
    expect(await rejectionOf(app.acquireTokenByRefreshToken('', GRAPH))).toMatchObject({ kind: 'UsageError', argument: 'refreshToken' })
    expect(w.idp.requests).toHaveLength(0)
  })
})

describe('acquireTokenSilent', () => {
  it('serves a fresh token from the cache with its account and ID token, without a request', async () => {
    const w = world()
    const signedIn = await signIn(w)
    const before = w.idp.requests.length
    const result = await w.app().acquireTokenSilent(GRAPH, signedIn.account)
    expect(result).toMatchObject({ tokenSource: 'cache', accessToken: signedIn.accessToken, account: signedIn.account, idToken: signedIn.idToken })
    expect(w.idp.requests).toHaveLength(before)
  })

  it('resolves undefined for no account and for an account with nothing cached', async () => {
    const w = world()
    const app = w.app()
    expect(await app.acquireTokenSilent(GRAPH, undefined)).toBeUndefined()
    expect(await app.acquireTokenSilentWithError(GRAPH, { homeAccountId: 'uid.utid', environment: 'login.microsoftonline.com' })).toBeUndefined()
    expect(w.idp.requests).toHaveLength(0)
  })

  it('redeems the refresh token when the access token is within 300 s of expiry, sending X-AnchorMailbox', async () => {
    const w = world()
    const signedIn = await signIn(w)
    w.clock.advance((3599 - 299) * 1000)
    const result = await w.app().acquireTokenSilent(GRAPH, signedIn.account)
    expect(result).toMatchObject({ tokenSource: 'identity_provider', account: { homeAccountId: signedIn.account!.homeAccountId } })
    expect(result!.accessToken).not.toBe(signedIn.accessToken)
    const refresh = w.idp.tokenRequests.at(-1)!
    const [uid, utid] = signedIn.account!.homeAccountId.split('.')
    expect(refresh.headers['x-anchormailbox']).toBe(`Oid:${uid}@${utid}`)
    expect(refresh.headers['x-client-current-telemetry']).toBe('4|84,3|')
  })

  it('forceRefresh and a claims challenge skip the access-token cache', async () => {
    const w = world()
    const signedIn = await signIn(w)
    const app = w.app()
    const forced = await app.acquireTokenSilent(GRAPH, signedIn.account, { forceRefresh: true })
    expect(forced?.tokenSource).toBe('identity_provider')
    const challenge = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}'
    const challenged = await app.acquireTokenSilent(GRAPH, signedIn.account, { claimsChallenge: challenge })
    expect(challenged?.tokenSource).toBe('identity_provider')
    expect(w.idp.tokenRequests.at(-1)!.form['claims']).toBe(challenge)
  })

  it('shares one refresh between identical concurrent calls', async () => {
    const w = world()
    const signedIn = await signIn(w)
    const app = w.app()
    const before = w.idp.tokenRequests.length
    const results = await Promise.all(Array.from({ length: 20 }, () => app.acquireTokenSilent(GRAPH, signedIn.account, { forceRefresh: true })))
    expect(w.idp.tokenRequests.length - before).toBe(1)
    expect(new Set(results.map((r) => r!.accessToken)).size).toBe(1)
  })

  it('a revoked refresh token: acquireTokenSilent resolves undefined, acquireTokenSilentWithError rejects with the server error', async () => {
    const w = world()
    const signedIn = await signIn(w)
    w.idp.revokeSignInSessions(ALICE)
    const app = w.app()
    expect(await app.acquireTokenSilent(GRAPH, signedIn.account, { forceRefresh: true })).toBeUndefined()
    const error = await rejectionOf(app.acquireTokenSilentWithError(GRAPH, signedIn.account, { forceRefresh: true }))
    expect(error).toBeInstanceOf(MsalError)
    expect(error).toMatchObject({ kind: 'ServerError', error: 'invalid_grant', errorCodes: [50173] })
  })

  it('a family app signs in silently with its sibling\'s family refresh token', async () => {
    const w = world()
    const signedIn = await signIn(w, SIBLING)
    const before = w.idp.tokenRequests.length
    const result = await w.app(CLIENT).acquireTokenSilent(GRAPH, signedIn.account)
    expect(result?.tokenSource).toBe('identity_provider')
    expect(w.idp.tokenRequests.length - before).toBe(1)
    expect(w.idp.tokenRequests.at(-1)!.form['client_id']).toBe(CLIENT)
  })

  it('an app outside the family tries the family token once, stops on client_mismatch, and finds nothing', async () => {
    const w = world()
    const signedIn = await signIn(w, SIBLING)
    const before = w.idp.tokenRequests.length
    expect(await w.app(STRANGER).acquireTokenSilentWithError(GRAPH, signedIn.account)).toBeUndefined()
    expect(w.idp.tokenRequests.length - before).toBe(1)
  })

  it('a domain-named authority in a new process: one discovery request finds the tenant id the tokens are filed under, then no request', async () => {
    const w = world()
    const domainApp = (tokenCache: TokenCache) =>
      new PublicClientApplication({ clientId: CLIENT, authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com', tokenCache, interpreter: createTestInterpreter({ http: w.idp.http, clock: w.clock }).interpret })
    const first = domainApp(w.cache)
    const signedIn = await first.acquireTokenByRefreshToken(w.idp.issueRefreshToken({ username: ALICE, clientId: CLIENT, scopes: GRAPH }), GRAPH)
    expect(signedIn.account?.realm).toMatch(/^[0-9a-f-]{36}$/)
    // The same process knows the tenant id from the ID token: no request.
    const before = w.idp.requests.length
    expect((await first.acquireTokenSilent(GRAPH, signedIn.account))?.tokenSource).toBe('cache')
    expect(w.idp.requests).toHaveLength(before)
    // A new process (a new app on the persisted cache) asks tenant discovery once.
    const copy = new SerializableTokenCache()
    copy.deserialize((w.cache as SerializableTokenCache).serialize())
    const second = domainApp(copy)
    expect((await second.acquireTokenSilent(GRAPH, signedIn.account))?.tokenSource).toBe('cache')
    expect(w.idp.requests.slice(before).map((r) => r.path)).toEqual(['/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration'])
    expect((await second.acquireTokenSilent(GRAPH, signedIn.account))?.tokenSource).toBe('cache')
    expect(w.idp.requests).toHaveLength(before + 1)
  })

  it('refuses a reserved scope and a malformed account', async () => {
    const w = world()
    const app = w.app()
    expect(await rejectionOf(app.acquireTokenSilent(['profile'], { homeAccountId: 'a.b', environment: 'login.microsoftonline.com' }))).toMatchObject({ kind: 'UsageError' })
    expect(await rejectionOf(app.acquireTokenSilent(GRAPH, { username: 'x' } as never))).toMatchObject({ kind: 'UsageError', argument: 'account' })
  })
})
