/**
 * Issue 14, item 10: generic providers that refuse reused client assertions.
 *
 * MSAL reuses a signed assertion for up to 540 s per token endpoint (MSAL Python's
 * JwtAssertionCreator.create_regenerative_assertion); Entra accepts that. RFC 7523 §3 lets a
 * provider accept each `jti` once, and some certified OpenID providers (or the gateways in front
 * of them) answer a reused one with a bare 403 and an empty body. Here oidc-provider (certified,
 * on loopback) runs its own replay detection, configured to answer every reused jti that way
 * (`replayAnswer: 'empty 403'`). For `oidcAuthority`, msal-ts signs a fresh assertion for every
 * request by default; with `reuseClientAssertion: true` it reuses as MSAL does and, refused (400,
 * 401 or 403, JSON or not), signs a fresh one and retries once.
 */
import { createPrivateKey, randomUUID } from 'node:crypto'
import type { HttpClient } from '@msal-ts/browser'
import { ConfidentialClientApplication, SerializableTokenCache } from '@msal-ts/node'
import { decodeJwt, SignJWT } from 'jose'
import { rejectionOf } from '../support/rejection.js'
import { daemonCredentials, type DaemonCredentials } from './daemons.js'
import { DAEMON_API, REPLAYED_ASSERTION, startOidcProvider, USER, type EndpointCall, type KeyDaemon, type OidcProviderHarness } from './oidcProviderHarness.js'

const WEB_REDIRECT = 'https://portal.example.com/auth/callback'

let op: OidcProviderHarness
let daemons: DaemonCredentials
let keyWebApp: KeyDaemon

beforeAll(async () => {
  daemons = daemonCredentials()
  const { credential } = daemons.ps256
  keyWebApp = { clientId: 'msal-ts-web-ps256', signingAlg: 'PS256', jwks: { keys: [credential.publicJwk] }, redirectUris: [WEB_REDIRECT] }
  op = await startOidcProvider({ keyDaemons: [...daemons.keyDaemons, keyWebApp], replayAnswer: 'empty 403' })
})
afterAll(() => op.close())
afterEach(() => expect(op.serverErrors).toEqual([]))

/** The token requests the app sent: the form of each. */
const recordingFetch = (sent: Array<Record<string, string>>): HttpClient => (url, init) => {
  if (url === op.tokenEndpoint) sent.push(Object.fromEntries(new URLSearchParams(init.body ?? '')))
  return fetch(url, init)
}

const jtiOf = (form: Record<string, string>): unknown => decodeJwt(form['client_assertion']!).jti

const certificateApp = (clientId: string, extra: { reuseClientAssertion?: boolean } = {}, sent: Array<Record<string, string>> = []) => {
  const { credential } = clientId === keyWebApp.clientId ? daemons.ps256 : daemons.rs256
  const clientCredential =
    clientId === keyWebApp.clientId ? { privateKey: credential.privateKeyPem, thumbprintSha256: credential.sha256Hex } : { privateKey: credential.privateKeyPem, thumbprint: credential.sha1Hex }
  return new ConfidentialClientApplication({ clientId, clientCredential, oidcAuthority: op.issuer, tokenCache: new SerializableTokenCache(), httpClient: recordingFetch(sent), ...extra })
}

const TEN_SCOPES = DAEMON_API.scopes.filter((scope) => /^api\.s\d+$/.test(scope))

const callsOf = (mark: number, clientId: string): EndpointCall[] => op.calls.slice(mark).filter((call) => call.clientId === clientId || call.clientId === undefined)

