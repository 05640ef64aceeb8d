/**
 * The SAML assertions the fake AD FS issues for Entra (relying party urn:federation:MicrosoftOnline):
 * SAML 1.1 by default, as AD FS issues them for WS-Trust requests to Entra, or SAML 2.0. They
 * carry what Entra needs of a federated user: the UPN and the ImmutableID (the on-premises
 * object's base64 GUID), in AD FS's element order, with an enveloped signature element in its
 * place. The signature is for shape only: the fake knows its assertions by id and by their
 * exact text, which is how it notices a forged or altered one.
 */
import { createHash } from 'node:crypto'
import { attributeOf, base64UrlToBytes, childNamed, escapeXml, parseXml, utf8Decode } from '@msal-ts/core/protocol'
import { ASSERTION_LIFETIME_MS, MICROSOFT_ONLINE_URN, type AdfsServer, type IssuedAssertion, type SamlVersion } from './federation.js'
import type { RegisteredUser } from './users.js'

export const SAML1_NAMESPACE = 'urn:oasis:names:tc:SAML:1.0:assertion'
export const SAML2_NAMESPACE = 'urn:oasis:names:tc:SAML:2.0:assertion'

/** The token type WS-Trust names for each version. */
export const TOKEN_TYPE: Readonly<Record<SamlVersion, string>> = { '1.1': SAML1_NAMESPACE, '2.0': SAML2_NAMESPACE }

const iso = (ms: number): string => new Date(ms).toISOString()

/** Entra's onPremisesImmutableId: the base64 of the on-premises object's GUID (here, the user's oid). */
export const immutableIdOf = (user: RegisteredUser): string => Buffer.from(user.oid.replace(/-/g, ''), 'hex').toString('base64')

const digest = (text: string): string => createHash('sha256').update(text).digest('base64')

/** An enveloped XML signature's elements, over the unsigned assertion (shape only; see above). */
const signature = (id: string, unsigned: string, host: string): string => {
  const digestValue = digest(unsigned)
  return (
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>' +
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#" />' +
    '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" />' +
    `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature" />` +
    '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#" /></ds:Transforms>' +
    `<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256" /><ds:DigestValue>${digestValue}</ds:DigestValue></ds:Reference></ds:SignedInfo>` +
    `<ds:SignatureValue>${digest(`${host}:${digestValue}`)}</ds:SignatureValue>` +
    `<KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${Buffer.from(`CN=ADFS Signing - ${host}`).toString('base64')}</X509Certificate></X509Data></KeyInfo>` +
    '</ds:Signature>'
  )
}

interface AssertionFacts {
  readonly id: string
  readonly issuer: string
  readonly upn: string
  readonly immutableId: string
  readonly issuedMs: number
  readonly notOnOrAfterMs: number
}

const saml11 = (f: AssertionFacts, host: string): string => {
  const subject =
    `<saml:Subject><saml:NameIdentifier Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${f.immutableId}</saml:NameIdentifier>` +
    '<saml:SubjectConfirmation><saml:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:bearer</saml:ConfirmationMethod></saml:SubjectConfirmation></saml:Subject>'
  const open = `<saml:Assertion MajorVersion="1" MinorVersion="1" AssertionID="${f.id}" Issuer="${escapeXml(f.issuer)}" IssueInstant="${iso(f.issuedMs)}" xmlns:saml="${SAML1_NAMESPACE}">`
  const body =
    `<saml:Conditions NotBefore="${iso(f.issuedMs)}" NotOnOrAfter="${iso(f.notOnOrAfterMs)}"><saml:AudienceRestrictionCondition><saml:Audience>${MICROSOFT_ONLINE_URN}</saml:Audience></saml:AudienceRestrictionCondition></saml:Conditions>` +
    `<saml:AttributeStatement>${subject}` +
    `<saml:Attribute AttributeName="UPN" AttributeNamespace="http://schemas.xmlsoap.org/claims"><saml:AttributeValue>${escapeXml(f.upn)}</saml:AttributeValue></saml:Attribute>` +
    `<saml:Attribute AttributeName="ImmutableID" AttributeNamespace="http://schemas.microsoft.com/LiveID/Federation/2008/05"><saml:AttributeValue>${f.immutableId}</saml:AttributeValue></saml:Attribute>` +
    '</saml:AttributeStatement>' +
    `<saml:AuthenticationStatement AuthenticationMethod="urn:oasis:names:tc:SAML:1.0:am:password" AuthenticationInstant="${iso(f.issuedMs)}">${subject}</saml:AuthenticationStatement>`
  // SAML 1.1: the signature is the assertion's last child.
  return `${open}${body}${signature(f.id, `${open}${body}</saml:Assertion>`, host)}</saml:Assertion>`
}

