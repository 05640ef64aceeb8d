/**
 * AD FS's WS-Trust username/password endpoints (/adfs/services/trust/13/usernamemixed and
 * /2005/usernamemixed), as WCF serves them: a SOAP 1.2 request with a WS-Security UsernameToken
 * gets a RequestSecurityTokenResponse(Collection) holding a SAML assertion for Entra; anything
 * wrong gets a SOAP fault with HTTP 500 (AD FS's status even for a wrong password), e.g.
 * `a:FailedAuthentication` "ID3242: The security token could not be authenticated or authorized."
 */
import { childNamed, descendantsNamed, escapeXml, parseXml, select, type XmlElement } from '@msal-ts/core/protocol'
import type { ErrorContext } from './entraErrors.js'
import { MICROSOFT_ONLINE_URN, type AdfsServer, type WsTrustProtocol } from './federation.js'
import { issueAssertion, TOKEN_TYPE } from './federationAssertions.js'
import type { IdpAnswer, IdpRequest } from './types.js'
import type { RegisteredUser, UserDirectory } from './users.js'

export interface WsTrustContext extends ErrorContext {
  readonly server: AdfsServer
  readonly users: UserDirectory
  /** A fresh UUID (assertion ids). */
  readonly newUuid: () => string
}

const SOAP = 'http://www.w3.org/2003/05/soap-envelope'
const ADDRESSING = 'http://www.w3.org/2005/08/addressing'
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd'
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd'
const WSP = 'http://schemas.xmlsoap.org/ws/2004/09/policy'

const VERSION: Readonly<Record<WsTrustProtocol, { trust: string; action: string; replyAction: string; keyType: string }>> = {
  '1.3': {
    trust: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512',
    action: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue',
    replyAction: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTRC/IssueFinal',
    keyType: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer',
  },
  '2005': {
    trust: 'http://schemas.xmlsoap.org/ws/2005/02/trust',
    action: 'http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue',
    replyAction: 'http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/Issue',
    keyType: 'http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey',
  },
}

const SOAP_HEADERS = { 'content-type': 'application/soap+xml; charset=utf-8' }
const iso = (ms: number): string => new Date(ms).toISOString()

/** A SOAP 1.2 envelope as WCF writes one: Action, RelatesTo and a security timestamp (5 minutes) in the header. */
const envelope = (action: string, relatesTo: string | undefined, nowMs: number, body: string): string =>
  `<s:Envelope xmlns:s="${SOAP}" xmlns:a="${ADDRESSING}" xmlns:u="${WSU}"><s:Header>` +
  `<a:Action s:mustUnderstand="1">${action}</a:Action>` +
  (relatesTo !== undefined ? `<a:RelatesTo>${escapeXml(relatesTo)}</a:RelatesTo>` : '') +
  `<o:Security s:mustUnderstand="1" xmlns:o="${WSSE}"><u:Timestamp u:Id="_0"><u:Created>${iso(nowMs)}</u:Created><u:Expires>${iso(nowMs + 300_000)}</u:Expires></u:Timestamp></o:Security>` +
  `</s:Header><s:Body>${body}</s:Body></s:Envelope>`

/** A SOAP fault: `s:Sender` with a subcode in `subcodeNamespace`, and the reason. */
const fault = (subcodeNamespace: string, subcode: string, reason: string, relatesTo: string | undefined, nowMs: number): IdpAnswer => ({
  kind: 'response',
  status: 500,
  headers: SOAP_HEADERS,
  body: envelope(
    'http://www.w3.org/2005/08/addressing/soap/fault',
    relatesTo,
    nowMs,
    `<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value xmlns:a="${subcodeNamespace}">a:${subcode}</s:Value></s:Subcode></s:Code>` +
      `<s:Reason><s:Text xml:lang="en-US">${escapeXml(reason)}</s:Text></s:Reason></s:Fault>`,
  ),
})

/** The response's token part, the same in both versions but for the prefix's namespace and the collection around 1.3's. */
const tokenResponse = (version: WsTrustProtocol, assertion: { xml: string; id: string; samlVersion: '1.1' | '2.0'; notOnOrAfterMs: number }, nowMs: number): string => {
  const { trust, keyType } = VERSION[version]
  const profile = assertion.samlVersion === '1.1' ? 'SAMLV1.1' : 'SAMLV2.0'
  const valueType = assertion.samlVersion === '1.1' ? 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.0#SAMLAssertionID' : 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID'
  const reference = (element: string): string =>
    `<t:${element}><o:SecurityTokenReference k:TokenType="http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#${profile}" xmlns:k="http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd" xmlns:o="${WSSE}">` +
    `<o:KeyIdentifier ValueType="${valueType}">${assertion.id}</o:KeyIdentifier></o:SecurityTokenReference></t:${element}>`
  const rstr =
    `<t:RequestSecurityTokenResponse${version === '2005' ? ` xmlns:t="${trust}"` : ''}>` +
    `<t:Lifetime><wsu:Created xmlns:wsu="${WSU}">${iso(nowMs)}</wsu:Created><wsu:Expires xmlns:wsu="${WSU}">${iso(assertion.notOnOrAfterMs)}</wsu:Expires></t:Lifetime>` +
    `<wsp:AppliesTo xmlns:wsp="${WSP}"><wsa:EndpointReference xmlns:wsa="${ADDRESSING}"><wsa:Address>${MICROSOFT_ONLINE_URN}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>` +
    `<t:RequestedSecurityToken>${assertion.xml}</t:RequestedSecurityToken>` +
    reference('RequestedAttachedReference') +
    reference('RequestedUnattachedReference') +
    `<t:TokenType>${TOKEN_TYPE[assertion.samlVersion]}</t:TokenType><t:RequestType>${trust}/Issue</t:RequestType><t:KeyType>${keyType}</t:KeyType>` +
    '</t:RequestSecurityTokenResponse>'
  return version === '1.3' ? `<t:RequestSecurityTokenResponseCollection xmlns:t="${trust}">${rstr}</t:RequestSecurityTokenResponseCollection>` : rstr
}

