/**
 * Federated users: the fake plays Entra and the domain's AD FS. The whole chain runs over the
 * fake's loopback HTTP server with msal-ts core's pure builders and processors (user realm →
 * MEX → WS-Trust → SAML bearer grant → tokens), and MSAL Python signs in the same way, proving
 * the fake is what a real client expects.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { type HttpResponse } from '@msal-ts/core'
import { buildSamlBearerGrantParams, buildUserRealmRequest, buildWsTrustRequest, bytesToBase64Url, encodeSamlAssertion, parseXml, processMexResponse, processTokenResponse, processUserRealmResponse, processWsTrustResponse, SAML11_BEARER_GRANT_TYPE, SAML20_TOKEN_TYPE, SAML2_BEARER_GRANT_TYPE, uuidFromBytes, type WsTrustEndpoint, type WsTrustRequestInput, type WsTrustToken } from '@msal-ts/core/protocol'
import { FakeIdentityProvider, fixedClock, GRAPH_RESOURCE_ID, seededRandom, tenantIdOf, type FederatedDomainRegistration, type FetchFunction } from '@msal-ts/testing'

const APP = 'cccccccc-0000-4000-8000-000000000001'
const TENANT = 'contoso.onmicrosoft.com'
const TID = tenantIdOf(TENANT)
const BOB = 'bob@contoso.com'
const PASSWORD = 'p<a>ss & "word"'
const ADFS = 'https://fs.contoso.com/adfs/services/trust'
const LOGIN = 'login.microsoftonline.com'
const SCOPES = 'User.Read openid profile offline_access'

const newIdp = (domain: Partial<FederatedDomainRegistration> = {}) => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now, random: seededRandom(11) })
    .registerApp({ clientId: APP })
    .registerFederatedDomain({ domain: 'contoso.com', ...domain })
    .registerUser({ username: BOB, password: PASSWORD, tenant: TENANT, displayName: 'Bob Jones' })
    .registerUser({ username: 'alice@contoso.onmicrosoft.com', password: 'alice-pw', tenant: TENANT })
  return { idp, clock }
}

type Sendable = { readonly method: 'GET' | 'POST'; readonly url: string; readonly headers: Readonly<Record<string, string>>; readonly form?: Readonly<Record<string, string>>; readonly body?: string }

/** Sends a request through a fetch (the fake's loopback server) and reads the answer as an HttpResponse. */
const send = async (fetch: FetchFunction, request: Sendable): Promise<HttpResponse> => {
  const form = request.form !== undefined ? new URLSearchParams(request.form as Record<string, string>).toString() : undefined
  const response = await fetch(request.url, {
    method: request.method,
    headers: form !== undefined ? { ...request.headers, 'content-type': 'application/x-www-form-urlencoded' } : request.headers,
    ...(request.method === 'POST' ? { body: form ?? request.body } : {}),
  })
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => (headers[name] = value))
  return { _tag: 'HttpResponse', status: response.status, headers, body: await response.text() }
}

const right = <A>(either: { _tag: 'Left'; left: unknown } | { _tag: 'Right'; right: A }): A => {
  if (either._tag === 'Left') throw new Error(`expected a Right, got ${JSON.stringify(either.left)}`)
  return either.right
}
const left = <L>(either: { _tag: 'Left'; left: L } | { _tag: 'Right'; right: unknown }): L => {
  if (either._tag === 'Right') throw new Error(`expected a Left, got ${JSON.stringify(either.right)}`)
  return either.left
}

const ctxFor = (url: string) => ({ url, nowMs: 0, defaultRetryAfterMs: 60_000 })

