/**
 * The federated user's steps of the username/password flow, as pure functions: user realm
 * discovery, MEX, the WS-Trust request and response, and the SAML bearer grant's parameters.
 * The MEX and RSTR samples under fixtures/wsTrust are shaped as AD FS serves them.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from '#fp-ts/Either'
import { type HttpResponse, type MsalError } from '@msal-ts/core'
import { base64UrlToBytes, buildSamlBearerGrantParams, buildUserRealmRequest, buildWsTrustRequest, buildWsTrustRequestBody, descendantsNamed, parseMex, parseWsTrustResponse, parseXml, processMexResponse, processUserRealmResponse, processWsTrustResponse, SAML11_BEARER_GRANT_TYPE, SAML11_TOKEN_TYPE, SAML20_TOKEN_TYPE, SAML2_BEARER_GRANT_TYPE, utf8Decode, WS_TRUST_ACTION, WS_TRUST_NAMESPACES as NS, wsuTimestamp, type WsTrustProblem, type WsTrustRequestInput, type XmlElement } from '@msal-ts/core/protocol'

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', 'wsTrust', name), 'utf8')
const MEX = fixture('adfs.mex.xml')
const RSTR_13 = fixture('rstr-13-saml11.xml')
const FAULT_13 = fixture('fault-13.xml')
const ADFS = 'https://fs.contoso.com/adfs/services/trust'

const response = (status: number, body: string, contentType = 'application/soap+xml; charset=utf-8'): HttpResponse => ({
  _tag: 'HttpResponse',
  status,
  headers: { 'content-type': contentType },
  body,
})
const right = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected a Right, got ${JSON.stringify(either.left)}`)
  return either.right
}
const left = <L>(either: E.Either<L, unknown>): L => {
  if (E.isRight(either)) throw new Error(`expected a Left, got ${JSON.stringify(either.right)}`)
  return either.left
}

/** The sample without the port named `name` (its binding and policy stay, as in a trimmed AD FS). */
const withoutPort = (xml: string, name: string): string => xml.replace(new RegExp(`<wsdl:port name="${name}"[\\s\\S]*?</wsdl:port>`), '')

