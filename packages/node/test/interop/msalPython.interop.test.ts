/**
 * Token cache interoperability with the real MSAL Python 1.21 (Debian's python3-msal, run by
 * /usr/bin/python3 as a child process), in both directions: MSAL Python uses a cache msal-ts
 * serialized, and msal-ts uses (and hands back) a cache MSAL Python serialized.
 *
 * MSAL Python talks to the fake identity provider's loopback server when it signs in; when it
 * must answer from the cache, it gets an http_client that records and refuses every request
 * (except the tenant discovery that 1.21's constructor always makes, served from memory).
 */
import { spawn, spawnSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { join } from 'node:path'
import { ConfidentialClientApplication as MsalNodeConfidentialClient } from '@azure/msal-node'
import { SerializableTokenCache } from '@msal-ts/node'
import type { FakeIdentityProvider } from '@msal-ts/testing'
import {
  ALICE,
  APP,
  AUTHORITY,
  EXTRA_SECTION,
  EXTRA_SECTION_VALUE,
  GRAPH_APP_SCOPES,
  OIDC_SCOPES,
  SECRET,
  TID,
  entriesOf,
  extrasIn,
  homeAccountIdOf,
  msalTsApp,
  newIdp,
  noNetwork,
  parseCache,
  signInWithMsalTs,
  withExtras,
} from './interopFixtures.js'

const PYTHON = '/usr/bin/python3'
const PEER_SCRIPT = join(import.meta.dirname, 'python', 'msal_python_cache_peer.py')

/** Fails (never skips) every test when the real peer is missing. */
const requireMsalPython = (): void => {
  const probe = spawnSync(PYTHON, ['-c', 'import msal, requests; print(msal.__version__)'], { encoding: 'utf8' })
  if (probe.status !== 0) {
    throw new Error(
      `MSAL Python is not available to ${PYTHON} (${probe.error?.message ?? probe.stderr.trim()}). ` +
        './dev test installs python3-msal (Debian\'s MSAL Python 1.21); or run: apt-get install -y python3-msal',
    )
  }
}

/** MSAL Python's `data` keyword, as it takes it (snake_case). */
type PythonData = { readonly token_type: string; readonly key_id: string; readonly req_cnf: string }

type Step =
  | { readonly op: 'get_accounts' }
  | { readonly op: 'acquire_token_silent'; readonly scopes: readonly string[]; readonly account: 'first' | null; readonly data?: PythonData }
  | { readonly op: 'acquire_token_for_client'; readonly scopes: readonly string[] }
  | { readonly op: 'acquire_token_by_refresh_token'; readonly refresh_token: string; readonly scopes: readonly string[]; readonly data?: PythonData }

interface TokenSummary {
  readonly access_token?: string
  readonly token_type?: string
  readonly scope?: string
  readonly error?: string
  readonly error_description?: string
}

interface PythonReport {
  readonly msal_version: string
  readonly results: Array<{ readonly op: string; readonly result: unknown; readonly sent: Array<[string, string]> }>
  readonly sent: Array<[string, string]>
  readonly has_state_changed: boolean
  /** The cache's serialize() text. */
  readonly state: string
}

/** MSAL Python 1.21's constructor fetches this document; offline runs serve it from memory. */
const openIdConfiguration = (idp: FakeIdentityProvider) => idp.openIdConfiguration('https://login.microsoftonline.com', TID)
const DISCOVERY: [string, string] = ['GET', `https://login.microsoftonline.com:443/${TID}/v2.0/.well-known/openid-configuration`]

/**
 * Runs the peer script asynchronously (the loopback server must keep answering meanwhile).
 */
const runMsalPython = (job: {
  readonly state: string | null
  readonly network: { readonly mode: 'loopback'; readonly base_url: string } | { readonly mode: 'none'; readonly openid_configuration: unknown }
  readonly steps: readonly Step[]
}): Promise<PythonReport> =>
  new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [PEER_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as PythonReport)
      else reject(new Error(`msal_python_cache_peer.py exited with ${code}:\n${stderr}`))
    })
    child.stdin.end(JSON.stringify({ authority: AUTHORITY, client_id: APP, client_secret: SECRET, ...job }))
  })

