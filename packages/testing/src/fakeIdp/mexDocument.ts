/**
 * The WS-MetadataExchange document an AD FS serves at /adfs/services/trust/mex: a WSDL whose
 * WS-Policy assertions say how each WS-Trust endpoint authenticates. Like AD FS's, it lists for
 * each WS-Trust version a Windows-integrated endpoint (windowstransport), a certificate one
 * (certificatemixed) and the username/password one (usernamemixed), so a client has to pick.
 */
import type { IdpAnswer } from './types.js'
import { wsTrustPath, type AdfsServer, type WsTrustProtocol } from './federation.js'

const NAMESPACES = {
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  wsp: 'http://schemas.xmlsoap.org/ws/2004/09/policy',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  soap12: 'http://schemas.xmlsoap.org/wsdl/soap12/',
  wsa10: 'http://www.w3.org/2005/08/addressing',
  wsaw: 'http://www.w3.org/2006/05/addressing/wsdl',
  tns: 'http://schemas.microsoft.com/ws/2008/06/identity/securitytokenservice',
}

/** Per WS-Trust version: its security policy dialect, contract names and actions. */
const VERSIONS: Readonly<Record<WsTrustProtocol, { sp: string; contract: string; operation: string; action: string; reply: string; trust: string; usernameTokens: string; path: string }>> = {
  '2005': {
    sp: 'http://schemas.xmlsoap.org/ws/2005/07/securitypolicy',
    contract: 'IWSTrustFeb2005Async',
    operation: 'TrustFeb2005IssueAsync',
    action: 'http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue',
    reply: 'http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/Issue',
    trust: 'Trust10',
    usernameTokens: 'SignedSupportingTokens',
    path: '2005',
  },
  '1.3': {
    sp: 'http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702',
    contract: 'IWSTrust13Async',
    operation: 'Trust13IssueAsync',
    action: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue',
    reply: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTRC/IssueFinal',
    trust: 'Trust13',
    usernameTokens: 'SignedEncryptedSupportingTokens',
    path: '13',
  },
}

/** The three endpoint kinds per version: binding name prefix, address suffix, and policy body. */
type Kind = 'windows' | 'certificate' | 'username'
const KINDS: readonly Kind[] = ['windows', 'certificate', 'username']
const BINDING_PREFIX: Readonly<Record<Kind, string>> = { windows: 'CustomBinding', certificate: 'CertificateWSTrustBinding', username: 'UserNameWSTrustBinding' }
const ENDPOINT: Readonly<Record<Kind, string>> = { windows: 'windowstransport', certificate: 'certificatemixed', username: 'usernamemixed' }

const nested = (name: string, inner: string): string => `<${name}><wsp:Policy>${inner}</wsp:Policy></${name}>`

const transportBinding = (sp: string, timestamp: boolean): string =>
  `<sp:TransportBinding xmlns:sp="${sp}"><wsp:Policy>` +
  nested('sp:TransportToken', '<sp:HttpsToken RequireClientCertificate="false"/>') +
  nested('sp:AlgorithmSuite', '<sp:Basic256/>') +
  nested('sp:Layout', '<sp:Strict/>') +
  (timestamp ? '<sp:IncludeTimestamp/>' : '') +
  '</wsp:Policy></sp:TransportBinding>'

const supportingTokens = (sp: string, element: string, token: string): string =>
  `<sp:${element} xmlns:sp="${sp}"><wsp:Policy>${token}</wsp:Policy></sp:${element}>`

const policyBody = (kind: Kind, version: WsTrustProtocol): string => {
  const v = VERSIONS[version]
  const include = `${v.sp}/IncludeToken/AlwaysToRecipient`
  switch (kind) {
    case 'windows':
      return '<http:NegotiateAuthentication xmlns:http="http://schemas.microsoft.com/ws/06/2004/policy/http"/>' + transportBinding(v.sp, false)
    case 'certificate':
      return (
        transportBinding(v.sp, true) +
        supportingTokens(v.sp, 'EndorsingSupportingTokens', `<sp:X509Token sp:IncludeToken="${include}"><wsp:Policy><sp:RequireThumbprintReference/><sp:WssX509V3Token10/></wsp:Policy></sp:X509Token>`)
      )
    case 'username':
      return (
        transportBinding(v.sp, true) +
        supportingTokens(v.sp, v.usernameTokens, `<sp:UsernameToken sp:IncludeToken="${include}"><wsp:Policy><sp:WssUsernameToken10/></wsp:Policy></sp:UsernameToken>`) +
        `<sp:Wss11 xmlns:sp="${v.sp}"><wsp:Policy><sp:MustSupportRefKeyIdentifier/><sp:MustSupportRefIssuerSerial/><sp:MustSupportRefThumbprint/><sp:MustSupportRefEncryptedKey/></wsp:Policy></sp:Wss11>`
      )
  }
}