const saml20 = (f: AssertionFacts, host: string): string => {
  const open = `<Assertion ID="${f.id}" IssueInstant="${iso(f.issuedMs)}" Version="2.0" xmlns="${SAML2_NAMESPACE}"><Issuer>${escapeXml(f.issuer)}</Issuer>`
  const body =
    `<Subject><NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${f.immutableId}</NameID>` +
    `<SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><SubjectConfirmationData NotOnOrAfter="${iso(f.notOnOrAfterMs)}" /></SubjectConfirmation></Subject>` +
    `<Conditions NotBefore="${iso(f.issuedMs)}" NotOnOrAfter="${iso(f.notOnOrAfterMs)}"><AudienceRestriction><Audience>${MICROSOFT_ONLINE_URN}</Audience></AudienceRestriction></Conditions>` +
    `<AttributeStatement><Attribute Name="UPN"><AttributeValue>${escapeXml(f.upn)}</AttributeValue></Attribute>` +
    `<Attribute Name="ImmutableID"><AttributeValue>${f.immutableId}</AttributeValue></Attribute></AttributeStatement>` +
    `<AuthnStatement AuthnInstant="${iso(f.issuedMs)}"><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</AuthnContextClassRef></AuthnContext></AuthnStatement>`
  // SAML 2.0: the signature follows the Issuer.
  return `${open}${signature(f.id, `${open}${body}</Assertion>`, host)}${body}</Assertion>`
}

/** Issues (and remembers, by the caller) an assertion for a user who authenticated at this AD FS. */
export const issueAssertion = (server: AdfsServer, user: RegisteredUser, nowMs: number, uuid: string): IssuedAssertion => {
  const facts: AssertionFacts = {
    id: `_${uuid}`,
    issuer: server.issuer,
    upn: user.username,
    immutableId: immutableIdOf(user),
    issuedMs: nowMs,
    notOnOrAfterMs: nowMs + ASSERTION_LIFETIME_MS,
  }
  const xml = server.samlVersion === '1.1' ? saml11(facts, server.host) : saml20(facts, server.host)
  return { id: facts.id, xml, issuer: facts.issuer, samlVersion: server.samlVersion, username: user.username, notOnOrAfterMs: facts.notOnOrAfterMs }
}

/** What the token endpoint reads of an assertion it is given, before it checks it against the issued ones. */
export interface PresentedAssertion {
  readonly xml: string
  readonly samlVersion: SamlVersion
  readonly id: string
  readonly issuer: string
}

/** Decodes a SAML bearer grant's `assertion` (base64url, or standard base64 with padding) and reads its id and issuer; or what is wrong. */
export const readPresentedAssertion = (encoded: string): PresentedAssertion | { readonly problem: string } => {
  const bytes = base64UrlToBytes(encoded)
  const xml = bytes === undefined ? undefined : utf8Decode(bytes)
  if (xml === undefined) return { problem: 'the assertion is not base64-encoded UTF-8' }
  const parsed = parseXml(xml)
  if (parsed._tag === 'Left') return { problem: 'the assertion is not XML' }
  const root = parsed.right
  const saml1 = root.namespace === SAML1_NAMESPACE
  if (root.localName !== 'Assertion' || (!saml1 && root.namespace !== SAML2_NAMESPACE)) return { problem: 'not a SAML assertion' }
  const id = attributeOf(root, saml1 ? 'AssertionID' : 'ID')
  const issuer = saml1 ? attributeOf(root, 'Issuer') : childNamed(root, [SAML2_NAMESPACE, 'Issuer'])?.text.trim()
  if (id === undefined || issuer === undefined) return { problem: 'a SAML assertion without an id or an issuer' }
  return { xml, samlVersion: saml1 ? '1.1' : '2.0', id, issuer }
}
