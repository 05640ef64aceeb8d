/**
 * Issue 14, item 8: MSAL Python's `verify` and `proxies`, which it hands to requests
 * (application.py: `self.http_client.verify = verify`, `self.http_client.proxies = proxies`;
 * "This does not apply if you have chosen to pass your own Http client").
 *
 * requests' verify: True checks certificates against its trust store, False checks nothing, a
 * path names a CA bundle used instead of the store. msal-ts on Node takes the same, and the PEM
 * text itself. requests' proxies: `{ "http": url, "https": url }`, a scheme it does not name left
 * to the environment. Web runtimes refuse both, saying what to do instead.
 *
 * The TLS peer is real: an https server on loopback whose certificate a CA made in this test
 * issued; the proxy is a real forward proxy on loopback.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfidentialClientApplication as WebConfidentialClientApplication } from '@msal-ts/browser'
import { ConfidentialClientApplication, PublicClientApplication, type ConfidentialClientApplicationOptions } from '@msal-ts/node'
import { FakeIdentityProvider } from '@msal-ts/testing'
import { rejectionOf } from '../support/rejection.js'
import { startProxy, type TestProxy } from '../support/testProxy.js'
import { issueServerCertificate, makeCertificateAuthority, startTlsIdentityProvider, type CertificateAuthority, type TlsIdentityProvider } from '../support/tlsIdentityProvider.js'

const CLIENT = '6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a'
const SECRET = 'tls-secret'
const SCOPES = ['api://tls/.default']

let ca: CertificateAuthority
let otherCa: CertificateAuthority
let idp: TlsIdentityProvider
let dir: string
let caPath: string

beforeAll(async () => {
  ca = makeCertificateAuthority('msal-ts test TLS-inspecting proxy CA')
  otherCa = makeCertificateAuthority('msal-ts test unrelated CA')
  idp = await startTlsIdentityProvider(issueServerCertificate(ca))
  dir = mkdtempSync(join(tmpdir(), 'msal-ts-verify-'))
  caPath = join(dir, 'ca-bundle.pem')
  writeFileSync(caPath, `${otherCa.certificatePem}${ca.certificatePem}`)
})
afterAll(async () => {
  await idp.close()
  rmSync(dir, { recursive: true, force: true })
})

const app = (options: Partial<ConfidentialClientApplicationOptions> = {}) =>
  new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: SECRET, oidcAuthority: idp.issuer, proxy: false, ...options })

describe('verify, as MSAL Python passes it to requests', () => {
  it('verify unset (MSAL Python\'s True): a certificate from a CA the trust store does not hold is refused, as a NetworkError', async () => {
    const error = await rejectionOf(app().acquireTokenForClient(SCOPES))
    expect(error).toMatchObject({ kind: 'NetworkError' })
    expect(error.message).toMatch(/certificate/i)
    expect(idp.requests).not.toContain('POST /token')
  })

  it('verify: a CA bundle\'s path (as requests takes it) trusts that CA: the token comes back', async () => {
    expect(await app({ verify: caPath }).acquireTokenForClient(SCOPES)).toMatchObject({ accessToken: 'tls-access-token', tokenSource: 'identity_provider' })
  })

  it('verify: the bundle\'s PEM text does the same', async () => {
    expect(await app({ verify: ca.certificatePem }).acquireTokenForClient(SCOPES)).toMatchObject({ accessToken: 'tls-access-token' })
  })

  it('verify: a bundle without the server\'s CA replaces the trust store (as requests): the certificate is refused', async () => {
    const error = await rejectionOf(app({ verify: otherCa.certificatePem }).acquireTokenForClient(SCOPES))
    expect(error).toMatchObject({ kind: 'NetworkError' })
    expect(error.message).toMatch(/certificate/i)
  })

  it('verify: false checks nothing, with a loud warning: a process warning on stderr and a warning log line', async () => {
    // What the library hands to Node's warning channel (which prints it on stderr); jest's sandboxed
    // process does not deliver 'warning' events to a test, so the call itself is recorded.
    const warnings: Array<{ message: string; code: unknown }> = []
    const emitWarning = process.emitWarning
    process.emitWarning = ((warning: string | Error, options?: { code?: string }) => {
      warnings.push({ message: String(warning), code: typeof options === 'object' ? options.code : undefined })
      return emitWarning.call(process, warning, options as never)
    }) as typeof process.emitWarning
    const lines: string[] = []
    try {
      const unverified = app({ verify: false, logger: (level, message) => lines.push(`${level}: ${message}`) })
      expect(await unverified.acquireTokenForClient(SCOPES)).toMatchObject({ accessToken: 'tls-access-token' })
    } finally {
      process.emitWarning = emitWarning
    }
    expect(warnings).toEqual([{ code: 'MSAL_TS_TLS_VERIFICATION_OFF', message: expect.stringContaining('TLS certificate verification is off') }])
    expect(lines).toContainEqual(expect.stringMatching(/^warning: TLS certificate verification is off/))
  })

  it('verify holds through a proxy\'s CONNECT tunnel (a TLS-inspecting proxy\'s CA): proxies: { https }', async () => {
    const proxy: TestProxy = await startProxy()
    try {
      const result = await app({ proxy: undefined, proxies: { https: proxy.url }, verify: caPath }).acquireTokenForClient(SCOPES)
      expect(result.accessToken).toBe('tls-access-token')
      expect(proxy.seen.map((r) => r.line)).toContain(`CONNECT 127.0.0.1:${idp.port}`)
      const refused = await rejectionOf(app({ proxy: undefined, proxies: { https: proxy.url } }).acquireTokenForClient(SCOPES))
      expect(refused).toMatchObject({ kind: 'NetworkError' })
    } finally {
      await proxy.close()
    }
  })

  it.each<[string, unknown, RegExp]>([
    ['a path that does not exist', '/nonexistent/ca-bundle.pem', /cannot read the CA bundle "\/nonexistent\/ca-bundle.pem" \(ENOENT\)/],
    ['a directory', tmpdir(), /is not a file/],
    ['a file without a certificate', 'PATH-OF-KEY', /holds no PEM certificate/],
    ['PEM text that is no certificate', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', /certificate 1 of 1 is not a valid X.509 certificate/],
    ['a number', 1, /expected true \(the default\), false \(no verification\), a CA bundle file's path, or the bundle's PEM text, got 1/],
    ['an empty string', '', /got an empty string/],
  ])('refuses %s with a ConfigurationError naming verify, at construction', (_, verify, message) => {
    const keyFile = join(dir, 'not-a-bundle.pem')
    writeFileSync(keyFile, ca.privateKeyPem)
    const value = verify === 'PATH-OF-KEY' ? keyFile : verify
    expect(() => app({ verify: value as string })).toThrow(expect.objectContaining({ kind: 'ConfigurationError', field: 'verify', message: expect.stringMatching(message) }))
    // The PEM of a private key never reaches the message.
    try {
      app({ verify: value as string })
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('PRIVATE KEY')
    }
  })

  it('verify beside httpClient is a ConfigurationError (MSAL Python: it does not apply to your own http_client); verify: true is the default and fine', () => {
    const fake = new FakeIdentityProvider()
    expect(() => new PublicClientApplication({ clientId: CLIENT, httpClient: fake.fetch, verify: caPath })).toThrow(expect.objectContaining({ kind: 'ConfigurationError', field: 'verify' }))
    expect(() => new PublicClientApplication({ clientId: CLIENT, httpClient: fake.fetch, verify: false })).toThrow(expect.objectContaining({ kind: 'ConfigurationError', field: 'verify' }))
    expect(() => new PublicClientApplication({ clientId: CLIENT, httpClient: fake.fetch, verify: true })).not.toThrow()
  })
})

describe('proxies, as MSAL Python passes it to requests ({ http, https })', () => {
  const CLEAR_ENV = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'] as const
  const saved = new Map<string, string | undefined>()
  beforeAll(() => {
    for (const name of CLEAR_ENV) {
      saved.set(name, process.env[name])
      delete process.env[name]
    }
  })
  afterAll(() => {
    for (const [name, value] of saved) if (value === undefined) delete process.env[name]
    else process.env[name] = value
  })

  let fake: FakeIdentityProvider
  let base: string
  let proxy: TestProxy
  beforeEach(async () => {
    fake = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET })
    base = await fake.listen()
    proxy = await startProxy()
  })
  afterEach(async () => {
    await proxy.close()
    await fake.close()
  })

  const httpApp = (options: Partial<ConfidentialClientApplicationOptions>) =>
    new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: SECRET, authority: `${base}/contoso`, ...options })

  it('proxies.http sends http URLs through that proxy (for every host, as requests applies explicit proxies)', async () => {
    expect((await httpApp({ proxies: { http: proxy.url } }).acquireTokenForClient(SCOPES)).tokenSource).toBe('identity_provider')
    expect(proxy.seen.map((r) => r.line)).toEqual([`GET ${base}/contoso/v2.0/.well-known/openid-configuration`, `POST ${base}/contoso/oauth2/v2.0/token`])
  })

  it('a scheme proxies does not name is left to the environment (here: none), as requests leaves it', async () => {
    expect((await httpApp({ proxies: { https: proxy.url } }).acquireTokenForClient(SCOPES)).tokenSource).toBe('identity_provider')
    expect(proxy.seen).toEqual([])
    expect(fake.requests).toHaveLength(2)
  })

  it.each<[string, Partial<ConfidentialClientApplicationOptions>, string, RegExp]>([
    ['proxy and proxies together', { proxy: 'http://127.0.0.1:3128', proxies: { https: 'http://127.0.0.1:3128' } }, 'proxies', /either proxy .* or proxies/],
    ['a key msal-ts does not take (requests\' "all")', { proxies: { all: 'http://127.0.0.1:3128' } as never }, 'proxies.all', /"http" and "https" URLs only/],
    ['a URL that is not one', { proxies: { https: 'ftp://user:hunter2@proxy' } }, 'proxies.https', /must start with http:\/\/ or https:\/\//],
    ['not an object', { proxies: 'http://127.0.0.1:3128' as never }, 'proxies', /expected \{ http\?: proxy URL, https\?: proxy URL \}/],
    ['proxies beside httpClient', { proxies: { https: 'http://127.0.0.1:3128' }, httpClient: new FakeIdentityProvider().fetch }, 'proxies', /either httpClient or proxies/],
  ])('refuses %s with a ConfigurationError naming the field, never quoting a password', (_, options, field, message) => {
    let thrown: unknown
    try {
      httpApp(options)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toMatchObject({ kind: 'ConfigurationError', field, message: expect.stringMatching(message) })
    expect(String((thrown as Error).message)).not.toContain('hunter2')
  })
})

describe('web runtimes refuse verify and proxies, saying what to do instead', () => {
  it.each([
    ['verify', { verify: false }, /platform's trust store/],
    ['proxies', { proxies: { https: 'http://127.0.0.1:3128' } }, /as the platform decides/],
  ])('%s', (field, options, message) => {
    expect(() => new WebConfidentialClientApplication({ clientId: CLIENT, clientCredential: SECRET, ...(options as object) } as never)).toThrow(
      expect.objectContaining({ kind: 'ConfigurationError', field, message: expect.stringMatching(message) }),
    )
  })
})
