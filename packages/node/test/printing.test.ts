/**
 * No secret by printing. `console.log(app)`, `util.inspect(app)` and `JSON.stringify(app)`
 * showed the client secret, a client assertion, a proxy URL with its password and the whole
 * token cache with refresh tokens. Applications, caches, persistences and errors now print what
 * they are, never what they keep: checked here for every credential form, with a proxy password,
 * an encrypted file persistence, a Redis client holding a password, and a cache holding a
 * signed-in user's refresh token.
 */
import { createPrivateKey, randomBytes, randomUUID, X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import { format, inspect } from 'node:util'
import { SignJWT } from 'jose'
import { ConfidentialClientApplication as WebConfidentialClientApplication } from '@msal-ts/browser'
import { ConfidentialClientApplication, FilePersistence, MsalError, PublicClientApplication, RedisPersistence, SerializableTokenCache, type ClientCredentialOption } from '@msal-ts/node'
import { FakeIdentityProvider } from '@msal-ts/testing'
import { CERTIFICATE_FIXTURES_DIR, certificateFixture, FIXTURE_PASSPHRASE } from '../../testing/test/fixtures/certificates/index.js'

const TENANT = 'contoso.onmicrosoft.com'
const AUTHORITY = `https://login.microsoftonline.com/${TENANT}`
const CLIENT = 'b4c5d6e7-f8a9-4b0c-9d1e-2f3a4b5c6d7e'
const PUBLIC_CLIENT = 'c5d6e7f8-a9b0-4c1d-8e2f-3a4b5c6d7e8f'
const ALICE = 'alice@contoso.onmicrosoft.com'
const ALICE_PASSWORD = 'Alice-Password-Not-For-Printing'
const SECRET = 'client-secret-not-for-printing'
const PROXY_PASSWORD = 'proxy-password-not-for-printing'
const REDIS_PASSWORD = 'redis-password-not-for-printing'
const ENCRYPTION_KEY = randomBytes(32).toString('base64url')

const leafPem = certificateFixture('leaf.cert.pem')
const leaf = new X509Certificate(leafPem)
const sha1 = leaf.fingerprint.replace(/:/g, '')
const sha256 = leaf.fingerprint256.replace(/:/g, '')
const keyPem = certificateFixture('leaf.key.pkcs8.pem')
/** A line from the middle of each key file: any printed piece of a key would include one. */
const keyLines = [keyPem, certificateFixture('leaf.key.pkcs1.encrypted.pem')].map((pem) => pem.split('\n')[5]!)

const selfSigned = (): Promise<string> => {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ aud: `${AUTHORITY}/oauth2/v2.0/token`, iss: CLIENT, sub: CLIENT, jti: randomUUID(), iat: now, exp: now + 600 })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: Buffer.from(sha1, 'hex').toString('base64url') })
    .sign(createPrivateKey(keyPem))
}

/** Every way an application prints an object. */
const printed = (value: unknown): string[] => [
  inspect(value),
  inspect(value, { depth: Number.POSITIVE_INFINITY }),
  inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true, getters: true }),
  format('%s %o %O %j', value, value, value, value),
  JSON.stringify(value) ?? '',
  String(value),
  `${Object.keys(value as object).join(',')}`,
  JSON.stringify({ ...(value as object) }),
]

const expectNothingSecret = (value: unknown, secrets: readonly string[]): void => {
  for (const text of printed(value)) for (const secret of secrets) expect(text).not.toContain(secret)
}

let idp: FakeIdentityProvider
beforeAll(() => {
  idp = new FakeIdentityProvider()
    .registerApp({ clientId: CLIENT, clientSecret: SECRET, certificates: [leafPem] })
    .registerApp({ clientId: PUBLIC_CLIENT })
    .registerUser({ username: ALICE, password: ALICE_PASSWORD })
})

/** The access token a user's SPA got for the API (CLIENT): what a web API is called with. */
const incomingToken = async (username: string): Promise<string> => {
  const scope = `api://${CLIENT}/access_as_user`
  const refreshToken = idp.issueRefreshToken({ username, clientId: PUBLIC_CLIENT, scopes: [scope] })
  const answer = await idp.http({ method: 'POST', url: `${AUTHORITY}/oauth2/v2.0/token`, headers: {}, form: { grant_type: 'refresh_token', client_id: PUBLIC_CLIENT, refresh_token: refreshToken, scope } })
  if (answer._tag !== 'HttpResponse') throw new Error('no answer')
  return (JSON.parse(answer.body) as { access_token: string }).access_token
}

