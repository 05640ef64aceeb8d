/**
 * Text fit for a log line or an error message. A URL may carry a secret or a user's name in its
 * query (codes, hints), its fragment, its user info (proxy credentials) or its path (user realm
 * discovery asks `/common/userrealm/{username}`); a response body may carry tokens. These
 * helpers take those parts out, and are total: any string in, a string out.
 */

/** What stands where a user's name was. */
export const REDACTED_USERNAME = '<username>'
/** What stands where a secret was. */
export const REDACTED_SECRET = '<redacted>'

const SCHEME_AND_AUTHORITY = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is

/** A path segment naming a user: an email address or UPN, plain or percent-encoded. */
const namesAUser = (segment: string): boolean => segment.includes('@') || /%40/i.test(segment)

const redactPath = (path: string): string => {
  const segments = path.split('/')
  return segments
    .map((segment, index) =>
      namesAUser(segment) || (index > 0 && segments[index - 1]!.toLowerCase() === 'userrealm' && segment !== '') ? REDACTED_USERNAME : segment,
    )
    .join('/')
}

/**
 * A URL without what may hold a secret or name a user: no query, no fragment, no user info, and
 * `<username>` for a path segment that is a user's name (user realm discovery's, or any segment
 * with an `@`). Scheme, host, port and the rest of the path stay, so a reader still knows which
 * endpoint was called.
 */
export const redactUrl = (url: string): string => {
  const cut = url.search(/[?#]/)
  const base = cut === -1 ? url : url.slice(0, cut)
  const parts = SCHEME_AND_AUTHORITY.exec(base)
  if (parts === null) return redactPath(base)
  const [, scheme, authority, path] = parts as unknown as [string, string, string, string]
  const host = authority.slice(authority.lastIndexOf('@') + 1)
  return `${scheme}${host}${redactPath(path)}`
}

/**
 * Only a URL's scheme, host and port: what a log line without personal data may say about an
 * endpoint (an authority's path names the tenant). Text that is not an absolute URL comes back
 * with its path, query and fragment cut off.
 */
export const originOf = (url: string): string => {
  const parts = SCHEME_AND_AUTHORITY.exec(url)
  if (parts === null) return url.split(/[/?#]/, 1)[0] ?? ''
  const authority = parts[2] ?? ''
  return `${parts[1] ?? ''}${authority.slice(authority.lastIndexOf('@') + 1)}`
}

/** Absolute URLs inside free text, such as a fetch implementation's error message. */
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>()[\]{}]+/gi

/** Free text (an error from fetch, a proxy) with every URL in it passed through `redact`. */
export const redactUrlsIn = (text: string, redact: (url: string) => string = redactUrl): string => text.replace(URL_IN_TEXT, (url) => redact(url))

/** Fields whose values are secrets, in JSON (`"name": "value"`) or form (`name=value`) text. */
const SECRET_NAMES = 'access_token|refresh_token|id_token|client_info|client_secret|client_assertion|assertion|code|device_code|code_verifier|password'
const JSON_SECRET = new RegExp(`("(?:${SECRET_NAMES})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*("?)`, 'gi')
// After the start, a query or form separator, white space, or the end of an HTML tag or entity.
const FORM_SECRET = new RegExp(`(^|[?&\\s>;,(])((?:${SECRET_NAMES})=)[^&\\s"'<>]*`, 'gi')
/** A JSON Web Token, or what is left of one: base64url of `{"` then more segments. */
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){0,2}/g
/** A bearer token in an Authorization header or challenge, JWT or not (RFC 6750 §2.1's token68). */
const BEARER = /(\b(?:Bearer|Basic)\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi

/**
 * A response body (or part of one) fit for an error's excerpt: JWTs and the values of secret
 * fields (tokens, codes, secrets, passwords) replaced by `<redacted>`, even where the body is
 * cut off in the middle of one.
 */
export const redactSecretsIn = (text: string): string =>
  redactUrlsIn(text)
    .replace(JSON_SECRET, (_, name: string, close: string) => `${name}"${REDACTED_SECRET}${close}`)
    .replace(FORM_SECRET, (_, before: string, name: string) => `${before}${name}${REDACTED_SECRET}`)
    .replace(JWT, REDACTED_SECRET)
    .replace(BEARER, (_, scheme: string) => `${scheme}${REDACTED_SECRET}`)
