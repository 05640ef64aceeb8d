/**
 * Real MSAL libraries sign users in against the fake: proof that it speaks Entra's protocol as
 * they expect it. @azure/msal-node runs in process; MSAL Python (Debian's python3-msal) runs
 * as a child process against the loopback server.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { PublicClientApplication, type INetworkModule } from '@azure/msal-node'
import { FakeIdentityProvider, GRAPH_RESOURCE_ID, msalNodeNetworkClient, tenantIdOf } from '@msal-ts/testing'

const APP = 'bbbbbbbb-0000-4000-8000-000000000001'
const SIBLING = 'bbbbbbbb-0000-4000-8000-000000000002'
const ALICE = 'alice@contoso.onmicrosoft.com'
const PASSWORD = 'correct horse battery staple'
const TENANT = 'contoso.onmicrosoft.com'
const TID = tenantIdOf(TENANT)
const AUTHORITY = `https://login.microsoftonline.com/${TENANT}`
const SIGN_IN_SCOPES = ['User.Read', 'openid', 'profile', 'offline_access']

/** Real clock and randomness: both peers check token lifetimes against the real time. */
const newIdp = () =>
  new FakeIdentityProvider()
    .registerApp({ clientId: APP, familyId: '1' })
    .registerApp({ clientId: SIBLING, familyId: '1' })
    .registerUser({ username: ALICE, password: PASSWORD, displayName: 'Alice Smith' })

// ---- @azure/msal-node ----

/** msal-node's INetworkModule, served in process by the fake (any host). */
const networkClient = (idp: FakeIdentityProvider): INetworkModule => msalNodeNetworkClient(idp.fetch)

const msalNodeApp = (idp: FakeIdentityProvider, clientId = APP) =>
  new PublicClientApplication({ auth: { clientId, authority: AUTHORITY }, system: { networkClient: networkClient(idp) } })

describe('@azure/msal-node against the fake', () => {
  it('redeems a refresh token, caches every entity, and answers the next call from its cache', async () => {
    const idp = newIdp()
    const alice = idp.getUser(ALICE)!
    const pca = msalNodeApp(idp)
    // forceCache: msal-node stores a refresh-token redemption only for an account it already
    // has, unless told to (the ADAL migration case this API exists for).
    const result = await pca.acquireTokenByRefreshToken({
      refreshToken: idp.issueRefreshToken({ username: ALICE, clientId: APP, scopes: SIGN_IN_SCOPES }),
      scopes: ['User.Read'],
      forceCache: true,
    })
    expect(result).not.toBeNull()
    expect(result!.fromCache).toBe(false)
    expect(result!.scopes).toEqual(expect.arrayContaining(['User.Read']))
    expect(result!.account).toMatchObject({ username: ALICE, name: 'Alice Smith', homeAccountId: `${alice.oid}.${TID}`, localAccountId: alice.oid, tenantId: TID })
    expect(decodeJwt(result!.accessToken)).toMatchObject({ aud: GRAPH_RESOURCE_ID, scp: 'User.Read', azp: APP })

    // What msal-node sent: no discovery (it knows login.microsoftonline.com), one refresh grant.
    expect(idp.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /${TENANT}/oauth2/v2.0/token`])
    expect(idp.tokenRequests[0]!.form).toMatchObject({ grant_type: 'refresh_token', client_id: APP, client_info: '1', scope: 'User.Read openid profile offline_access' })

    const accounts = await pca.getTokenCache().getAllAccounts()
    expect(accounts).toHaveLength(1)
    expect(accounts[0]).toMatchObject({ username: ALICE, homeAccountId: `${alice.oid}.${TID}` })

    const silent = await pca.acquireTokenSilent({ account: accounts[0]!, scopes: ['User.Read'] })
    expect(silent.fromCache).toBe(true)
    expect(silent.accessToken).toBe(result!.accessToken)
    expect(idp.requests).toHaveLength(1)

    const cache = JSON.parse(pca.getTokenCache().serialize()) as Record<string, Record<string, Record<string, unknown>>>
    for (const kind of ['Account', 'IdToken', 'AccessToken', 'RefreshToken', 'AppMetadata']) {
      expect(Object.keys(cache[kind] ?? {})).toHaveLength(1)
    }
    expect(Object.values(cache['RefreshToken']!)[0]).toMatchObject({ family_id: '1', client_id: APP })
    expect(Object.values(cache['AppMetadata']!)[0]).toMatchObject({ family_id: '1', client_id: APP })
  })

  it('stores nothing for a refresh-token redemption without forceCache (msal-node behaviour)', async () => {
    const idp = newIdp()
    const pca = msalNodeApp(idp)
    const result = await pca.acquireTokenByRefreshToken({ refreshToken: idp.issueRefreshToken({ username: ALICE, clientId: APP, scopes: SIGN_IN_SCOPES }), scopes: ['User.Read'] })
    expect(result!.account?.username).toBe(ALICE)
    expect(await pca.getTokenCache().getAllAccounts()).toEqual([])
  })

  it('signs in with a username and password (deprecated in msal-node, still there in 7.2.1)', async () => {
    const idp = newIdp()
    const pca = msalNodeApp(idp)
    const result = await pca.acquireTokenByUsernamePassword({ username: ALICE, password: PASSWORD, scopes: ['User.Read'] })
    expect(result!.account).toMatchObject({ username: ALICE, tenantId: TID })
    // msal-node asks no user realm discovery: it posts the password grant straight away.
    expect(idp.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /${TENANT}/oauth2/v2.0/token`])
    expect(idp.tokenRequests[0]!.form).toMatchObject({ grant_type: 'password', username: ALICE, client_info: '1', response_type: 'id_token token' })
    const [account] = await pca.getTokenCache().getAllAccounts()
    expect((await pca.acquireTokenSilent({ account: account!, scopes: ['User.Read'] })).fromCache).toBe(true)

    await expect(pca.acquireTokenByUsernamePassword({ username: ALICE, password: 'wrong', scopes: ['User.Read'] })).rejects.toMatchObject({
      errorCode: 'invalid_grant',
      errorMessage: expect.stringContaining('AADSTS50126: Error validating credentials due to invalid username or password.'),
    })
  })
})

