/**
 * Issue 6 end to end against the fake identity provider: every credential form acquires a
 * token, the assertion's header and claims are what BEHAVIOUR.md says, a web app signs a user in
 * with a certificate, on-behalf-of is cached per incoming token (and shared with MSAL for Node),
 * user federated identity credentials and FMI paths work.
 */
import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import { ConfidentialClientApplication as MsalNodeConfidentialClient } from '@azure/msal-node'
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose'
import { ConfidentialClientApplication, SerializableTokenCache, type ClientCredentialOption } from '@msal-ts/node'
import { createTestInterpreter, FakeIdentityProvider, fixedClock, msalNodeNetworkClient, seededRandom, type FixedClock } from '@msal-ts/testing'
import { CERTIFICATE_FIXTURES_DIR, certificateFixture, FIXTURE_PASSPHRASE } from '../../testing/test/fixtures/certificates/index.js'
import { contextOfEntry, defaultPartition } from '@msal-ts/core'
import { rejectionOf } from './support/rejection.js'

const TENANT = 'contoso.onmicrosoft.com'
const AUTHORITY = `https://login.microsoftonline.com/${TENANT}`
const TOKEN_ENDPOINT = `${AUTHORITY}/oauth2/v2.0/token`
const DAEMON = 'daemon-app'
const WEB = 'web-app'
const API = 'todo-api'
const SPA = 'spa-client'
const AGENT = 'agent-app'
const REDIRECT = 'https://web.contoso.example/redirect'
const ALICE = 'alice@contoso.onmicrosoft.com'
const BOB = 'bob@contoso.onmicrosoft.com'
const GRAPH_APP = ['https://graph.microsoft.com/.default']
const GRAPH_USER = ['https://graph.microsoft.com/User.Read']

const leafPem = certificateFixture('leaf.cert.pem')
const leaf = new X509Certificate(leafPem)
const issued = new X509Certificate(certificateFixture('issued.cert.pem'))
const thumbprint = (certificate: X509Certificate, algorithm: 'sha1' | 'sha256'): string =>
  (algorithm === 'sha1' ? certificate.fingerprint : certificate.fingerprint256).replace(/:/g, '')

const setUp = ({ startMs, ...options }: { rejectReplayedAssertions?: boolean; startMs?: number } = {}) => {
  const clock = fixedClock(startMs)
  const idp = new FakeIdentityProvider({ clock: clock.now, random: seededRandom(6), ...options })
    .registerApp({ clientId: DAEMON, certificates: [leafPem], clientSecret: 'daemon-secret' })
    .registerApp({ clientId: 'sni-app', subjectNameIssuer: { subject: 'msal-ts-test-issued', trustedIssuers: [certificateFixture('ca.cert.pem')] } })
    .registerApp({ clientId: WEB, certificates: [leafPem], redirectUris: [REDIRECT] })
    .registerApp({ clientId: API, certificates: [leafPem], clientSecret: 'api-secret' })
    .registerApp({ clientId: SPA })
    .registerApp({ clientId: AGENT, certificates: [leafPem] })
    .registerUser({ username: ALICE })
    .registerUser({ username: BOB })
  const interpret = createTestInterpreter({ http: idp.http, clock }).interpret
  const app = (clientId: string, clientCredential: ClientCredentialOption, extra: Record<string, unknown> = {}) =>
    new ConfidentialClientApplication({ clientId, clientCredential, authority: AUTHORITY, interpreter: interpret, ...extra })
  return { idp, clock, app }
}

type Setup = ReturnType<typeof setUp>

const LEAF_KEY = { privateKey: certificateFixture('leaf.key.pkcs8.pem'), thumbprint: thumbprint(leaf, 'sha1') }

/** The assertion the provider accepted last, decoded. */
const lastAssertion = (idp: FakeIdentityProvider) => idp.clientAuthentications.at(-1)!

