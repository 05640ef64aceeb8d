import * as E from '../util/either.js'
import { configurationError, type ConfigurationError } from '../errors.js'
import { describeValue } from '../util/decode.js'
import { isKnownMicrosoftHost, isLoopbackHostname } from './knownHosts.js'

/**
 * The kinds of authority MSAL knows. They differ in where their OpenID configuration lives and
 * in whether Microsoft can vouch for them (instance discovery).
 */
export type AuthorityKind =
  /** Microsoft Entra ID: https://login.microsoftonline.com/{tenant} */
  | 'Entra'
  /** Azure AD B2C: https://{tenant}.b2clogin.com/{tenant}.onmicrosoft.com/{policy} */
  | 'B2C'
  /** Microsoft Entra External ID (CIAM): https://{tenant}.ciamlogin.com[/{tenant}] */
  | 'CIAM'
  /** AD FS: https://{host}/adfs */
  | 'ADFS'
  /** Any OpenID Connect provider (the oidcAuthority option), and dSTS. */
  | 'OIDC'

/** A parsed, checked authority. */
export interface Authority {
  /** Which kind of authority: where its OpenID configuration lives and whether Microsoft can vouch for it. */
  readonly kind: AuthorityKind
  /** `{scheme}://{host}{path}`: the canonical form, no trailing slash. */
  readonly url: string
  /** The URL scheme: https, or http for a loopback host only. */
  readonly scheme: 'https' | 'http'
  /** Lower-case host with any port: the cache's `environment`. */
  readonly host: string
  /** The authority's path: "/{tenant}" for Entra, "/{tenant}/{policy}" for B2C, maybe "" for OIDC. */
  readonly path: string
  /** The realm tokens are filed under: the tenant (first path segment); "{sub}.onmicrosoft.com" for a path-less CIAM host. */
  readonly tenant: string
  /** A query the developer gave (kept for tenant discovery, as MSAL Python keeps it). */
  readonly query: string
  /** The host is 127.0.0.1, [::1] or localhost: plain http is allowed (local providers, tests). */
  readonly isLoopback: boolean
  /** A Microsoft cloud host whose endpoints and aliases MSAL knows without asking. */
  readonly isKnownHost: boolean
}

export const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com/common'

const EXAMPLES =
  'https://login.microsoftonline.com/<tenant>, https://<tenant>.ciamlogin.com, or https://<tenant>.b2clogin.com/<tenant>.onmicrosoft.com/<policy>'

const B2C_HOST_SUFFIXES = ['.b2clogin.com', '.b2clogin.cn', '.b2clogin.us', '.b2clogin.de']
const CIAM_HOST_SUFFIX = '.ciamlogin.com'

type Fail = (message: string) => E.Either<ConfigurationError, never>

/** URL syntax and transport rules every authority obeys: absolute, https (http only on loopback), no credentials. */
const parseUrl = (value: unknown, fail: Fail): E.Either<ConfigurationError, URL> => {
  if (typeof value !== 'string' || value.trim() === '') return fail(`expected a URL such as ${EXAMPLES}, got ${describeValue(value)}`)
  let url: URL
  try {
    url = new URL(value.trim())
  } catch {
    return fail(`expected an absolute URL such as ${EXAMPLES}, got ${describeValue(value)}`)
  }
  if (url.protocol === 'http:' && !isLoopbackHostname(url.hostname)) {
    return fail(`must use https; plain http is allowed only for loopback hosts (127.0.0.1, [::1], localhost), got ${url.origin}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail(`must use https, got ${url.protocol.slice(0, -1)}`)
  if (url.username !== '' || url.password !== '') return fail('must not contain a user name or password')
  return E.right(url)
}

const segmentsOf = (url: URL): string[] => url.pathname.split('/').filter((segment) => segment !== '')

const authorityOf = (url: URL, kind: AuthorityKind, path: string, tenant: string): Authority => {
  const host = url.host.toLowerCase()
  return {
    kind,
    url: `${url.protocol}//${host}${path}`,
    scheme: url.protocol === 'http:' ? 'http' : 'https',
    host,
    path,
    tenant,
    query: url.search,
    isLoopback: isLoopbackHostname(url.hostname),
    isKnownHost: isKnownMicrosoftHost(url.hostname),
  }
}

/**
 * Parses the `authority` option (MSAL Python's canonicalize and Authority rules): Entra,
 * B2C (a b2clogin host, or a second path segment starting with "b2c_"), CIAM (a ciamlogin
 * host, path-less allowed), ADFS (tenant "adfs"), and dSTS ("/dstsv2/..." behaves as OIDC).
 * Any path after the tenant (B2C: after the policy) and any fragment are ignored.
 */
export const parseAuthority = (value: unknown, field = 'authority'): E.Either<ConfigurationError, Authority> => {
  const fail: Fail = (message) => E.left(configurationError(field, message))
  const parsed = parseUrl(value, fail)
  if (E.isLeft(parsed)) return parsed
  const url = parsed.right
  const hostname = url.hostname.toLowerCase()
  const segments = segmentsOf(url)
  const [first, second] = segments

  if (hostname.endsWith(CIAM_HOST_SUFFIX)) {
    // A path-less CIAM authority names its tenant by its subdomain.
    const tenant = first ?? `${hostname.slice(0, -CIAM_HOST_SUFFIX.length)}.onmicrosoft.com`
    return E.right(authorityOf(url, 'CIAM', first === undefined ? '' : `/${first}`, tenant))
  }
  if (first === undefined) return fail(`must name a tenant in its path, as in ${EXAMPLES}`)
  if (first.toLowerCase() === 'dstsv2' && second !== undefined) {
    return E.right(authorityOf(url, 'OIDC', `/${first}/${second}`, second))
  }
  const isB2c = B2C_HOST_SUFFIXES.some((suffix) => hostname.endsWith(suffix)) || second?.toLowerCase().startsWith('b2c_') === true
  if (isB2c) return E.right(authorityOf(url, 'B2C', second === undefined ? `/${first}` : `/${first}/${second}`, first))
  if (first.toLowerCase() === 'adfs') return E.right(authorityOf(url, 'ADFS', `/${first}`, first))
  return E.right(authorityOf(url, 'Entra', `/${first}`, first))
}

/**
 * Parses the `oidcAuthority` option: any OpenID Connect provider, whose configuration lives at
 * `{url}/.well-known/openid-configuration`. Unlike MSAL Python, a path-less issuer is accepted
 * (many providers live at a host's root); tokens are then filed under the host alone.
 */
export const parseOidcAuthority = (value: unknown, field = 'oidcAuthority'): E.Either<ConfigurationError, Authority> => {
  const fail: Fail = (message) => E.left(configurationError(field, message))
  const parsed = parseUrl(value, fail)
  if (E.isLeft(parsed)) return parsed
  const url = parsed.right
  const segments = segmentsOf(url)
  const path = segments.length === 0 ? '' : `/${segments.join('/')}`
  return E.right(authorityOf(url, 'OIDC', path, segments[0] ?? ''))
}
