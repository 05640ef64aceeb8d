/**
 * Issue 14, item 7: options MSAL Python refuses are a UsageError, never silently served from the
 * cache. MSAL Python's `acquire_token_for_client` raises ValueError on force_refresh
 * ("Historically, this method does not support force_refresh behavior"), and `auth_scheme`
 * without a broker (`_AUTH_SCHEME_UNSUPPORTED`); `acquire_token_silent` takes an `authority` it
 * does not act on ("We haven't decided how/if this method will accept authority parameter").
 * In msal-ts an options object is checked as a whole: a name a method does not take (MSAL
 * Python's, or a typo) is named in a UsageError.
 */
import { ConfidentialClientApplication as WebConfidentialClientApplication } from '@msal-ts/browser'
import { ConfidentialClientApplication, PublicClientApplication } from '@msal-ts/node'
import { FakeIdentityProvider } from '@msal-ts/testing'
import { rejectionOf } from '../support/rejection.js'

const CLIENT = '0f9e8d7c-6b5a-4493-8281-7f6e5d4c3b2a'
const SECRET = 'options-secret'
const ALICE = 'alice@contoso.onmicrosoft.com'
const SCOPES = ['api://parity/.default']
const AUTHORITY = 'https://login.microsoftonline.com/contoso.onmicrosoft.com'

const setUp = () => {
  const idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET }).registerUser({ username: ALICE, password: 'pw' })
  const app = new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: SECRET, authority: AUTHORITY, httpClient: idp.fetch })
  return { idp, app }
}

describe('acquireTokenForClient({ forceRefresh }) is refused, as MSAL Python\'s acquire_token_for_client refuses force_refresh', () => {
  it('is a UsageError naming forceRefresh, not a token from the cache, and sends nothing', async () => {
    const { idp, app } = setUp()
    const cached = await app.acquireTokenForClient(SCOPES)
    const before = idp.requests.length
    const error = await rejectionOf(app.acquireTokenForClient(SCOPES, { forceRefresh: true } as never))
    expect(error).toMatchObject({ kind: 'UsageError', argument: 'forceRefresh', error: 'invalid_argument' })
    expect(error.message).toContain('force_refresh')
    expect(error.message).toContain('removeTokensForClient')
    expect(idp.requests).toHaveLength(before)
    // The token it would have served is still there for a correct call.
    expect(await app.acquireTokenForClient(SCOPES)).toMatchObject({ tokenSource: 'cache', accessToken: cached.accessToken })
  })

  it('on web runtimes too (the same application shell)', async () => {
    const idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET })
    const app = new WebConfidentialClientApplication({ clientId: CLIENT, clientCredential: SECRET, authority: AUTHORITY, httpClient: idp.fetch })
    expect(await rejectionOf(app.acquireTokenForClient(SCOPES, { forceRefresh: true } as never))).toMatchObject({ kind: 'UsageError', argument: 'forceRefresh' })
    expect(idp.requests).toHaveLength(0)
  })
})