/** The federated steps, one by one, with msal-ts core's functions over a fetch. */
const chain = (fetch: FetchFunction, clock: { now(): number }) => {
  let messages = 0
  return {
    realm: async (username: string) => {
      const request = buildUserRealmRequest(LOGIN, username)
      return right(processUserRealmResponse(await send(fetch, request), ctxFor(request.url)))
    },
    mex: async (url: string) => right(processMexResponse(await send(fetch, { method: 'GET', url, headers: {} }), { url })),
    wsTrust: async (endpoint: WsTrustEndpoint, username: string, password: string, extra: Partial<WsTrustRequestInput> = {}) => {
      const request = buildWsTrustRequest({
        address: endpoint.address,
        version: endpoint.version,
        username,
        password,
        appliesTo: 'urn:federation:MicrosoftOnline',
        messageId: uuidFromBytes(new Uint8Array(16).fill(++messages)),
        createdMs: clock.now(),
        ...extra,
      })
      return { response: await send(fetch, request), version: endpoint.version, url: request.url }
    },
    token: async (form: Record<string, string>) =>
      send(fetch, { method: 'POST', url: `https://${LOGIN}/${TENANT}/oauth2/v2.0/token`, headers: {}, form: { client_id: APP, scope: SCOPES, client_info: '1', ...form } }),
  }
}

/** Realm, MEX and WS-Trust for Bob: the assertion his AD FS issued. */
const assertionFor = async (steps: ReturnType<typeof chain>, password = PASSWORD): Promise<WsTrustToken> => {
  const realm = await steps.realm(BOB)
  const endpoint = await steps.mex(realm.federationMetadataUrl!)
  const { response, url, version } = await steps.wsTrust(endpoint, BOB, password)
  return right(processWsTrustResponse(response, { url }, version))
}

const errorOf = (response: HttpResponse) => JSON.parse(response.body) as { error: string; error_description: string; error_codes: number[] }

