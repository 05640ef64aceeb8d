/**
 * Web runtimes' credentials: certificates signed with WebCrypto (through jose) and verified by
 * the fake identity provider as Entra verifies them, secrets, assertions, and every key web
 * runtimes cannot use refused with what to do instead.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto'
import { ConfidentialClientApplication, MsalError, readPkcs8RsaKey, type WebClientCredentialOption } from '@msal-ts/browser'
import { FakeIdentityProvider } from '@msal-ts/testing'
import { certificateFixture, x5cEntry } from '../../testing/test/fixtures/certificates/index.js'

const CLIENT = '11111111-2222-4333-8444-555555555555'
const TENANT = 'contoso.onmicrosoft.com'
const AUTHORITY = `https://login.microsoftonline.com/${TENANT}`
const SCOPES = ['https://graph.microsoft.com/.default']

const leaf = new X509Certificate(certificateFixture('leaf.cert.pem'))
const issued = new X509Certificate(certificateFixture('issued.cert.pem'))
const LEAF_KEY = certificateFixture('leaf.key.pkcs8.pem')
/** Hex as the portal shows it (Node prints it with colons, which are tolerated). */
const sha1Hex = (certificate: X509Certificate): string => certificate.fingerprint
const sha256Hex = (certificate: X509Certificate): string => certificate.fingerprint256.replace(/:/g, '')

const newIdp = () =>
  new FakeIdentityProvider()
    .registerApp({ clientId: CLIENT, certificates: [certificateFixture('leaf.cert.pem')] })
    .registerApp({ clientId: 'by-subject', subjectNameIssuer: { subject: 'msal-ts-test-issued', trustedIssuers: [certificateFixture('ca.cert.pem')] } })
    .registerApp({ clientId: 'by-secret', clientSecret: 's3cret' })

const appFor = (idp: FakeIdentityProvider, clientCredential: WebClientCredentialOption, clientId = CLIENT) =>
  new ConfidentialClientApplication({ clientId, authority: AUTHORITY, clientCredential, httpClient: idp.fetch })

const thrown = (make: () => unknown): MsalError => {
  try {
    make()
  } catch (error) {
    expect(error).toBeInstanceOf(MsalError)
    return error as MsalError
  }
  throw new Error('expected an MsalError')
}

describe('certificates, signed with WebCrypto and verified by the identity provider', () => {
  it.each([
    ['a SHA-1 thumbprint: RS256 with x5t', { privateKey: LEAF_KEY, thumbprint: sha1Hex(leaf) }, 'RS256', 'x5t'],
    ['a SHA-256 thumbprint: PS256 with x5t#S256', { privateKey: LEAF_KEY, thumbprintSha256: sha256Hex(leaf) }, 'PS256', 'x5t#S256'],
  ])('%s', async (_, credential, alg, keySource) => {
    const idp = newIdp()
    const result = await appFor(idp, credential).acquireTokenForClient(SCOPES)
    expect(result.tokenSource).toBe('identity_provider')
    expect(idp.clientAuthentications).toEqual([expect.objectContaining({ clientId: CLIENT, method: 'private_key_jwt', keySource, header: expect.objectContaining({ alg, typ: 'JWT' }) })])
    expect(idp.clientAuthentications[0]!.claims).toMatchObject({ aud: `${AUTHORITY}/oauth2/v2.0/token`, iss: CLIENT, sub: CLIENT })
  })

  it('publicCertificate (leaf first) is sent as x5c: subject name / issuer authentication', async () => {
    const idp = newIdp()
    const app = appFor(idp, { privateKey: certificateFixture('issued.key.pkcs8.pem'), thumbprintSha256: sha256Hex(issued), publicCertificate: certificateFixture('issued.chain.pem') }, 'by-subject')
    await app.acquireTokenForClient(SCOPES)
    const [authentication] = idp.clientAuthentications
    expect(authentication).toMatchObject({ clientId: 'by-subject', keySource: 'x5c' })
    expect(authentication!.header!['x5c']).toEqual([x5cEntry(certificateFixture('issued.cert.pem')), x5cEntry(certificateFixture('ca.cert.pem'))])
  })

  it('a thumbprint that is not publicCertificate\'s fails the first request as a ConfigurationError, sending nothing', async () => {
    const idp = newIdp()
    const app = appFor(idp, { privateKey: LEAF_KEY, thumbprintSha256: sha256Hex(issued), publicCertificate: certificateFixture('leaf.cert.pem') })
    await expect(app.acquireTokenForClient(SCOPES)).rejects.toMatchObject({ kind: 'ConfigurationError', field: 'clientCredential', message: expect.stringContaining("clientCredential.thumbprintSha256: the thumbprint is not publicCertificate's") })
    expect(idp.tokenRequests).toHaveLength(0)
  })

  it('reads the key as Node does: type and modulus size', () => {
    expect(readPkcs8RsaKey(LEAF_KEY)).toMatchObject({ ok: { modulusBits: 2048 } })
    const big = generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
    expect(readPkcs8RsaKey(big)).toMatchObject({ ok: { modulusBits: 3072 } })
  })
})

