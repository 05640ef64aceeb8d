/**
 * The conformance harness's client authentication, shown with hand-made requests: oidc-provider
 * checks private_key_jwt assertions (RFC 7523) with MSAL's header shapes (no kid), their
 * audience, their one-time use, and client secrets sent each way. The library's own requests
 * are in clientAuthConformance.test.ts; this file is what they are measured against.
 */
import { createPrivateKey, randomUUID } from 'node:crypto'
import { decodeJwt, SignJWT } from 'jose'
import { fixtureThumbprints, type CertificateCredential } from './certificateCredentials.js'
import { daemonCredentials, type DaemonCredentials } from './daemons.js'
import {
  DAEMON_API,
  DAEMON_SECRET_BASIC,
  DAEMON_SECRET_POST,
  startOidcProvider,
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

interface AssertionOptions {
  readonly alg: 'RS256' | 'PS256'
  readonly header?: Record<string, unknown>
  readonly aud?: string
  readonly jti?: string
}

/** An assertion as MSAL makes one: {alg, typ JWT, x5t or x5t#S256}, aud the token endpoint, 600 s. */
const assertion = (clientId: string, credential: CertificateCredential, options: AssertionOptions): Promise<string> => {
  const now = Math.floor(Date.now() / 1000)
  const thumbprint = options.alg === 'PS256' ? { 'x5t#S256': credential.x5tS256 } : { x5t: credential.x5t }
  return new SignJWT({ aud: options.aud ?? op.tokenEndpoint, iss: clientId, sub: clientId, exp: now + 600, iat: now, jti: options.jti ?? randomUUID() })
    .setProtectedHeader({ alg: options.alg, typ: 'JWT', ...thumbprint, ...options.header })
    .sign(createPrivateKey(credential.privateKeyPem))
}

interface TokenAnswer {
  readonly status: number
  readonly body: Record<string, unknown>
}

const tokenRequest = async (form: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenAnswer> => {
  const response = await fetch(op.tokenEndpoint, {
    method: 'POST',
    headers,
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api.read', ...form }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const withAssertion = (clientId: string, signed: string): Promise<TokenAnswer> =>
  tokenRequest({ client_id: clientId, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: signed })

/** A client-credentials answer: a JWT access token for the daemon API, for this client, with the scope asked for. */
const expectAppToken = (answer: TokenAnswer, clientId: string): void => {
  expect(answer).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: 3600, scope: 'api.read', access_token: expect.any(String) } })
  expect(decodeJwt(answer.body['access_token'] as string)).toMatchObject({ iss: op.issuer, aud: DAEMON_API.resource, client_id: clientId, scope: 'api.read' })
}

const INVALID_CLIENT = { status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } }

describe('private_key_jwt at oidc-provider, with hand-made assertions', () => {
  it('the credentials\' thumbprints are openssl\'s (the fixtures\' thumbprints.txt), and each JWK is its certificate\'s key', () => {
    const openssl = fixtureThumbprints()
    for (const [name, credential] of [['leaf', daemons.rs256.credential], ['issued', daemons.ps256.credential], ['other', daemons.unregistered]] as const) {
      expect({ x5t: credential.x5t, x5tS256: credential.x5tS256 }).toEqual(openssl[name])
      expect(credential.publicJwk).toMatchObject({ kty: 'RSA', x5t: credential.x5t, 'x5t#S256': credential.x5tS256, x5c: [credential.certificateBase64] })
      expect(credential.sha1Hex).toMatch(/^[0-9a-f]{40}$/)
      expect(credential.sha256Hex).toMatch(/^[0-9a-f]{64}$/)
    }
  })

  it('RS256 with x5t and no kid: accepted once; the same assertion again is invalid_client (replay), a new jti is accepted', async () => {
    const { rs256 } = daemons
    const signed = await assertion(rs256.daemon.clientId, rs256.credential, { alg: 'RS256' })
    const mark = op.calls.length
    expectAppToken(await withAssertion(rs256.daemon.clientId, signed), rs256.daemon.clientId)
    expect(await withAssertion(rs256.daemon.clientId, signed)).toMatchObject(INVALID_CLIENT)
    expectAppToken(await withAssertion(rs256.daemon.clientId, await assertion(rs256.daemon.clientId, rs256.credential, { alg: 'RS256' })), rs256.daemon.clientId)
    const calls = op.calls.slice(mark)
    expect(calls).toMatchObject([
      { grantType: 'client_credentials', clientId: rs256.daemon.clientId, clientAuthMethod: 'private_key_jwt', status: 200 },
      { status: 401, error: 'invalid_client', errorDetail: 'client assertion tokens must only be used once' },
      { status: 200 },
    ])
    expect(calls[0]!.assertion).toEqual({
      header: { alg: 'RS256', typ: 'JWT', x5t: rs256.credential.x5t },
      claims: { aud: op.tokenEndpoint, iss: rs256.daemon.clientId, sub: rs256.daemon.clientId, exp: expect.any(Number), iat: expect.any(Number), jti: expect.any(String) },
    })
    expect(calls[1]!.assertion!.claims['jti']).toBe(calls[0]!.assertion!.claims['jti'])
    expect(calls[2]!.assertion!.claims['jti']).not.toBe(calls[0]!.assertion!.claims['jti'])
  })

  it('PS256 with x5t#S256 and no kid: accepted; the client registered PS256, so an RS256 assertion is refused', async () => {
    const { ps256 } = daemons
    expectAppToken(await withAssertion(ps256.daemon.clientId, await assertion(ps256.daemon.clientId, ps256.credential, { alg: 'PS256' })), ps256.daemon.clientId)
    expect(await withAssertion(ps256.daemon.clientId, await assertion(ps256.daemon.clientId, ps256.credential, { alg: 'RS256' }))).toMatchObject(INVALID_CLIENT)
    expect(op.calls.at(-1)).toMatchObject({ clientId: ps256.daemon.clientId, errorDetail: 'alg mismatch' })
  })

  it('the key is found without a kid among several: the provider tries each RSA key; x5t, x5t#S256 and x5c in the header do not select one', async () => {
    const { rs256, ps256 } = daemons
    const id = rs256.daemon.clientId
    expect(rs256.daemon.jwks.keys).toHaveLength(2)
    // Another certificate's thumbprint, and the certificate itself: the key is still found.
    const header = { x5t: ps256.credential.x5t, x5c: [rs256.credential.certificateBase64] }
    expectAppToken(await withAssertion(id, await assertion(id, rs256.credential, { alg: 'RS256', header })), id)
    // A kid, when there is one, must name the key.
    expectAppToken(await withAssertion(id, await assertion(id, rs256.credential, { alg: 'RS256', header: { kid: rs256.credential.x5t } })), id)
    expect(await withAssertion(id, await assertion(id, rs256.credential, { alg: 'RS256', header: { kid: 'retired-2024' } }))).toMatchObject(INVALID_CLIENT)
    expect(op.calls.at(-1)).toMatchObject({ errorDetail: 'signature verification failed' })
    expect(await withAssertion(id, await assertion(id, rs256.credential, { alg: 'RS256', header: { kid: 'no-such-kid' } }))).toMatchObject(INVALID_CLIENT)
    expect(op.calls.at(-1)).toMatchObject({ errorDetail: 'no applicable key found in the JSON Web Key Set' })
  })

  it('an assertion signed by a key the client did not register is invalid_client', async () => {
    const { rs256, unregistered } = daemons
    expect(await withAssertion(rs256.daemon.clientId, await assertion(rs256.daemon.clientId, unregistered, { alg: 'RS256' }))).toMatchObject(INVALID_CLIENT)
    expect(op.calls.at(-1)).toMatchObject({ errorDetail: 'signature verification failed' })
  })

  it('aud: the token endpoint (MSAL) and the issuer are accepted; any other audience is invalid_client', async () => {
    const { rs256 } = daemons
    const id = rs256.daemon.clientId
    expectAppToken(await withAssertion(id, await assertion(id, rs256.credential, { alg: 'RS256', aud: op.tokenEndpoint })), id)
    expectAppToken(await withAssertion(id, await assertion(id, rs256.credential, { alg: 'RS256', aud: op.issuer })), id)
    expect(await withAssertion(id, await assertion(id, rs256.credential, { alg: 'RS256', aud: 'https://login.microsoftonline.com/common/oauth2/v2.0/token' }))).toMatchObject(INVALID_CLIENT)
    expect(op.calls.at(-1)).toMatchObject({ errorDetail: 'audience (aud) must equal the endpoint url, issuer identifier or token endpoint url' })
  })
})

describe('client secrets at oidc-provider', () => {
  const basic = (clientId: string, secret: string): string =>
    `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`

  it('client_secret_basic: the secret in the Authorization header is accepted; a wrong one is invalid_client', async () => {
    const { clientId, clientSecret } = DAEMON_SECRET_BASIC
    expectAppToken(await tokenRequest({}, { authorization: basic(clientId, clientSecret) }), clientId)
    expect(op.calls.at(-1)).toMatchObject({ clientId, clientAuthMethod: 'client_secret_basic', status: 200 })
    expect(await tokenRequest({}, { authorization: basic(clientId, 'not-the-secret') })).toMatchObject(INVALID_CLIENT)
    expect(op.calls.at(-1)).toMatchObject({ errorDetail: 'invalid secret provided' })
  })

  it('a secret client is no key client: an assertion from it is invalid_client (the registered method is checked)', async () => {
    const { clientId } = DAEMON_SECRET_BASIC
    expect(await withAssertion(clientId, await assertion(clientId, daemons.rs256.credential, { alg: 'RS256' }))).toMatchObject(INVALID_CLIENT)
    expect(op.calls.at(-1)).toMatchObject({ errorDetail: 'the provided authentication mechanism does not match the registered client authentication method' })
  })

  it('client_secret_post: the secret in the form is accepted; a wrong one is invalid_client', async () => {
    const { clientId, clientSecret } = DAEMON_SECRET_POST
    expectAppToken(await tokenRequest({ client_id: clientId, client_secret: clientSecret }), clientId)
    expect(op.calls.at(-1)).toMatchObject({ clientId, clientAuthMethod: 'client_secret_post', status: 200 })
    expect(await tokenRequest({ client_id: clientId, client_secret: 'not-the-secret' })).toMatchObject(INVALID_CLIENT)
    expect(op.calls.at(-1)).toMatchObject({ errorDetail: 'invalid secret provided' })
  })
})