/**
 * MSAL Python 1.21 files a user token under the response's `scope`, in the response's order
 * (it sorts only what it sends). Asked for these (sent sorted: "User.Read
 * https://graph.microsoft.com/Mail.Read offline_access openid profile"), the provider answers
 * as Entra does, Graph's scopes by their short names and the OpenID ones last: "User.Read
 * Mail.Read openid profile", which is not sorted.
 */
const USER_SCOPES = ['User.Read', 'https://graph.microsoft.com/Mail.Read']
const PYTHON_1_21_TARGET = 'User.Read Mail.Read openid profile'

const offline = (idp: FakeIdentityProvider) => ({ mode: 'none' as const, openid_configuration: openIdConfiguration(idp) })
const resultOf = <T>(report: PythonReport, index: number): T => report.results[index]!.result as T

/** What msal-ts and MSAL Python both report for Alice (MSAL Python 1.21's get_accounts shape). */
const aliceAsPythonSeesHer = (idp: FakeIdentityProvider) => ({
  home_account_id: homeAccountIdOf(idp),
  environment: 'login.microsoftonline.com',
  username: ALICE,
  authority_type: 'MSSTS',
  local_account_id: idp.getUser(ALICE)!.oid,
  realm: TID,
})

beforeAll(requireMsalPython)

it('runs against MSAL Python 1.21, the version these expectations describe', async () => {
  const report = await runMsalPython({ state: null, network: offline(newIdp()), steps: [] })
  expect(report.msal_version).toMatch(/^1\.21\./)
  // Constructing the app is all it did, and that asked for tenant discovery only.
  expect(report.sent).toEqual([DISCOVERY])
})

describe('msal-ts → MSAL Python 1.21: a cache we serialize works in MSAL Python', () => {
  let idp: FakeIdentityProvider
  let userAccessToken: string
  let appAccessToken: string
  let report: PythonReport
  beforeAll(async () => {
    idp = newIdp()
    const cache = new SerializableTokenCache()
    userAccessToken = (await signInWithMsalTs(idp, cache)).access_token
    appAccessToken = (await msalTsApp(idp, cache).acquireTokenForClient(GRAPH_APP_SCOPES)).accessToken
    idp.clearRequests()
    report = await runMsalPython({
      state: cache.serialize(),
      network: offline(idp),
      steps: [
        { op: 'get_accounts' },
        { op: 'acquire_token_silent', scopes: ['User.Read'], account: 'first' },
        // MSAL Python 1.21's acquire_token_for_client always asks the provider (cache-first came
        // in 1.23); its documented pattern for an app token is acquire_token_silent(account=None).
        { op: 'acquire_token_silent', scopes: GRAPH_APP_SCOPES, account: null },
      ],
    })
  })

  it('lists our account in get_accounts()', () => {
    expect(resultOf(report, 0)).toEqual([aliceAsPythonSeesHer(idp)])
  })

  it('answers acquire_token_silent(account) with our user token from the cache', () => {
    expect(resultOf<TokenSummary>(report, 1)).toMatchObject({ access_token: userAccessToken, token_type: 'Bearer' })
    expect(report.results[1]!.sent).toEqual([])
  })

  it('answers acquire_token_silent(account=None) with our app token from the cache', () => {
    expect(resultOf<TokenSummary>(report, 2)).toMatchObject({ access_token: appAccessToken, token_type: 'Bearer' })
    expect(report.results[2]!.sent).toEqual([])
  })

  it('sent nothing but the tenant discovery its constructor always makes (served from memory)', () => {
    expect(report.sent).toEqual([DISCOVERY])
    expect(idp.requests).toEqual([])
    expect(report.has_state_changed).toBe(false)
  })

  it('needs null as the app token\'s home_account_id: written the msal-node way (""), 1.21 does not find it', async () => {
    // Context for the msal-node failure in msalNode.interop.test.ts: 1.21 looks app tokens up
    // with {"home_account_id": None} and compares exactly, so writing "" would not do either.
    const patched = await runMsalPython({
      state: report.state.replace(/"home_account_id": null/g, '"home_account_id": ""'),
      network: offline(idp),
      steps: [{ op: 'acquire_token_silent', scopes: GRAPH_APP_SCOPES, account: null }],
    })
    expect(report.state).toMatch(/"home_account_id": null/)
    // A miss: 1.21 goes on to ask instance discovery for the host's aliases, which this
    // offline http_client refuses (with the network, it would then ask for a new token).
    expect(resultOf(patched, 0)).toMatchObject({ error: 'network_attempted' })
    expect(patched.sent).toEqual([DISCOVERY, ['GET', expect.stringMatching(/^https:\/\/login\.microsoftonline\.com\/common\/discovery\/instance\?/)]])
  })
})

