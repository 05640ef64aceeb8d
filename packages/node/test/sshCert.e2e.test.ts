/**
 * SSH certificates and PoP tokens for a key the app holds itself: MSAL Python's `data` keyword
 * (camelCase here: `{ tokenType, keyId, reqCnf }`), against the fake identity provider. Mirrors
 * MSAL Python's e2e SshCertTestCase (test_user_account, test_service_principal) and
 * AtPopWithExternalKeyTestCase (key 1 from the identity provider, key 1 again from the cache,
 * key 2 a new token through the refresh token), its _validate_ssh_cert_input_data messages, and
 * tests/test_token_cache.py's key_id cases.
 */
import { generateKeyPairSync } from 'node:crypto'
import { decodeJwt } from 'jose'
import { ConfidentialClientApplication, PublicClientApplication, SerializableTokenCache, TokenCache, type KeyBoundTokenData, type TokenResult } from '@msal-ts/node'
import { createTestInterpreter, FakeIdentityProvider, fixedClock, parseSshCertificate, type FixedClock } from '@msal-ts/testing'
import { rejectionOf } from './support/rejection.js'

const CLIENT = '5e4d3c2b-1a09-4f8e-8d7c-6b5a4f3e2d1c'
const SERVICE = '6f5e4d3c-2b1a-4098-9e8d-7c6b5a4f3e2d'
const SECRET = 'service-secret'
const ALICE = 'alice@contoso.onmicrosoft.com'
const AUTHORITY = 'https://login.microsoftonline.com/contoso.onmicrosoft.com'
/** MSAL Python's e2e SCOPE for SSH certificates. */
const SSH_SCOPES = ['https://pas.windows.net/CheckMyAccess/Linux/.default']

/** An SSH user key's public half as a JWK, as `az ssh` sends it. */
const sshKey = (keyId: string): { readonly data: KeyBoundTokenData; readonly n: string; readonly e: string } => {
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as { n: string; e: string }
  return { data: { tokenType: 'ssh-cert', keyId, reqCnf: JSON.stringify({ kty: 'RSA', n: jwk.n, e: jwk.e, kid: keyId }) }, n: jwk.n, e: jwk.e }
}
const KEY1 = sshKey('key1')
const KEY2 = sshKey('key2')

interface World {
  readonly idp: FakeIdentityProvider
  readonly clock: FixedClock
  readonly cache: SerializableTokenCache
  readonly app: PublicClientApplication
  readonly service: ConfidentialClientApplication
}

const world = (): World => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now })
    .registerApp({ clientId: CLIENT })
    .registerApp({ clientId: SERVICE, clientSecret: SECRET })
    .registerUser({ username: ALICE, password: 'pw' })
  const cache = new SerializableTokenCache()
  const interpreter = createTestInterpreter({ http: idp.http, clock }).interpret
  return {
    idp,
    clock,
    cache,
    app: new PublicClientApplication({ clientId: CLIENT, authority: AUTHORITY, tokenCache: cache, interpreter }),
    service: new ConfidentialClientApplication({ clientId: SERVICE, clientCredential: SECRET, authority: AUTHORITY, tokenCache: cache, interpreter }),
  }
}

const signIn = async (w: World): Promise<TokenResult> =>
  w.app.acquireTokenByRefreshToken(w.idp.issueRefreshToken({ username: ALICE, clientId: CLIENT, scopes: ['User.Read', 'openid', 'profile', 'offline_access'] }), ['User.Read'])

const accessTokens = (cache: SerializableTokenCache) => Object.values(JSON.parse(cache.serialize()).AccessToken as Record<string, Record<string, string>>)