describe('parseMex', () => {
  it('finds the WS-Trust 1.3 username/password endpoint of an AD FS document', () => {
    expect(right(parseMex(MEX))).toEqual({
      address: `${ADFS}/13/usernamemixed`,
      version: '1.3',
      action: WS_TRUST_ACTION['1.3'],
    })
  })

  it('prefers WS-Trust 1.3 wherever its port is listed', () => {
    // The sample lists 2005 first, as AD FS does; moving 1.3 to the end changes nothing.
    const port13 = /<wsdl:port name="UserNameWSTrustBinding_IWSTrust13Async"[\s\S]*?<\/wsdl:port>/.exec(MEX)![0]
    const reordered = withoutPort(MEX, 'UserNameWSTrustBinding_IWSTrust13Async').replace('</wsdl:service>', `${port13}</wsdl:service>`)
    expect(right(parseMex(reordered)).version).toBe('1.3')
  })

  it('falls back to WS-Trust 2005 when there is no usable 1.3 endpoint', () => {
    expect(right(parseMex(withoutPort(MEX, 'UserNameWSTrustBinding_IWSTrust13Async')))).toEqual({
      address: `${ADFS}/2005/usernamemixed`,
      version: '2005',
      action: WS_TRUST_ACTION['2005'],
    })
  })

  it('skips endpoints whose address is not https', () => {
    const http13 = MEX.replace(`<wsa10:Address>${ADFS}/13/usernamemixed`, '<wsa10:Address>http://fs.contoso.com/adfs/services/trust/13/usernamemixed')
    expect(right(parseMex(http13)).address).toBe(`${ADFS}/2005/usernamemixed`)
    // The scheme is compared without regard to case, as MSAL Python does.
    const upper = MEX.replace(`<wsa10:Address>${ADFS}/13/usernamemixed`, '<wsa10:Address>HTTPS://fs.contoso.com/adfs/services/trust/13/usernamemixed')
    expect(right(parseMex(upper)).address).toBe('HTTPS://fs.contoso.com/adfs/services/trust/13/usernamemixed')
  })

  it('needs transport security in the policy, not just a UsernameToken', () => {
    const noTransport = MEX.replace(
      /(<wsp:Policy wsu:Id="UserNameWSTrustBinding_IWSTrust13Async_policy">[\s\S]*?)<sp:TransportBinding[\s\S]*?<\/sp:TransportBinding>/,
      '$1',
    )
    expect(right(parseMex(noTransport)).version).toBe('2005')
  })

  it('does not take a 1.3 binding with the 2005 dialect of policy (each version has its own)', () => {
    // A 1.3 UsernameToken written with the 2005 SignedSupportingTokens does not count (as mex.py).
    const mixed = MEX.replace('<sp:SignedEncryptedSupportingTokens xmlns:sp="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702">', '<sp:SignedSupportingTokens xmlns:sp="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702">').replace('</sp:SignedEncryptedSupportingTokens>', '</sp:SignedSupportingTokens>')
    expect(right(parseMex(mixed)).version).toBe('2005')
  })

  it('ignores bindings that are not SOAP over http, or whose action is neither version', () => {
    const notHttp = MEX.replace(
      /(<wsdl:binding name="UserNameWSTrustBinding_IWSTrust13Async"[\s\S]*?<soap12:binding transport=")http:\/\/schemas.xmlsoap.org\/soap\/http/,
      '$1urn:other-transport',
    )
    expect(right(parseMex(notHttp)).version).toBe('2005')
    const otherAction = MEX.replace(
      /(<wsdl:binding name="UserNameWSTrustBinding_IWSTrust13Async"[\s\S]*?soapAction=")[^"]+/,
      '$1http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Validate',
    )
    expect(right(parseMex(otherAction)).version).toBe('2005')
  })

  it('reports a document without a username/password endpoint (e.g. only Windows integrated auth)', () => {
    const none = withoutPort(withoutPort(MEX, 'UserNameWSTrustBinding_IWSTrust13Async'), 'UserNameWSTrustBinding_IWSTrustFeb2005Async')
    expect(left(parseMex(none))).toMatch(/no WS-Trust endpoint that takes a username and password over https/)
  })

  it('reports documents that are not MEX, or not XML', () => {
    expect(left(parseMex('<html><body>Sign in</body></html>'))).toMatch(/expected a WSDL document \(wsdl:definitions\), got <html>/)
    expect(left(parseMex('{"not":"xml"}'))).toMatch(/^malformed XML: text outside the root element/)
  })

  it('processMexResponse: an InvalidResponseError for an unusable answer', () => {
    const url = `${ADFS}/mex`
    expect(right(processMexResponse(response(200, MEX), { url })).version).toBe('1.3')
    expect(left(processMexResponse(response(200, '<html/>', 'text/html'), { url }))).toMatchObject({
      kind: 'InvalidResponseError',
      status: 200,
      url,
      message: expect.stringMatching(/federation metadata \(MEX\): expected a WSDL document/),
    })
    expect(left(processMexResponse(response(503, 'Service Unavailable', 'text/plain'), { url }))).toMatchObject({ kind: 'InvalidResponseError', status: 503 })
  })
})

const INPUT: WsTrustRequestInput = {
  address: `${ADFS}/13/usernamemixed`,
  version: '1.3',
  username: 'bob@contoso.com',
  password: `p<a>s&s"w'o]]>rd`,
  appliesTo: 'urn:federation:MicrosoftOnline',
  messageId: '0c1f7b7e-0000-4000-8000-00000000abcd',
  createdMs: Date.UTC(2026, 2, 1, 10, 0, 0, 750),
}

/** A direct child's text, by path of local names under the SOAP envelope. */
const textAt = (root: XmlElement, namespace: string, localName: string): string | undefined => descendantsNamed(root, [namespace, localName])[0]?.text

describe('buildWsTrustRequestBody', () => {
  it('writes a SOAP 1.2 envelope with addressing, a timestamp, the UsernameToken and an Issue request (1.3)', () => {
    const envelope = right(parseXml(buildWsTrustRequestBody(INPUT)))
    expect([envelope.namespace, envelope.localName]).toEqual([NS.s, 'Envelope'])
    expect(textAt(envelope, NS.wsa10, 'Action')).toBe(WS_TRUST_ACTION['1.3'])
    expect(textAt(envelope, NS.wsa10, 'MessageID')).toBe('urn:uuid:0c1f7b7e-0000-4000-8000-00000000abcd')
    expect(textAt(envelope, NS.wsa10, 'To')).toBe(INPUT.address)
    expect(textAt(envelope, NS.wsu, 'Created')).toBe('2026-03-01T10:00:00Z')
    expect(textAt(envelope, NS.wsu, 'Expires')).toBe('2026-03-01T10:10:00Z')
    expect(textAt(envelope, NS.wsse, 'Username')).toBe('bob@contoso.com')
    // The password survives the round trip, however hostile to XML.
    expect(textAt(envelope, NS.wsse, 'Password')).toBe(INPUT.password)
    const rst = descendantsNamed(envelope, [NS.wst, 'RequestSecurityToken'])
    expect(rst).toHaveLength(1)
    expect(textAt(rst[0]!, NS.wsa10, 'Address')).toBe('urn:federation:MicrosoftOnline')
    expect(textAt(rst[0]!, NS.wst, 'KeyType')).toBe('http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer')
    expect(textAt(rst[0]!, NS.wst, 'RequestType')).toBe('http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue')
  })

  it('uses the 2005 namespace, key type and request type for WS-Trust 2005', () => {
    const envelope = right(parseXml(buildWsTrustRequestBody({ ...INPUT, version: '2005', address: `${ADFS}/2005/usernamemixed` })))
    expect(textAt(envelope, NS.wsa10, 'Action')).toBe('http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue')
    expect(descendantsNamed(envelope, [NS.wst, 'RequestSecurityToken'])).toHaveLength(0)
    const rst = descendantsNamed(envelope, [NS.wst2005, 'RequestSecurityToken'])[0]!
    expect(textAt(rst, NS.wst2005, 'KeyType')).toBe('http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey')
    expect(textAt(rst, NS.wst2005, 'RequestType')).toBe('http://schemas.xmlsoap.org/ws/2005/02/trust/Issue')
  })

  it('escapes the username and never leaves the password raw in the body', () => {
    const body = buildWsTrustRequestBody({ ...INPUT, username: 'o<b>&"e\'@contoso.com' })
    expect(body).toContain('<wsse:Username>o&lt;b&gt;&amp;&quot;e&apos;@contoso.com</wsse:Username>')
    expect(body).toContain('<wsse:Password>p&lt;a&gt;s&amp;s&quot;w&apos;o]]&gt;rd</wsse:Password>')
  })

  it('takes an explicit expiry', () => {
    const envelope = right(parseXml(buildWsTrustRequestBody({ ...INPUT, expiresMs: INPUT.createdMs + 300_000 })))
    expect(textAt(envelope, NS.wsu, 'Expires')).toBe('2026-03-01T10:05:00Z')
  })

  it('buildWsTrustRequest: POSTs it with the SOAP 1.2 content type and SOAPAction', () => {
    const request = buildWsTrustRequest(INPUT, { 'client-request-id': 'c' })
    expect(request).toEqual({
      method: 'POST',
      url: INPUT.address,
      headers: { 'client-request-id': 'c', 'content-type': 'application/soap+xml; charset=utf-8', soapaction: WS_TRUST_ACTION['1.3'] },
      body: buildWsTrustRequestBody(INPUT),
    })
  })

  it.each([
    [0, '1970-01-01T00:00:00Z'],
    [951_782_400_000, '2000-02-29T00:00:00Z'],
    [Date.UTC(2024, 11, 31, 23, 59, 59, 999), '2024-12-31T23:59:59Z'],
    [Date.UTC(2100, 2, 1, 12, 34, 56), '2100-03-01T12:34:56Z'],
  ])('wsuTimestamp(%d) is %s, computed without the Date global', (ms, expected) => {
    expect(wsuTimestamp(ms)).toBe(expected)
  })
})

/** The assertion of the 1.3 sample, as the text between its tags. */
const ASSERTION_13 = /<saml:Assertion [\s\S]*<\/saml:Assertion>/.exec(RSTR_13)![0]

/** A WS-Trust 2005 response: the RSTR directly in the body, in the 2005 namespace. */
const rstr2005 = (assertion: string, tokenType = SAML11_TOKEN_TYPE): string =>
  `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/Issue</a:Action></s:Header>` +
  `<s:Body><t:RequestSecurityTokenResponse xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust"><t:Lifetime/>` +
  `<t:RequestedSecurityToken>\n  ${assertion}\n</t:RequestedSecurityToken>` +
  `<t:TokenType>${tokenType}</t:TokenType><t:RequestType>http://schemas.xmlsoap.org/ws/2005/02/trust/Issue</t:RequestType>` +
  `<t:KeyType>http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey</t:KeyType></t:RequestSecurityTokenResponse></s:Body></s:Envelope>`

const SAML2_ASSERTION =
  '<Assertion ID="_d71a3a8e-9fcc-45d1-8d47-0e3f2a3c6b11" IssueInstant="2026-03-01T10:00:00.512Z" Version="2.0" xmlns="urn:oasis:names:tc:SAML:2.0:assertion">' +
  '<Issuer>http://fs.contoso.com/adfs/services/trust</Issuer><Subject><NameID>q5ldy1Bv3kuWRlUCxu9nPA==</NameID></Subject>' +
  '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignatureValue>Zm9v</ds:SignatureValue></ds:Signature></Assertion>'

describe('parseWsTrustResponse', () => {
  it('takes the SAML 1.1 assertion of a WS-Trust 1.3 response exactly as sent', () => {
    const token = right(parseWsTrustResponse(RSTR_13, '1.3'))
    expect(token.tokenType).toBe(SAML11_TOKEN_TYPE)
    // Character for character: the inner namespace declarations (ds:, KeyInfo's default) stay where they were.
    expect(token.token).toBe(ASSERTION_13)
    expect(token.token).toContain('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">')
    expect(token.token).toContain('<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#" />')
  })

  it('takes the assertion of a WS-Trust 2005 response', () => {
    const token = right(parseWsTrustResponse(rstr2005(ASSERTION_13), '2005'))
    expect(token).toEqual({ token: ASSERTION_13, tokenType: SAML11_TOKEN_TYPE })
  })

  it('takes a SAML 2.0 assertion, and the WSS token profile names of both types', () => {
    const saml2 = RSTR_13.replace(ASSERTION_13, SAML2_ASSERTION).replace(`<trust:TokenType>${SAML11_TOKEN_TYPE}`, `<trust:TokenType>${SAML20_TOKEN_TYPE}`)
    expect(right(parseWsTrustResponse(saml2, '1.3'))).toEqual({ token: SAML2_ASSERTION, tokenType: SAML20_TOKEN_TYPE })
    const wss2 = rstr2005(SAML2_ASSERTION, 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0')
    expect(right(parseWsTrustResponse(wss2, '2005')).tokenType).toBe(SAML20_TOKEN_TYPE)
    const wss11 = rstr2005(ASSERTION_13, 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1')
    expect(right(parseWsTrustResponse(wss11, '2005')).tokenType).toBe(SAML11_TOKEN_TYPE)
  })

  it("infers the type from the assertion's namespace when the response names none", () => {
    const untyped = RSTR_13.replace(/<trust:TokenType>[^<]*<\/trust:TokenType>/, '').replace(ASSERTION_13, SAML2_ASSERTION)
    expect(right(parseWsTrustResponse(untyped, '1.3')).tokenType).toBe(SAML20_TOKEN_TYPE)
  })

  it('reads a SOAP fault: code, most specific subcode, its local name and the reason', () => {
    expect(left(parseWsTrustResponse(FAULT_13, '1.3'))).toEqual({
      _tag: 'SoapFault',
      code: 's:Sender',
      subcode: 'a:FailedAuthentication',
      error: 'FailedAuthentication',
      reason: 'ID3242: The security token could not be authenticated or authorized.',
    })
  })

  it('reads a SOAP 1.1 fault', () => {
    const soap11 =
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>' +
      '<faultcode xmlns:a="http://schemas.xmlsoap.org/ws/2005/02/trust">a:FailedAuthentication</faultcode>' +
      '<faultstring>MSIS3127: The specified request failed.</faultstring></soap:Fault></soap:Body></soap:Envelope>'
    expect(left(parseWsTrustResponse(soap11, '2005'))).toMatchObject({ _tag: 'SoapFault', error: 'FailedAuthentication', reason: 'MSIS3127: The specified request failed.' })
  })

  it.each<[string, string, WsTrustProblem['_tag'], RegExp]>([
    ['an HTML error page', '<html><body>503</body></html>', 'Malformed', /expected a SOAP envelope, got <html>/],
    ['not XML', 'Service Unavailable', 'Malformed', /malformed XML/],
    ['an envelope without a body', '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"/>', 'Malformed', /has no Body/],
    ['a body without a response', '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>', 'Malformed', /no RequestSecurityTokenResponse/],
    ['a 2005 response to a 1.3 request', rstr2005('<x/>'), 'Malformed', /a WS-Trust 2005 response to a WS-Trust 1.3 request/],
    ['a response without a token', RSTR_13.replace(ASSERTION_13, ''), 'Malformed', /holds no RequestedSecurityToken/],
    ['an unknown token type', RSTR_13.replace(`<trust:TokenType>${SAML11_TOKEN_TYPE}`, '<trust:TokenType>urn:example:jwt'), 'Malformed', /unsupported token type urn:example:jwt/],
    ['a DOCTYPE', `<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>${RSTR_13}`, 'Malformed', /DOCTYPE declarations are not allowed/],
  ])('reports %s', (_, xml, tag, problem) => {
    const result = left(parseWsTrustResponse(xml, '1.3'))
    expect(result._tag).toBe(tag)
    expect(result._tag === 'Malformed' ? result.problem : '').toMatch(problem)
  })

  it('processWsTrustResponse: a fault is a ServerError carrying its code and reason; garbage an InvalidResponseError', () => {
    const url = `${ADFS}/13/usernamemixed`
    expect(right(processWsTrustResponse(response(200, RSTR_13), { url }, '1.3')).token).toBe(ASSERTION_13)
    const fault: MsalError = left(processWsTrustResponse(response(500, FAULT_13), { url }, '1.3'))
    expect(fault).toMatchObject({
      kind: 'ServerError',
      status: 500,
      error: 'FailedAuthentication',
      errorDescription: 'ID3242: The security token could not be authenticated or authorized.',
      message: 'the federation server (WS-Trust) refused the request: FailedAuthentication: ID3242: The security token could not be authenticated or authorized.',
    })
    expect(left(processWsTrustResponse(response(502, '<html>Bad gateway</html>', 'text/html'), { url }, '1.3'))).toMatchObject({
      kind: 'InvalidResponseError',
      status: 502,
      message: expect.stringMatching(/WS-Trust: expected a SOAP envelope/),
    })
  })
})

describe('buildSamlBearerGrantParams', () => {
  it('sends a SAML 1.1 assertion with the saml1_1-bearer grant, base64url without padding (RFC 7522, MSAL Python)', () => {
    const params = buildSamlBearerGrantParams({ token: ASSERTION_13, tokenType: SAML11_TOKEN_TYPE })
    expect(params.grant_type).toBe(SAML11_BEARER_GRANT_TYPE)
    expect(params.grant_type).toBe('urn:ietf:params:oauth:grant-type:saml1_1-bearer')
    expect(params.assertion).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(utf8Decode(base64UrlToBytes(params.assertion)!)).toBe(ASSERTION_13)
  })

  it('sends a SAML 2.0 assertion with the saml2-bearer grant', () => {
    const params = buildSamlBearerGrantParams({ token: SAML2_ASSERTION, tokenType: SAML20_TOKEN_TYPE })
    expect(params.grant_type).toBe(SAML2_BEARER_GRANT_TYPE)
    expect(params.grant_type).toBe('urn:ietf:params:oauth:grant-type:saml2-bearer')
    expect(utf8Decode(base64UrlToBytes(params.assertion)!)).toBe(SAML2_ASSERTION)
  })
})

describe('user realm discovery', () => {
  const ctx = { url: 'https://login.microsoftonline.com/common/userrealm/bob%40contoso.com?api-version=1.0', nowMs: 0, defaultRetryAfterMs: 60_000 }
  const json = (status: number, body: unknown): HttpResponse => response(status, JSON.stringify(body), 'application/json; charset=utf-8')

  it('buildUserRealmRequest: GET /common/userrealm/{username} with the name URL-encoded', () => {
    expect(buildUserRealmRequest('login.microsoftonline.com', 'bob+o@contoso.com', { 'client-request-id': 'c' })).toEqual({
      method: 'GET',
      url: 'https://login.microsoftonline.com/common/userrealm/bob%2Bo%40contoso.com?api-version=1.0',
      headers: { 'client-request-id': 'c', accept: 'application/json' },
    })
  })

  it('decodes a federated realm', () => {
    const realm = right(
      processUserRealmResponse(
        json(200, {
          ver: '1.0',
          account_type: 'Federated',
          domain_name: 'contoso.com',
          federation_protocol: 'WSTrust',
          federation_metadata_url: `${ADFS}/mex`,
          federation_active_auth_url: `${ADFS}/2005/usernamemixed`,
          cloud_instance_name: 'microsoftonline.com',
          cloud_audience_urn: 'urn:federation:MicrosoftOnline',
        }),
        ctx,
      ),
    )
    expect(realm).toEqual({
      accountType: 'Federated',
      federationProtocol: 'WSTrust',
      federationMetadataUrl: `${ADFS}/mex`,
      federationActiveAuthUrl: `${ADFS}/2005/usernamemixed`,
      cloudAudienceUrn: 'urn:federation:MicrosoftOnline',
      cloudInstanceName: 'microsoftonline.com',
      domainName: 'contoso.com',
    })
  })

  it.each([
    ['Managed', { account_type: 'Managed', domain_name: 'contoso.onmicrosoft.com' }, 'Managed'],
    ['Unknown', { account_type: 'Unknown' }, 'Unknown'],
    ['an account type it does not know', { account_type: 'Consumer' }, 'Unknown'],
    ['no account type', {}, 'Unknown'],
  ])('maps %s, with the default cloud audience', (_, body, accountType) => {
    expect(right(processUserRealmResponse(json(200, body), ctx))).toMatchObject({ accountType, cloudAudienceUrn: 'urn:federation:MicrosoftOnline' })
  })

  it('treats a 404 (a cloud without user realm discovery) as Unknown, so the managed grant goes on', () => {
    expect(right(processUserRealmResponse(response(404, 'Not Found', 'text/html'), ctx))).toEqual({ accountType: 'Unknown', cloudAudienceUrn: 'urn:federation:MicrosoftOnline' })
  })

  it('refuses federation endpoints that are not https (the password would go there)', () => {
    const error = left(processUserRealmResponse(json(200, { account_type: 'Federated', federation_active_auth_url: 'http://fs.contoso.com/adfs/services/trust/2005/usernamemixed' }), ctx))
    expect(error).toMatchObject({ kind: 'InvalidResponseError', message: expect.stringMatching(/federation_active_auth_url: expected an https URL/) })
    // Errors never name the user: the URL's user segment is redacted.
    expect(error.message).not.toContain('bob')
  })

  it('reports errors and malformed answers', () => {
    expect(left(processUserRealmResponse(json(400, { error: 'invalid_request', error_description: 'AADSTS90100: bad' }), ctx))).toMatchObject({ kind: 'ServerError', error: 'invalid_request' })
    expect(left(processUserRealmResponse(json(200, { account_type: 7 }), ctx))).toMatchObject({ kind: 'InvalidResponseError', message: expect.stringMatching(/account_type/) })
    expect(left(processUserRealmResponse(response(200, '<html/>', 'text/html'), ctx))).toMatchObject({ kind: 'InvalidResponseError' })
  })
})