describe('MSAL Python 1.21 → msal-ts: a cache MSAL Python serialized works in msal-ts', () => {
  let idp: FakeIdentityProvider
  let report: PythonReport
  let userAccessToken: string
  let appAccessToken: string
  beforeAll(async () => {
    idp = newIdp()
    const base = await idp.listen()
    report = await runMsalPython({
      state: null,
      network: { mode: 'loopback', base_url: base },
      steps: [
        {
          op: 'acquire_token_by_refresh_token',
          refresh_token: idp.issueRefreshToken({ username: ALICE, clientId: APP, scopes: [...USER_SCOPES, ...OIDC_SCOPES] }),
          scopes: USER_SCOPES,
        },
        { op: 'acquire_token_for_client', scopes: GRAPH_APP_SCOPES },
        { op: 'get_accounts' },
      ],
    })
    userAccessToken = resultOf<TokenSummary>(report, 0).access_token!
    appAccessToken = resultOf<TokenSummary>(report, 1).access_token!
  })
  afterAll(() => idp.close())

  it('signed in and got an app token from the provider', () => {
    expect(resultOf<TokenSummary>(report, 0).error).toBeUndefined()
    expect(resultOf<TokenSummary>(report, 1).error).toBeUndefined()
    // Tenant discovery when the app was built, then one token request per acquisition.
    expect(report.sent[0]).toEqual(DISCOVERY)
    expect(report.results.map((r) => r.sent.map(([method]) => method))).toEqual([['POST'], ['POST'], []])
    expect(resultOf<TokenSummary>(report, 0).scope).toBe(PYTHON_1_21_TARGET)
    expect(resultOf(report, 2)).toEqual([aliceAsPythonSeesHer(idp)])
  })

  it('is filed the MSAL Python 1.21 way: an unsorted multi-scope target, null for no account, no account_source', () => {
    const cache = parseCache(report.state)
    const userToken = Object.entries(cache['AccessToken']!).find(([, at]) => at['secret'] === userAccessToken)!
    const target = userToken[1]['target'] as string
    expect(target).toBe(PYTHON_1_21_TARGET)
    expect(target).not.toBe(target.split(' ').sort().join(' ')) // unsorted...
    expect(userToken[0]).toMatch(/-user\.read mail\.read openid profile$/) // ...in the key too
    expect(entriesOf(cache, 'AccessToken').find((at) => at['secret'] === appAccessToken)).toMatchObject({
      home_account_id: null,
      environment: 'login.microsoftonline.com',
      realm: TID,
      target: GRAPH_APP_SCOPES[0],
    })
    expect(entriesOf(cache, 'Account')[0]).not.toHaveProperty('account_source')
  })

  it('answers our acquireTokenForClient with its app token from the cache, asking the provider nothing', async () => {
    const cache = new SerializableTokenCache()
    cache.deserialize(report.state)
    const before = idp.requests.length
    const result = await msalTsApp(idp, cache).acquireTokenForClient(GRAPH_APP_SCOPES)
    expect(result).toMatchObject({ accessToken: appAccessToken, tokenSource: 'cache' })
    expect(idp.requests.length).toBe(before)
  })

  it('lists its account in our getAccounts()', async () => {
    const cache = new SerializableTokenCache()
    cache.deserialize(report.state)
    const accounts = await msalTsApp(idp, cache).getAccounts()
    expect(accounts).toEqual([
      expect.objectContaining({ homeAccountId: homeAccountIdOf(idp), environment: 'login.microsoftonline.com', username: ALICE, realm: TID, authorityType: 'MSSTS' }),
    ])
    expect(accounts[0]!.accountSource).toBeUndefined()
  })

  it('finds its user token with cache.find, whatever order the scopes are in', () => {
    const cache = new SerializableTokenCache()
    cache.deserialize(report.state)
    const home_account_id = homeAccountIdOf(idp)
    for (const target of [['User.Read'], ['Mail.Read'], ['mail.read', 'user.read'], ['User.Read', 'Mail.Read', 'openid', 'profile']]) {
      expect(cache.find('AccessToken', { target, query: { home_account_id } }).map((at) => at.secret)).toEqual([userAccessToken])
    }
    expect(cache.find('RefreshToken', { query: { home_account_id, environment: 'login.microsoftonline.com' } })).toHaveLength(1)
    expect(cache.unusableEntryCount).toBe(0)
  })

  it('round-trips: our serialize() loads back into MSAL Python with every token still usable from the cache', async () => {
    const cache = new SerializableTokenCache()
    cache.deserialize(report.state)
    await msalTsApp(idp, cache).acquireTokenForClient(GRAPH_APP_SCOPES) // use it first: a cache hit
    const before = idp.requests.length
    const back = await runMsalPython({
      state: cache.serialize(),
      network: offline(idp),
      steps: [
        { op: 'get_accounts' },
        { op: 'acquire_token_silent', scopes: ['Mail.Read', 'User.Read'], account: 'first' },
        { op: 'acquire_token_silent', scopes: GRAPH_APP_SCOPES, account: null },
      ],
    })
    expect(resultOf(back, 0)).toEqual([aliceAsPythonSeesHer(idp)])
    expect(resultOf<TokenSummary>(back, 1)).toMatchObject({ access_token: userAccessToken })
    expect(resultOf<TokenSummary>(back, 2)).toMatchObject({ access_token: appAccessToken })
    expect(back.sent).toEqual([DISCOVERY])
    expect(idp.requests.length).toBe(before)
  })

  it("is not a cache msal-node can take app tokens from either: MSAL Python's app tokens say null too", async () => {
    // Not msal-ts: context for the msal-node failure in msalNode.interop.test.ts. MSAL Python
    // 1.21 files the app's own token with "home_account_id": null, and msal-node 7.2.1 only
    // matches "" there, so it asks the provider although a fresh token is in the cache. (Its
    // user tokens are found: msal-node's lookup of those goes by the account.)
    const network = noNetwork()
    const app = new MsalNodeConfidentialClient({ auth: { clientId: APP, clientSecret: SECRET, authority: AUTHORITY }, system: { networkClient: network } })
    app.getTokenCache().deserialize(report.state)
    const [account] = await app.getTokenCache().getAllAccounts()
    expect(await app.acquireTokenSilent({ account: account!, scopes: ['User.Read'] })).toMatchObject({ accessToken: userAccessToken, fromCache: true })
    expect(network.attempts).toEqual([])
    await expect(app.acquireTokenByClientCredential({ scopes: GRAPH_APP_SCOPES })).rejects.toMatchObject({ errorCode: 'network_error' })
    expect(network.attempts).toEqual([expect.stringMatching(/^POST https:\/\/login\.microsoftonline\.com\/.*\/oauth2\/v2\.0\/token/)])
  })
})