describe('the fake as a federated domain (over its loopback HTTP server)', () => {
  let idp: FakeIdentityProvider
  let clock: ReturnType<typeof fixedClock>
  let steps: ReturnType<typeof chain>
  const start = async (domain: Partial<FederatedDomainRegistration> = {}) => {
    ;({ idp, clock } = newIdp(domain))
    await idp.listen()
    steps = chain(idp.tunnelFetch, clock)
  }
  afterEach(() => idp.close())

  it('signs a federated user in: realm → MEX → WS-Trust 1.3 → SAML 1.1 bearer grant → tokens', async () => {
    await start()
    const realm = await steps.realm(BOB)
    // As Entra answers for a domain federated with AD FS: its MEX, and its WS-Trust 2005 endpoint as the active one.
    expect(realm).toMatchObject({ accountType: 'Federated', federationProtocol: 'WSTrust', domainName: 'contoso.com' })
    expect([realm.federationMetadataUrl, realm.federationActiveAuthUrl]).toEqual([`${ADFS}/mex`, `${ADFS}/2005/usernamemixed`])
    const endpoint = await steps.mex(realm.federationMetadataUrl!)
    expect(endpoint).toEqual({ address: `${ADFS}/13/usernamemixed`, version: '1.3', action: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue' })

    const { response, url, version } = await steps.wsTrust(endpoint, BOB, PASSWORD)
    expect(response.status).toBe(200)
    expect(response.headers['content-type']).toBe('application/soap+xml; charset=utf-8')
    const token = right(processWsTrustResponse(response, { url }, version))
    expect(token.tokenType).toBe('urn:oasis:names:tc:SAML:1.0:assertion')
    const assertion = right(parseXml(token.token))
    expect(assertion).toMatchObject({ localName: 'Assertion', namespace: 'urn:oasis:names:tc:SAML:1.0:assertion' })
    expect(token.token).toContain(`Issuer="http://fs.contoso.com/adfs/services/trust"`)
    expect(token.token).toContain(`<saml:AttributeValue>${BOB}</saml:AttributeValue>`)
    expect(token.token).toContain('<saml:Audience>urn:federation:MicrosoftOnline</saml:Audience>')

    const grant = buildSamlBearerGrantParams(token)
    expect(grant.grant_type).toBe(SAML11_BEARER_GRANT_TYPE)
    const answer = await steps.token(grant)
    expect(answer.status).toBe(200)
    const tokens = right(processTokenResponse(answer, ctxFor(`https://${LOGIN}/${TENANT}/oauth2/v2.0/token`)))
    const bob = idp.getUser(BOB)!
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: GRAPH_RESOURCE_ID, scp: 'User.Read', azp: APP, oid: bob.oid, tid: TID, preferred_username: BOB })
    expect(decodeJwt(tokens.id_token!)).toMatchObject({ preferred_username: BOB, name: 'Bob Jones', aud: APP, tid: TID })
    expect(tokens.refresh_token).toBeDefined()

    // Every request went to the host it was meant for, over real HTTP.
    expect(idp.requests.map((r) => `${r.method} ${r.host}${r.path}`)).toEqual([
      `GET ${LOGIN}/common/userrealm/${encodeURIComponent(BOB)}`,
      'GET fs.contoso.com/adfs/services/trust/mex',
      'POST fs.contoso.com/adfs/services/trust/13/usernamemixed',
      `POST ${LOGIN}/${TENANT}/oauth2/v2.0/token`,
    ])
    expect(idp.tokenRequests[0]!.form).toMatchObject({ grant_type: SAML11_BEARER_GRANT_TYPE, assertion: encodeSamlAssertion(token.token) })
  })

  it('serves a realistic MEX: windows, certificate and username endpoints for both versions, 2005 listed first', async () => {
    await start()
    const mex = await send(idp.tunnelFetch, { method: 'GET', url: `${ADFS}/mex`, headers: {} })
    expect(mex.headers['content-type']).toBe('text/xml; charset=utf-8')
    const addresses = [...mex.body.matchAll(/<wsa10:Address>([^<]+)<\/wsa10:Address>/g)].map((m) => m[1])
    expect(addresses).toEqual(
      ['2005/windowstransport', '2005/certificatemixed', '2005/usernamemixed', '13/windowstransport', '13/certificatemixed', '13/usernamemixed'].map((p) => `${ADFS}/${p}`),
    )
  })

  it('falls back to WS-Trust 2005 for an AD FS that serves only 2005', async () => {
    await start({ protocols: ['2005'] })
    const realm = await steps.realm(BOB)
    const endpoint = await steps.mex(realm.federationMetadataUrl!)
    expect(endpoint).toMatchObject({ address: `${ADFS}/2005/usernamemixed`, version: '2005' })
    const { response, url, version } = await steps.wsTrust(endpoint, BOB, PASSWORD)
    const token = right(processWsTrustResponse(response, { url }, version))
    expect((await steps.token(buildSamlBearerGrantParams(token))).status).toBe(200)
    // Its 1.3 endpoint does not exist.
    const missing = await steps.wsTrust({ ...endpoint, address: `${ADFS}/13/usernamemixed`, version: '1.3' }, BOB, PASSWORD)
    expect(missing.response.status).toBe(404)
  })

  it('issues SAML 2.0 assertions when configured, redeemed with the saml2-bearer grant', async () => {
    await start({ samlVersion: '2.0' })
    const token = await assertionFor(steps)
    expect(token.tokenType).toBe(SAML20_TOKEN_TYPE)
    expect(right(parseXml(token.token)).namespace).toBe('urn:oasis:names:tc:SAML:2.0:assertion')
    const grant = buildSamlBearerGrantParams(token)
    expect(grant.grant_type).toBe(SAML2_BEARER_GRANT_TYPE)
    expect((await steps.token(grant)).status).toBe(200)
    // The same assertion under the SAML 1.1 grant type is misconfigured.
    expect(errorOf(await steps.token({ ...grant, grant_type: SAML11_BEARER_GRANT_TYPE }))).toMatchObject({ error: 'invalid_grant', error_codes: [50008] })
  })

  it('answers a wrong password with the SOAP fault AD FS sends (HTTP 500, a:FailedAuthentication, ID3242)', async () => {
    await start()
    const endpoint = await steps.mex(`${ADFS}/mex`)
    const { response, url, version } = await steps.wsTrust(endpoint, BOB, 'wrong')
    expect(response.status).toBe(500)
    expect(response.body).toContain('<s:Value xmlns:a="http://docs.oasis-open.org/ws-sx/ws-trust/200512">a:FailedAuthentication</s:Value>')
    expect(left(processWsTrustResponse(response, { url }, version))).toMatchObject({
      kind: 'ServerError',
      status: 500,
      error: 'FailedAuthentication',
      errorDescription: 'ID3242: The security token could not be authenticated or authorized.',
    })
    // So does a user of a domain this AD FS does not serve, and an unknown user.
    for (const [user, password] of [['alice@contoso.onmicrosoft.com', 'alice-pw'], ['nobody@contoso.com', PASSWORD]] as const) {
      const other = await steps.wsTrust(endpoint, user, password)
      expect(left(processWsTrustResponse(other.response, { url }, version))).toMatchObject({ error: 'FailedAuthentication' })
    }
  })

  it('refuses requests AD FS would: another relying party, the other version’s action, an expired timestamp, not SOAP', async () => {
    await start()
    const endpoint = await steps.mex(`${ADFS}/mex`)
    const faultOf = async (...args: Parameters<typeof steps.wsTrust>) => {
      const { response, url, version } = await steps.wsTrust(...args)
      return left(processWsTrustResponse(response, { url }, version))
    }
    expect(await faultOf(endpoint, BOB, PASSWORD, { appliesTo: 'urn:example:other' })).toMatchObject({ error: 'RequestFailed', errorDescription: 'MSIS3127: The specified request failed.' })
    expect(await faultOf(endpoint, BOB, PASSWORD, { version: '2005' })).toMatchObject({ error: 'ActionNotSupported' })
    expect(await faultOf(endpoint, BOB, PASSWORD, { createdMs: clock.now() - 3_600_000 })).toMatchObject({ error: 'InvalidSecurity' })
    const form = await send(idp.tunnelFetch, { method: 'POST', url: endpoint.address, headers: {}, form: { username: BOB } })
    expect(form.status).toBe(415)
  })

  it('refuses tampered, forged, unknown-issuer, expired and malformed assertions at the token endpoint', async () => {
    await start()
    const token = await assertionFor(steps)
    const grantOf = (xml: string) => ({ grant_type: SAML11_BEARER_GRANT_TYPE, assertion: encodeSamlAssertion(xml) })

    // Tampered: another user's name in an assertion the AD FS issued.
    const tampered = await steps.token(grantOf(token.token.replace(`>${BOB}<`, '>alice@contoso.onmicrosoft.com<')))
    expect(tampered.status).toBe(400)
    expect(errorOf(tampered)).toMatchObject({ error: 'invalid_grant', error_codes: [50006] })
    expect(errorOf(tampered).error_description).toMatch(/^AADSTS50006: Signature verification failed because of an invalid signature\./)
    // Forged: a fresh id the AD FS never issued.
    expect(errorOf(await steps.token(grantOf(token.token.replace(/AssertionID="[^"]+"/, 'AssertionID="_forged"'))))).toMatchObject({ error_codes: [50006] })
    // An issuer no federated domain trusts.
    const unknownIssuer = errorOf(await steps.token(grantOf(token.token.replace('Issuer="http://fs.contoso.com/adfs/services/trust"', 'Issuer="http://evil.example/adfs/services/trust"'))))
    expect(unknownIssuer).toMatchObject({ error: 'invalid_grant', error_codes: [50107] })
    expect(unknownIssuer.error_description).toMatch(/The requested federation realm object 'http:\/\/evil\.example\/adfs\/services\/trust' does not exist\./)
    // Not base64, not XML, not SAML.
    for (const assertion of ['%%%', bytesToBase64Url(new TextEncoder().encode('not xml')), encodeSamlAssertion('<a/>')]) {
      expect(errorOf(await steps.token({ grant_type: SAML11_BEARER_GRANT_TYPE, assertion }))).toMatchObject({ error: 'invalid_grant', error_codes: [50008] })
    }
    expect(errorOf(await steps.token({ grant_type: SAML11_BEARER_GRANT_TYPE }))).toMatchObject({ error: 'invalid_request', error_codes: [900144] })
    // Standard base64 (with padding) is read too, as Entra reads what MSAL.NET sends.
    expect((await steps.token({ grant_type: SAML11_BEARER_GRANT_TYPE, assertion: Buffer.from(token.token).toString('base64') })).status).toBe(200)
    // An hour later (AD FS's token lifetime), the assertion has expired.
    clock.advance(3_600_000)
    expect(errorOf(await steps.token(buildSamlBearerGrantParams(token)))).toMatchObject({ error: 'invalid_grant', error_codes: [500133] })
  })

  it('leaves managed users managed, and redeems no assertion for a tenant the user is not in', async () => {
    await start()
    expect((await steps.realm('alice@contoso.onmicrosoft.com')).accountType).toBe('Managed')
    expect((await steps.realm('someone@unknown.example')).accountType).toBe('Unknown')
    const token = await assertionFor(steps)
    const elsewhere = await send(idp.tunnelFetch, {
      method: 'POST',
      url: `https://${LOGIN}/fabrikam.onmicrosoft.com/oauth2/v2.0/token`,
      headers: {},
      form: { client_id: APP, scope: SCOPES, ...buildSamlBearerGrantParams(token) },
    })
    expect(errorOf(elsewhere)).toMatchObject({ error: 'invalid_grant', error_codes: [50034] })
  })
})

describe('registerFederatedDomain', () => {
  it('shares one AD FS between domains, and refuses conflicting settings for it', () => {
    const idp = new FakeIdentityProvider()
      .registerFederatedDomain({ domain: 'contoso.com', adfsHost: 'sts.contoso.com' })
      .registerFederatedDomain({ domain: 'contoso.net', adfsHost: 'sts.contoso.com' })
    expect(() => idp.registerFederatedDomain({ domain: 'contoso.org', adfsHost: 'sts.contoso.com', samlVersion: '2.0' })).toThrow(/already registered with other settings/)
    expect(() => idp.registerFederatedDomain({ domain: 'x.com', protocols: [] })).toThrow(/must serve WS-Trust/)
  })

  it('answers over the in-process faces too (fetch, and Http effects with a SOAP body)', async () => {
    const { idp, clock } = newIdp({ adfsHost: 'sts.contoso.com' })
    const steps = chain(idp.fetch, clock)
    const realm = await steps.realm(BOB)
    expect(realm.federationMetadataUrl).toBe('https://sts.contoso.com/adfs/services/trust/mex')
    const endpoint = await steps.mex(realm.federationMetadataUrl!)
    const { response, url, version } = await steps.wsTrust(endpoint, BOB, PASSWORD)
    const token = right(processWsTrustResponse(response, { url }, version))
    expect(token.token).toContain('Issuer="http://sts.contoso.com/adfs/services/trust"')
    expect((await steps.token(buildSamlBearerGrantParams(token))).status).toBe(200)
    // The Http effect face: a WS-Trust request as core's flows describe it.
    const effect = buildWsTrustRequest({ address: endpoint.address, version: endpoint.version, username: BOB, password: PASSWORD, appliesTo: realm.cloudAudienceUrn, messageId: 'm-1', createdMs: clock.now() })
    const outcome = await idp.http(effect)
    expect(outcome._tag === 'HttpResponse' && right(processWsTrustResponse(outcome, { url: effect.url }, endpoint.version)).tokenType).toBe('urn:oasis:names:tc:SAML:1.0:assertion')
    // Another host is not this AD FS.
    expect((await send(idp.fetch, { method: 'GET', url: 'https://fs.contoso.com/adfs/services/trust/mex', headers: {} })).status).toBe(404)
  })
})

// ---- MSAL Python (python3-msal): acquire_token_by_username_password for a federated user ----

interface PythonFederatedReport {
  readonly msal_version: string
  readonly result: { access_token?: string; error?: string; error_description?: string; exception?: string; id_token_claims?: Record<string, unknown> }
  readonly accounts: Array<Record<string, unknown>>
  readonly sent: Array<[string, string]>
}

/** Fails (rejects) when python3 or python3-msal is missing: this proof must not be skipped. */
const runMsalPython = (job: Record<string, unknown>): Promise<PythonFederatedReport> =>
  new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [join(import.meta.dirname, 'python', 'msal_python_federated.py')], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as PythonFederatedReport) : reject(new Error(`msal_python_federated.py exited with ${code}:\n${stderr}`))))
    child.stdin.end(JSON.stringify(job))
  })