describe('SSH certificates for a user (SshCertTestCase.test_user_account)', () => {
  it('key 1 from the identity provider, key 1 again from the cache, key 2 a new certificate through the refresh token', async () => {
    const w = world()
    const account = (await signIn(w)).account!
    w.idp.clearRequests()

    const first = (await w.app.acquireTokenSilent(SSH_SCOPES, account, { data: KEY1.data }))!
    expect(first).toMatchObject({ tokenType: 'ssh-cert', tokenSource: 'identity_provider' })
    expect(w.idp.tokenRequests).toHaveLength(1)
    // MSAL Python posts data as it is: token_type, key_id and req_cnf.
    expect(w.idp.tokenRequests[0]!.form).toMatchObject({ grant_type: 'refresh_token', token_type: 'ssh-cert', key_id: 'key1', req_cnf: KEY1.data.reqCnf })
    expect(first.accessToken).toMatch(/^AAAA/)
    expect(parseSshCertificate(first.accessToken)).toMatchObject({ type: 'ssh-rsa-cert-v01@openssh.com', keyId: 'key1', n: KEY1.n, e: KEY1.e, principals: [ALICE] })

    const again = (await w.app.acquireTokenSilent(SSH_SCOPES, account, { data: KEY1.data }))!
    expect(again).toMatchObject({ tokenType: 'ssh-cert', tokenSource: 'cache', accessToken: first.accessToken })
    expect(w.idp.tokenRequests).toHaveLength(1)

    const second = (await w.app.acquireTokenSilent(SSH_SCOPES, account, { data: KEY2.data }))!
    expect(second).toMatchObject({ tokenType: 'ssh-cert', tokenSource: 'identity_provider' })
    expect(w.idp.tokenRequests).toHaveLength(2)
    expect(w.idp.tokenRequests[1]!.form).toMatchObject({ grant_type: 'refresh_token', key_id: 'key2' })
    expect(parseSshCertificate(second.accessToken)).toMatchObject({ keyId: 'key2', n: KEY2.n })

    // Each certificate is cached with its key_id and token_type (as MSAL Python writes them),
    // apart from each other and from the bearer token: key 1 is still a cache hit.
    expect(accessTokens(w.cache).map((entry) => [entry['token_type'], entry['key_id']])).toEqual(
      expect.arrayContaining([
        ['Bearer', undefined],
        ['ssh-cert', 'key1'],
        ['ssh-cert', 'key2'],
      ]),
    )
    expect(await w.app.acquireTokenSilent(SSH_SCOPES, account, { data: KEY1.data })).toMatchObject({ tokenSource: 'cache', accessToken: first.accessToken })
    // A bearer call for the same scopes never gets a certificate.
    w.idp.clearRequests()
    const bearer = (await w.app.acquireTokenSilent(SSH_SCOPES, account))!
    expect(bearer.tokenType).toBe('Bearer')
    expect(w.idp.tokenRequests.map((request) => request.form['token_type'])).toEqual([undefined])
  })

  it('acquireTokenByRefreshToken, the password grant and the device code flow take data too', async () => {
    const w = world()
    const byRefreshToken = await w.app.acquireTokenByRefreshToken(w.idp.issueRefreshToken({ username: ALICE, clientId: CLIENT, scopes: ['openid', 'offline_access'] }), SSH_SCOPES, { data: KEY1.data })
    expect(byRefreshToken.tokenType).toBe('ssh-cert')
    const byPassword = await w.app.acquireTokenByUsernamePassword(ALICE, 'pw', SSH_SCOPES, { data: KEY2.data })
    expect(parseSshCertificate(byPassword.accessToken)).toMatchObject({ keyId: 'key2' })
    const flow = await w.app.initiateDeviceFlow(SSH_SCOPES)
    w.idp.approveDeviceCode(flow.userCode, ALICE)
    const byDevice = await w.app.acquireTokenByDeviceFlow(flow, { data: KEY1.data })
    expect(byDevice).toMatchObject({ tokenType: 'ssh-cert' })
    expect(w.idp.tokenRequests.map((request) => [request.form['grant_type'], request.form['key_id']])).toEqual([
      ['refresh_token', 'key1'],
      ['password', 'key2'],
      ['urn:ietf:params:oauth:grant-type:device_code', 'key1'],
    ])
  })
})

