/**
 * The grants in which a confidential client acts for a user: on-behalf-of (a web API trades
 * the user's access token it was called with for a downstream token) and the user federated
 * identity credential grant (`user_fic`: an agent signs a user in with a token-exchange token).
 */
import { createPrivateKey, randomUUID } from 'node:crypto'
import { createLocalJWKSet, decodeJwt, jwtVerify, SignJWT } from 'jose'
import type { HttpRequest } from '@msal-ts/core'
import {
  certificateThumbprints,
  FakeIdentityProvider,
  fixedClock,
  GRAPH_RESOURCE_ID,
  JWT_BEARER_ASSERTION_TYPE,
  JWT_BEARER_GRANT_TYPE,
  seededRandom,
  TOKEN_EXCHANGE_AUDIENCE,
  USER_FIC_GRANT_TYPE,
  tenantIdOf,
} from '@msal-ts/testing'
import { certificateFixture } from './fixtures/certificates/index.js'

const TENANT = 'contoso.onmicrosoft.com'
const TOKEN_URL = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`
const API = 'api-obo'
const API_SECRET = 'api-s3cret'
const SPA = 'spa-client'
const AGENT = 'agent-app'
const AGENT_SECRET = 'agent-s3cret'
const USER = 'alice@contoso.onmicrosoft.com'
const CORRELATION_ID = '55555555-5555-4555-8555-555555555555'
/** A fixed signing key, so that two providers can issue each other's tokens. */
const SIGNING_KEY = certificateFixture('leaf.key.pkcs8.pem')

type Json = Record<string, unknown>

const newIdp = () => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now, random: seededRandom(13), signingKeyPem: SIGNING_KEY })
    .registerApp({ clientId: API, clientSecret: API_SECRET })
    .registerApp({ clientId: SPA })
    .registerApp({ clientId: AGENT, clientSecret: AGENT_SECRET })
    .registerUser({ username: USER })
  return { idp, clock }
}

const send = async (idp: FakeIdentityProvider, form: Record<string, string | undefined>): Promise<{ status: number; json: Json }> => {
  const request: HttpRequest = {
    method: 'POST',
    url: TOKEN_URL,
    headers: { 'client-request-id': CORRELATION_ID },
    form: Object.fromEntries(Object.entries(form).filter((entry): entry is [string, string] => entry[1] !== undefined)),
  }
  const outcome = await idp.http(request)
  if (outcome._tag !== 'HttpResponse') throw new Error(`no response: ${outcome.kind}`)
  return { status: outcome.status, json: JSON.parse(outcome.body) as Json }
}

/** The access token the user's app got for the API (by redeeming a refresh token for the API's scope). */
const userTokenFor = async (idp: FakeIdentityProvider, scope: string, username = USER): Promise<string> => {
  const refreshToken = idp.issueRefreshToken({ username, clientId: SPA, scopes: [scope] })
  const { json } = await send(idp, { grant_type: 'refresh_token', client_id: SPA, refresh_token: refreshToken, scope })
  return json['access_token'] as string
}

/** A token the client-credentials grant issues: for `api://AzureADTokenExchange`, a federated identity credential. */
const appTokenFor = async (idp: FakeIdentityProvider, scope: string): Promise<string> => {
  const { json } = await send(idp, { grant_type: 'client_credentials', client_id: AGENT, client_secret: AGENT_SECRET, scope })
  return json['access_token'] as string
}

const expectEntraError = (response: { status: number; json: Json }, status: number, error: string, code: number, text?: RegExp) => {
  expect(response.status).toBe(status)
  expect(response.json).toMatchObject({ error, error_codes: [code], correlation_id: CORRELATION_ID })
  expect(response.json['error_description']).toMatch(new RegExp(`^AADSTS${code}: `))
  if (text !== undefined) expect(response.json['error_description']).toMatch(text)
}

const verified = async (idp: FakeIdentityProvider, token: string, now: number): Promise<Json> =>
  (await jwtVerify(token, createLocalJWKSet((await idp.jwks()) as never), { currentDate: new Date(now) })).payload as Json