describe('every credential form acquires an app token from the fake identity provider', () => {
  const selfSigned = async (clock: FixedClock): Promise<string> => {
    const now = Math.floor(clock.now() / 1000)
    return new SignJWT({ aud: TOKEN_ENDPOINT, iss: DAEMON, sub: DAEMON, jti: randomUUID(), iat: now, exp: now + 600 })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: Buffer.from(thumbprint(leaf, 'sha1'), 'hex').toString('base64url') })
      .sign(createPrivateKey(certificateFixture('leaf.key.pkcs8.pem')))
  }

  it.each<[string, (s: Setup) => ClientCredentialOption | Promise<ClientCredentialOption>, string, string | undefined]>([
    ['a secret in the form', () => 'daemon-secret', 'client_secret_post', undefined],
    ['a secret in a Basic header', () => ({ clientSecret: 'daemon-secret', tokenEndpointAuthMethod: 'client_secret_basic' }), 'client_secret_basic', undefined],
    ['a PEM key and SHA-1 thumbprint', () => LEAF_KEY, 'private_key_jwt', 'x5t'],
    ['an encrypted PKCS#1 key and SHA-256 thumbprint', () => ({ privateKey: certificateFixture('leaf.key.pkcs1.encrypted.pem'), passphrase: FIXTURE_PASSPHRASE, thumbprintSha256: thumbprint(leaf, 'sha256') }), 'private_key_jwt', 'x5t#S256'],
    ['a PFX file', () => ({ privateKeyPfxPath: join(CERTIFICATE_FIXTURES_DIR, 'leaf.pfx'), passphrase: FIXTURE_PASSPHRASE }), 'private_key_jwt', 'x5t#S256'],
    ['a pre-signed assertion', async ({ clock }) => ({ clientAssertion: await selfSigned(clock) }), 'private_key_jwt', 'x5t'],
    ['an assertion callback', ({ clock }) => ({ clientAssertion: () => selfSigned(clock) }), 'private_key_jwt', 'x5t'],
  ])('%s', async (_, credential, method, keySource) => {
    const s = setUp()
    const result = await s.app(DAEMON, await credential(s)).acquireTokenForClient(GRAPH_APP)
    expect(result.tokenSource).toBe('identity_provider')
    expect(lastAssertion(s.idp)).toMatchObject({ clientId: DAEMON, method, ...(keySource !== undefined ? { keySource } : {}) })
    expect(decodeJwt(result.accessToken)).toMatchObject({ azp: DAEMON, azpacr: method.startsWith('client_secret') ? '1' : '2' })
  })

  it('subject name / issuer: a PFX with its chain sends x5c and the provider trusts the issuing CA', async () => {
    const s = setUp()
    const credential = { privateKeyPfxPath: join(CERTIFICATE_FIXTURES_DIR, 'issued.chain.pfx'), passphrase: FIXTURE_PASSPHRASE, publicCertificate: true as const }
    await expect(s.app('sni-app', credential).acquireTokenForClient(GRAPH_APP)).resolves.toMatchObject({ tokenSource: 'identity_provider' })
    const accepted = lastAssertion(s.idp)
    expect(accepted).toMatchObject({ method: 'private_key_jwt', keySource: 'x5c' })
    expect((accepted.header as { x5c: string[] }).x5c[0]).toBe(issued.raw.toString('base64'))
    // Without the chain the provider cannot tell who the certificate is.
    const withoutChain = s.app('sni-app', { privateKeyPfxPath: credential.privateKeyPfxPath, passphrase: FIXTURE_PASSPHRASE })
    expect(await rejectionOf(withoutChain.acquireTokenForClient(GRAPH_APP))).toMatchObject({ kind: 'ServerError', error: 'invalid_client' })
  })

  it('the assertion the provider received has the header and claims of BEHAVIOUR.md', async () => {
    const s = setUp()
    await s.app(DAEMON, { ...LEAF_KEY, thumbprint: undefined, thumbprintSha256: thumbprint(leaf, 'sha256') }).acquireTokenForClient(GRAPH_APP)
    const { header, claims } = lastAssertion(s.idp) as { header: Record<string, unknown>; claims: Record<string, number | string> }
    expect(header).toEqual({ alg: 'PS256', typ: 'JWT', 'x5t#S256': Buffer.from(thumbprint(leaf, 'sha256'), 'hex').toString('base64url') })
    const now = Math.floor(s.clock.now() / 1000)
    expect(claims).toEqual({ aud: TOKEN_ENDPOINT, iss: DAEMON, sub: DAEMON, iat: now, exp: now + 600, jti: expect.stringMatching(/^[0-9a-f-]{36}$/) })
  })

  it('a wrong key is refused by the provider as Entra refuses it (invalid_client, AADSTS700027), with no retry', async () => {
    const s = setUp()
    const wrong = s.app(DAEMON, { privateKey: certificateFixture('other.key.pkcs8.pem'), thumbprint: thumbprint(leaf, 'sha1') })
    expect(await rejectionOf(wrong.acquireTokenForClient(GRAPH_APP))).toMatchObject({ kind: 'ServerError', error: 'invalid_client', errorCodes: [700027] })
    expect(s.idp.tokenRequests).toHaveLength(1)
  })

  it('a provider that refuses a replayed jti gets a fresh assertion, and the call succeeds', async () => {
    const s = setUp({ rejectReplayedAssertions: true })
    const daemon = s.app(DAEMON, LEAF_KEY)
    await daemon.acquireTokenForClient(GRAPH_APP)
    await expect(daemon.acquireTokenForClient(['https://vault.azure.net/.default'])).resolves.toMatchObject({ tokenSource: 'identity_provider' })
    await expect(daemon.acquireTokenForClient(['https://storage.azure.com/.default'])).resolves.toMatchObject({ tokenSource: 'identity_provider' })
    const sent = s.idp.tokenRequests.map((request) => decodeJwt(request.form['client_assertion']!).jti)
    // first, the reused one (refused), a fresh one, then fresh straight away
    expect(sent).toHaveLength(4)
    expect(sent[1]).toBe(sent[0])
    expect(new Set([sent[0], sent[2], sent[3]]).size).toBe(3)
    expect(s.idp.clientAuthentications.map((a) => a.jti)).toEqual([sent[0], sent[2], sent[3]])
  })
})