describe('secrets and assertions', () => {
  it('a secret in the form, or in a Basic header', async () => {
    const idp = newIdp()
    await appFor(idp, 's3cret', 'by-secret').acquireTokenForClient(SCOPES)
    await appFor(idp, { clientSecret: 's3cret', tokenEndpointAuthMethod: 'client_secret_basic' }, 'by-secret').acquireTokenForClient(SCOPES)
    expect(idp.clientAuthentications.map((a) => a.method)).toEqual(['client_secret_post', 'client_secret_basic'])
  })

  it('an assertion callback is asked before each request; its failure is a ConfigurationError', async () => {
    const idp = newIdp()
    const asked: unknown[] = []
    const app = appFor(idp, { clientAssertion: (context) => (asked.push(context), 'a.b.c') })
    await expect(app.acquireTokenForClient(SCOPES)).rejects.toMatchObject({ kind: 'ServerError' }) // the fake checks the signature
    expect(asked).toEqual([{ clientId: CLIENT, tokenEndpoint: `${AUTHORITY}/oauth2/v2.0/token` }])
    const failing = appFor(idp, { clientAssertion: () => Promise.reject(new Error('vault down')) })
    await expect(failing.acquireTokenForClient(SCOPES)).rejects.toMatchObject({ kind: 'ConfigurationError', message: expect.stringContaining('vault down') })
  })
})

describe('what web runtimes cannot use is refused when the application is made, naming the field', () => {
  const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  const smallKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  it.each<[string, unknown, string, RegExp]>([
    ['nothing', undefined, 'clientCredential', /expected a client secret string, \{ clientSecret \}, \{ privateKey, thumbprint \| thumbprintSha256 \} or \{ clientAssertion \}, got nothing/],
    ['an encrypted PKCS#8 key', { privateKey: certificateFixture('leaf.key.pkcs8.encrypted.pem'), thumbprint: sha1Hex(leaf) }, 'clientCredential.privateKey', /encrypted.*openssl pkcs8 -topk8 -nocrypt/],
    ['an encrypted PKCS#1 key', { privateKey: certificateFixture('leaf.key.pkcs1.encrypted.pem'), thumbprint: sha1Hex(leaf) }, 'clientCredential.privateKey', /encrypted.*openssl pkcs8/],
    ['a passphrase', { privateKey: LEAF_KEY, passphrase: 'correct horse', thumbprint: sha1Hex(leaf) }, 'clientCredential.passphrase', /no encrypted keys: decrypt the key to PKCS#8 once/],
    ['a PKCS#1 key', { privateKey: certificateFixture('leaf.key.pkcs1.pem'), thumbprint: sha1Hex(leaf) }, 'clientCredential.privateKey', /PKCS#1 key.*convert it to PKCS#8 \(openssl pkcs8 -topk8/],
    ['a PFX file', { privateKeyPfxPath: 'app.pfx', passphrase: 'x' }, 'clientCredential.privateKeyPfxPath', /no PFX files: extract the key \(openssl pkcs12/],
    ['a certificate where the key goes', { privateKey: certificateFixture('leaf.cert.pem'), thumbprint: sha1Hex(leaf) }, 'clientCredential.privateKey', /certificate, not a private key/],
    ['an EC key', { privateKey: ecKey, thumbprint: sha1Hex(leaf) }, 'clientCredential.privateKey', /expected an RSA key \(RS256\/PS256\), got ec key/],
    ['a 1024-bit RSA key', { privateKey: smallKey, thumbprint: sha1Hex(leaf) }, 'clientCredential.privateKey', /has 1024 bits; RS256 and PS256 need at least 2048/],
    ['a damaged key', { privateKey: '-----BEGIN PRIVATE KEY-----\nMIIBAAAA\n-----END PRIVATE KEY-----', thumbprint: sha1Hex(leaf) }, 'clientCredential.privateKey', /not a PKCS#8 key/],
    ['no thumbprint', { privateKey: LEAF_KEY }, 'clientCredential.thumbprint', /thumbprintSha256.*do not compute it/],
    ['no thumbprint beside publicCertificate', { privateKey: LEAF_KEY, publicCertificate: certificateFixture('leaf.cert.pem') }, 'clientCredential.thumbprint', /do not compute it from publicCertificate/],
    ['a thumbprint that is not hex', { privateKey: LEAF_KEY, thumbprint: 'nope' }, 'clientCredential.thumbprint', /40 hex digits/],
    ['a key where the certificate goes', { privateKey: LEAF_KEY, thumbprint: sha1Hex(leaf), publicCertificate: LEAF_KEY }, 'clientCredential.publicCertificate', /private key, not a certificate/],
    ['an unknown field', { clientSecret: 's', secret: 's' }, 'clientCredential.secret', /unknown field/],
    ['two credentials', { clientSecret: 's', privateKey: LEAF_KEY }, 'clientCredential', /not several/],
  ])('%s', (_, clientCredential, field, message) => {
    const error = thrown(() => new ConfidentialClientApplication({ clientId: CLIENT, authority: AUTHORITY, clientCredential: clientCredential as WebClientCredentialOption }))
    expect(error).toMatchObject({ kind: 'ConfigurationError', field })
    expect(error.message).toMatch(message)
    expect(error.message).not.toContain('MII') // no key material, ever
  })

  it('keeps no key where it could be serialized or logged', () => {
    const app = new ConfidentialClientApplication({ clientId: CLIENT, authority: AUTHORITY, clientCredential: { privateKey: LEAF_KEY, thumbprint: sha1Hex(leaf) } })
    expect(JSON.stringify(app)).not.toContain('PRIVATE KEY')
  })
})
