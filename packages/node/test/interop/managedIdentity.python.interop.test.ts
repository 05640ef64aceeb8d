/**
 * Managed identity and Cloud Shell caches, with the real MSAL Python 1.21 (Debian's
 * python3-msal) in both directions.
 *
 * 1.21 predates ManagedIdentityClient (MSAL Python 1.29), so its side of the managed identity
 * tests drives its TokenCache exactly as MSAL Python 1.34's ManagedIdentityClient does: the same
 * lookup query ({client_id, environment "localhost", realm "managed_identity", home_account_id
 * None}, target [resource]) and the same add() event. What 1.21 shows is that it reads our
 * entries (including a null client_id) and that we read the entries it writes. Cloud Shell's user
 * tokens are 1.21's own code (PublicClientApplication in Cloud Shell, prompt="none").
 */
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import {
  ManagedIdentityClient,
  PublicClientApplication,
  SerializableTokenCache,
  SystemAssignedManagedIdentity,
  UserAssignedManagedIdentity,
} from '@msal-ts/node'
import { CloudShellEmulation, FakeIdentityProvider, ImdsEmulation } from '@msal-ts/testing'

const PYTHON = '/usr/bin/python3'
const PEER = join(import.meta.dirname, 'python', 'msal_python_mi_peer.py')
const VAULT = 'https://vault.azure.net'
const STORAGE = 'https://storage.azure.com'
const AUTHORITY = 'https://login.microsoftonline.com/organizations'
const CLI_APP = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'
const ARM = ['https://management.core.windows.net//.default']
const IN_CLOUD_SHELL = { AZUREPS_HOST_ENVIRONMENT: 'cloud-shell/1.0' }

type Step =
  | { readonly op: 'find_managed_identity_token'; readonly client_id: string | null; readonly resource: string }
  | { readonly op: 'add_managed_identity_token'; readonly client_id: string | null; readonly resource: string; readonly response: Record<string, unknown> }
  | { readonly op: 'cloud_shell_sign_in'; readonly scopes: readonly string[] }
  | { readonly op: 'get_accounts' }
  | { readonly op: 'acquire_token_silent'; readonly scopes: readonly string[] }

interface Report {
  readonly msal_version: string
  readonly results: Array<{ readonly op: string; readonly result: unknown }>
  readonly sent: Array<[string, string]>
  readonly state: string
}

const runPython = (job: { state: string | null; steps: readonly Step[]; cloudShellUrl?: string }, env: Record<string, string> = {}): Promise<Report> =>
  new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [PEER], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as Report) : reject(new Error(`msal_python_mi_peer.py exited with ${code}:\n${stderr}`))))
    child.stdin.end(
      JSON.stringify({
        state: job.state,
        steps: job.steps,
        client_id: CLI_APP,
        authority: AUTHORITY,
        openid_configuration: new FakeIdentityProvider().openIdConfiguration('https://login.microsoftonline.com', 'organizations'),
        cloud_shell_url: job.cloudShellUrl ?? null,
      }),
    )
  })

beforeAll(() => {
  const probe = spawnSync(PYTHON, ['-c', 'import msal, requests; print(msal.__version__)'], { encoding: 'utf8' })
  if (probe.status !== 0) {
    throw new Error(`MSAL Python is not available to ${PYTHON} (${probe.error?.message ?? probe.stderr.trim()}). ./dev test installs python3-msal; or run: apt-get install -y python3-msal`)
  }
})

const entries = (state: string, section: string): Record<string, Record<string, unknown>> => (JSON.parse(state) as Record<string, Record<string, Record<string, unknown>>>)[section] ?? {}