describe('a web app signs a user in with a certificate credential', () => {
  it('auth code flow, then a refresh, each authenticated by a signed assertion', async () => {
    const s = setUp()
    const web = s.app(WEB, { privateKeyPfxPath: join(CERTIFICATE_FIXTURES_DIR, 'leaf.pfx'), passphrase: FIXTURE_PASSPHRASE })
    const flow = await web.initiateAuthCodeFlow(['User.Read'], { redirectUri: REDIRECT, loginHint: ALICE })
    const outcome = await s.idp.authorize(flow.authUri)
    if (!('params' in outcome)) throw new Error('expected a redirect')
    const result = await web.acquireTokenByAuthCodeFlow(flow, outcome.params)
    expect(result.account?.username).toBe(ALICE)
    const refreshed = await web.acquireTokenSilent(['User.Read'], result.account, { forceRefresh: true })
    expect(refreshed?.tokenSource).toBe('identity_provider')
    expect(s.idp.clientAuthentications.map((a) => [a.grantType, a.method])).toEqual([
      ['authorization_code', 'private_key_jwt'],
      ['refresh_token', 'private_key_jwt'],
    ])
  })
})

describe('on-behalf-of', () => {
  /** The access token a user's SPA got for the API: what the API is called with. */
  const incomingToken = async (s: Setup, username: string, scope = `api://${API}/access_as_user`): Promise<string> => {
    const refreshToken = s.idp.issueRefreshToken({ username, clientId: SPA, scopes: [scope] })
    const spa = await s.idp.http({ method: 'POST', url: TOKEN_ENDPOINT, headers: {}, form: { grant_type: 'refresh_token', client_id: SPA, refresh_token: refreshToken, scope } })
    if (spa._tag !== 'HttpResponse') throw new Error('no answer')
    return (JSON.parse(spa.body) as { access_token: string }).access_token
  }

  it('the same incoming token is a cache hit; another user\'s is a new request and never sees the first user\'s token', async () => {
    const s = setUp()
    // Which texts the app hashes: each incoming token once, however often it calls with it.
    const hashed: string[] = []
    const base = createTestInterpreter({ http: s.idp.http, clock: s.clock }).interpret
    const interpreter: typeof base = (effect) => {
      if (effect._tag === 'Sha256') hashed.push(effect.data)
      return base(effect)
    }
    const api = s.app(API, LEAF_KEY, { interpreter })
    const alices = await incomingToken(s, ALICE)
    const first = await api.acquireTokenOnBehalfOf(alices, GRAPH_USER)
    expect(first).toMatchObject({ tokenSource: 'identity_provider', account: { username: ALICE } })
    expect(decodeJwt(first.accessToken)).toMatchObject({ preferred_username: ALICE, azp: API, scp: 'User.Read' })
    expect(s.idp.onBehalfOfRequests.at(-1)!.form).toMatchObject({ requested_token_use: 'on_behalf_of', grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: alices })

    const again = await api.acquireTokenOnBehalfOf(alices, GRAPH_USER)
    expect(again).toMatchObject({ tokenSource: 'cache', accessToken: first.accessToken, account: { username: ALICE } })

    const bobsToken = await incomingToken(s, BOB)
    const bobs = await api.acquireTokenOnBehalfOf(bobsToken, GRAPH_USER)
    expect(bobs.tokenSource).toBe('identity_provider')
    expect(bobs.accessToken).not.toBe(first.accessToken)
    expect(decodeJwt(bobs.accessToken)).toMatchObject({ preferred_username: BOB })
    expect(s.idp.onBehalfOfRequests).toHaveLength(2)
    expect((await api.acquireTokenOnBehalfOf(alices, GRAPH_USER)).tokenSource).toBe('cache')
    expect(hashed.filter((text) => text === alices)).toHaveLength(1)
    expect(hashed.filter((text) => text === bobsToken)).toHaveLength(1)
  })

  it('a new incoming token of the same user is a new request; a claims challenge skips the cache', async () => {
    const s = setUp()
    const api = s.app(API, LEAF_KEY)
    const first = await incomingToken(s, ALICE)
    await api.acquireTokenOnBehalfOf(first, GRAPH_USER)
    s.clock.advance(1000)
    const second = await incomingToken(s, ALICE)
    expect(second).not.toBe(first)
    expect((await api.acquireTokenOnBehalfOf(second, GRAPH_USER)).tokenSource).toBe('identity_provider')
    expect((await api.acquireTokenOnBehalfOf(second, GRAPH_USER, { claimsChallenge: '{"access_token":{"nbf":{"essential":true}}}' })).tokenSource).toBe('identity_provider')
    expect(s.idp.onBehalfOfRequests).toHaveLength(3)
  })

  it('an expired cached token is not refreshed with a refresh token: the incoming token is traded again', async () => {
    const s = setUp()
    const api = s.app(API, LEAF_KEY)
    await api.acquireTokenOnBehalfOf(await incomingToken(s, ALICE), GRAPH_USER)
    s.clock.advance(3599_000 - 200_000) // inside the 300 s margin; the incoming token is still valid
    const fresh = await incomingToken(s, ALICE)
    expect((await api.acquireTokenOnBehalfOf(fresh, GRAPH_USER)).tokenSource).toBe('identity_provider')
    expect(s.idp.tokenRequests.filter((r) => r.form['grant_type'] === 'refresh_token' && r.form['client_id'] === API)).toHaveLength(0)
  })

  it('bad input is a UsageError before any request; the provider\'s refusal is a ServerError', async () => {
    const s = setUp()
    const api = s.app(API, LEAF_KEY)
    expect(await rejectionOf(api.acquireTokenOnBehalfOf('', GRAPH_USER))).toMatchObject({ kind: 'UsageError', argument: 'userAssertion' })
    expect(await rejectionOf(api.acquireTokenOnBehalfOf(42 as unknown as string, GRAPH_USER))).toMatchObject({ kind: 'UsageError', argument: 'userAssertion' })
    expect(s.idp.tokenRequests).toHaveLength(0)
    // A token for another API is not this API's to trade.
    const forSomeoneElse = await incomingToken(s, ALICE, 'https://graph.microsoft.com/User.Read')
    expect(await rejectionOf(api.acquireTokenOnBehalfOf(forSomeoneElse, GRAPH_USER))).toMatchObject({ kind: 'ServerError', error: 'invalid_grant' })
  })

  // Scopes as Entra reports them ("User.Read"): MSAL for Node does not know that Graph's
  // "https://graph.microsoft.com/User.Read" is the same scope, and would miss either token.
  it('MSAL for Node finds the OBO token msal-ts cached, and msal-ts finds the one MSAL for Node cached', async () => {
    const GRAPH_USER = ['User.Read']
    // MSAL for Node reads the real clock.
    const s = setUp({ startMs: Date.now() })
    const cache = new SerializableTokenCache()
    const api = s.app(API, 'api-secret', { tokenCache: cache })
    const alices = await incomingToken(s, ALICE)
    const ours = await api.acquireTokenOnBehalfOf(alices, GRAPH_USER)

    const network = msalNodeNetworkClient(s.idp.fetch)
    const theirs = new MsalNodeConfidentialClient({ auth: { clientId: API, clientSecret: 'api-secret', authority: AUTHORITY }, system: { networkClient: network } })
    theirs.getTokenCache().deserialize(cache.serialize())
    const fromNode = await theirs.acquireTokenOnBehalfOf({ oboAssertion: alices, scopes: GRAPH_USER })
    expect(fromNode?.fromCache).toBe(true)
    expect(fromNode?.accessToken).toBe(ours.accessToken)

    const bobs = await incomingToken(s, BOB)
    const nodeBob = await theirs.acquireTokenOnBehalfOf({ oboAssertion: bobs, scopes: GRAPH_USER })
    expect(nodeBob?.fromCache).toBe(false)
    cache.deserialize(theirs.getTokenCache().serialize())
    const oursBob = await api.acquireTokenOnBehalfOf(bobs, GRAPH_USER)
    expect(oursBob).toMatchObject({ tokenSource: 'cache', accessToken: nodeBob!.accessToken })
  })

  it('a persistence partitions OBO tokens by the incoming token\'s hash', () => {
    const operation = { clientId: API, environment: 'login.microsoftonline.com', realm: TENANT, userAssertionHash: 'AbC-hash' }
    expect(defaultPartition(operation)).toBe('obo:AbC-hash')
    const entry = { credential_type: 'AccessToken', client_id: API, environment: 'login.microsoftonline.com', realm: 't', home_account_id: 'uid.utid', user_assertion_hash: 'AbC-hash' }
    expect(defaultPartition(contextOfEntry(entry, { clientId: API, environment: 'login.microsoftonline.com', realm: TENANT }))).toBe('obo:AbC-hash')
  })
})