describe('every method checks its options object: what it does not take is named, never ignored', () => {
  it('a misspelt option is a UsageError that lists the method\'s options', async () => {
    const { app, idp } = setUp()
    const error = await rejectionOf(app.acquireTokenForClient(SCOPES, { claimChallenge: '{}' } as never))
    expect(error).toMatchObject({ kind: 'UsageError', argument: 'claimChallenge' })
    expect(error.message).toBe('claimChallenge: acquireTokenForClient has no such option (its options are claimsChallenge, fmiPath, data)')
    expect(idp.requests).toHaveLength(0)
  })

  it('authScheme on a method MSAL Python takes no auth_scheme on is refused, naming the methods that take it', async () => {
    const { app } = setUp()
    const error = await rejectionOf(app.acquireTokenForClient(SCOPES, { authScheme: {} } as never))
    expect(error).toMatchObject({ kind: 'UsageError', argument: 'authScheme' })
    expect(error.message).toContain('acquireTokenSilent(WithError), acquireTokenInteractive, acquireTokenByUsernamePassword and the auth code flow')
  })

  it('acquireTokenSilent({ authority }), which MSAL Python accepts and ignores, is refused with what to do instead', async () => {
    const { app } = setUp()
    await app.acquireTokenByUsernamePassword(ALICE, 'pw', ['User.Read'])
    const [account] = await app.getAccounts()
    for (const call of [app.acquireTokenSilent.bind(app), app.acquireTokenSilentWithError.bind(app)]) {
      const error = await rejectionOf(call(['User.Read'], account, { authority: 'https://login.microsoftonline.com/other' } as never))
      expect(error).toMatchObject({ kind: 'UsageError', argument: 'authority' })
      expect(error.message).toContain('make an application for that authority')
    }
  })

  it.each<[string, (app: PublicClientApplication) => Promise<unknown>, string]>([
    ['initiateAuthCodeFlow', (app) => app.initiateAuthCodeFlow(['User.Read'], { responseType: 'token' } as never), 'responseType'],
    ['getAuthorizationRequestUrl', (app) => app.getAuthorizationRequestUrl(['User.Read'], { codeChallenge: 'x' } as never), 'codeChallenge'],
    ['acquireTokenByAuthorizationCode', (app) => app.acquireTokenByAuthorizationCode('code', ['User.Read'], { scopes: [] } as never), 'scopes'],
    ['initiateDeviceFlow', (app) => app.initiateDeviceFlow(['User.Read'], { timeout: 5 } as never), 'timeout'],
    ['acquireTokenByDeviceFlow', (app) => app.acquireTokenByDeviceFlow({ deviceCode: 'd', expiresAt: 0, interval: 5 } as never, { exitCondition: () => true } as never), 'exitCondition'],
    ['getAccounts', (app) => app.getAccounts({ userName: ALICE } as never), 'userName'],
  ])('%s names the option it does not take', async (_, call, argument) => {
    const app = new PublicClientApplication({ clientId: CLIENT, authority: AUTHORITY, httpClient: new FakeIdentityProvider().fetch })
    expect(await rejectionOf(call(app))).toMatchObject({ kind: 'UsageError', argument })
  })

  it('acquireTokenByDeviceFlow\'s exitCondition (oauth2cli\'s exit_condition) and acquireTokenInteractive\'s parentWindowHandle (the broker\'s) say what to use instead', async () => {
    const app = new PublicClientApplication({ clientId: CLIENT, authority: AUTHORITY, httpClient: new FakeIdentityProvider().fetch })
    const flow = { deviceCode: 'd', expiresAt: 0, interval: 5 } as never
    const exit = await rejectionOf(app.acquireTokenByDeviceFlow(flow, { exitCondition: () => true } as never))
    expect(exit).toMatchObject({ kind: 'UsageError', argument: 'exitCondition', message: expect.stringContaining('AbortSignal') })
    const handle = await rejectionOf(app.acquireTokenInteractive(['User.Read'], { parentWindowHandle: 0 } as never))
    expect(handle).toMatchObject({ kind: 'UsageError', argument: 'parentWindowHandle', message: expect.stringContaining('broker') })
  })

  it('an options object that is not an object is a UsageError naming options; undefined values count as not given', async () => {
    const { app } = setUp()
    expect(await rejectionOf(app.acquireTokenForClient(SCOPES, 'claims' as never))).toMatchObject({ kind: 'UsageError', argument: 'options' })
    expect(await rejectionOf(app.acquireTokenForClient(SCOPES, null as never))).toMatchObject({ kind: 'UsageError', argument: 'options' })
    expect(await app.acquireTokenForClient(SCOPES, { claimsChallenge: undefined, fmiPath: undefined })).toMatchObject({ tokenSource: 'identity_provider' })
    expect(await app.acquireTokenForClient(SCOPES, undefined)).toMatchObject({ tokenSource: 'cache' })
  })
})
