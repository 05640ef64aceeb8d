/**
 * The web runtimes' ConfidentialClientApplication (temporary, until core's application shell):
 * its options, and the user-token calls' edges. The whole scenario runs on five real runtimes
 * in runtimes.e2e.test.ts.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfidentialClientApplication, MsalError, VERSION, type ConfidentialClientApplicationOptions } from '@msal-ts/browser'
import { FakeIdentityProvider } from '@msal-ts/testing'

const CLIENT = 'web-app'
const SECRET = 's3cret'
const TENANT = 'contoso.onmicrosoft.com'
const AUTHORITY = `https://login.microsoftonline.com/${TENANT}`
const ALICE = 'alice@contoso.onmicrosoft.com'
const USER_SCOPES = ['User.Read']

const newIdp = () => new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET }).registerUser({ username: ALICE })
const appFor = (idp: FakeIdentityProvider, extra: Partial<ConfidentialClientApplicationOptions> = {}) =>
  new ConfidentialClientApplication({ clientId: CLIENT, authority: AUTHORITY, clientCredential: SECRET, httpClient: idp.fetch, ...extra })

describe('ConfidentialClientApplication on web runtimes', () => {
  it('signs a user in with a refresh token, then finds the account and serves it from the cache', async () => {
    const idp = newIdp()
    const app = appFor(idp)
    expect(await app.getAccounts()).toEqual([])
    expect(await app.acquireTokenSilent(USER_SCOPES, undefined)).toBeUndefined()
    const refreshToken = idp.issueRefreshToken({ username: ALICE, clientId: CLIENT, scopes: [...USER_SCOPES, 'openid', 'profile', 'offline_access'] })
    const signedIn = await app.acquireTokenByRefreshToken(refreshToken, USER_SCOPES)
    expect(signedIn).toMatchObject({ tokenSource: 'identity_provider', account: { username: ALICE } })
    const [account] = await app.getAccounts({ username: ALICE.toUpperCase() })
    expect(account?.username).toBe(ALICE)
    const silent = await app.acquireTokenSilent(USER_SCOPES, account)
    expect(silent).toMatchObject({ tokenSource: 'cache', accessToken: signedIn.accessToken })
    expect(idp.tokenRequests).toHaveLength(1)
  })

  it('a refused refresh: acquireTokenSilent resolves undefined, acquireTokenSilentWithError rejects with the server\'s error', async () => {
    const idp = newIdp()
    const app = appFor(idp)
    await app.acquireTokenByRefreshToken(idp.issueRefreshToken({ username: ALICE, clientId: CLIENT, scopes: [...USER_SCOPES, 'offline_access'] }), USER_SCOPES)
    const [account] = await app.getAccounts()
    idp.revokeSignInSessions(ALICE)
    expect(await app.acquireTokenSilent(['Mail.Read'], account)).toBeUndefined()
    await expect(app.acquireTokenSilentWithError(['Mail.Read'], account)).rejects.toMatchObject({ kind: 'ServerError', error: 'invalid_grant' })
  })

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['an empty client id', { clientId: '' }, 'clientId', /non-empty string/],
    ['a timeout of 0', { timeout: 0 }, 'timeout', /number of seconds above 0/],
    ['a timeout a timer would overflow on (1e10 s)', { timeout: 1e10 }, 'timeout', /at most 2,147,483/],
    ['an httpClient that is no function', { httpClient: {} }, 'httpClient', /fetch-compatible function/],
    ['a token cache that is none', { tokenCache: {} }, 'tokenCache', /TokenCache/],
    ['an unknown log level', { logLevel: 'debug' }, 'logLevel', /one of 'error'/],
    ['region detection', { azureRegion: true }, 'azureRegion', /cannot detect the region.*westus2/],
    ['plain http to a remote host', { authority: 'http://login.microsoftonline.com/t' }, 'authority', /https/],
  ])('refuses %s when made, naming the option', (_, options, field, message) => {
    let error: unknown
    try {
      appFor(newIdp(), options as Partial<ConfidentialClientApplicationOptions>)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(MsalError)
    expect(error).toMatchObject({ kind: 'ConfigurationError', field, message: expect.stringMatching(message) })
  })

  it('names itself msal.ts.browser, at the package\'s version', async () => {
    const idp = newIdp()
    await appFor(idp).acquireTokenForClient(['api://x/.default'])
    expect(idp.tokenRequests[0]!.headers).toMatchObject({ 'x-client-sku': 'msal.ts.browser', 'x-client-ver': VERSION, 'x-client-os': 'web' })
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }
    expect(VERSION).toBe(manifest.version)
  })
})
