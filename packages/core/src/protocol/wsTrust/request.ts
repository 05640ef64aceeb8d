/**
 * The WS-Trust token request (RST) a public client sends a federation server with the user's
 * name and password, in the shape MSAL Python's wstrust_request.py sends: a SOAP 1.2 envelope with
 * WS-Addressing headers, a WS-Security timestamp and UsernameToken, and a bearer-key Issue
 * request for the cloud's audience. The time and the message id come from the caller (core has no
 * clock and no randomness). Every value is XML-escaped: the username too, which MSAL Python does
 * not escape.
 */
import type { HttpRequest } from '../../effects/effect.js'
import { NS, WS_TRUST_ACTION, wsTrustNamespace, type WsTrustVersion } from './namespaces.js'
import { escapeXml } from './xml.js'

export interface WsTrustRequestInput {
  /** The endpoint's https address (MEX's choice, or user realm's `federation_active_auth_url`). */
  readonly address: string
  /** The WS-Trust version the endpoint speaks: fixes the namespaces and the SOAP action. */
  readonly version: WsTrustVersion
  /** The user's sign-in name, sent in the WS-Security UsernameToken (XML-escaped). */
  readonly username: string
  /** The user's password, sent in the WS-Security UsernameToken over https only; never logged. */
  readonly password: string
  /** The relying party: user realm's `cloud_audience_urn` (urn:federation:MicrosoftOnline). */
  readonly appliesTo: string
  /** A random UUID; sent as `urn:uuid:{messageId}`. */
  readonly messageId: string
  /** Epoch milliseconds: the request's creation time. */
  readonly createdMs: number
  /** Epoch milliseconds; default ten minutes after `createdMs`, as MSAL Python. */
  readonly expiresMs?: number | undefined
}

/** How long a request is valid for, as MSAL Python sets it. */
export const WS_TRUST_REQUEST_LIFETIME_MS = 10 * 60 * 1000

/** The key type and request type URIs of each version. */
const VERSION_URIS: Readonly<Record<WsTrustVersion, { readonly keyType: string; readonly requestType: string }>> = {
  '1.3': { keyType: `${NS.wst}/Bearer`, requestType: `${NS.wst}/Issue` },
  '2005': { keyType: 'http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey', requestType: `${NS.wst2005}/Issue` },
}

/** Civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm); no Date global in core. */
const civilFromDays = (days: number): [year: number, month: number, day: number] => {
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day]
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** A WS-Security timestamp, `YYYY-MM-DDTHH:MM:SSZ` (whole seconds, as MSAL Python writes it). */
export const wsuTimestamp = (epochMs: number): string => {
  const seconds = Math.floor(epochMs / 1000)
  const days = Math.floor(seconds / 86400)
  const [year, month, day] = civilFromDays(days)
  const inDay = seconds - days * 86400
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(Math.floor(inDay / 3600))}:${pad(Math.floor(inDay / 60) % 60)}:${pad(inDay % 60)}Z`
}

/** The SOAP envelope of a username/password token request. */
export const buildWsTrustRequestBody = (input: WsTrustRequestInput): string => {
  const { keyType, requestType } = VERSION_URIS[input.version]
  const expiresMs = input.expiresMs ?? input.createdMs + WS_TRUST_REQUEST_LIFETIME_MS
  return [
    `<s:Envelope xmlns:s="${NS.s}" xmlns:wsa="${NS.wsa10}" xmlns:wsu="${NS.wsu}">`,
    '<s:Header>',
    `<wsa:Action s:mustUnderstand="1">${WS_TRUST_ACTION[input.version]}</wsa:Action>`,
    `<wsa:MessageID>urn:uuid:${escapeXml(input.messageId)}</wsa:MessageID>`,
    '<wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>',
    `<wsa:To s:mustUnderstand="1">${escapeXml(input.address)}</wsa:To>`,
    `<wsse:Security s:mustUnderstand="1" xmlns:wsse="${NS.wsse}">`,
    `<wsu:Timestamp wsu:Id="_0"><wsu:Created>${wsuTimestamp(input.createdMs)}</wsu:Created><wsu:Expires>${wsuTimestamp(expiresMs)}</wsu:Expires></wsu:Timestamp>`,
    '<wsse:UsernameToken wsu:Id="ADALUsernameToken">',
    `<wsse:Username>${escapeXml(input.username)}</wsse:Username>`,
    `<wsse:Password>${escapeXml(input.password)}</wsse:Password>`,
    '</wsse:UsernameToken>',
    '</wsse:Security>',
    '</s:Header>',
    '<s:Body>',
    `<wst:RequestSecurityToken xmlns:wst="${wsTrustNamespace(input.version)}">`,
    `<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><wsa:EndpointReference><wsa:Address>${escapeXml(input.appliesTo)}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>`,
    `<wst:KeyType>${keyType}</wst:KeyType>`,
    `<wst:RequestType>${requestType}</wst:RequestType>`,
    '</wst:RequestSecurityToken>',
    '</s:Body>',
    '</s:Envelope>',
  ].join('')
}

/** The whole request: POST to the endpoint with the SOAP 1.2 content type, the SOAPAction header and the envelope. */
export type WsTrustRequest = HttpRequest & { readonly method: 'POST'; readonly body: string }

export const buildWsTrustRequest = (input: WsTrustRequestInput, headers: Readonly<Record<string, string>> = {}): WsTrustRequest => ({
  method: 'POST',
  url: input.address,
  headers: { ...headers, 'content-type': 'application/soap+xml; charset=utf-8', soapaction: WS_TRUST_ACTION[input.version] },
  body: buildWsTrustRequestBody(input),
})