describe('SSH certificates for a service principal (SshCertTestCase.test_service_principal)', () => {
  it('acquireTokenForClient with data: key 1 from the identity provider, then the cache; key 2 a new certificate', async () => {
    const w = world()
    const first = await w.service.acquireTokenForClient(SSH_SCOPES, { data: KEY1.data })
    expect(first).toMatchObject({ tokenType: 'ssh-cert', tokenSource: 'identity_provider' })
    expect(w.idp.tokenRequests[0]!.form).toMatchObject({ grant_type: 'client_credentials', token_type: 'ssh-cert', key_id: 'key1' })
    expect(parseSshCertificate(first.accessToken)).toMatchObject({ keyId: 'key1', principals: [SERVICE] })
    expect(await w.service.acquireTokenForClient(SSH_SCOPES, { data: KEY1.data })).toMatchObject({ tokenSource: 'cache', accessToken: first.accessToken })
    const second = await w.service.acquireTokenForClient(SSH_SCOPES, { data: KEY2.data })
    expect(second).toMatchObject({ tokenSource: 'identity_provider' })
    expect(parseSshCertificate(second.accessToken).keyId).toBe('key2')
    // The app's bearer token for the same scopes is a third entry.
    const bearer = await w.service.acquireTokenForClient(SSH_SCOPES)
    expect(bearer).toMatchObject({ tokenType: 'Bearer', tokenSource: 'identity_provider' })
    expect(w.idp.tokenRequests).toHaveLength(3)
  })
})

describe("MSAL Python's validation of data (_validate_ssh_cert_input_data)", () => {
  const { n, e } = KEY1
  it.each([
    [
      'no reqCnf',
      { tokenType: 'ssh-cert', keyId: 'key1' },
      'data.reqCnf',
      "When requesting an SSH certificate, you must include a string parameter named 'req_cnf' containing the public key in JWK format (https://tools.ietf.org/html/rfc7517).",
    ],
    ['no keyId', { tokenType: 'ssh-cert', reqCnf: JSON.stringify({ kty: 'RSA', n, e }) }, 'data.keyId', "When requesting an SSH certificate, you must include a string parameter named 'key_id' which identifies the key in the 'req_cnf' argument."],
    ["MSAL Python's snake_case keys", { token_type: 'ssh-cert', key_id: 'key1', req_cnf: '{}' }, 'data.token_type', "msal-ts takes MSAL Python's data keys in camelCase: write tokenType"],
    ['another key', { tokenType: 'ssh-cert', keyId: 'k', reqCnf: '{}', scope: 'x' }, 'data.scope', 'data takes tokenType, keyId and reqCnf only'],
    ['another token type', { tokenType: 'Bearer', keyId: 'k', reqCnf: '{}' }, 'data.tokenType', 'expected "ssh-cert" or "pop", got "Bearer"'],
    ['not an object', 'ssh-cert', 'data', "expected { tokenType: 'ssh-cert', keyId, reqCnf }"],
  ])('%s: a UsageError before any request, on every method that takes data', async (_, data, argument, message) => {
    const w = world()
    const account = (await signIn(w)).account!
    w.idp.clearRequests()
    const flow = await w.app.initiateDeviceFlow(SSH_SCOPES)
    const options = { data: data as never }
    for (const call of [
      () => w.app.acquireTokenSilent(SSH_SCOPES, account, options),
      () => w.app.acquireTokenSilentWithError(SSH_SCOPES, account, options),
      () => w.app.acquireTokenByRefreshToken('rt', SSH_SCOPES, options),
      () => w.app.acquireTokenByUsernamePassword(ALICE, 'pw', SSH_SCOPES, options),
      () => w.app.acquireTokenByDeviceFlow(flow, options),
      () => w.app.acquireTokenByAuthorizationCode('code', SSH_SCOPES, options),
      () => w.service.acquireTokenForClient(SSH_SCOPES, options),
    ]) {
      const error = await rejectionOf(call())
      expect(error).toMatchObject({ kind: 'UsageError', argument })
      expect(error.message.startsWith(`${argument}: ${message}`)).toBe(true)
    }
    expect(w.idp.tokenRequests).toEqual([])
  })
})

