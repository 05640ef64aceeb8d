/**
 * Real MSAL libraries sign users in against the fake: proof that it speaks Entra's protocol as
 * they expect it. @azure/msal-node runs in process; MSAL Python (Debian's python3-msal) runs
 * as a child process against the loopback server.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { CryptoProvider, PublicClientApplication, type INetworkModule } from '@azure/msal-node'
import { FakeIdentityProvider, GRAPH_RESOURCE_ID, msalNodeNetworkClient, tenantIdOf, type FakeIdentityProviderOptions } from '@msal-ts/testing'

const APP = 'bbbbbbbb-0000-4000-8000-000000000001'
const SIBLING = 'bbbbbbbb-0000-4000-8000-000000000002'
const ALICE = 'alice@contoso.onmicrosoft.com'
const PASSWORD = 'correct horse battery staple'
const TENANT = 'contoso.onmicrosoft.com'
const TID = tenantIdOf(TENANT)
const AUTHORITY = `https://login.microsoftonline.com/${TENANT}`
const SIGN_IN_SCOPES = ['User.Read', 'openid', 'profile', 'offline_access']

/**
 * Real clock and randomness: both peers check token lifetimes against the real time. Device
 * codes ask for a 1 s polling interval (Entra's is 5 s), so real clients' polls stay quick.
 */
const newIdp = (options: FakeIdentityProviderOptions = {}) =>
  new FakeIdentityProvider({ deviceCodeIntervalSeconds: 1, ...options })
    .registerApp({ clientId: APP, familyId: '1', redirectUris: ['http://localhost', 'http://localhost/redirect'] })
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

