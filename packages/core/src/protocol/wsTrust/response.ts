/**
 * The federation server's answer to a WS-Trust token request: a RequestSecurityTokenResponse
 * (inside a ...Collection for WS-Trust 1.3) holding a SAML assertion, or a SOAP fault.
 *
 * The assertion is signed, so it is handed on exactly as it arrived: the source text of the
 * element inside RequestedSecurityToken, never a re-serialisation (which would move namespace
 * declarations and break the signature, as MSAL Python's wstrust_response.py explains). AD FS
 * declares the assertion's namespaces on the assertion itself, so that text stands alone.
 */
import * as E from '../../util/either.js'
import type { HttpResponse } from '../../effects/effect.js'
import { withFields, type MsalError } from '../../errors.js'
import { invalidResponseError, serverError } from '../../wireErrors.js'
import {
  nameIn,
  NS,
  SAML11_TOKEN_TYPE,
  SAML20_TOKEN_TYPE,
  wsTrustNamespace,
  WSS_SAML11_TOKEN_TYPE,
  WSS_SAML20_TOKEN_TYPE,
  type SamlTokenType,
  type WsTrustVersion,
} from './namespaces.js'
import { childNamed, descendantsNamed, parseXml, resolveQName, select, type XmlElement } from './xml.js'

/** A SAML assertion issued for the user. */
export interface WsTrustToken {
  /** The assertion's XML, character for character as the server sent it. */
  readonly token: string
  /** SAML 1.1 or 2.0 (the WSS token profile's names are mapped to these). */
  readonly tokenType: SamlTokenType
}

/** What a SOAP fault says. */
export interface WsTrustFault {
  /** Tells a SOAP fault (SOAP 1.2 §5.4) from a malformed answer. */
  readonly _tag: 'SoapFault'
  /** The fault code as sent, e.g. `s:Sender`. */
  readonly code: string
  /** The most specific code as sent, e.g. `a:FailedAuthentication` (AD FS's wrong password). */
  readonly subcode?: string | undefined
  /** The most specific code's local name: `FailedAuthentication`. */
  readonly error: string
  /** e.g. "ID3242: The security token could not be authenticated or authorized." */
  readonly reason: string
}

export type WsTrustProblem = WsTrustFault | { readonly _tag: 'Malformed'; readonly problem: string }

const TOKEN_TYPES: Readonly<Record<string, SamlTokenType>> = {
  [SAML11_TOKEN_TYPE]: SAML11_TOKEN_TYPE,
  [SAML20_TOKEN_TYPE]: SAML20_TOKEN_TYPE,
  [WSS_SAML11_TOKEN_TYPE]: SAML11_TOKEN_TYPE,
  [WSS_SAML20_TOKEN_TYPE]: SAML20_TOKEN_TYPE,
}

/** A token type named by the assertion's own namespace, when the response names none. */
const TYPE_OF_ASSERTION_NAMESPACE: Readonly<Record<string, SamlTokenType>> = { [NS.saml1]: SAML11_TOKEN_TYPE, [NS.saml2]: SAML20_TOKEN_TYPE }

const malformed = (problem: string): E.Either<WsTrustProblem, never> => E.left({ _tag: 'Malformed', problem })

/** The local name of a QName written in content, for an error name. */
const localNameOf = (element: XmlElement, qname: string): string => resolveQName(element, qname)?.localName ?? qname.trim()

const soap12Fault = (fault: XmlElement): WsTrustFault => {
  const s = nameIn(NS.s)
  const code = childNamed(fault, s('Code'))
  const value = code && childNamed(code, s('Value'))
  // Subcodes nest; the innermost is the most specific.
  let subcode: XmlElement | undefined
  for (let level = code && childNamed(code, s('Subcode')); level !== undefined; level = childNamed(level, s('Subcode'))) {
    subcode = childNamed(level, s('Value')) ?? subcode
  }
  const specific = subcode ?? value
  return {
    _tag: 'SoapFault',
    code: value?.text.trim() ?? '',
    subcode: subcode?.text.trim(),
    error: specific === undefined ? 'soap_fault' : localNameOf(specific, specific.text),
    reason: select(fault, [s('Reason'), s('Text')])?.text.trim() ?? '',
  }
}