describe('FakeIdentityProvider: on-behalf-of', () => {
  const obo = (assertion: string, form: Record<string, string | undefined> = {}) => ({
    grant_type: JWT_BEARER_GRANT_TYPE,
    client_id: API,
    client_secret: API_SECRET,
    assertion,
    requested_token_use: 'on_behalf_of',
    scope: 'https://graph.microsoft.com/User.Read',
    ...form,
  })

  it("trades the user's token for the API for a downstream token for the same user", async () => {
    const { idp, clock } = newIdp()
    const incoming = await userTokenFor(idp, `api://${API}/access_as_user`)
    const response = await send(idp, obo(incoming, { scope: 'https://graph.microsoft.com/User.Read offline_access openid profile', client_info: '1' }))
    expect(response.status).toBe(200)
    const user = idp.getUser(USER)!
    expect(await verified(idp, response.json['access_token'] as string, clock.now())).toMatchObject({
      aud: GRAPH_RESOURCE_ID,
      scp: 'User.Read',
      azp: API,
      azpacr: '1',
      oid: user.oid,
      tid: tenantIdOf(TENANT),
      preferred_username: USER,
    })
    expect(response.json).toMatchObject({ token_type: 'Bearer', scope: 'User.Read openid profile' })
    expect(typeof response.json['refresh_token']).toBe('string')
    expect(decodeJwt(response.json['id_token'] as string)).toMatchObject({ aud: API, oid: user.oid })
    expect(JSON.parse(Buffer.from(response.json['client_info'] as string, 'base64url').toString())).toEqual({ uid: user.oid, utid: user.tid })
    expect(idp.onBehalfOfRequests).toHaveLength(1)
    expect(idp.clientAuthentications.at(-1)).toMatchObject({ clientId: API, method: 'client_secret_post', grantType: JWT_BEARER_GRANT_TYPE })
  })

  it('answers no refresh token, ID token or client_info unless asked; the API may be named by its client id', async () => {
    const { idp } = newIdp()
    const incoming = await userTokenFor(idp, `${API}/access_as_user`)
    expect(decodeJwt(incoming)['aud']).toBe(API)
    const response = await send(idp, obo(incoming))
    expect(response.status).toBe(200)
    expect(response.json).not.toHaveProperty('refresh_token')
    expect(response.json).not.toHaveProperty('id_token')
    expect(response.json).not.toHaveProperty('client_info')
  })

  it('lets the API authenticate with a certificate, and the refresh token it gets is its own', async () => {
    const { idp, clock } = newIdp()
    const certificate = certificateFixture('leaf.cert.pem')
    idp.registerApp({ clientId: API, certificates: [certificate] })
    const incoming = await userTokenFor(idp, `api://${API}/access_as_user`)
    // Its secret is gone with the re-registration: only the assertion will do.
    expectEntraError(await send(idp, obo(incoming)), 401, 'invalid_client', 7000215)
    const now = Math.floor(clock.now() / 1000)
    const clientAssertion = await new SignJWT({ aud: TOKEN_URL, iss: API, sub: API, exp: now + 600, iat: now, jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: certificateThumbprints(certificate).x5t })
      .sign(createPrivateKey(certificateFixture('leaf.key.pkcs8.pem')))
    const response = await send(idp, obo(incoming, { client_secret: undefined, client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: clientAssertion, scope: 'User.Read offline_access' }))
    expect(response.status).toBe(200)
    expect(decodeJwt(response.json['access_token'] as string)['azpacr']).toBe('2')
    expect(idp.clientAuthentications.at(-1)).toMatchObject({ clientId: API, method: 'private_key_jwt' })
    // The API redeems its refresh token as itself.
    const redeemed = await send(idp, { grant_type: 'refresh_token', client_id: API, refresh_token: response.json['refresh_token'] as string, client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: clientAssertion })
    expect(redeemed.status).toBe(200)
  })

  it('refuses a token for another audience (AADSTS500131)', async () => {
    const { idp } = newIdp()
    const forGraph = await userTokenFor(idp, 'User.Read')
    expectEntraError(await send(idp, obo(forGraph)), 400, 'invalid_grant', 500131, new RegExp(`The audience in the assertion was '${GRAPH_RESOURCE_ID}' and the expected audience is '${API}'`))
  })

  it('refuses an expired token (AADSTS500133), once past the clock skew', async () => {
    const { idp, clock } = newIdp()
    const incoming = await userTokenFor(idp, `api://${API}/access_as_user`)
    clock.advance((3599 + 60) * 1000)
    expect((await send(idp, obo(incoming))).status).toBe(200)
    clock.advance(300 * 1000)
    expectEntraError(await send(idp, obo(incoming)), 400, 'invalid_grant', 500133, /Assertion is not within its valid time range/)
  })

  it('refuses a token another provider signed, or one altered (AADSTS50013)', async () => {
    const { idp } = newIdp()
    const stranger = new FakeIdentityProvider({ clock: fixedClock().now, uniqueSigningKey: true }).registerApp({ clientId: SPA }).registerUser({ username: USER })
    const foreign = await userTokenFor(stranger, `api://${API}/access_as_user`)
    expectEntraError(await send(idp, obo(foreign)), 400, 'invalid_grant', 50013, /Assertion failed signature validation/)
    const [header, , signature] = (await userTokenFor(idp, `api://${API}/access_as_user`)).split('.')
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(foreign), aud: `api://${API}` })).toString('base64url')
    expectEntraError(await send(idp, obo(`${header!}.${forged}.${signature!}`)), 400, 'invalid_grant', 50013)
  })

  it("refuses an app's own token (no user in it) and a user the provider does not know", async () => {
    const { idp } = newIdp()
    expectEntraError(await send(idp, obo(await appTokenFor(idp, `api://${API}/.default`))), 400, 'invalid_grant', 50013, /not a user token/)
    // Same signing key, another directory: the token is genuine, the user unknown here.
    const sibling = new FakeIdentityProvider({ clock: fixedClock().now, signingKeyPem: SIGNING_KEY }).registerApp({ clientId: SPA }).registerUser({ username: 'bob@contoso.onmicrosoft.com' })
    const bobs = await userTokenFor(sibling, `api://${API}/access_as_user`, 'bob@contoso.onmicrosoft.com')
    expectEntraError(await send(idp, obo(bobs)), 400, 'invalid_grant', 50034)
  })

  it.each([
    ['a public client (no credential)', { client_id: SPA, client_secret: undefined }, 401, 'invalid_client', 7000218],
    ['a wrong secret', { client_secret: 'nope' }, 401, 'invalid_client', 7000215],
    ['no requested_token_use', { requested_token_use: undefined }, 400, 'invalid_request', 900144],
    ['another requested_token_use', { requested_token_use: 'something_else' }, 400, 'invalid_request', 90100],
    ['no assertion', { assertion: undefined }, 400, 'invalid_request', 900144],
    ['an assertion that is no JWT', { assertion: 'not-a-jwt' }, 400, 'invalid_request', 50027],
    ['no scope', { scope: undefined }, 400, 'invalid_request', 900144],
    ['.default beside another scope', { scope: 'https://graph.microsoft.com/.default https://graph.microsoft.com/Mail.Read' }, 400, 'invalid_scope', 70011],
    ['scopes of two resources', { scope: 'https://graph.microsoft.com/User.Read api://other/read' }, 400, 'invalid_scope', 28000],
  ])('refuses %s', async (_, form, status, error, code) => {
    const { idp } = newIdp()
    const incoming = await userTokenFor(idp, `api://${API}/access_as_user`)
    expectEntraError(await send(idp, obo(incoming, form)), status, error, code)
  })

  it('counts on-behalf-of requests, refused ones too', async () => {
    const { idp } = newIdp()
    const incoming = await userTokenFor(idp, `api://${API}/access_as_user`)
    await send(idp, obo(incoming))
    await send(idp, obo(incoming, { client_secret: 'nope' }))
    await send(idp, obo(incoming, { requested_token_use: undefined }))
    expect(idp.onBehalfOfRequests.map((request) => request.form['client_secret'])).toEqual([API_SECRET, 'nope'])
    expect(idp.tokenRequests).toHaveLength(4)
  })
})

