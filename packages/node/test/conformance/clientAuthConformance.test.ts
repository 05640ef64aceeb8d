/**
 * The confidential client's credentials against a real provider: ConfidentialClientApplication
 * with `oidcAuthority` asks oidc-provider for client-credentials tokens, authenticating with a
 * certificate (PEM key and SHA-1 or SHA-256 thumbprint, with or without its certificate chain),
 * a PFX file, or a secret in the header or the form. oidc-provider verifies each assertion with
 * the key the client registered and refuses a replayed one; the library recovers from that.
 */
import type { HttpClient } from '@msal-ts/browser'
import { ConfidentialClientApplication, SerializableTokenCache, type ConfidentialClientApplicationOptions } from '@msal-ts/node'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { rejectionOf } from '../support/rejection.js'
import { FIXTURE_PASSPHRASE, fixturePath, type CertificateCredential } from './certificateCredentials.js'
import { daemonCredentials, type DaemonCredentials } from './daemons.js'
import {
  DAEMON_API,
  DAEMON_SECRET_BASIC,
  DAEMON_SECRET_POST,
  startOidcProvider,
  type EndpointCall,
  type OidcProviderHarness,
} from './oidcProviderHarness.js'

let op: OidcProviderHarness
let daemons: DaemonCredentials

beforeAll(async () => {
  daemons = daemonCredentials()
  op = await startOidcProvider({ keyDaemons: daemons.keyDaemons })
})
afterAll(() => op.close())
afterEach(() => expect(op.serverErrors).toEqual([]))

/** A token request as the app sent it: its form and headers. */
interface SentRequest {
  readonly url: string
  readonly form: Record<string, string>
  readonly headers: Record<string, string>
}

/** The runtime's fetch, recording every request the app makes. */
const recordingFetch = (sent: SentRequest[]): HttpClient => (url, init) => {
  sent.push({ url, form: Object.fromEntries(new URLSearchParams(init.body ?? '')), headers: Object.fromEntries(Object.entries(init.headers).map(([name, value]) => [name.toLowerCase(), value])) })
  return fetch(url, init)
}

type Credential = ConfidentialClientApplicationOptions['clientCredential']

const daemonApp = (clientId: string, clientCredential: Credential, sent: SentRequest[] = [], extra: Partial<ConfidentialClientApplicationOptions> = {}) =>
  new ConfidentialClientApplication({ clientId, clientCredential, oidcAuthority: op.issuer, tokenCache: new SerializableTokenCache(), httpClient: recordingFetch(sent), ...extra })

