import { bytesToBase64Url, utf8Encode } from '../util/base64url.js'
import type { PopPublicJwk } from '../effects/effect.js'
import type { PopRequest } from './popAuthScheme.js'

/**
 * A signed HTTP request (SHR) as msal-browser builds it (msal-common's PopTokenGenerator,
 * draft-ietf-oauth-signed-http-request-03): the same header, the same claims in the same order,
 * the URL read the same way, so a resource that accepts msal-browser's accepts ours.
 */

const b64uJson = (value: unknown): string => bytesToBase64Url(utf8Encode(JSON.stringify(value)))

/**
 * The token request's `req_cnf` for a key (msal-common's generateCnf): base64url of
 * `{"kid": <RFC 7638 thumbprint>, "xms_ksl": "sw"}`, the key kept in software.
 */
export const reqCnfOf = (kid: string): string => b64uJson({ kid, xms_ksl: 'sw' })

/** A resource URL's parts as msal-browser signs them. */
export interface ShrUrlParts {
  /** host[:port] (`u`), lower-case as the rest of the URL. */
  readonly host: string
  /** The path (`p`). */
  readonly path: string
  /** The query without "?", when there is one (`q`). */
  readonly query?: string | undefined
}

const URI = /^(([^:/?#]+):)?(\/\/([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?/

/**
 * msal-common's UrlString: the URL lower-cased, a trailing "?" dropped and a "/" appended unless
 * it ends with one (not for a URL with a fragment), then split by RFC 3986's regular expression,
 * the query losing that appended "/". So "https://API.contoso.com/Items" signs path "/items/",
 * and "https://api.contoso.com/items?id=1" path "/items" with query "id=1".
 */
export const shrUrlParts = (url: string): ShrUrlParts => {
  let canonical = url
  if (!url.includes('#')) {
    canonical = url.toLowerCase()
    if (canonical.endsWith('?')) canonical = canonical.slice(0, -1)
    else if (canonical.endsWith('?/')) canonical = canonical.slice(0, -2)
    if (!canonical.endsWith('/')) canonical += '/'
  }
  const match = URI.exec(canonical)
  const query = match?.[7]
  return {
    host: match?.[4] ?? '',
    path: match?.[5] ?? '',
    ...(query !== undefined && query !== '' ? { query: query.endsWith('/') ? query.slice(0, -1) : query } : {}),
  }
}

/** The SHR's protected header: `kid` is base64url of `{"kid": <thumbprint>}`, as msal-browser writes it. */
export const shrHeader = (kid: string): Record<string, string> => ({ typ: 'pop', alg: 'RS256', kid: b64uJson({ kid }) })

export interface ShrClaimsInput {
  /** The proof-of-possession access token. */
  readonly accessToken: string
  /** When it is signed, epoch seconds (`ts`). */
  readonly nowSec: number
  /** The resource request being signed: its method, URL and nonce (the SHR's `m`, `u`, `p`, `q`, `nonce`). */
  readonly request: PopRequest
  /** The nonce signed when the request names none (msal-browser signs a new GUID). */
  readonly fallbackNonce: string
  /** The key's public JWK, the SHR's confirmation (RFC 7800 `cnf.jwk`). */
  readonly jwk: PopPublicJwk
}

/**
 * The SHR's claims, in msal-browser's order: `at`, `ts`, `m`, `u`, `nonce`, `p`, `q` (`[[], query]`
 * when the URL has a query), `client_claims`, `cnf: { jwk }`. Absent ones are left out, as
 * JSON.stringify leaves out msal-browser's undefined fields.
 */
export const shrClaims = ({ accessToken, nowSec, request, fallbackNonce, jwk }: ShrClaimsInput): Record<string, unknown> => {
  const url = shrUrlParts(request.url)
  return {
    at: accessToken,
    ts: nowSec,
    m: request.httpMethod.toUpperCase(),
    u: url.host,
    nonce: request.nonce !== undefined && request.nonce !== '' ? request.nonce : fallbackNonce,
    p: url.path,
    ...(url.query !== undefined ? { q: [[], url.query] } : {}),
    ...(request.clientClaims !== undefined && request.clientClaims !== '' ? { client_claims: request.clientClaims } : {}),
    cnf: { jwk },
  }
}