describe('unknown keys: msal-ts → MSAL Python 1.21 → msal-ts', () => {
  it('keeps an unknown top-level section and unknown entry fields all the way round', async () => {
    const idp = newIdp()
    const cache = new SerializableTokenCache()
    const user = await signInWithMsalTs(idp, cache)
    const app = await msalTsApp(idp, cache).acquireTokenForClient(GRAPH_APP_SCOPES)
    const sections = ['AccessToken', 'RefreshToken', 'IdToken', 'Account', 'AppMetadata']
    const allKept = Object.fromEntries(sections.map((section) => [section, `kept in ${section}`]))
    const { text, marked } = withExtras(cache.serialize(), sections)

    // msal-ts keeps them through its own load and save...
    const ours = new SerializableTokenCache()
    ours.deserialize(text)
    expect(extrasIn(ours.serialize(), marked)).toEqual(allKept)

    // ...MSAL Python uses the cache, writes to it (an app token for another resource: 1.21's
    // acquire_token_for_client always asks the provider), and serializes it...
    const base = await idp.listen()
    try {
      const python = await runMsalPython({
        state: ours.serialize(),
        network: { mode: 'loopback', base_url: base },
        steps: [
          { op: 'acquire_token_silent', scopes: ['User.Read'], account: 'first' },
          { op: 'acquire_token_for_client', scopes: ['https://management.azure.com/.default'] },
        ],
      })
      expect(resultOf<TokenSummary>(python, 0)).toMatchObject({ access_token: user.access_token })
      expect(resultOf<TokenSummary>(python, 1).access_token).toEqual(expect.any(String))
      // MSAL Python keeps its cache as the parsed JSON itself, so everything it does not rewrite
      // comes back as it was: the unknown section and the unknown fields. An entry it files is
      // stored whole, as a new dict (TokenCache.modify), and every token it files rewrites the
      // app's metadata entry: that entry alone comes back without the extra field.
      const keptByPython = { ...allKept, AppMetadata: undefined }
      expect(python.has_state_changed).toBe(true)
      expect(extrasIn(python.state, marked)).toEqual(keptByPython)
      expect(parseCache(python.state)[EXTRA_SECTION]).toEqual(EXTRA_SECTION_VALUE)

      // ...and msal-ts loads MSAL Python's result with the extras and both libraries' tokens.
      const back = new SerializableTokenCache()
      back.deserialize(python.state)
      expect(extrasIn(back.serialize(), marked)).toEqual(keptByPython)
      expect(parseCache(back.serialize())[EXTRA_SECTION]).toEqual(EXTRA_SECTION_VALUE)
      const backApp = msalTsApp(idp, back)
      const before = idp.requests.length
      expect(await backApp.acquireTokenForClient(GRAPH_APP_SCOPES)).toMatchObject({ accessToken: app.accessToken, tokenSource: 'cache' })
      expect(await backApp.acquireTokenForClient(['https://management.azure.com/.default'])).toMatchObject({
        accessToken: resultOf<TokenSummary>(python, 1).access_token,
        tokenSource: 'cache',
      })
      expect(idp.requests.length).toBe(before)
    } finally {
      await idp.close()
    }
  })
})