describe.each<[string, () => ClientCredentialOption | Promise<ClientCredentialOption>, readonly string[]]>([
  ['a client secret', () => SECRET, [SECRET]],
  ['a client secret sent in a Basic header', () => ({ clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic' }), [SECRET]],
  ['a PEM key and thumbprint', () => ({ privateKey: keyPem, thumbprint: sha1 }), keyLines],
  ['an encrypted key and its passphrase', () => ({ privateKey: certificateFixture('leaf.key.pkcs1.encrypted.pem'), passphrase: FIXTURE_PASSPHRASE, thumbprintSha256: sha256 }), [FIXTURE_PASSPHRASE, ...keyLines]],
  ['a PFX file and its passphrase', () => ({ privateKeyPfxPath: join(CERTIFICATE_FIXTURES_DIR, 'leaf.pfx'), passphrase: FIXTURE_PASSPHRASE }), [FIXTURE_PASSPHRASE]],
  ['a pre-signed assertion', async () => ({ clientAssertion: await selfSigned() }), []],
  ['an assertion callback', () => ({ clientAssertion: selfSigned }), []],
])('an application with %s, a proxy password and a persisted cache holding refresh tokens', (_name, credential, credentialSecrets) => {
  it('prints none of them: the app, its cache, its persistence, its errors', async () => {
    const clientCredential = await credential()
    const assertion = typeof clientCredential === 'object' && 'clientAssertion' in clientCredential && typeof clientCredential.clientAssertion === 'string' ? [clientCredential.clientAssertion] : []
    const persistence = new FilePersistence(join(CERTIFICATE_FIXTURES_DIR, '..', 'never-written.json'), { encryptionKey: ENCRYPTION_KEY })
    const tokenCache = new SerializableTokenCache()
    const app = new ConfidentialClientApplication({ clientId: CLIENT, clientCredential, authority: AUTHORITY, httpClient: idp.fetch, tokenCache })
    const signedIn = await app.acquireTokenByUsernamePassword(ALICE, ALICE_PASSWORD, ['User.Read'])
    const appToken = await app.acquireTokenForClient(['https://graph.microsoft.com/.default'])
    // A web API's call for its caller, with a cache of its own: the app keeps the incoming token (a bearer token) with its hash.
    const api = new ConfidentialClientApplication({ clientId: CLIENT, clientCredential, authority: AUTHORITY, httpClient: idp.fetch })
    const incoming = await incomingToken(ALICE)
    const forCaller = await api.acquireTokenOnBehalfOf(incoming, ['User.Read'])
    expect(forCaller.tokenSource).toBe('identity_provider')
    const [refreshToken] = tokenCache.find('RefreshToken')
    const proxied = new ConfidentialClientApplication({ clientId: CLIENT, clientCredential, authority: AUTHORITY, proxy: `http://user:${PROXY_PASSWORD}@proxy.contoso.example:3128`, tokenCache })
    const secrets = [...credentialSecrets, ...assertion, PROXY_PASSWORD, ENCRYPTION_KEY, ALICE_PASSWORD, refreshToken!.secret, signedIn.accessToken, signedIn.idToken!, appToken.accessToken, incoming, forCaller.accessToken]

    for (const value of [app, api, api.tokenCache, proxied, tokenCache, persistence, new SerializableTokenCache({ persistence })]) expectNothingSecret(value, secrets)
    // What they print says what they are.
    expect(inspect(app, { breakLength: Number.POSITIVE_INFINITY })).toBe(
      `ConfidentialClientApplication { clientId: '${CLIENT}', authority: '${AUTHORITY}', credential: ${inspect(app.toJSON().credential)} }`,
    )
    expect(app.toJSON().credential).toMatch(/^a (client secret|certificate|client assertion|client assertion callback)$/)
    expect(JSON.parse(JSON.stringify(tokenCache))).toEqual({ accessTokens: 2, refreshTokens: 1, idTokens: 1, accounts: 1, appMetadata: 1 })
    expect(inspect(persistence)).toContain('encrypted: true')

    // An error from this app (the identity provider refusing the password) prints nothing secret either.
    const refused = await app.acquireTokenByUsernamePassword(ALICE, 'Wrong-Password-Not-For-Printing', ['User.Read']).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(MsalError)
    expectNothingSecret(refused, [...secrets, 'Wrong-Password-Not-For-Printing'])
  })
})

describe('the other classes that hold secrets', () => {
  it('a public client and its cache', async () => {
    const tokenCache = new SerializableTokenCache()
    const app = new PublicClientApplication({ clientId: PUBLIC_CLIENT, authority: AUTHORITY, httpClient: idp.fetch, tokenCache })
    const result = await app.acquireTokenByUsernamePassword(ALICE, ALICE_PASSWORD, ['User.Read'])
    expectNothingSecret(app, [ALICE_PASSWORD, result.accessToken, result.idToken!, tokenCache.find('RefreshToken')[0]!.secret])
    expect(inspect(app, { breakLength: Number.POSITIVE_INFINITY })).toBe(`PublicClientApplication { clientId: '${PUBLIC_CLIENT}', authority: '${AUTHORITY}' }`)
  })

  it('the web-platform confidential client', () => {
    const app = new WebConfidentialClientApplication({ clientId: CLIENT, clientCredential: SECRET, authority: AUTHORITY, httpClient: idp.fetch as never })
    expectNothingSecret(app, [SECRET])
    expect(JSON.parse(JSON.stringify(app))).toEqual({ clientId: CLIENT, authority: AUTHORITY, credential: 'a client secret' })
  })

  it('a Redis persistence whose client holds a password in its options', () => {
    const client = {
      options: { url: `redis://default:${REDIS_PASSWORD}@cache.contoso.example:6379`, password: REDIS_PASSWORD },
      get: async () => null,
      eval: async () => [1],
      evalSha: async () => [1],
    }
    const persistence = new RedisPersistence(client)
    expectNothingSecret(persistence, [REDIS_PASSWORD])
    expectNothingSecret(new SerializableTokenCache({ persistence }), [REDIS_PASSWORD])
    expect(JSON.parse(JSON.stringify(persistence))).toEqual({ keyPrefix: 'msal-ts:', commandTimeoutMs: 5000 })
  })
})