describe('FakeIdentityProvider: user federated identity credential (user_fic)', () => {
  const userFic = (credential: string, form: Record<string, string | undefined> = {}) => ({
    grant_type: USER_FIC_GRANT_TYPE,
    client_id: AGENT,
    client_secret: AGENT_SECRET,
    user_federated_identity_credential: credential,
    username: USER,
    scope: 'https://graph.microsoft.com/User.Read',
    ...form,
  })

  it('issues a token exchange credential from the client-credentials grant', async () => {
    const { idp } = newIdp()
    expect(decodeJwt(await appTokenFor(idp, `${TOKEN_EXCHANGE_AUDIENCE}/.default`))).toMatchObject({ aud: TOKEN_EXCHANGE_AUDIENCE, idtyp: 'app' })
  })

  it("signs the user named by username in, with the user's tokens", async () => {
    const { idp, clock } = newIdp()
    const credential = await appTokenFor(idp, `${TOKEN_EXCHANGE_AUDIENCE}/.default`)
    const response = await send(idp, userFic(credential, { scope: 'https://graph.microsoft.com/User.Read openid offline_access', client_info: '1' }))
    expect(response.status).toBe(200)
    const user = idp.getUser(USER)!
    expect(await verified(idp, response.json['access_token'] as string, clock.now())).toMatchObject({ aud: GRAPH_RESOURCE_ID, scp: 'User.Read', oid: user.oid, azp: AGENT })
    expect(decodeJwt(response.json['id_token'] as string)).toMatchObject({ aud: AGENT, oid: user.oid, preferred_username: USER })
    expect(typeof response.json['refresh_token']).toBe('string')
    expect(typeof response.json['client_info']).toBe('string')
    expect(idp.clientAuthentications.at(-1)).toMatchObject({ clientId: AGENT, method: 'client_secret_post', grantType: USER_FIC_GRANT_TYPE })
  })

  it('signs the user named by object id (user_id) in; no refresh or ID token unless asked', async () => {
    const { idp } = newIdp()
    const credential = await appTokenFor(idp, `${TOKEN_EXCHANGE_AUDIENCE}/.default`)
    const oid = idp.getUser(USER)!.oid
    const response = await send(idp, userFic(credential, { username: undefined, user_id: oid.toUpperCase() }))
    expect(response.status).toBe(200)
    expect(decodeJwt(response.json['access_token'] as string)['oid']).toBe(oid)
    expect(response.json).not.toHaveProperty('refresh_token')
    expect(response.json).not.toHaveProperty('id_token')
  })

  it('refuses a credential for another audience (AADSTS700212), expired (AADSTS500133) or forged (AADSTS50013)', async () => {
    const { idp, clock } = newIdp()
    expectEntraError(await send(idp, userFic(await appTokenFor(idp, 'api://x/.default'))), 400, 'invalid_grant', 700212, /assertion audience 'api:\/\/x'/)
    const stranger = new FakeIdentityProvider({ clock: clock.now }).registerApp({ clientId: AGENT, clientSecret: AGENT_SECRET })
    expectEntraError(await send(idp, userFic(await appTokenFor(stranger, `${TOKEN_EXCHANGE_AUDIENCE}/.default`))), 400, 'invalid_grant', 50013)
    const credential = await appTokenFor(idp, `${TOKEN_EXCHANGE_AUDIENCE}/.default`)
    clock.advance((3599 + 301) * 1000)
    expectEntraError(await send(idp, userFic(credential)), 400, 'invalid_grant', 500133)
  })

  it.each([
    ['both username and user_id', { user_id: '00000000-0000-4000-8000-000000000000' }, 400, 'invalid_request', 90100],
    ['neither username nor user_id', { username: undefined }, 400, 'invalid_request', 900144],
    ['no credential', { user_federated_identity_credential: undefined }, 400, 'invalid_request', 900144],
    ['no scope', { scope: undefined }, 400, 'invalid_request', 900144],
    ['an unknown username', { username: 'nobody@contoso.onmicrosoft.com' }, 400, 'invalid_grant', 50034],
    ['an unknown user_id', { username: undefined, user_id: '00000000-0000-4000-8000-000000000000' }, 400, 'invalid_grant', 50034],
    ['a public client', { client_id: SPA, client_secret: undefined }, 401, 'invalid_client', 7000218],
    ['an app that does not authenticate', { client_secret: undefined }, 401, 'invalid_client', 7000218],
  ])('refuses %s', async (_, form, status, error, code) => {
    const { idp } = newIdp()
    const credential = await appTokenFor(idp, `${TOKEN_EXCHANGE_AUDIENCE}/.default`)
    expectEntraError(await send(idp, userFic(credential, form)), status, error, code)
  })

  it('refuses a user of another tenant at a tenant authority', async () => {
    const { idp } = newIdp()
    idp.registerUser({ username: 'carol@fabrikam.com', tenant: 'fabrikam.com' })
    const credential = await appTokenFor(idp, `${TOKEN_EXCHANGE_AUDIENCE}/.default`)
    expectEntraError(await send(idp, userFic(credential, { username: 'carol@fabrikam.com' })), 400, 'invalid_grant', 50034)
  })
})