describe('a lifetime no server should send (expires_in 1e308) is cached as integers MSAL Python reads', () => {
  it('writes every time as a whole number of epoch seconds, and MSAL Python serves the token from the cache', async () => {
    const idp = newIdp()
    const cache = new SerializableTokenCache()
    cache.add({
      clientId: APP,
      scope: GRAPH_APP_SCOPES,
      environment: 'login.microsoftonline.com',
      realm: TID,
      response: { access_token: 'at-with-an-absurd-lifetime', token_type: 'Bearer', expires_in: 1e308, ext_expires_in: '9'.repeat(400), refresh_in: 1e300 },
    })
    const text = cache.serialize()
    for (const entry of entriesOf(parseCache(text), 'AccessToken')) {
      for (const field of ['cached_at', 'expires_on', 'extended_expires_on', 'refresh_on']) expect(entry[field]).toMatch(/^\d{1,15}$/)
    }
    const report = await runMsalPython({ state: text, network: offline(idp), steps: [{ op: 'acquire_token_silent', scopes: GRAPH_APP_SCOPES, account: null }] })
    expect(resultOf<TokenSummary>(report, 0)).toMatchObject({ access_token: 'at-with-an-absurd-lifetime' })
    expect(report.results[0]!.sent).toEqual([])
  })
})