describe('managed identity tokens between msal-ts and MSAL Python', () => {
  it('runs against Debian\'s MSAL Python 1.21, which has no ManagedIdentityClient of its own', async () => {
    const report = await runPython({ state: null, steps: [] })
    expect(report.msal_version).toMatch(/^1\.21\./)
    expect(spawnSync(PYTHON, ['-c', 'import msal; print(hasattr(msal, "ManagedIdentityClient"))'], { encoding: 'utf8' }).stdout.trim()).toBe('False')
  })

  it('a cache msal-ts wrote: MSAL Python 1.34\'s lookup finds the system- and user-assigned tokens; a token MSAL Python filed is our cache hit', async () => {
    const imds = new ImdsEmulation()
    const user = imds.userAssigned[0]!
    const cache = new SerializableTokenCache()
    const system = new ManagedIdentityClient(SystemAssignedManagedIdentity(), { env: imds.env, httpClient: imds.fetch, tokenCache: cache })
    const userAssigned = new ManagedIdentityClient(UserAssignedManagedIdentity({ clientId: user.clientId }), { env: imds.env, httpClient: imds.fetch, tokenCache: cache })
    const systemToken = await system.acquireTokenForClient({ resource: VAULT })
    const userToken = await userAssigned.acquireTokenForClient({ resource: VAULT })
    // As MSAL Python keys them: no client id for the system-assigned identity.
    expect(Object.keys(entries(cache.serialize(), 'AccessToken')).sort()).toEqual([`-localhost-accesstoken--managed_identity-${VAULT}`, `-localhost-accesstoken-${user.clientId}-managed_identity-${VAULT}`].sort())

    const pythonToken = { access_token: 'filed-by-msal-python', expires_in: 86399, resource: STORAGE, token_type: 'Bearer', refresh_in: 43199 }
    const report = await runPython({
      state: cache.serialize(),
      steps: [
        { op: 'find_managed_identity_token', client_id: null, resource: VAULT },
        { op: 'find_managed_identity_token', client_id: user.clientId, resource: VAULT },
        { op: 'add_managed_identity_token', client_id: null, resource: STORAGE, response: pythonToken },
      ],
    })
    expect(report.results[0]!.result).toEqual([expect.objectContaining({ secret: systemToken.accessToken, client_id: null, expires_on: String(systemToken.expiresOn), refresh_on: String(systemToken.refreshOn) })])
    expect(report.results[1]!.result).toEqual([expect.objectContaining({ secret: userToken.accessToken, client_id: user.clientId })])
    expect(entries(report.state, 'AccessToken')[`-localhost-accesstoken--managed_identity-${STORAGE}`]).toMatchObject({ secret: 'filed-by-msal-python', client_id: null, realm: 'managed_identity', environment: 'localhost' })
    expect(entries(report.state, 'AppMetadata')).toEqual({ 'appmetadata-localhost-': { client_id: null, environment: 'localhost' }, [`appmetadata-localhost-${user.clientId}`]: { client_id: user.clientId, environment: 'localhost' } })

    // Back in msal-ts: MSAL Python's token, and ours, from the cache it wrote; no request.
    const reloaded = new SerializableTokenCache()
    reloaded.deserialize(report.state)
    expect(reloaded.unusableEntryCount).toBe(0)
    const again = new ManagedIdentityClient(SystemAssignedManagedIdentity(), { env: imds.env, httpClient: imds.fetch, tokenCache: reloaded })
    const requests = imds.requests.length
    expect(await again.acquireTokenForClient({ resource: STORAGE })).toMatchObject({ tokenSource: 'cache', accessToken: 'filed-by-msal-python', refreshOn: expect.any(Number) })
    expect(await again.acquireTokenForClient({ resource: VAULT })).toMatchObject({ tokenSource: 'cache', accessToken: systemToken.accessToken })
    expect(imds.requests).toHaveLength(requests)
  })
})

describe('Cloud Shell user tokens between msal-ts and MSAL Python', () => {
  const cloudShell = new CloudShellEmulation()
  let url: string
  beforeAll(async () => {
    url = await cloudShell.listen()
  })
  afterAll(() => cloudShell.close())

  it('MSAL Python signs in through Cloud Shell; msal-ts lists its CLOUDSHELL account (in Cloud Shell only) and serves its token', async () => {
    const report = await runPython({ state: null, cloudShellUrl: url, steps: [{ op: 'cloud_shell_sign_in', scopes: ARM }, { op: 'get_accounts' }] }, IN_CLOUD_SHELL)
    // 1.21 reports no token_source (later versions say "broker").
    expect(report.results[0]!.result).toMatchObject({ access_token: cloudShell.issued.at(-1)!.accessToken, token_type: 'Bearer' })
    expect(report.sent).toEqual([['GET', expect.stringContaining('/.well-known/openid-configuration')], ['POST', 'http://localhost:50342/oauth2/token']])
    const [pythonAccount] = report.results[1]!.result as Array<Record<string, unknown>>

    const cache = new SerializableTokenCache()
    cache.deserialize(report.state)
    const app = new PublicClientApplication({ clientId: CLI_APP, authority: AUTHORITY, tokenCache: cache, httpClient: cloudShell.fetch, env: IN_CLOUD_SHELL })
    const accounts = await app.getAccounts()
    expect(accounts).toEqual([expect.objectContaining({ homeAccountId: pythonAccount!['home_account_id'], username: cloudShell.user.username, authorityType: 'CLOUDSHELL' })])
    const requests = cloudShell.requests.length
    expect(await app.acquireTokenSilent(ARM, accounts[0])).toMatchObject({ tokenSource: 'cache', accessToken: cloudShell.issued.at(-1)!.accessToken })
    expect(cloudShell.requests).toHaveLength(requests)
    const outside = new PublicClientApplication({ clientId: CLI_APP, authority: AUTHORITY, tokenCache: cache, env: {} })
    expect(await outside.getAccounts()).toEqual([])
  })

  it('msal-ts signs in through Cloud Shell; MSAL Python lists the account and serves the token from the cache, sending nothing', async () => {
    const cache = new SerializableTokenCache()
    const app = new PublicClientApplication({ clientId: CLI_APP, authority: AUTHORITY, tokenCache: cache, httpClient: cloudShell.fetch, env: IN_CLOUD_SHELL })
    const signedIn = await app.acquireTokenInteractive(ARM, { prompt: 'none' })
    expect(signedIn).toMatchObject({ tokenSource: 'broker', account: { authorityType: 'CLOUDSHELL', username: cloudShell.user.username, homeAccountId: `${cloudShell.user.objectId}.${cloudShell.user.tenantId}` } })
    const report = await runPython({ state: cache.serialize(), cloudShellUrl: url, steps: [{ op: 'get_accounts' }, { op: 'acquire_token_silent', scopes: ARM }] }, IN_CLOUD_SHELL)
    expect(report.results[0]!.result).toEqual([expect.objectContaining({ home_account_id: signedIn.account!.homeAccountId, username: cloudShell.user.username, authority_type: 'CLOUDSHELL', realm: 'organizations' })])
    // From the cache: nothing sent but its constructor's tenant discovery (no POST to Cloud Shell).
    expect(report.results[1]!.result).toMatchObject({ access_token: signedIn.accessToken })
    expect(report.sent).toEqual([['GET', expect.stringContaining('/.well-known/openid-configuration')]])
  })
})