describe('a provider that refuses every reused jti with an empty 403 (oidc-provider\'s replay detection)', () => {
  it('the provider really does: the same assertion twice is a bare 403 with an empty body', async () => {
    const { daemon, credential } = daemons.rs256
    const now = Math.floor(Date.now() / 1000)
    const signed = await new SignJWT({ aud: op.tokenEndpoint, iss: daemon.clientId, sub: daemon.clientId, exp: now + 600, iat: now, jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: credential.x5t })
      .sign(createPrivateKey(credential.privateKeyPem))
    const send = () =>
      fetch(op.tokenEndpoint, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api.read', client_id: daemon.clientId, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: signed }),
      })
    expect((await send()).status).toBe(200)
    const replay = await send()
    expect({ status: replay.status, body: await replay.text() }).toEqual({ status: 403, body: '' })
    expect(op.calls.at(-1)).toMatchObject({ status: 403, errorDetail: REPLAYED_ASSERTION })
  })

  it('a certificate client at an oidcAuthority gets tokens on ten calls in a row with different scopes: a fresh assertion every time, none refused', async () => {
    const { daemon } = daemons.rs256
    const sent: Array<Record<string, string>> = []
    const app = certificateApp(daemon.clientId, {}, sent)
    const mark = op.calls.length
    for (const scope of TEN_SCOPES) {
      const result = await app.acquireTokenForClient([scope])
      expect(result).toMatchObject({ tokenSource: 'identity_provider', scopes: [scope] })
      expect(decodeJwt(result.accessToken)).toMatchObject({ client_id: daemon.clientId, scope })
    }
    expect(TEN_SCOPES).toHaveLength(10)
    expect(callsOf(mark, daemon.clientId).map((call) => call.status)).toEqual(Array(10).fill(200))
    expect(sent).toHaveLength(10)
    expect(new Set(sent.map(jtiOf)).size).toBe(10)
  })

  it('with reuseClientAssertion: true (MSAL\'s 540 s reuse), the first refusal is answered with a fresh assertion, once, and none is reused after', async () => {
    const { daemon } = daemons.rs256
    const sent: Array<Record<string, string>> = []
    const app = certificateApp(daemon.clientId, { reuseClientAssertion: true }, sent)
    const mark = op.calls.length
    for (const scope of TEN_SCOPES) expect((await app.acquireTokenForClient([scope])).tokenSource).toBe('identity_provider')
    const statuses = callsOf(mark, daemon.clientId).map((call) => call.status)
    // First call; second reuses it (403), then a fresh one; the rest fresh from the start.
    expect(statuses).toEqual([200, 403, ...Array(9).fill(200)])
    expect(sent).toHaveLength(11)
    expect(jtiOf(sent[1]!)).toBe(jtiOf(sent[0]!))
    expect(new Set(sent.map(jtiOf)).size).toBe(10)
  })

  it.each([
    ['by default for an oidcAuthority', {}],
    ['with reuseClientAssertion: true', { reuseClientAssertion: true }],
  ])('a web app signs a user in and refreshes within nine minutes, %s', async (_, extra) => {
    const sent: Array<Record<string, string>> = []
    const app = certificateApp(keyWebApp.clientId, extra, sent)
    const flow = await app.initiateAuthCodeFlow([], { redirectUri: WEB_REDIRECT, prompt: 'consent' })
    const signedIn = await app.acquireTokenByAuthCodeFlow(flow, await op.signInThroughBrowser(flow.authUri, { login: USER.login, consent: true }))
    expect(signedIn.account).toBeDefined()
    // The first refresh: MSAL would send the assertion the code redemption used.
    const refreshed = await app.acquireTokenSilentWithError([], signedIn.account, { forceRefresh: true })
    expect(refreshed).toMatchObject({ tokenSource: 'identity_provider' })
    expect(refreshed!.accessToken).not.toBe(signedIn.accessToken)
    // And again, after it.
    expect(await app.acquireTokenSilentWithError([], signedIn.account, { forceRefresh: true })).toMatchObject({ tokenSource: 'identity_provider' })
    const grants = sent.map((form) => form['grant_type'])
    expect(grants.filter((grant) => grant === 'refresh_token').length).toBeGreaterThanOrEqual(2)
  })

  it('an empty 403 that no fresh assertion can answer (a pre-signed one, sent twice) says the provider refused the client\'s authentication', async () => {
    const { daemon, credential } = daemons.rs256
    const now = Math.floor(Date.now() / 1000)
    const presigned = await new SignJWT({ aud: op.tokenEndpoint, iss: daemon.clientId, sub: daemon.clientId, exp: now + 600, iat: now, jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: credential.x5t })
      .sign(createPrivateKey(credential.privateKeyPem))
    const app = new ConfidentialClientApplication({ clientId: daemon.clientId, clientCredential: { clientAssertion: presigned }, oidcAuthority: op.issuer })
    await app.acquireTokenForClient(['api.read'])
    const error = await rejectionOf(app.acquireTokenForClient(['api.write']))
    expect(error).toMatchObject({ kind: 'InvalidResponseError', status: 403 })
    expect(error.message).toContain("the identity provider refused the client's authentication")
    expect(error.message).not.toContain('expected a JSON object')
  })
})
