/**
 * Confidential clients authenticate at the fake identity provider as at Entra: a secret in the
 * form or a Basic header (never both), or a client assertion signed with a registered
 * certificate's key (`x5t`, `x5t#S256`) or by a chain trusted for its subject name (`x5c`), its
 * claims checked as Entra checks them. Every accepted authentication is recorded.
 */
import { createPrivateKey, randomUUID } from 'node:crypto'
import { decodeJwt, SignJWT } from 'jose'
import type { HttpRequest } from '@msal-ts/core'
import { certificateThumbprints, FakeIdentityProvider, fixedClock, JWT_BEARER_ASSERTION_TYPE, seededRandom, tenantIdOf, type FixedClock } from '@msal-ts/testing'
import { certificateFixture, x5cEntry } from './fixtures/certificates/index.js'

const CLIENT = 'app-conf'
const SECRET = 's3cr:t +/é%'
const TENANT = 'contoso.onmicrosoft.com'
const TID = tenantIdOf(TENANT)
const TOKEN_URL = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`
const CORRELATION_ID = '44444444-4444-4444-8444-444444444444'

const LEAF = certificateFixture('leaf.cert.pem')
const LEAF_KEY = certificateFixture('leaf.key.pkcs8.pem')
const ISSUED = certificateFixture('issued.cert.pem')
const ISSUED_KEY = certificateFixture('issued.key.pkcs8.pem')
const CA = certificateFixture('ca.cert.pem')
const OTHER = certificateFixture('other.cert.pem')
const OTHER_KEY = certificateFixture('other.key.pkcs8.pem')

type Json = Record<string, unknown>

const newIdp = (options: { rejectReplayedAssertions?: boolean } = {}) => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now, random: seededRandom(11), ...options }).registerApp({
    clientId: CLIENT,
    clientSecret: SECRET,
    certificates: [LEAF],
    subjectNameIssuer: { subject: 'msal-ts-test-issued', trustedIssuers: [CA] },
  })
  return { idp, clock }
}

const send = async (idp: FakeIdentityProvider, request: HttpRequest): Promise<{ status: number; json: Json }> => {
  const outcome = await idp.http(request)
  if (outcome._tag !== 'HttpResponse') throw new Error(`no response: ${outcome.kind}`)
  return { status: outcome.status, json: JSON.parse(outcome.body) as Json }
}

/** A client-credentials request; `undefined` values drop a form field. */
const clientCredentials = (form: Record<string, string | undefined>, { url = TOKEN_URL, headers = {} }: { url?: string; headers?: Record<string, string> } = {}): HttpRequest => ({
  method: 'POST',
  url,
  headers: { 'client-request-id': CORRELATION_ID, ...headers },
  form: Object.fromEntries(
    Object.entries({ grant_type: 'client_credentials', client_id: CLIENT, scope: 'api://x/.default', ...form }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ),
})

/** RFC 6749 §2.3.1: each half form-urlencoded, then base64 of "id:secret". */
const basic = (id: string, secret: string): Record<string, string> => {
  const encode = (text: string) => new URLSearchParams({ x: text }).toString().slice(2)
  return { authorization: `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}` }
}

interface AssertionOptions {
  readonly keyPem?: string
  readonly alg?: string
  readonly header?: Json
  readonly claims?: Json
}

/** A client assertion as MSAL builds one (BEHAVIOUR.md): RS256 with the leaf's `x5t` unless told otherwise. */
const signAssertion = (clock: FixedClock, { keyPem = LEAF_KEY, alg = 'RS256', header = { x5t: certificateThumbprints(LEAF).x5t }, claims = {} }: AssertionOptions = {}): Promise<string> => {
  const now = Math.floor(clock.now() / 1000)
  const payload = { aud: TOKEN_URL, iss: CLIENT, sub: CLIENT, exp: now + 600, iat: now, nbf: now, jti: randomUUID(), ...claims }
  const defined = Object.fromEntries(Object.entries(payload).filter(([, value]) => value !== undefined))
  return new SignJWT(defined).setProtectedHeader({ alg, typ: 'JWT', ...header }).sign(createPrivateKey(keyPem))
}

const withAssertion = (assertion: string): Record<string, string> => ({ client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: assertion })

/** Entra's error shape, with the AADSTS code. */
const expectEntraError = (response: { status: number; json: Json }, status: number, error: string, code: number, text?: RegExp) => {
  expect(response.status).toBe(status)
  expect(response.json).toMatchObject({ error, error_codes: [code], correlation_id: CORRELATION_ID, error_uri: `https://login.microsoftonline.com/error?code=${code}` })
  expect(response.json['error_description']).toMatch(new RegExp(`^AADSTS${code}: `))
  if (text !== undefined) expect(response.json['error_description']).toMatch(text)
}