const soap11Fault = (fault: XmlElement): WsTrustFault => {
  const code = childNamed(fault, ['', 'faultcode'])
  return {
    _tag: 'SoapFault',
    code: code?.text.trim() ?? '',
    error: code === undefined ? 'soap_fault' : localNameOf(code, code.text),
    reason: childNamed(fault, ['', 'faultstring'])?.text.trim() ?? '',
  }
}

/** The first response holding a token (MSAL Python takes the first, too). */
const tokenOf = (body: XmlElement, source: string, version: WsTrustVersion): E.Either<WsTrustProblem, WsTrustToken> => {
  const wst = nameIn(wsTrustNamespace(version))
  const responses = descendantsNamed(body, wst('RequestSecurityTokenResponse'))
  for (const response of responses) {
    const assertion = childNamed(response, wst('RequestedSecurityToken'))?.children[0]
    if (assertion === undefined) continue
    const named = childNamed(response, wst('TokenType'))?.text.trim()
    const tokenType = named !== undefined ? TOKEN_TYPES[named] : TYPE_OF_ASSERTION_NAMESPACE[assertion.namespace]
    if (tokenType === undefined) return malformed(`unsupported token type ${named ?? `<${assertion.name}>`} (expected a SAML 1.1 or 2.0 assertion)`)
    return E.right({ token: source.slice(assertion.start, assertion.end), tokenType })
  }
  const other = nameIn(wsTrustNamespace(version === '1.3' ? '2005' : '1.3'))('RequestSecurityTokenResponse')
  return malformed(
    descendantsNamed(body, other).length > 0
      ? `a WS-Trust ${version === '1.3' ? '2005' : '1.3'} response to a WS-Trust ${version} request`
      : responses.length > 0
        ? 'the RequestSecurityTokenResponse holds no RequestedSecurityToken'
        : 'no RequestSecurityTokenResponse in the SOAP body',
  )
}

/** A WS-Trust response's SAML assertion, or the fault the server sent, or what is wrong with it. */
export const parseWsTrustResponse = (xml: string, version: WsTrustVersion): E.Either<WsTrustProblem, WsTrustToken> => {
  const parsed = parseXml(xml)
  if (E.isLeft(parsed)) return malformed(parsed.left)
  const envelope = parsed.right
  const soap = envelope.namespace === NS.s || envelope.namespace === NS.s11 ? nameIn(envelope.namespace) : undefined
  if (soap === undefined || envelope.localName !== 'Envelope') return malformed(`expected a SOAP envelope, got <${envelope.name}>`)
  const body = childNamed(envelope, soap('Body'))
  if (body === undefined) return malformed('the SOAP envelope has no Body')
  const fault = childNamed(body, soap('Fault'))
  if (fault !== undefined) return E.left(envelope.namespace === NS.s ? soap12Fault(fault) : soap11Fault(fault))
  return tokenOf(body, xml, version)
}

/**
 * The WS-Trust endpoint's answer as a token or an MsalError: a SOAP fault becomes a ServerError
 * whose `error` is the fault's most specific code and `errorDescription` its reason (AD FS answers
 * faults, a wrong password included, with HTTP 500); anything else unreadable an InvalidResponseError.
 */
export const processWsTrustResponse = (response: HttpResponse, ctx: { readonly url: string }, version: WsTrustVersion): E.Either<MsalError, WsTrustToken> => {
  const parsed = parseWsTrustResponse(response.body, version)
  if (E.isRight(parsed)) return parsed
  const problem = parsed.left
  if (problem._tag === 'SoapFault') {
    const error = serverError(response.status, { error: problem.error, errorDescription: problem.reason })
    return E.left(withFields(error, { message: `the federation server (WS-Trust) refused the request: ${error.message}` }))
  }
  return E.left(invalidResponseError(ctx.url, response.status, `WS-Trust: ${problem.problem}`, response.body))
}