describe('MSAL Python against the fake federated domain', () => {
  let idp: FakeIdentityProvider
  let base: string
  beforeEach(async () => {
    // Real clock: MSAL Python checks token lifetimes against it.
    idp = new FakeIdentityProvider({ random: seededRandom(5) })
      .registerApp({ clientId: APP })
      .registerFederatedDomain({ domain: 'contoso.com' })
      .registerUser({ username: BOB, password: PASSWORD, tenant: TENANT, displayName: 'Bob Jones' })
    base = await idp.listen()
  })
  afterEach(() => idp.close())

  const job = (password: string) => ({ base_url: base, authority: `https://${LOGIN}/${TENANT}`, client_id: APP, scopes: ['User.Read'], username: BOB, password })

  it('acquire_token_by_username_password signs a federated user in over WS-Trust 1.3 and the SAML 1.1 bearer grant', async () => {
    const report = await runMsalPython(job(PASSWORD))
    const bob = idp.getUser(BOB)!
    expect(report.result.error).toBeUndefined()
    expect(report.result.exception).toBeUndefined()
    expect(decodeJwt(report.result.access_token!)).toMatchObject({ oid: bob.oid, preferred_username: BOB, scp: 'User.Read' })
    expect(report.result.id_token_claims).toMatchObject({ preferred_username: BOB, oid: bob.oid, tid: TID, aud: APP })
    expect(report.accounts).toEqual([expect.objectContaining({ username: BOB, home_account_id: `${bob.oid}.${TID}`, realm: TENANT })])
    expect(report.sent.map(([method, url]) => `${method} ${url}`)).toEqual([
      `GET https://${LOGIN}:443/${TENANT}/v2.0/.well-known/openid-configuration`,
      `GET https://${LOGIN}/common/userrealm/${BOB}?api-version=1.0`,
      `GET ${ADFS}/mex`,
      `POST ${ADFS}/13/usernamemixed`,
      `POST https://${LOGIN}/${TENANT}/oauth2/v2.0/token`,
    ])
    // MSAL Python's RST: a SOAP 1.2 envelope with the 1.3 action, the escaped password, the cloud audience.
    const rst = idp.requests.find((r) => r.path.endsWith('/usernamemixed'))!
    expect(rst.headers).toMatchObject({ 'content-type': 'application/soap+xml; charset=utf-8', soapaction: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue' })
    // Its assertion came back base64url-encoded (RFC 7522), under the SAML 1.1 grant type.
    expect(idp.tokenRequests[0]!.form).toMatchObject({ grant_type: SAML11_BEARER_GRANT_TYPE, client_id: APP, client_info: '1' })
    expect(idp.tokenRequests[0]!.form['assertion']).toMatch(/^[A-Za-z0-9_-]+$/)
  })

  it('reports the AD FS fault for a wrong password', async () => {
    const report = await runMsalPython(job('wrong'))
    expect(report.result.access_token).toBeUndefined()
    expect(report.result.exception).toMatch(/FailedAuthentication/)
    expect(report.result.exception).toMatch(/ID3242: The security token could not be authenticated or authorized\./)
    expect(idp.tokenRequests).toHaveLength(0)
  })
})
