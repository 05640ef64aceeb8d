import * as E from '../util/either.js'
import { usageError, type UsageError } from '../errors.js'

/**
 * The resource request a proof-of-possession token is presented with: what its signed HTTP
 * request (draft-ietf-oauth-signed-http-request-03) covers.
 */
export interface PopRequest {
  /** The resource request's HTTP method, upper-case (the signed request's `m`). */
  readonly httpMethod: string
  /** The resource's absolute URL: its host[:port], path and query are signed (`u`, `p`, `q`). */
  readonly url: string
  /**
   * The nonce the resource gave (in its `WWW-Authenticate: PoP nonce="..."` challenge), signed
   * as `nonce`. Only msal-browser's request may leave it out (a new GUID is signed then).
   */
  readonly nonce?: string | undefined
  /** msal-browser's `shrClaims`: a JSON string signed as `client_claims`. */
  readonly clientClaims?: string | undefined
}

/** The methods MSAL Python's PopAuthScheme takes (draft-ietf-oauth-signed-http-request-03 §3: upper-case). */
const HTTP_METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH'])

const REQUIRED = 'All http_method, url and nonce are required parameters'
const UPPERCASE = 'http_method must be uppercase, according to https://datatracker.ietf.org/doc/html/draft-ietf-oauth-signed-http-request-03#section-3'

const given = (value: unknown): boolean => typeof value === 'string' && value !== ''

/** Whether `url` is absolute with a host: a signed request without one binds the token to nothing. */
export const hasHost = (url: string): boolean => {
  try {
    return new URL(url).host !== ''
  } catch {
    return false
  }
}

/** A resource URL's problem, if it has one (shared with msal-browser's `resourceRequestUri`). */
export const resourceUrlProblem = (url: string): string | undefined =>
  hasHost(url) ? undefined : `expected the resource's absolute URL, such as https://api.contoso.com/items?id=1, got ${JSON.stringify(url)}`

/**
 * MSAL Python's PopAuthScheme checks (msal/auth_scheme.py), with its messages: all three given,
 * the method one of GET, POST, PUT, DELETE, PATCH in upper case; and, beyond MSAL Python (which
 * signs through a broker that checks it), an absolute URL.
 */
export const checkPopAuthScheme = (value: unknown, argument = 'authScheme'): E.Either<UsageError, PopRequest> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return E.left(usageError(argument, 'expected a PopAuthScheme(httpMethod, url, nonce)'))
  }
  const { httpMethod, url, nonce } = value as { httpMethod?: unknown; url?: unknown; nonce?: unknown }
  if (!given(httpMethod) || !given(url) || !given(nonce)) return E.left(usageError(argument, REQUIRED))
  if (!HTTP_METHODS.has(httpMethod as string)) return E.left(usageError(`${argument}.httpMethod`, UPPERCASE))
  const problem = resourceUrlProblem(url as string)
  if (problem !== undefined) return E.left(usageError(`${argument}.url`, problem))
  return E.right({ httpMethod: httpMethod as string, url: url as string, nonce: nonce as string })
}

/**
 * MSAL Python's `PopAuthScheme(http_method, url, nonce)`: ask for a proof-of-possession token
 * (the `authScheme` option) that will be presented with this resource request. The result's
 * `accessToken` is then a signed HTTP request (send it as `Authorization: PoP <accessToken>`),
 * signed afresh on every call, cache hits included.
 *
 * @throws MsalError (kind UsageError) with MSAL Python's messages: a method that is not an
 * upper-case GET, POST, PUT, DELETE or PATCH; a missing method, url or nonce; a URL that is not
 * absolute.
 */
export class PopAuthScheme implements PopRequest {
  static readonly HTTP_GET = 'GET'
  static readonly HTTP_POST = 'POST'
  static readonly HTTP_PUT = 'PUT'
  static readonly HTTP_DELETE = 'DELETE'
  static readonly HTTP_PATCH = 'PATCH'

  /** The resource request's method, upper-case. */
  readonly httpMethod: string
  /** The resource's absolute URL. */
  readonly url: string
  /** The resource's nonce, from its `WWW-Authenticate: PoP nonce="..."` challenge. */
  readonly nonce: string

  constructor(httpMethod: string, url: string, nonce: string) {
    const checked = checkPopAuthScheme({ httpMethod, url, nonce })
    if (E.isLeft(checked)) throw checked.left
    this.httpMethod = httpMethod
    this.url = url
    this.nonce = nonce
  }
}