describe('@azure/msal-node: authorization code and device code flows against the fake', () => {
  const REDIRECT_URI = 'http://localhost:3874/redirect'

  it('signs in with getAuthCodeUrl, the authorization endpoint and acquireTokenByCode (PKCE, state, nonce)', async () => {
    const idp = newIdp()
    const pca = msalNodeApp(idp)
    const { verifier, challenge } = await new CryptoProvider().generatePkceCodes()
    const url = await pca.getAuthCodeUrl({
      scopes: ['User.Read'],
      redirectUri: REDIRECT_URI,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      state: 'msal-node-state',
      nonce: 'msal-node-nonce',
      loginHint: ALICE,
    })
    const outcome = await idp.authorize(url)
    if (!('redirect' in outcome)) throw new Error(`no redirect: ${JSON.stringify(outcome)}`)
    expect(outcome.redirect.origin + outcome.redirect.pathname).toBe(REDIRECT_URI)
    const { code, state } = outcome.params
    expect(state).toBe('msal-node-state')

    const result = await pca.acquireTokenByCode(
      { code: code!, redirectUri: REDIRECT_URI, scopes: ['User.Read'], codeVerifier: verifier, state: 'msal-node-state', nonce: 'msal-node-nonce' },
      { code: code!, state: state! },
    )
    const alice = idp.getUser(ALICE)!
    expect(result.account).toMatchObject({ username: ALICE, homeAccountId: `${alice.oid}.${TID}` })
    expect(result.idTokenClaims).toMatchObject({ nonce: 'msal-node-nonce' })
    // msal-node 7.2's getAuthCodeUrl drops maxAge from the URL, so Entra (and the fake) send no auth_time.
    expect(result.idTokenClaims).not.toHaveProperty('auth_time')
    expect(decodeJwt(result.accessToken)).toMatchObject({ aud: GRAPH_RESOURCE_ID, scp: 'User.Read', azp: APP })

    // What msal-node sent: the authorization request (read by the test), then one token request.
    expect(idp.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /${TENANT}/oauth2/v2.0/authorize`, `POST /${TENANT}/oauth2/v2.0/token`])
    expect(Object.fromEntries(new URL(idp.requests[0]!.url).searchParams)).toMatchObject({
      client_id: APP,
      response_type: 'code',
      response_mode: 'query',
      redirect_uri: REDIRECT_URI,
      scope: 'User.Read openid profile offline_access',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      client_info: '1',
      login_hint: ALICE,
    })
    expect(idp.tokenRequests[0]!.form).toMatchObject({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, client_info: '1' })

    const [account] = await pca.getTokenCache().getAllAccounts()
    expect((await pca.acquireTokenSilent({ account: account!, scopes: ['User.Read'] })).fromCache).toBe(true)

    // The code is used up: Entra's error, as msal-node reports it.
    await expect(pca.acquireTokenByCode({ code: code!, redirectUri: REDIRECT_URI, scopes: ['User.Read'], codeVerifier: verifier })).rejects.toMatchObject({
      errorCode: 'invalid_grant',
      errorMessage: expect.stringContaining('AADSTS54005: OAuth2 Authorization code was already redeemed'),
    })
  })

  it('gets a PKCE error from the fake when the verifier is not the one the challenge came from', async () => {
    const idp = newIdp()
    const pca = msalNodeApp(idp)
    const crypto = new CryptoProvider()
    const { challenge } = await crypto.generatePkceCodes()
    const { verifier: otherVerifier } = await crypto.generatePkceCodes()
    const outcome = await idp.authorize(await pca.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: REDIRECT_URI, codeChallenge: challenge, codeChallengeMethod: 'S256' }))
    const code = 'redirect' in outcome ? outcome.params['code']! : ''
    await expect(pca.acquireTokenByCode({ code, redirectUri: REDIRECT_URI, scopes: ['User.Read'], codeVerifier: otherVerifier })).rejects.toMatchObject({
      errorCode: 'invalid_grant',
      errorMessage: expect.stringContaining('AADSTS501481'),
    })
  })

  it('completes acquireTokenByDeviceCode once the test approves the code it was shown (one pending poll first)', async () => {
    const idp = newIdp()
    const pca = msalNodeApp(idp)
    const shown: string[] = []
    const result = await pca.acquireTokenByDeviceCode({
      scopes: ['User.Read'],
      deviceCodeCallback: (response) => {
        shown.push(response.message)
        expect(response).toMatchObject({ verificationUri: 'https://microsoft.com/devicelogin', expiresIn: 900, interval: 1 })
        // The user takes a moment: msal-node's first poll is still pending.
        setTimeout(() => idp.approveDeviceCode(response.userCode, ALICE), 300)
      },
    })
    expect(shown[0]).toMatch(/^To sign in, use a web browser to open the page https:\/\/microsoft\.com\/devicelogin and enter the code [A-Z0-9]{9} to authenticate\.$/)
    expect(result!.account).toMatchObject({ username: ALICE, tenantId: TID })
    // The device code request, a pending poll (at once), then the poll a second later that gets the tokens.
    expect(idp.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /${TENANT}/oauth2/v2.0/devicecode`,
      ...Array(idp.tokenRequests.length).fill(`POST /${TENANT}/oauth2/v2.0/token`),
    ])
    expect(idp.tokenRequests.length).toBeGreaterThanOrEqual(2)
    // msal-node sends the grant type's short name, which Entra takes as well as RFC 8628's URN.
    expect(idp.tokenRequests[0]!.form).toMatchObject({ grant_type: 'device_code', client_id: APP, client_info: '1' })
    const [account] = await pca.getTokenCache().getAllAccounts()
    expect((await pca.acquireTokenSilent({ account: account!, scopes: ['User.Read'] })).fromCache).toBe(true)
  })

  it('stops polling when the user declines', async () => {
    const idp = newIdp()
    const pca = msalNodeApp(idp)
    await expect(
      pca.acquireTokenByDeviceCode({ scopes: ['User.Read'], deviceCodeCallback: (response) => idp.declineDeviceCode(response.userCode) }),
    ).rejects.toMatchObject({ message: expect.stringContaining('authorization_declined') })
    expect(idp.tokenRequests).toHaveLength(1)
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
  readonly auth_uri?: string
  readonly auth_response?: Record<string, string>
  readonly nonce?: string
  readonly device_flow?: Record<string, unknown>
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

/**
 * Runs the peer script (asynchronously: the loopback server must keep answering meanwhile).
 * `onStderrLine` sees each line the script writes to stderr as it comes (the device code flow's user code).
 */
const runMsalPython = (job: Record<string, unknown>, onStderrLine: (line: string) => void = () => {}): Promise<PythonReport> =>
  new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [PEER_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => {
      const lines = (stderr + chunk.toString('utf8')).split('\n')
      const complete = stderr.split('\n').length - 1
      stderr += chunk.toString('utf8')
      lines.slice(complete, -1).forEach(onStderrLine)
    })
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

  it('signs in with initiate_auth_code_flow, the authorization endpoint (a real 302) and acquire_token_by_auth_code_flow', async () => {
    const report = await runMsalPython({
      base_url: base,
      authority: AUTHORITY,
      client_id: APP,
      scopes: ['User.Read'],
      flow: 'auth_code',
      redirect_uri: 'http://localhost:8400',
      login_hint: ALICE,
      max_age: 3600,
    })
    // MSAL Python checked the nonce (it sends its SHA-256 hex) and auth_time against max_age itself.
    expectSignedIn(report)
    expect(report.first.id_token_claims).toMatchObject({ nonce: createHash('sha256').update(report.nonce!).digest('hex'), auth_time: expect.any(Number) })
    // MSAL Python asks for client_info=1, so the code comes with it.
    expect(Object.keys(report.auth_response!)).toEqual(['code', 'client_info', 'state', 'session_state'])
    const asked = Object.fromEntries(new URL(report.auth_uri!).searchParams)
    expect(asked).toMatchObject({ client_id: APP, response_type: 'code', redirect_uri: 'http://localhost:8400', code_challenge_method: 'S256', client_info: '1', login_hint: ALICE, max_age: '3600' })
    expect(report.sent.map(([method, url]) => `${method} ${url.split('?')[0]!}`)).toEqual([
      `GET https://login.microsoftonline.com:443/${TENANT}/v2.0/.well-known/openid-configuration`,
      `GET https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`,
      `POST https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
    ])
    expect(idp.tokenRequests[0]!.form).toMatchObject({ grant_type: 'authorization_code', redirect_uri: 'http://localhost:8400', code: report.auth_response!['code'] })
    expect(idp.tokenRequests[0]!.form['code_verifier']).toMatch(/^[A-Za-z0-9\-._~]{43}$/)
  })

  it('signs in with initiate_device_flow and acquire_token_by_device_flow once the test approves the code it printed', async () => {
    const report = await runMsalPython({ base_url: base, authority: AUTHORITY, client_id: APP, scopes: ['User.Read'], flow: 'device_code' }, (line) => {
      const [, userCode] = /^USER_CODE (\S+)$/.exec(line) ?? []
      if (userCode !== undefined) setTimeout(() => idp.approveDeviceCode(userCode, ALICE), 300)
    })
    expectSignedIn(report)
    expect(report.device_flow).toMatchObject({ verification_uri: 'https://microsoft.com/devicelogin', expires_in: 900, interval: 1 })
    expect(report.sent.map(([method, url]) => `${method} ${url}`)).toEqual([
      `GET https://login.microsoftonline.com:443/${TENANT}/v2.0/.well-known/openid-configuration`,
      `POST https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/devicecode`,
      ...Array(idp.tokenRequests.length).fill(`POST https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`),
    ])
    // The first poll (at once) was pending; MSAL Python waited the interval and polled again.
    expect(idp.tokenRequests.length).toBeGreaterThanOrEqual(2)
    expect(idp.tokenRequests[0]!.form).toMatchObject({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: APP })
  })

  it("returns Entra's error dict for a wrong password", async () => {
    const report = await runMsalPython({ base_url: base, authority: AUTHORITY, client_id: APP, scopes: ['User.Read'], flow: 'username_password', username: ALICE, password: 'wrong' })
    expect(report.first).toMatchObject({ error: 'invalid_grant', error_codes: [50126] })
    expect(report.accounts).toEqual([])
  })
})