describe('user federated identity credentials and FMI paths', () => {
  it('an agent trades its federated credential for a user\'s token, by UPN or by object id', async () => {
    const s = setUp()
    const agent = s.app(AGENT, LEAF_KEY)
    const fic = (await agent.acquireTokenForClient(['api://AzureADTokenExchange/.default'])).accessToken
    const byName = await agent.acquireTokenByUserFederatedIdentityCredential(['User.Read'], fic, { username: ALICE })
    expect(byName).toMatchObject({ tokenSource: 'identity_provider', account: { username: ALICE } })
    const request = s.idp.tokenRequests.at(-1)!
    expect(request.form).toMatchObject({ grant_type: 'user_fic', user_federated_identity_credential: fic, username: ALICE, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' })
    expect(request.headers['x-anchormailbox']).toBe(`upn:${ALICE}`)
    // The account is in the cache: silent finds the token.
    const [account] = await agent.getAccounts({ username: ALICE })
    expect((await agent.acquireTokenSilent(['User.Read'], account))?.tokenSource).toBe('cache')

    const bob = s.idp.getUser(BOB)!
    const byId = await agent.acquireTokenByUserFederatedIdentityCredential(['User.Read'], fic, { userObjectId: bob.oid })
    expect(byId.account?.username).toBe(BOB)
    expect(s.idp.tokenRequests.at(-1)!.form['user_id']).toBe(bob.oid)
    expect(s.idp.tokenRequests.at(-1)!.headers['x-anchormailbox']).toBe(`Oid:${bob.oid}@${TENANT}`)
  })

  it.each<[string, string, Record<string, unknown>, string]>([
    ['no user', 'x.y.z', {}, 'username'],
    ['both users', 'x.y.z', { username: ALICE, userObjectId: 'oid' }, 'userObjectId'],
    ['no assertion', '', { username: ALICE }, 'assertion'],
  ])('%s is a UsageError before any request', async (_, assertion, options, argument) => {
    const s = setUp()
    const agent = s.app(AGENT, LEAF_KEY)
    expect(await rejectionOf(agent.acquireTokenByUserFederatedIdentityCredential(['User.Read'], assertion, options))).toMatchObject({ kind: 'UsageError', argument })
    expect(s.idp.tokenRequests).toHaveLength(0)
  })

  it('fmiPath is sent, and each path has its own cached token', async () => {
    const s = setUp()
    const agent = s.app(AGENT, LEAF_KEY)
    const scopes = ['api://AzureFMITokenExchange/.default']
    const a = await agent.acquireTokenForClient(scopes, { fmiPath: 'SomeFmiPath/A' })
    const b = await agent.acquireTokenForClient(scopes, { fmiPath: 'SomeFmiPath/B' })
    expect(decodeJwt(a.accessToken)['fmi_path']).toBe('SomeFmiPath/A')
    expect(decodeJwt(b.accessToken)['fmi_path']).toBe('SomeFmiPath/B')
    expect(await agent.acquireTokenForClient(scopes, { fmiPath: 'SomeFmiPath/A' })).toMatchObject({ tokenSource: 'cache', accessToken: a.accessToken })
    const plain = await agent.acquireTokenForClient(scopes)
    expect(plain.tokenSource).toBe('identity_provider')
    expect(decodeJwt(plain.accessToken)['fmi_path']).toBeUndefined()
    expect(decodeProtectedHeader(s.idp.tokenRequests[0]!.form['client_assertion']!)).toMatchObject({ alg: 'RS256' })
  })
})
