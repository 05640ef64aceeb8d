import * as E from '#fp-ts/Either'
import { configurationError, type ConfigurationError } from '../errors.js'
import { describeValue } from '../util/decode.js'
import { isKnownMicrosoftHost, isLoopbackHostname } from './knownHosts.js'

/** A parsed Microsoft Entra tenant authority, e.g. https://login.microsoftonline.com/contoso.onmicrosoft.com */
export interface Authority {
  readonly kind: 'Entra'
  /** `{scheme}://{host}/{tenant}`, no trailing slash. */
  readonly url: string
  readonly scheme: 'https' | 'http'
  /** Lower-case host with any port: the cache's `environment`. */
  readonly host: string
  /** The first path segment as given (still URL-encoded): a tenant id, a domain, common, organizations or consumers. */
  readonly tenant: string
  readonly isLoopback: boolean
  readonly isKnownHost: boolean
}

export const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com/common'

const EXAMPLE = 'https://login.microsoftonline.com/<tenant>'

/**
 * Parses and checks an authority URL. https is required, except on loopback hosts; the first
 * path segment names the tenant; user info, query and fragment are refused.
 */
export const parseAuthority = (value: unknown, field = 'authority'): E.Either<ConfigurationError, Authority> => {
  const fail = (message: string) => E.left(configurationError(field, message))
  if (typeof value !== 'string' || value.trim() === '') return fail(`expected a URL such as ${EXAMPLE}, got ${describeValue(value)}`)
  let url: URL
  try {
    url = new URL(value.trim())
  } catch {
    return fail(`expected an absolute URL such as ${EXAMPLE}, got ${describeValue(value)}`)
  }
  const isLoopback = isLoopbackHostname(url.hostname)
  if (url.protocol === 'http:' && !isLoopback) {
    return fail(`must use https; plain http is allowed only for loopback hosts (127.0.0.1, [::1], localhost), got ${url.origin}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail(`must use https, got ${url.protocol.slice(0, -1)}`)
  if (url.username !== '' || url.password !== '') return fail('must not contain a user name or password')
  if (url.search !== '' || url.hash !== '') return fail(`must not have a query or fragment, got ${describeValue(value)}`)
  const tenant = url.pathname.split('/').find((segment) => segment !== '')
  if (tenant === undefined) return fail(`must name a tenant in its path, as in ${EXAMPLE}`)
  const host = url.host.toLowerCase()
  return E.right({
    kind: 'Entra',
    url: `${url.protocol}//${host}/${tenant}`,
    scheme: url.protocol === 'http:' ? 'http' : 'https',
    host,
    tenant,
    isLoopback,
    isKnownHost: isKnownMicrosoftHost(url.hostname),
  })
}