describe('PoP tokens for a key the app holds (AtPopWithExternalKeyTestCase): data with tokenType "pop"', () => {
  const popData = (kid: string): KeyBoundTokenData => ({ tokenType: 'pop', keyId: kid, reqCnf: Buffer.from(JSON.stringify({ kid, xms_ksl: 'sw' })).toString('base64url') })

  it('the unsigned PoP access token (the app signs its requests itself), cached with key_id; another key gets a new one', async () => {
    const w = world()
    const account = (await signIn(w)).account!
    w.idp.clearRequests()
    const first = (await w.app.acquireTokenSilent(['User.Read'], account, { data: popData('my-key-1') }))!
    expect(first).toMatchObject({ tokenType: 'pop', tokenSource: 'identity_provider' })
    // Not signed into a request: the access token itself, bound to the app's key.
    expect(decodeJwt(first.accessToken)).toMatchObject({ cnf: { kid: 'my-key-1' } })
    expect(await w.app.acquireTokenSilent(['User.Read'], account, { data: popData('my-key-1') })).toMatchObject({ tokenSource: 'cache', accessToken: first.accessToken })
    const second = (await w.app.acquireTokenSilent(['User.Read'], account, { data: popData('my-key-2') }))!
    expect(decodeJwt(second.accessToken)).toMatchObject({ cnf: { kid: 'my-key-2' } })
    expect(w.idp.tokenRequests.map((request) => request.form['key_id'])).toEqual(['my-key-1', 'my-key-2'])
  })

  it('raw JSON as req_cnf is what Entra answers with HTTP 500 (MSAL Python\'s note): a ServerError', async () => {
    const w = world()
    const account = (await signIn(w)).account!
    const error = await rejectionOf(w.app.acquireTokenSilentWithError(['User.Read'], account, { data: { tokenType: 'pop', keyId: 'k', reqCnf: JSON.stringify({ kid: 'k' }) } }))
    expect(error).toMatchObject({ kind: 'ServerError', error: 'server_error' })
  })
})

describe("TokenCache with key_id (MSAL Python's tests/test_token_cache.py)", () => {
  const response = (accessToken: string) => ({ access_token: accessToken, token_type: 'ssh-cert', expires_in: 3600, scope: 's2 s1 s3' })
  const add = (cache: TokenCache, accessToken: string, keyId: string) =>
    cache.add({ clientId: 'my_client_id', scope: ['s2', 's1', 's3'], tokenEndpoint: 'https://login.example.com/contoso/v2/token', response: response(accessToken), data: { key_id: keyId } }, 1000)

  it('test_extra_data_should_also_be_recorded_and_searchable_in_access_token', () => {
    const cache = new TokenCache()
    add(cache, 'an access token', 'test_key_id')
    const found = cache.find('AccessToken', { query: { key_id: 'test_key_id' }, now: 1000 })
    expect(found).toEqual([expect.objectContaining({ secret: 'an access token', key_id: 'test_key_id', token_type: 'ssh-cert' })])
    expect(cache.find('AccessToken', { query: { key_id: 'another' }, now: 1000 })).toEqual([])
  })

  it('test_access_tokens_with_different_key_id: kept apart here (MSAL Python keeps 1: its key leaves key_id out)', () => {
    const cache = new TokenCache()
    add(cache, 'token for key 1', 'key1')
    add(cache, 'token for key 2', 'key2')
    expect(cache.find('AccessToken', { now: 1000 })).toHaveLength(2)
    expect(cache.find('AccessToken', { query: { key_id: 'key1' }, now: 1000 }).map((at) => at.secret)).toEqual(['token for key 1'])
    expect(cache.find('AccessToken', { query: { key_id: 'key2' }, now: 1000 }).map((at) => at.secret)).toEqual(['token for key 2'])
  })
})