const tokenRequestsIn = (sent: readonly SentRequest[]): SentRequest[] => sent.filter((request) => request.url === op.tokenEndpoint)

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The assertion a request carried: its header and claims, checked against MSAL's shape. */
const expectMsalAssertion = (request: SentRequest, clientId: string, header: Record<string, unknown>): Record<string, unknown> => {
  expect(request.form).toMatchObject({ grant_type: 'client_credentials', client_id: clientId, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' })
  const assertion = request.form['client_assertion']!
  expect(decodeProtectedHeader(assertion)).toEqual(header)
  const claims = decodeJwt(assertion)
  expect(claims).toEqual({ aud: op.tokenEndpoint, iss: clientId, sub: clientId, exp: expect.any(Number), iat: expect.any(Number), jti: expect.stringMatching(UUID) })
  expect(claims.exp! - claims.iat!).toBe(600)
  expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(60)
  return claims
}

const rs256Header = (credential: CertificateCredential) => ({ alg: 'RS256', typ: 'JWT', x5t: credential.x5t })
const ps256Header = (credential: CertificateCredential) => ({ alg: 'PS256', typ: 'JWT', 'x5t#S256': credential.x5tS256 })

/** Asks for the daemon API's token; the provider issued it to this client, by this method, once. */
const acquireAppToken = async (app: ConfidentialClientApplication, clientId: string, clientAuthMethod: string, scope = 'api.read') => {
  const mark = op.calls.length
  const result = await app.acquireTokenForClient([scope])
  expect(result).toMatchObject({ tokenSource: 'identity_provider', tokenType: 'Bearer', scopes: [scope] })
  expect(decodeJwt(result.accessToken)).toMatchObject({ iss: op.issuer, aud: DAEMON_API.resource, client_id: clientId, scope })
  expect(op.calls.slice(mark)).toMatchObject([{ route: 'token', grantType: 'client_credentials', clientId, clientAuthMethod, status: 200 }])
  return result
}

describe('certificate credentials at oidc-provider (private_key_jwt)', () => {
  it('{ privateKey, thumbprint }: RS256 with x5t, no kid; the provider finds the key among the client\'s two', async () => {
    const { daemon, credential } = daemons.rs256
    const sent: SentRequest[] = []
    const app = daemonApp(daemon.clientId, { privateKey: credential.privateKeyPem, thumbprint: credential.sha1Hex }, sent)
    await acquireAppToken(app, daemon.clientId, 'private_key_jwt')
    const [request, ...others] = tokenRequestsIn(sent)
    expect(others).toEqual([])
    expectMsalAssertion(request!, daemon.clientId, rs256Header(credential))
    // What the provider received is what was sent.
    expect(op.calls.at(-1)!.assertion?.header).toEqual(rs256Header(credential))
    // The second call is the cache's.
    expect(await app.acquireTokenForClient(['api.read'])).toMatchObject({ tokenSource: 'cache' })
    expect(tokenRequestsIn(sent)).toHaveLength(1)
  })

  it('{ privateKey, thumbprintSha256 }: PS256 with x5t#S256', async () => {
    const { daemon, credential } = daemons.ps256
    const sent: SentRequest[] = []
    await acquireAppToken(daemonApp(daemon.clientId, { privateKey: credential.privateKeyPem, thumbprintSha256: credential.sha256Hex }, sent), daemon.clientId, 'private_key_jwt')
    expectMsalAssertion(tokenRequestsIn(sent)[0]!, daemon.clientId, ps256Header(credential))
  })

  it('{ privateKey, thumbprint, publicCertificate }: RS256 with x5t and the certificate as x5c', async () => {
    const { daemon, credential } = daemons.rs256
    const sent: SentRequest[] = []
    const option = { privateKey: credential.privateKeyPem, thumbprint: credential.sha1Hex, publicCertificate: credential.certificatePem }
    await acquireAppToken(daemonApp(daemon.clientId, option, sent), daemon.clientId, 'private_key_jwt')
    expectMsalAssertion(tokenRequestsIn(sent)[0]!, daemon.clientId, { ...rs256Header(credential), x5c: [credential.certificateBase64] })
  })

  it('{ privateKeyPfxPath, passphrase }: PS256 with the PFX certificate\'s x5t#S256', async () => {
    const { daemon, credential } = daemons.leafPs256
    const sent: SentRequest[] = []
    const option = { privateKeyPfxPath: fixturePath('leaf.pfx'), passphrase: FIXTURE_PASSPHRASE }
    await acquireAppToken(daemonApp(daemon.clientId, option, sent), daemon.clientId, 'private_key_jwt')
    expectMsalAssertion(tokenRequestsIn(sent)[0]!, daemon.clientId, ps256Header(credential))
  })

  it('{ privateKeyPfxPath, passphrase, publicCertificate: true }: a CA-issued certificate, its chain sent as x5c (leaf first)', async () => {
    const { daemon, credential } = daemons.ps256
    const sent: SentRequest[] = []
    const option = { privateKeyPfxPath: fixturePath('issued.chain.pfx'), passphrase: FIXTURE_PASSPHRASE, publicCertificate: true }
    await acquireAppToken(daemonApp(daemon.clientId, option, sent), daemon.clientId, 'private_key_jwt')
    const ca = daemons.ca
    expectMsalAssertion(tokenRequestsIn(sent)[0]!, daemon.clientId, { ...ps256Header(credential), x5c: [credential.certificateBase64, ca.certificateBase64] })
  })

  it('a key the client did not register: the provider\'s invalid_client, as a ServerError, and no retry (nothing was reused)', async () => {
    const { daemon } = daemons.rs256
    const { unregistered } = daemons
    const sent: SentRequest[] = []
    const refused = await rejectionOf(daemonApp(daemon.clientId, { privateKey: unregistered.privateKeyPem, thumbprint: unregistered.sha1Hex }, sent).acquireTokenForClient(['api.read']))
    expect(refused).toMatchObject({ kind: 'ServerError', error: 'invalid_client', errorDescription: 'client authentication failed', status: 401 })
    expect(tokenRequestsIn(sent)).toHaveLength(1)
    expect(op.calls.at(-1)).toMatchObject({ clientId: daemon.clientId, status: 401, errorDetail: 'signature verification failed' })
  })

  it('a client registered for PS256 refuses the RS256 assertion a SHA-1 thumbprint makes: give thumbprintSha256', async () => {
    const { daemon, credential } = daemons.ps256
    const refused = await rejectionOf(daemonApp(daemon.clientId, { privateKey: credential.privateKeyPem, thumbprint: credential.sha1Hex }).acquireTokenForClient(['api.read']))
    expect(refused).toMatchObject({ kind: 'ServerError', error: 'invalid_client', status: 401 })
    expect(op.calls.at(-1)).toMatchObject({ clientId: daemon.clientId, errorDetail: 'alg mismatch' })
  })
})

describe('client secrets at oidc-provider', () => {
  it('{ clientSecret, tokenEndpointAuthMethod: \'client_secret_basic\' }: the secret in a Basic Authorization header, not in the form', async () => {
    const { clientId, clientSecret } = DAEMON_SECRET_BASIC
    const sent: SentRequest[] = []
    await acquireAppToken(daemonApp(clientId, { clientSecret, tokenEndpointAuthMethod: 'client_secret_basic' }, sent), clientId, 'client_secret_basic')
    const [request] = tokenRequestsIn(sent)
    expect(request!.headers['authorization']).toBe(`Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`)
    expect(request!.form).not.toHaveProperty('client_secret')
  })

  it('a string: the secret in the form (client_secret_post)', async () => {
    const { clientId, clientSecret } = DAEMON_SECRET_POST
    const sent: SentRequest[] = []
    await acquireAppToken(daemonApp(clientId, clientSecret, sent), clientId, 'client_secret_post')
    const [request] = tokenRequestsIn(sent)
    expect(request!.form).toMatchObject({ client_id: clientId, client_secret: clientSecret })
    expect(request!.headers).not.toHaveProperty('authorization')
  })
})

describe('assertion reuse against replay detection', () => {
  /** The jti of each assertion the provider received. */
  const jtisOf = (calls: readonly EndpointCall[]): unknown[] => calls.map((call) => call.assertion?.claims['jti'])

  it('a reused assertion (reuseClientAssertion: true, MSAL\'s way) is refused as a replay; the library signs a new one, retries once, and reuses none afterwards', async () => {
    const { daemon, credential } = daemons.rs256
    const sent: SentRequest[] = []
    const app = daemonApp(daemon.clientId, { privateKey: credential.privateKeyPem, thumbprint: credential.sha1Hex }, sent, { reuseClientAssertion: true })
    const mark = op.calls.length

    await acquireAppToken(app, daemon.clientId, 'private_key_jwt', 'api.read')
    // Another scope, within 540 s: the app sends the assertion it signed for the first request.
    const second = await app.acquireTokenForClient(['api.write'])
    expect(second).toMatchObject({ tokenSource: 'identity_provider', scopes: ['api.write'] })
    expect(decodeJwt(second.accessToken)).toMatchObject({ client_id: daemon.clientId, scope: 'api.write' })
    // A claims challenge skips the cache: a third request, with a new assertion from the start.
    await app.acquireTokenForClient(['api.read'], { claimsChallenge: JSON.stringify({ access_token: { nbf: { essential: true, value: `${Math.floor(Date.now() / 1000)}` } } }) })

    const calls = op.calls.slice(mark)
    expect(calls).toMatchObject([
      { clientId: daemon.clientId, clientAuthMethod: 'private_key_jwt', scope: 'api.read', status: 200 },
      { clientId: daemon.clientId, scope: 'api.write', status: 401, error: 'invalid_client', errorDetail: 'client assertion tokens must only be used once' },
      { clientId: daemon.clientId, scope: 'api.write', status: 200 },
      { clientId: daemon.clientId, scope: 'api.read', status: 200 },
    ])
    expect(calls.filter((call) => call.errorDetail === 'client assertion tokens must only be used once')).toHaveLength(1)
    const [first, replayed, retried, third] = jtisOf(calls)
    expect(replayed).toBe(first)
    expect(new Set([first, retried, third]).size).toBe(3)

    // The app's side: the same requests, each assertion of MSAL's shape.
    const requests = tokenRequestsIn(sent)
    expect(requests).toHaveLength(4)
    expect(requests.map((request) => expectMsalAssertion(request, daemon.clientId, rs256Header(credential))['jti'])).toEqual([first, first, retried, third])
    expect(requests[1]!.form['client_assertion']).toBe(requests[0]!.form['client_assertion'])
  })
})