describe('FakeIdentityProvider: client secrets', () => {
  it('accepts the secret in the form (client_secret_post) and records the method', async () => {
    const { idp, clock } = newIdp()
    const response = await send(idp, clientCredentials({ client_secret: SECRET }))
    expect(response.status).toBe(200)
    expect(decodeJwt(response.json['access_token'] as string)['azpacr']).toBe('1')
    expect(idp.clientAuthentications).toEqual([{ clientId: CLIENT, method: 'client_secret_post', grantType: 'client_credentials', at: clock.now() }])
  })

  it('accepts the secret in a Basic Authorization header (client_secret_basic), each half form-urlencoded', async () => {
    const { idp } = newIdp()
    const withFormId = await send(idp, clientCredentials({}, { headers: basic(CLIENT, SECRET) }))
    expect(withFormId.status).toBe(200)
    // RFC 6749 lets Basic authentication name the client alone.
    const headerOnly = await send(idp, clientCredentials({ client_id: undefined }, { headers: basic(CLIENT, SECRET) }))
    expect(headerOnly.status).toBe(200)
    expect(decodeJwt(headerOnly.json['access_token'] as string)['azp']).toBe(CLIENT)
    expect(idp.clientAuthentications.map((a) => a.method)).toEqual(['client_secret_basic', 'client_secret_basic'])
  })

  it('ignores a Basic header that names no client when the form carries the secret', async () => {
    const { idp } = newIdp()
    const response = await send(idp, clientCredentials({ client_secret: SECRET }, { headers: { authorization: `Basic ${Buffer.from('secret').toString('base64')}` } }))
    expect(response.status).toBe(200)
    expect(idp.clientAuthentications.map((a) => a.method)).toEqual(['client_secret_post'])
  })

  it.each([
    ['a wrong Basic secret', {}, basic(CLIENT, 'nope'), 7000215],
    ['the secret both in the form and in a Basic header', { client_secret: SECRET }, basic(CLIENT, SECRET), 50012],
    ['a Basic header that is not base64 of id:secret', {}, { authorization: 'Basic !!!' }, 50012],
    ['a Basic header without a colon', {}, { authorization: `Basic ${Buffer.from(CLIENT).toString('base64')}` }, 50012],
    ["a Basic header naming another client than the form's", {}, basic('someone-else', SECRET), 50012],
    ['a wrong secret in the form', { client_secret: 'nope' }, {}, 7000215],
    ['no credential at all', {}, {}, 7000218],
  ])('refuses %s with 401 invalid_client', async (_, form, headers, code) => {
    const { idp } = newIdp()
    expectEntraError(await send(idp, clientCredentials(form, { headers })), 401, 'invalid_client', code)
    expect(idp.clientAuthentications).toEqual([])
  })
})