describe('SSH certificates (key_id entries) shared with MSAL Python 1.21', () => {
  /** MSAL Python's e2e SshCertTestCase scope. */
  const SSH_SCOPES = ['https://pas.windows.net/CheckMyAccess/Linux/.default']
  const sshData = (keyId: string): PythonData => {
    const { n, e } = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as { n: string; e: string }
    return { token_type: 'ssh-cert', key_id: keyId, req_cnf: JSON.stringify({ kty: 'RSA', n, e, kid: keyId }) }
  }
  const KEY1 = sshData('key1')
  const KEY2 = sshData('key2')
  /** The same data, as msal-ts takes it (camelCase). */
  const ours = (data: PythonData) => ({ tokenType: 'ssh-cert' as const, keyId: data.key_id, reqCnf: data.req_cnf })

  it('msal-ts → MSAL Python: the certificate we cached for key 1 is MSAL Python\'s cache hit for key 1, and key 2 is its miss', async () => {
    const idp = newIdp()
    const cache = new SerializableTokenCache()
    await signInWithMsalTs(idp, cache)
    const app = msalTsApp(idp, cache)
    const [account] = await app.getAccounts()
    const certificate = (await app.acquireTokenSilent(SSH_SCOPES, account, { data: ours(KEY1) }))!
    expect(certificate.tokenType).toBe('ssh-cert')
    // Filed as MSAL Python files it: key_id and token_type on the entry.
    expect(entriesOf(parseCache(cache.serialize()), 'AccessToken').find((at) => at['secret'] === certificate.accessToken)).toMatchObject({ key_id: 'key1', token_type: 'ssh-cert', realm: TID })
    const report = await runMsalPython({
      state: cache.serialize(),
      network: offline(idp),
      steps: [
        { op: 'acquire_token_silent', scopes: SSH_SCOPES, account: 'first', data: KEY1 },
        { op: 'acquire_token_silent', scopes: SSH_SCOPES, account: 'first', data: KEY2 },
      ],
    })
    expect(resultOf<TokenSummary>(report, 0)).toMatchObject({ access_token: certificate.accessToken, token_type: 'ssh-cert' })
    expect(report.results[0]!.sent).toEqual([])
    // Key 2 is not in the cache: MSAL Python goes for the network (refused in this offline run).
    expect(resultOf(report, 1)).toMatchObject({ error: 'network_attempted' })
  })

  it('MSAL Python → msal-ts: its certificate for key 1 is our cache hit; key 2 gets a new one through its refresh token; MSAL Python then finds both', async () => {
    const idp = newIdp()
    const base = await idp.listen()
    try {
      const report = await runMsalPython({
        state: null,
        network: { mode: 'loopback', base_url: base },
        steps: [
          {
            op: 'acquire_token_by_refresh_token',
            refresh_token: idp.issueRefreshToken({ username: ALICE, clientId: APP, scopes: [...SSH_SCOPES, ...OIDC_SCOPES] }),
            scopes: SSH_SCOPES,
            data: KEY1,
          },
        ],
      })
      const theirs = resultOf<TokenSummary>(report, 0)
      expect(theirs).toMatchObject({ token_type: 'ssh-cert' })
      expect(entriesOf(parseCache(report.state), 'AccessToken')).toEqual([expect.objectContaining({ key_id: 'key1', token_type: 'ssh-cert', secret: theirs.access_token })])

      const cache = new SerializableTokenCache()
      cache.deserialize(report.state)
      const app = msalTsApp(idp, cache)
      const [account] = await app.getAccounts()
      const before = idp.tokenRequests.length
      expect(await app.acquireTokenSilent(SSH_SCOPES, account, { data: ours(KEY1) })).toMatchObject({ tokenSource: 'cache', tokenType: 'ssh-cert', accessToken: theirs.access_token })
      expect(idp.tokenRequests.length).toBe(before)
      const second = (await app.acquireTokenSilent(SSH_SCOPES, account, { data: ours(KEY2) }))!
      expect(second).toMatchObject({ tokenSource: 'identity_provider', tokenType: 'ssh-cert' })
      expect(idp.tokenRequests.at(-1)!.form).toMatchObject({ grant_type: 'refresh_token', token_type: 'ssh-cert', key_id: 'key2' })

      const back = await runMsalPython({
        state: cache.serialize(),
        network: offline(idp),
        steps: [
          { op: 'acquire_token_silent', scopes: SSH_SCOPES, account: 'first', data: KEY1 },
          { op: 'acquire_token_silent', scopes: SSH_SCOPES, account: 'first', data: KEY2 },
        ],
      })
      expect(resultOf<TokenSummary>(back, 0)).toMatchObject({ access_token: theirs.access_token })
      expect(resultOf<TokenSummary>(back, 1)).toMatchObject({ access_token: second.accessToken, token_type: 'ssh-cert' })
      expect(back.sent).toEqual([DISCOVERY])
    } finally {
      await idp.close()
    }
  })
})
