/**
 * Cloud Shell user tokens, MSAL Python's way, on PublicClientApplication: inside Cloud Shell
 * (AZUREPS_HOST_ENVIRONMENT starting with "cloud-shell"), acquireTokenInteractive with prompt
 * 'none' asks Cloud Shell's endpoint; the CLOUDSHELL account it files is listed and served
 * silently, and a miss goes back to Cloud Shell, never to a refresh token.
 */
import { PublicClientApplication, SerializableTokenCache } from '@msal-ts/node'
import { CloudShellEmulation, FakeIdentityProvider } from '@msal-ts/testing'
import { rejectionOf } from './support/rejection.js'

const CLIENT = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'
const AUTHORITY = 'https://login.microsoftonline.com/organizations'
const ARM = ['https://management.core.windows.net//.default']
const IN_CLOUD_SHELL = { AZUREPS_HOST_ENVIRONMENT: 'cloud-shell/1.0' }

const appIn = (cloudShell: CloudShellEmulation, env: Record<string, string> = IN_CLOUD_SHELL, tokenCache = new SerializableTokenCache()) =>
  new PublicClientApplication({ clientId: CLIENT, authority: AUTHORITY, httpClient: cloudShell.fetch, env, tokenCache })

describe('Cloud Shell user tokens', () => {
  it('prompt none in Cloud Shell: one POST of the scopes\' resources, a CLOUDSHELL account, tokenSource broker', async () => {
    const cloudShell = new CloudShellEmulation({ tokenLifetimeSeconds: 3599 })
    const app = appIn(cloudShell)
    const result = await app.acquireTokenInteractive([...ARM, 'https://graph.microsoft.com/User.Read'], { prompt: 'none' })
    expect(cloudShell.requests).toEqual([
      expect.objectContaining({ method: 'POST', url: 'http://localhost:50342/oauth2/token', form: { resource: 'https://management.core.windows.net https://graph.microsoft.com' }, headers: expect.objectContaining({ metadata: 'true' }) }),
    ])
    expect(result).toMatchObject({
      tokenSource: 'broker',
      accessToken: cloudShell.issued[0]!.accessToken,
      expiresIn: 3599,
      scopes: [...ARM, 'https://graph.microsoft.com/User.Read'].sort(),
      account: { homeAccountId: `${cloudShell.user.objectId}.${cloudShell.user.tenantId}`, username: cloudShell.user.username, authorityType: 'CLOUDSHELL', realm: 'organizations', environment: 'login.microsoftonline.com' },
      idTokenClaims: { aud: CLIENT, preferred_username: cloudShell.user.username, tid: cloudShell.user.tenantId },
    })
    expect(result.idToken).toBeUndefined()
  })

  it('getAccounts lists the CLOUDSHELL account only inside Cloud Shell; acquireTokenSilent serves it from the cache', async () => {
    const cloudShell = new CloudShellEmulation()
    const cache = new SerializableTokenCache()
    const app = appIn(cloudShell, IN_CLOUD_SHELL, cache)
    const first = await app.acquireTokenInteractive(ARM, { prompt: 'none' })
    const [account] = await app.getAccounts()
    expect(account).toMatchObject({ authorityType: 'CLOUDSHELL', username: cloudShell.user.username })
    expect(await app.acquireTokenSilent(ARM, account)).toMatchObject({ tokenSource: 'cache', accessToken: first.accessToken, account: { authorityType: 'CLOUDSHELL' } })
    expect(cloudShell.requests).toHaveLength(1)
    expect(await appIn(cloudShell, {}, cache).getAccounts()).toEqual([])
    expect(await appIn(cloudShell, { AZUREPS_HOST_ENVIRONMENT: 'vscode' }, cache).getAccounts()).toEqual([])
  })

  it('a miss goes back to Cloud Shell (another resource, a claims challenge, forceRefresh), never to a refresh token', async () => {
    // Even when Cloud Shell hands out a refresh token (it is filed, as MSAL Python files it).
    const cloudShell = new CloudShellEmulation({ withRefreshToken: true })
    const cache = new SerializableTokenCache()
    const app = appIn(cloudShell, IN_CLOUD_SHELL, cache)
    const first = await app.acquireTokenInteractive(ARM, { prompt: 'none' })
    expect(cache.find('RefreshToken')).toHaveLength(1)
    const account = first.account!
    const graph = await app.acquireTokenSilent(['https://graph.microsoft.com/User.Read'], account)
    expect(graph).toMatchObject({ tokenSource: 'broker', accessToken: cloudShell.issued[1]!.accessToken })
    await app.acquireTokenSilent(ARM, account, { forceRefresh: true })
    await app.acquireTokenSilent(ARM, account, { claimsChallenge: '{"access_token":{}}' })
    // Every request went to Cloud Shell's endpoint (a refresh would have gone to the authority's token endpoint).
    expect(new Set(cloudShell.requests.map((request) => request.url))).toEqual(new Set(['http://localhost:50342/oauth2/token']))
    expect(cloudShell.requests.map((request) => request.form['resource'])).toEqual([
      'https://management.core.windows.net',
      'https://graph.microsoft.com',
      'https://management.core.windows.net',
      'https://management.core.windows.net',
    ])
  })

  it('Cloud Shell\'s refusal is a ServerError in its words; acquireTokenSilent then resolves undefined', async () => {
    const cloudShell = new CloudShellEmulation({ supportedResources: ['https://management.core.windows.net'] })
    const app = appIn(cloudShell)
    expect(await rejectionOf(app.acquireTokenInteractive(['https://vault.azure.net/.default'], { prompt: 'none' }))).toMatchObject({
      kind: 'ServerError',
      status: 400,
      error: 'AudienceNotSupported',
      errorDescription: 'Audience https://vault.azure.net is not a supported MSI token audience.',
    })
    const signedIn = await app.acquireTokenInteractive(ARM, { prompt: 'none' })
    expect(await app.acquireTokenSilent(['https://vault.azure.net/.default'], signedIn.account)).toBeUndefined()
    expect(await rejectionOf(app.acquireTokenSilentWithError(['https://vault.azure.net/.default'], signedIn.account))).toMatchObject({ kind: 'ServerError', error: 'AudienceNotSupported' })
  })

  it('outside Cloud Shell, prompt none is an ordinary interactive sign-in through the browser', async () => {
    const idp = new FakeIdentityProvider({ interactiveUser: 'bob@contoso.onmicrosoft.com' })
      .registerApp({ clientId: CLIENT, redirectUris: ['http://localhost'] })
      .registerUser({ username: 'bob@contoso.onmicrosoft.com' })
    const cloudShell = new CloudShellEmulation()
    const app = new PublicClientApplication({ clientId: CLIENT, authority: AUTHORITY, httpClient: idp.fetch, env: {} })
    let opened: string | undefined
    // The fake's browser signs in silently only with a session; prompt none without one is refused by it.
    const outcome = await rejectionOf(app.acquireTokenInteractive(['User.Read'], { prompt: 'none', openBrowser: async (url) => ((opened = url), idp.openBrowser(url)), timeout: 5 }))
    expect(new URL(opened!).searchParams.get('prompt')).toBe('none')
    expect(outcome).toMatchObject({ kind: 'AuthorizationError', error: 'login_required' })
    expect(cloudShell.requests).toEqual([])
  })
})
