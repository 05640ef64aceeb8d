/**
 * WS-MetadataExchange (MEX): the WSDL a federation server (AD FS) publishes at
 * `federation_metadata_url`, read for the endpoint that takes a username and password. As MSAL
 * Python's mex.py: a binding qualifies when its policy asks for a UsernameToken (WSS 1.0) over
 * transport security (https), in WS-SecurityPolicy 1.2 for WS-Trust 1.3 (`SignedEncryptedSupportingTokens`)
 * or in the 2005 dialect for WS-Trust 2005 (`SignedSupportingTokens`); its port must have an
 * https address; WS-Trust 1.3 is preferred. Unlike mex.py, a binding whose SOAP action is neither
 * version's is never chosen (it could not be called), and a document without any usable endpoint
 * is an error here rather than later.
 */
import * as E from '../../util/either.js'
import type { HttpResponse } from '../../effects/effect.js'
import { type MsalError } from '../../errors.js'
import { invalidResponseError } from '../../wireErrors.js'
import { nameIn, NS, WS_TRUST_ACTION, type WsTrustVersion } from './namespaces.js'
import { attributeOf, childNamed, descendantsNamed, isNamed, parseXml, select, selectAll, type XmlElement, type XmlName } from './xml.js'

/** A WS-Trust endpoint that takes a username and password. */
export interface WsTrustEndpoint {
  /** An https URL, e.g. https://fs.contoso.com/adfs/services/trust/13/usernamemixed */
  readonly address: string
  /** The WS-Trust version its binding speaks: 1.3 (WS-Trust 1.3, OASIS) or 2005 (the February 2005 draft). */
  readonly version: WsTrustVersion
  /** The SOAP action its binding declares (WS_TRUST_ACTION[version]). */
  readonly action: string
}

const wsdl = nameIn(NS.wsdl)
const wsp = nameIn(NS.wsp)
const soap12 = nameIn(NS.soap12)
const wsa = nameIn(NS.wsa10)

const SOAP_OVER_HTTP = 'http://schemas.xmlsoap.org/soap/http'

/** The two policy shapes of a username/password binding: supporting token element and dialect. */
const USERNAME_POLICIES: readonly { readonly supporting: XmlName; readonly sp: (localName: string) => XmlName }[] = [
  { supporting: [NS.sp, 'SignedEncryptedSupportingTokens'], sp: nameIn(NS.sp) },
  { supporting: [NS.sp2005, 'SignedSupportingTokens'], sp: nameIn(NS.sp2005) },
]

const isUsernamePasswordPolicy = (policy: XmlElement): boolean =>
  USERNAME_POLICIES.some(
    ({ supporting, sp }) =>
      selectAll(policy, [wsp('ExactlyOne'), wsp('All'), supporting, wsp('Policy'), sp('UsernameToken'), wsp('Policy'), sp('WssUsernameToken10')]).length > 0 &&
      descendantsNamed(policy, sp('TransportBinding')).length > 0,
  )

/** `#id` of every top-level policy of a username/password binding. */
const usernamePasswordPolicyRefs = (definitions: XmlElement): Set<string> =>
  new Set(
    definitions.children
      .filter((child) => isNamed(child, wsp('Policy')) && isUsernamePasswordPolicy(child))
      .map((policy) => attributeOf(policy, 'Id', NS.wsu))
      .filter((id): id is string => id !== undefined)
      .map((id) => `#${id}`),
  )

const versionOfAction = (action: string | undefined): WsTrustVersion | undefined =>
  action === WS_TRUST_ACTION['1.3'] ? '1.3' : action === WS_TRUST_ACTION['2005'] ? '2005' : undefined

/** SOAP 1.2 over http bindings, by name: the policies they reference and their WS-Trust version. */
const soapBindings = (definitions: XmlElement): Map<string, { readonly policyRefs: readonly string[]; readonly version: WsTrustVersion }> => {
  const bindings = new Map<string, { policyRefs: string[]; version: WsTrustVersion }>()
  for (const binding of definitions.children.filter((child) => isNamed(child, wsdl('binding')))) {
    const transport = childNamed(binding, soap12('binding'))
    const name = attributeOf(binding, 'name')
    if (transport === undefined || attributeOf(transport, 'transport') !== SOAP_OVER_HTTP || name === undefined) continue
    const operation = select(binding, [wsdl('operation'), soap12('operation')])
    const version = versionOfAction(operation === undefined ? undefined : attributeOf(operation, 'soapAction'))
    if (version === undefined) continue
    const policyRefs = binding.children
      .filter((child) => isNamed(child, wsp('PolicyReference')))
      .map((ref) => attributeOf(ref, 'URI'))
      .filter((uri): uri is string => uri !== undefined)
    bindings.set(name, { policyRefs, version })
  }
  return bindings
}

/** Every username/password endpoint of a MEX document, in document order. */
export const mexUsernamePasswordEndpoints = (definitions: XmlElement): WsTrustEndpoint[] => {
  const policies = usernamePasswordPolicyRefs(definitions)
  const bindings = soapBindings(definitions)
  const endpoints: WsTrustEndpoint[] = []
  for (const port of selectAll(definitions, [wsdl('service'), wsdl('port')])) {
    // The binding is a QName (tns:UserNameWSTrustBinding_IWSTrust13Async); bindings are named without prefix.
    const binding = bindings.get((attributeOf(port, 'binding') ?? '').split(':').pop() ?? '')
    if (binding === undefined || !binding.policyRefs.some((ref) => policies.has(ref))) continue
    const address = select(port, [wsa('EndpointReference'), wsa('Address')])?.text.trim()
    if (address === undefined || !address.toLowerCase().startsWith('https://')) continue
    endpoints.push({ address, version: binding.version, action: WS_TRUST_ACTION[binding.version] })
  }
  return endpoints
}

/** The endpoint to send the username and password to: WS-Trust 1.3 if there is one, else 2005. */
export const parseMex = (xml: string): E.Either<string, WsTrustEndpoint> => {
  const parsed = parseXml(xml)
  if (E.isLeft(parsed)) return parsed
  if (!isNamed(parsed.right, wsdl('definitions'))) return E.left(`expected a WSDL document (wsdl:definitions), got <${parsed.right.name}>`)
  const endpoints = mexUsernamePasswordEndpoints(parsed.right)
  const chosen = endpoints.find((endpoint) => endpoint.version === '1.3') ?? endpoints[0]
  return chosen !== undefined
    ? E.right(chosen)
    : E.left('the federation metadata names no WS-Trust endpoint that takes a username and password over https (as for a Microsoft account)')
}

/** The MEX endpoint's answer, as the endpoint to use, or an InvalidResponseError. */
export const processMexResponse = (response: HttpResponse, ctx: { readonly url: string }): E.Either<MsalError, WsTrustEndpoint> => {
  if (response.status < 200 || response.status > 299) {
    return E.left(invalidResponseError(ctx.url, response.status, 'the federation metadata (MEX) endpoint did not answer with a document', response.body))
  }
  const endpoint = parseMex(response.body)
  return E.isLeft(endpoint) ? E.left(invalidResponseError(ctx.url, response.status, `federation metadata (MEX): ${endpoint.left}`, response.body)) : endpoint
}