/** What the request says, or the fault that answers it. */
interface TokenRequest {
  readonly messageId: string | undefined
  readonly username: string
  readonly password: string
  readonly appliesTo: string | undefined
}

const textAt = (element: XmlElement | undefined, namespace: string, localName: string): string | undefined =>
  element === undefined ? undefined : descendantsNamed(element, [namespace, localName])[0]?.text.trim()

const readRequest = (request: IdpRequest, version: WsTrustProtocol, nowMs: number): TokenRequest | IdpAnswer => {
  const { trust, action } = VERSION[version]
  const parsed = parseXml(request.body ?? '')
  if (parsed._tag === 'Left' || parsed.right.namespace !== SOAP || parsed.right.localName !== 'Envelope') {
    return fault(trust, 'InvalidRequest', 'The message is not a SOAP 1.2 envelope.', undefined, nowMs)
  }
  const header = childNamed(parsed.right, [SOAP, 'Header'])
  const messageId = textAt(header, ADDRESSING, 'MessageID')
  const sentAction = textAt(header, ADDRESSING, 'Action')
  if (sentAction !== action) {
    // WCF's words for a message sent to the endpoint of the other WS-Trust version.
    return fault(
      ADDRESSING,
      'ActionNotSupported',
      `The message with Action '${sentAction ?? ''}' cannot be processed at the receiver, due to a ContractFilter mismatch at the EndpointDispatcher. This may be because of either a contract mismatch (mismatched Actions between sender and receiver) or a binding/security mismatch between the sender and the receiver.  Check that sender and receiver have the same contract and the same binding (including security requirements, e.g. Message, Transport, None).`,
      messageId,
      nowMs,
    )
  }
  const security = header === undefined ? undefined : childNamed(header, [WSSE, 'Security'])
  const expires = Date.parse(textAt(security, WSU, 'Expires') ?? '')
  const username = textAt(security, WSSE, 'Username')
  const password = security === undefined ? undefined : select(security, [[WSSE, 'UsernameToken'], [WSSE, 'Password']])?.text
  if (username === undefined || password === undefined || !(expires > nowMs)) {
    return fault(WSSE, 'InvalidSecurity', 'An error occurred when verifying security for the message.', messageId, nowMs)
  }
  const body = childNamed(parsed.right, [SOAP, 'Body'])
  const rst = body === undefined ? undefined : childNamed(body, [trust, 'RequestSecurityToken'])
  if (rst === undefined) return fault(trust, 'InvalidRequest', 'MSIS3127: The specified request failed.', messageId, nowMs)
  return { messageId, username, password, appliesTo: textAt(rst, ADDRESSING, 'Address') }
}

/** Whether the user belongs to a domain this AD FS serves and the password is theirs. */
const authenticate = (ctx: WsTrustContext, username: string, password: string): RegisteredUser | undefined => {
  const user = ctx.users.find(username)
  return user !== undefined && ctx.server.domains.has(user.domain) && user.password !== undefined && user.password === password ? user : undefined
}

/** Answers a WS-Trust Issue request at the usernamemixed endpoint of `version`. */
export const wsTrustEndpoint = (request: IdpRequest, version: WsTrustProtocol, ctx: WsTrustContext): IdpAnswer => {
  const contentType = request.headers['content-type'] ?? ''
  if (!contentType.toLowerCase().startsWith('application/soap+xml')) {
    // WCF's SOAP 1.2 binding refuses other content types before reading the message.
    return { kind: 'response', status: 415, headers: {}, body: '' }
  }
  const read = readRequest(request, version, ctx.nowMs)
  if ('kind' in read) return read
  const { trust, replyAction } = VERSION[version]
  if (read.appliesTo !== MICROSOFT_ONLINE_URN) {
    // AD FS logs MSIS7007 (no such relying party trust) and tells the client only this.
    return fault(trust, 'RequestFailed', 'MSIS3127: The specified request failed.', read.messageId, ctx.nowMs)
  }
  const user = authenticate(ctx, read.username, read.password)
  if (user === undefined) {
    return fault(trust, 'FailedAuthentication', 'ID3242: The security token could not be authenticated or authorized.', read.messageId, ctx.nowMs)
  }
  const assertion = issueAssertion(ctx.server, user, ctx.nowMs, ctx.newUuid())
  ctx.users.federation.remember(assertion)
  return {
    kind: 'response',
    status: 200,
    headers: SOAP_HEADERS,
    body: envelope(replyAction, read.messageId, ctx.nowMs, tokenResponse(version, assertion, ctx.nowMs)),
  }
}
