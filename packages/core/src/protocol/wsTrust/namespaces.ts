/** The XML namespaces and URIs of MEX, WS-Trust 1.3 and February 2005, SOAP 1.2 and SAML. */
import type { XmlName } from './xml.js'

export const NS = {
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  soap12: 'http://schemas.xmlsoap.org/wsdl/soap12/',
  wsp: 'http://schemas.xmlsoap.org/ws/2004/09/policy',
  /** WS-SecurityPolicy 1.2, used by WS-Trust 1.3 bindings. */
  sp: 'http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702',
  /** WS-SecurityPolicy of July 2005, used by WS-Trust 2005 bindings. */
  sp2005: 'http://schemas.xmlsoap.org/ws/2005/07/securitypolicy',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsa10: 'http://www.w3.org/2005/08/addressing',
  /** SOAP 1.2 envelope. */
  s: 'http://www.w3.org/2003/05/soap-envelope',
  /** SOAP 1.1 envelope (faults from older servers). */
  s11: 'http://schemas.xmlsoap.org/soap/envelope/',
  /** WS-Trust 1.3. */
  wst: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512',
  /** WS-Trust February 2005. */
  wst2005: 'http://schemas.xmlsoap.org/ws/2005/02/trust',
  saml1: 'urn:oasis:names:tc:SAML:1.0:assertion',
  saml2: 'urn:oasis:names:tc:SAML:2.0:assertion',
} as const

/** Names in a namespace: `nameIn(NS.wsdl)('binding')` is `[NS.wsdl, 'binding']`. */
export const nameIn =
  (namespace: string) =>
  (localName: string): XmlName =>
    [namespace, localName]

/** The two WS-Trust versions AD FS (and the MSAL libraries) speak for username/password. */
export type WsTrustVersion = '1.3' | '2005'

/** The SOAP action (and `wsa:Action`) of a token request, per version. */
export const WS_TRUST_ACTION: Readonly<Record<WsTrustVersion, string>> = {
  '1.3': 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue',
  '2005': 'http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue',
}

/** The WS-Trust namespace of a version. */
export const wsTrustNamespace = (version: WsTrustVersion): string => (version === '1.3' ? NS.wst : NS.wst2005)

/** SAML token types a WS-Trust response names (MSAL Python's SAML_TOKEN_TYPE_V1 / V2). */
export const SAML11_TOKEN_TYPE = 'urn:oasis:names:tc:SAML:1.0:assertion'
export const SAML20_TOKEN_TYPE = 'urn:oasis:names:tc:SAML:2.0:assertion'
export type SamlTokenType = typeof SAML11_TOKEN_TYPE | typeof SAML20_TOKEN_TYPE

/** The WSS SAML Token Profile's names for the same two types, which some servers send instead. */
export const WSS_SAML11_TOKEN_TYPE = 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1'
export const WSS_SAML20_TOKEN_TYPE = 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0'

/** Where Entra's own endpoints are the relying party: user realm discovery's default audience. */
export const MICROSOFT_ONLINE_AUDIENCE = 'urn:federation:MicrosoftOnline'