// ---- MSAL Python (python3-msal) ----

const PEER_SCRIPT = join(import.meta.dirname, 'python', 'msal_python_peer.py')

interface PythonResult {
  readonly access_token?: string
  readonly scope?: string
  readonly error?: string
  readonly has_refresh_token?: boolean
  readonly id_token_claims?: Record<string, unknown>
}

interface PythonReport {
  readonly msal_version: string
  readonly first: PythonResult
  readonly accounts: Array<Record<string, unknown>>
  readonly silent: PythonResult | null
  readonly sent: Array<[string, string]>
  readonly sent_during_silent: Array<[string, string]>
  readonly sibling: PythonResult | null
  readonly sent_by_sibling: Array<[string, string]>
  readonly cache: Record<string, Record<string, Record<string, unknown>>>
}

/** Runs the peer script (asynchronously: the loopback server must keep answering meanwhile). */
const runMsalPython = (job: Record<string, unknown>): Promise<PythonReport> =>
  new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [PEER_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as PythonReport)
      else reject(new Error(`msal_python_peer.py exited with ${code}:\n${stderr}`))
    })
    child.stdin.end(JSON.stringify(job))
  })

describe('MSAL Python against the fake (loopback server)', () => {
  let idp: FakeIdentityProvider
  let base: string
  beforeEach(async () => {
    idp = newIdp()
    base = await idp.listen()
  })
  afterEach(() => idp.close())

  const expectSignedIn = (report: PythonReport) => {
    const alice = idp.getUser(ALICE)!
    expect(report.first.error).toBeUndefined()
    expect(report.first.id_token_claims).toMatchObject({ preferred_username: ALICE, oid: alice.oid, tid: TID, aud: APP })
    expect(report.accounts).toEqual([
      {
        home_account_id: `${alice.oid}.${TID}`,
        environment: 'login.microsoftonline.com',
        realm: TENANT,
        local_account_id: alice.oid,
        username: ALICE,
        authority_type: 'MSSTS',
      },
    ])
    // acquire_token_silent answered from the cache: same token, nothing sent.
    expect(report.silent?.access_token).toBe(report.first.access_token)
    expect(report.sent_during_silent).toEqual([])
    for (const kind of ['AccessToken', 'RefreshToken', 'IdToken', 'Account', 'AppMetadata']) {
      expect(Object.keys(report.cache[kind] ?? {})).toHaveLength(1)
    }
    expect(Object.values(report.cache['RefreshToken']!)[0]).toMatchObject({ family_id: '1', client_id: APP })
    expect(Object.values(report.cache['AppMetadata']!)[0]).toMatchObject({ family_id: '1', client_id: APP })
  }

  it('redeems a refresh token, then answers acquire_token_silent from its cache', async () => {
    const refreshToken = idp.issueRefreshToken({ username: ALICE, clientId: APP, scopes: SIGN_IN_SCOPES })
    const report = await runMsalPython({ base_url: base, authority: AUTHORITY, client_id: APP, scopes: ['User.Read'], flow: 'refresh_token', refresh_token: refreshToken })
    expectSignedIn(report)
    expect(report.first).toMatchObject({ scope: 'User.Read openid profile', has_refresh_token: true })
    expect(report.sent).toEqual([
      ['GET', `https://login.microsoftonline.com:443/${TENANT}/v2.0/.well-known/openid-configuration`],
      ['POST', `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`],
    ])
    expect(idp.requests.map((r) => r.url)).toEqual([
      `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`,
      `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
    ])
    expect(idp.tokenRequests[0]!.form).toMatchObject({ grant_type: 'refresh_token', client_id: APP, client_info: '1', refresh_token: refreshToken })
  })

  it('signs in with a username and password, asking user realm discovery first', async () => {
    const report = await runMsalPython({ base_url: base, authority: AUTHORITY, client_id: APP, scopes: ['User.Read'], flow: 'username_password', username: ALICE, password: PASSWORD })
    expectSignedIn(report)
    expect(report.sent.map(([method, url]) => `${method} ${url}`)).toEqual([
      `GET https://login.microsoftonline.com:443/${TENANT}/v2.0/.well-known/openid-configuration`,
      `GET https://login.microsoftonline.com/common/userrealm/${ALICE}?api-version=1.0`,
      `POST https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
    ])
    expect(idp.tokenRequests[0]!.form).toMatchObject({ grant_type: 'password', username: ALICE, client_info: '1' })
  })

  it("lets a family app with no history redeem the first app's family refresh token (FOCI)", async () => {
    const refreshToken = idp.issueRefreshToken({ username: ALICE, clientId: APP, scopes: SIGN_IN_SCOPES })
    const report = await runMsalPython({
      base_url: base,
      authority: AUTHORITY,
      client_id: APP,
      scopes: ['User.Read'],
      flow: 'refresh_token',
      refresh_token: refreshToken,
      sibling_client_id: SIBLING,
    })
    expect(report.sibling?.error).toBeUndefined()
    expect(decodeJwt(report.sibling!.access_token!)).toMatchObject({ azp: SIBLING })
    // The sibling discovers the tenant for itself, then redeems the family token: no error first.
    expect(report.sent_by_sibling).toEqual([
      ['GET', `https://login.microsoftonline.com:443/${TENANT}/v2.0/.well-known/openid-configuration`],
      ['POST', `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`],
    ])
    const redemption = idp.tokenRequests.at(-1)!
    expect(redemption.form).toMatchObject({ grant_type: 'refresh_token', client_id: SIBLING })
    expect(redemption.form['refresh_token']).not.toBe(refreshToken) // the family token the first app was given
    expect(Object.values(report.cache['AppMetadata']!).map((entry) => entry['client_id']).sort()).toEqual([APP, SIBLING].sort())
  })

  it("returns Entra's error dict for a wrong password", async () => {
    const report = await runMsalPython({ base_url: base, authority: AUTHORITY, client_id: APP, scopes: ['User.Read'], flow: 'username_password', username: ALICE, password: 'wrong' })
    expect(report.first).toMatchObject({ error: 'invalid_grant', error_codes: [50126] })
    expect(report.accounts).toEqual([])
  })
})