const bindingName = (kind: Kind, version: WsTrustProtocol): string => `${BINDING_PREFIX[kind]}_${VERSIONS[version].contract}`

const policy = (kind: Kind, version: WsTrustProtocol): string =>
  `<wsp:Policy wsu:Id="${bindingName(kind, version)}_policy"><wsp:ExactlyOne><wsp:All>${policyBody(kind, version)}` +
  `<sp:${VERSIONS[version].trust} xmlns:sp="${VERSIONS[version].sp}"><wsp:Policy><sp:MustSupportIssuedTokens/><sp:RequireClientEntropy/><sp:RequireServerEntropy/></wsp:Policy></sp:${VERSIONS[version].trust}>` +
  '<wsaw:UsingAddressing/></wsp:All></wsp:ExactlyOne></wsp:Policy>'

const portType = (version: WsTrustProtocol): string => {
  const v = VERSIONS[version]
  return (
    `<wsdl:portType name="${v.contract}"><wsdl:operation name="${v.operation}">` +
    `<wsdl:input wsaw:Action="${v.action}" message="tns:${v.contract}_${v.operation}_InputMessage"/>` +
    `<wsdl:output wsaw:Action="${v.reply}" message="tns:${v.contract}_${v.operation}_OutputMessage"/>` +
    '</wsdl:operation></wsdl:portType>'
  )
}

const binding = (kind: Kind, version: WsTrustProtocol): string => {
  const v = VERSIONS[version]
  const name = bindingName(kind, version)
  return (
    `<wsdl:binding name="${name}" type="tns:${v.contract}"><wsp:PolicyReference URI="#${name}_policy"/>` +
    '<soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/>' +
    `<wsdl:operation name="${v.operation}"><soap12:operation soapAction="${v.action}" style="document"/>` +
    '<wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation></wsdl:binding>'
  )
}

const port = (kind: Kind, version: WsTrustProtocol, origin: string, host: string): string => {
  const name = bindingName(kind, version)
  const address = kind === 'username' ? `${origin}${wsTrustPath(version)}` : `${origin}/adfs/services/trust/${VERSIONS[version].path}/${ENDPOINT[kind]}`
  const identity = kind === 'windows' ? `<Identity xmlns="http://schemas.xmlsoap.org/ws/2006/02/addressingidentity"><Spn>host/${host}</Spn></Identity>` : ''
  return (
    `<wsdl:port name="${name}" binding="tns:${name}"><soap12:address location="${address}"/>` +
    `<wsa10:EndpointReference><wsa10:Address>${address}</wsa10:Address>${identity}</wsa10:EndpointReference></wsdl:port>`
  )
}

/** The MEX document of an AD FS, with addresses on the origin it was asked at (https://{host}). */
export const mexDocument = (server: AdfsServer, origin: string): string => {
  // AD FS lists WS-Trust 2005 before 1.3; clients must still prefer 1.3.
  const versions = (['2005', '1.3'] as const).filter((version) => server.protocols.includes(version))
  const each = (render: (kind: Kind, version: WsTrustProtocol) => string): string => versions.map((version) => KINDS.map((kind) => render(kind, version)).join('')).join('')
  const declarations = Object.entries(NAMESPACES)
    .map(([prefix, uri]) => ` xmlns:${prefix}="${uri}"`)
    .join('')
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<wsdl:definitions name="SecurityTokenService" targetNamespace="${NAMESPACES.tns}"${declarations}>` +
    each(policy) +
    versions.map(portType).join('') +
    each(binding) +
    `<wsdl:service name="SecurityTokenService">${each((kind, version) => port(kind, version, origin, server.host))}</wsdl:service>` +
    '</wsdl:definitions>'
  )
}

/** AD FS serves MEX over GET as text/xml. */
export const mexAnswer = (server: AdfsServer, origin: string): IdpAnswer => ({
  kind: 'response',
  status: 200,
  headers: { 'content-type': 'text/xml; charset=utf-8' },
  body: mexDocument(server, origin),
})