describe('FakeIdentityProvider: client assertions (private_key_jwt)', () => {
  it("accepts an RS256 assertion whose x5t names a registered certificate, and records it", async () => {
    const { idp, clock } = newIdp()
    const assertion = await signAssertion(clock)
    const response = await send(idp, clientCredentials(withAssertion(assertion)))
    expect(response.status).toBe(200)
    // Entra's azpacr 2: the app proved itself with a certificate.
    expect(decodeJwt(response.json['access_token'] as string)).toMatchObject({ azp: CLIENT, azpacr: '2', aud: 'api://x' })
    const [recorded] = idp.clientAuthentications
    expect(recorded).toMatchObject({ clientId: CLIENT, method: 'private_key_jwt', keySource: 'x5t', jti: decodeJwt(assertion)['jti'] })
    expect(recorded!.header).toEqual({ alg: 'RS256', typ: 'JWT', x5t: certificateThumbprints(LEAF).x5t })
    expect(recorded!.claims).toMatchObject({ aud: TOKEN_URL, iss: CLIENT, sub: CLIENT })
  })

  it('accepts a PS256 assertion naming the certificate by x5t#S256 (what MSAL sends for SHA-256 thumbprints)', async () => {
    const { idp, clock } = newIdp()
    const assertion = await signAssertion(clock, { alg: 'PS256', header: { 'x5t#S256': certificateThumbprints(LEAF).x5tS256 } })
    expect((await send(idp, clientCredentials(withAssertion(assertion)))).status).toBe(200)
    expect(idp.clientAuthentications[0]).toMatchObject({ method: 'private_key_jwt', keySource: 'x5t#S256' })
  })

  it('pins the fixtures thumbprints: base64url of the SHA-1 and SHA-256 of the DER', () => {
    expect(certificateThumbprints(LEAF)).toEqual({ x5t: 'dvh2ER1Gwtwuml_9Dz3CNEvP7jY', x5tS256: 'xaQ-Lpag4-mzPE7tzkyFfaKN_9CIeKzLXyHC7ZmgV1w' })
  })

  it('accepts subject name / issuer authentication: x5c chain to a trusted issuer, signed by the leaf', async () => {
    const { idp, clock } = newIdp()
    const chain = [x5cEntry(ISSUED), x5cEntry(CA)]
    const withChain = await signAssertion(clock, { keyPem: ISSUED_KEY, header: { x5t: certificateThumbprints(ISSUED).x5t, x5c: chain } })
    expect((await send(idp, clientCredentials(withAssertion(withChain)))).status).toBe(200)
    // The leaf alone will do when the trusted issuer signed it directly.
    const leafOnly = await signAssertion(clock, { keyPem: ISSUED_KEY, alg: 'PS256', header: { x5c: [x5cEntry(ISSUED)] } })
    expect((await send(idp, clientCredentials(withAssertion(leafOnly)))).status).toBe(200)
    expect(idp.clientAuthentications.map((a) => a.keySource)).toEqual(['x5c', 'x5c'])
  })

  it.each([
    ['signed by another key than the named certificate', { keyPem: OTHER_KEY }, /^AADSTS700027: Client assertion failed signature validation\./],
    [
      'naming an unregistered certificate',
      { keyPem: OTHER_KEY, header: { x5t: certificateThumbprints(OTHER).x5t } },
      new RegExp(`not registered on application\\. \\[Reason - The key was not found\\., Thumbprint of key used by client: '${Buffer.from(certificateThumbprints(OTHER).x5t, 'base64url').toString('hex').toUpperCase()}'`),
    ],
    ['naming no certificate at all', { header: {} }, /not registered on application/],
    ['with an x5c chain whose subject is not the configured one', { keyPem: OTHER_KEY, header: { x5c: [x5cEntry(OTHER)] } }, /not registered on application/],
    ['with an x5c chain to an untrusted issuer', { keyPem: ISSUED_KEY, header: { x5c: [x5cEntry(ISSUED), x5cEntry(OTHER)] } }, /trusted issuer/],
    ['with an x5c chain whose leaf did not sign', { keyPem: OTHER_KEY, header: { x5c: [x5cEntry(ISSUED), x5cEntry(CA)] } }, /failed signature validation/],
    ['signed RS384', { alg: 'RS384' }, /'RS384' is not supported/],
  ])('refuses an assertion %s (AADSTS700027)', async (_, options, text) => {
    const { idp, clock } = newIdp()
    const assertion = await signAssertion(clock, options as AssertionOptions)
    expectEntraError(await send(idp, clientCredentials(withAssertion(assertion))), 401, 'invalid_client', 700027, text)
  })

  it.each([
    ['another audience', { aud: 'https://login.microsoftonline.com/fabrikam.com/oauth2/v2.0/token' }, 700023],
    ['an audience array, even holding the right one', { aud: [TOKEN_URL] }, 700023],
    ['another issuer', { iss: 'someone-else' }, 700021],
    ['another subject', { sub: 'someone-else' }, 700021],
    ['an expiry in the past', { exp: 1_767_225_600 - 600 }, 700024],
    ['a not-before in the future', { nbf: 1_767_225_600 + 3600 }, 700024],
    ['no jti', { jti: undefined }, 50027],
    ['no expiry', { exp: undefined }, 50027],
  ])('refuses an assertion with %s', async (_, claims, code) => {
    const { idp, clock } = newIdp()
    const assertion = await signAssertion(clock, { claims })
    expectEntraError(await send(idp, clientCredentials(withAssertion(assertion))), 401, 'invalid_client', code)
  })

  it("words an expired assertion's refusal as Entra does", async () => {
    const { idp, clock } = newIdp()
    const assertion = await signAssertion(clock, { claims: { exp: Math.floor(clock.now() / 1000) - 600 } })
    expectEntraError(
      await send(idp, clientCredentials(withAssertion(assertion))),
      401,
      'invalid_client',
      700024,
      /Client assertion is not within its valid time range\. Current time: 2026-01-01T00:00:00\.0000000Z, expiry time of assertion 2025-12-31T23:50:00\.0000000Z\./,
    )
  })

  it.each([
    ['the request URL with its query', `${TOKEN_URL}?dc=ESTS-PUB-WUS2`, `${TOKEN_URL}?dc=ESTS-PUB-WUS2`],
    ['the request URL without its query', `${TOKEN_URL}?dc=ESTS-PUB-WUS2`, TOKEN_URL],
    ['the token endpoint by tenant id', TOKEN_URL, `https://login.microsoftonline.com/${TID}/oauth2/v2.0/token`],
    ['the issuer', TOKEN_URL, `https://login.microsoftonline.com/${TID}/v2.0`],
    ['the central token endpoint, from a regional host', `https://westus2.login.microsoft.com/${TENANT}/oauth2/v2.0/token`, TOKEN_URL],
    ['the token endpoint in another case, with a trailing slash', TOKEN_URL, `${TOKEN_URL.replace('v2.0', 'V2.0')}/`],
  ])('accepts as audience %s', async (_, url, aud) => {
    const { idp, clock } = newIdp()
    const assertion = await signAssertion(clock, { claims: { aud } })
    expect((await send(idp, clientCredentials(withAssertion(assertion), { url }))).status).toBe(200)
  })

  it('tolerates clock skew: an assertion expired a minute ago still passes', async () => {
    const { idp, clock } = newIdp()
    const assertion = await signAssertion(clock, { claims: { exp: Math.floor(clock.now() / 1000) - 60, nbf: Math.floor(clock.now() / 1000) + 60 } })
    expect((await send(idp, clientCredentials(withAssertion(assertion)))).status).toBe(200)
  })

  it('answers another assertion type as a malformed request (AADSTS90011), and garbage as a malformed JWT', async () => {
    const { idp, clock } = newIdp()
    const assertion = await signAssertion(clock)
    const wrongType = await send(idp, clientCredentials({ client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer', client_assertion: assertion }))
    expectEntraError(wrongType, 400, 'invalid_request', 90011)
    expectEntraError(await send(idp, clientCredentials(withAssertion('not-a-jwt'))), 401, 'invalid_client', 50027)
  })

  it('refuses a secret and an assertion together (one method per request)', async () => {
    const { idp, clock } = newIdp()
    const both = await send(idp, clientCredentials({ client_secret: SECRET, ...withAssertion(await signAssertion(clock)) }))
    expectEntraError(both, 401, 'invalid_client', 50012, /client_secret_post, private_key_jwt/)
  })

  it("takes the client id from the assertion's sub when the form has none (RFC 7523)", async () => {
    const { idp, clock } = newIdp()
    const response = await send(idp, clientCredentials({ client_id: undefined, ...withAssertion(await signAssertion(clock)) }))
    expect(response.status).toBe(200)
    expect(decodeJwt(response.json['access_token'] as string)['azp']).toBe(CLIENT)
  })

  it('accepts a replayed assertion, as Entra does (MSAL reuses one for minutes)', async () => {
    const { idp, clock } = newIdp()
    const assertion = await signAssertion(clock)
    expect((await send(idp, clientCredentials(withAssertion(assertion)))).status).toBe(200)
    clock.advance(60_000)
    expect((await send(idp, clientCredentials(withAssertion(assertion)))).status).toBe(200)
    const [first, second] = idp.clientAuthentications
    expect(second!.jti).toBe(first!.jti)
  })

  it('refuses a replayed assertion with rejectReplayedAssertions, but not a fresh one', async () => {
    const { idp, clock } = newIdp({ rejectReplayedAssertions: true })
    const assertion = await signAssertion(clock)
    expect((await send(idp, clientCredentials(withAssertion(assertion)))).status).toBe(200)
    clock.advance(60_000)
    const replay = await send(idp, clientCredentials(withAssertion(assertion)))
    expectEntraError(replay, 401, 'invalid_client', 700024, new RegExp(`replayed: its jti '${String(decodeJwt(assertion)['jti'])}' was already used at 2026-01-01T00:00:00\\.0000000Z`))
    expect((await send(idp, clientCredentials(withAssertion(await signAssertion(clock))))).status).toBe(200)
    // clearRequests forgets the record, not the assertions seen.
    idp.clearRequests()
    expect(idp.clientAuthentications).toEqual([])
    expect((await send(idp, clientCredentials(withAssertion(assertion)))).status).toBe(401)
  })

  it('refuses an assertion to an app registered with no certificate', async () => {
    const { clock } = newIdp()
    const idp = new FakeIdentityProvider({ clock: clock.now }).registerApp({ clientId: CLIENT, clientSecret: SECRET })
    expectEntraError(await send(idp, clientCredentials(withAssertion(await signAssertion(clock)))), 401, 'invalid_client', 700027)
  })
})

describe('FakeIdentityProvider: client authentication in the user grants', () => {
  const USER = 'alice@contoso.onmicrosoft.com'

  const refresh = (refreshToken: string, clientId: string, form: Record<string, string> = {}, headers: Record<string, string> = {}): HttpRequest => ({
    method: 'POST',
    url: TOKEN_URL,
    headers: { 'client-request-id': CORRELATION_ID, ...headers },
    form: { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken, scope: 'User.Read', ...form },
  })

  it('lets an app with only a certificate redeem a refresh token with an assertion, and records the grant', async () => {
    const clock = fixedClock()
    const idp = new FakeIdentityProvider({ clock: clock.now }).registerApp({ clientId: CLIENT, certificates: [LEAF] }).registerUser({ username: USER })
    const refreshToken = idp.issueRefreshToken({ username: USER, clientId: CLIENT, scopes: ['User.Read'] })
    // A certificate makes it confidential: no credential is now refused.
    expectEntraError(await send(idp, refresh(refreshToken, CLIENT)), 401, 'invalid_client', 7000218)
    const response = await send(idp, refresh(refreshToken, CLIENT, withAssertion(await signAssertion(clock))))
    expect(response.status).toBe(200)
    expect(decodeJwt(response.json['access_token'] as string)['azpacr']).toBe('2')
    expect(idp.clientAuthentications).toMatchObject([{ method: 'private_key_jwt', grantType: 'refresh_token' }])
  })

  it("records a public client's requests as method 'none', and a Basic secret in a user grant as client_secret_basic", async () => {
    const clock = fixedClock()
    const idp = new FakeIdentityProvider({ clock: clock.now })
      .registerApp({ clientId: 'public-app' })
      .registerApp({ clientId: CLIENT, clientSecret: SECRET })
      .registerUser({ username: USER })
    const publicToken = idp.issueRefreshToken({ username: USER, clientId: 'public-app', scopes: ['User.Read'] })
    const publicResponse = await send(idp, refresh(publicToken, 'public-app'))
    expect(decodeJwt(publicResponse.json['access_token'] as string)['azpacr']).toBe('0')
    const confidentialToken = idp.issueRefreshToken({ username: USER, clientId: CLIENT, scopes: ['User.Read'] })
    expect((await send(idp, refresh(confidentialToken, CLIENT, {}, basic(CLIENT, SECRET)))).status).toBe(200)
    expect(idp.clientAuthentications.map((a) => [a.clientId, a.method])).toEqual([
      ['public-app', 'none'],
      [CLIENT, 'client_secret_basic'],
    ])
    // A public client that presents a credential anyway is refused, as before.
    expectEntraError(await send(idp, refresh(publicToken, 'public-app', withAssertion('x.y.z'))), 401, 'invalid_client', 700025)
  })
})

describe('FakeIdentityProvider: client authentication at other authority kinds', () => {
  it('takes certificates and Basic secrets at AD FS (aud: its token endpoint)', async () => {
    const { idp, clock } = newIdp()
    const url = 'https://fs.contoso.com/adfs/oauth2/token'
    const assertion = await signAssertion(clock, { claims: { aud: url } })
    expect((await send(idp, clientCredentials(withAssertion(assertion), { url }))).status).toBe(200)
    expect((await send(idp, clientCredentials({}, { url, headers: basic(CLIENT, SECRET) }))).status).toBe(200)
    const wrongAudience = await send(idp, clientCredentials(withAssertion(await signAssertion(clock)), { url }))
    expect(wrongAudience).toMatchObject({ status: 401, json: { error: 'invalid_client' } })
    expect(idp.clientAuthentications.map((a) => a.method)).toEqual(['private_key_jwt', 'client_secret_basic'])
  })

  it('takes Basic secrets but no assertion at B2C and at a generic OIDC provider', async () => {
    const { idp, clock } = newIdp()
    const b2c = `https://contoso.b2clogin.com/${TENANT}/b2c_1_signin/oauth2/v2.0/token`
    const oidc = 'https://id.example.com/tenant-a/oauth2/token'
    expect((await send(idp, clientCredentials({}, { url: b2c, headers: basic(CLIENT, SECRET) }))).status).toBe(200)
    expect((await send(idp, clientCredentials({}, { url: oidc, headers: basic(CLIENT, SECRET) }))).status).toBe(200)
    const b2cAssertion = await send(idp, clientCredentials(withAssertion(await signAssertion(clock, { claims: { aud: b2c } })), { url: b2c }))
    expect(b2cAssertion).toMatchObject({ status: 400, json: { error: 'invalid_request' } })
    expect(b2cAssertion.json['error_description']).toMatch(/^AADB2C90079: /)
    const oidcAssertion = await send(idp, clientCredentials(withAssertion(await signAssertion(clock, { claims: { aud: oidc } })), { url: oidc }))
    expect(oidcAssertion).toMatchObject({ status: 401, json: { error: 'invalid_client', error_description: 'Client authentication failed.' } })
  })
})

describe('FakeIdentityProvider: client credentials with fmi_path', () => {
  it('puts the fmi_path in the access token, so tokens of different paths differ', async () => {
    const { idp } = newIdp()
    const token = async (form: Record<string, string>) =>
      decodeJwt((await send(idp, clientCredentials({ client_secret: SECRET, scope: 'api://AzureFMITokenExchange/.default', ...form }))).json['access_token'] as string)
    expect(await token({ fmi_path: 'SomeFmiPath/agent-1' })).toMatchObject({ aud: 'api://AzureFMITokenExchange', fmi_path: 'SomeFmiPath/agent-1' })
    expect((await token({ fmi_path: 'SomeFmiPath/agent-2' }))['fmi_path']).toBe('SomeFmiPath/agent-2')
    expect(await token({})).not.toHaveProperty('fmi_path')
    expect(idp.tokenRequests.map((r) => r.form['fmi_path'])).toEqual(['SomeFmiPath/agent-1', 'SomeFmiPath/agent-2', undefined])
  })
})
