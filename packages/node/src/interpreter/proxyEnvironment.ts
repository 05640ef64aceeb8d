/**
 * Which proxy a request goes through: pure decisions over a URL, the `proxy` option and the
 * environment (curl's conventions). No I/O here; proxyFetch.ts carries the decisions out.
 */

import { describeValue } from '@msal-ts/core'

type Env = Readonly<Record<string, string | undefined>>

/** A checked proxy URL, split so that its credentials never travel with its printable form. */
export interface ProxyUrl {
  /** scheme://host:port, without credentials: the only form that may be printed. */
  readonly origin: string
  /** The Proxy-Authorization value for credentials given in the URL (Basic), if any. */
  readonly authorization?: string | undefined
  /** The user name and password as written and decoded, to scrub from any message. */
  readonly secrets: readonly string[]
}

/** Where a request goes: straight to its host, through a proxy, or nowhere (a bad proxy setting). */
export type ProxyRoute =
  | { readonly _tag: 'Direct' }
  | { readonly _tag: 'Proxy'; readonly proxy: ProxyUrl; readonly source: string }
  | { readonly _tag: 'BadProxy'; readonly source: string; readonly problem: string }

/**
 * MSAL Python's `proxies` (requests' per-scheme dict): a proxy for https URLs and one for http
 * URLs; a scheme it does not name is left to the environment, as requests does.
 */
export interface SchemeProxies {
  readonly _tag: 'SchemeProxies'
  readonly 'https:'?: ProxyUrl | undefined
  readonly 'http:'?: ProxyUrl | undefined
}

/**
 * The proxy options: a checked URL for every request (`proxy`), a URL per scheme (`proxies`),
 * false (never a proxy, whatever the environment), or unset (the environment decides).
 */
export type ProxySetting = ProxyUrl | SchemeProxies | false | undefined

const DIRECT: ProxyRoute = { _tag: 'Direct' }

export const PROXY_URL_FORMAT = 'http://[user:password@]host[:port] or https://...'

const decode = (part: string): string => {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}

/**
 * Checks a proxy URL. The problem it reports never repeats the value, which may hold a password.
 * `lenient` (for environment variables, as curl) reads a value without a scheme as http://.
 */
export const parseProxyUrl = (value: string, lenient = false): { readonly proxy: ProxyUrl } | { readonly problem: string } => {
  const text = value.trim()
  const withScheme = lenient && !text.includes('://') ? `http://${text}` : text
  if (!/^https?:\/\//i.test(withScheme)) return { problem: `must start with http:// or https:// (${PROXY_URL_FORMAT})` }
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    return { problem: `is not a valid URL (${PROXY_URL_FORMAT})` }
  }
  if (url.hostname === '') return { problem: `has no host (${PROXY_URL_FORMAT})` }
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    return { problem: `must not have a path, query or fragment (${PROXY_URL_FORMAT})` }
  }
  const user = decode(url.username)
  const password = decode(url.password)
  const secrets = [url.username, user, url.password, password].filter((s, i, all) => s !== '' && all.indexOf(s) === i)
  return {
    proxy: {
      origin: `${url.protocol}//${url.host}`,
      authorization: url.username !== '' || url.password !== '' ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` : undefined,
      secrets,
    },
  }
}

/** The checked `proxy` option, or a problem that never repeats the value (it may hold a password). */
export const checkProxyOption = (proxy: unknown, httpClient: unknown): { readonly setting: ProxySetting } | { readonly problem: string } => {
  if (proxy === undefined || proxy === false) return { setting: proxy }
  if (typeof proxy !== 'string') return { problem: `expected a proxy URL (http://[user:password@]host[:port]) or false, got ${describeValue(proxy)}` }
  if (httpClient !== undefined) {
    return { problem: 'give either httpClient or proxy, not both: an injected httpClient decides itself how to reach the network (configure the proxy there)' }
  }
  const parsed = parseProxyUrl(proxy)
  return 'proxy' in parsed ? { setting: parsed.proxy } : { problem: `the proxy URL ${parsed.problem}` }
}

const PROXIES_KEYS = { https: 'https:', http: 'http:' } as const

/**
 * The checked `proxies` option (MSAL Python's, as requests takes it: `{ "http": url, "https": url }`),
 * or a problem that never repeats a URL. Other keys of requests' dict (`all`, `scheme://host`,
 * `no_proxy`) are named as not taken.
 */
export const checkProxiesOption = (proxies: unknown, others: { readonly proxy?: unknown; readonly httpClient?: unknown }): { readonly setting: ProxySetting } | { readonly path?: string; readonly problem: string } => {
  if (proxies === undefined) return { setting: undefined }
  if (typeof proxies !== 'object' || proxies === null || Array.isArray(proxies)) {
    return { problem: `expected { http?: proxy URL, https?: proxy URL } (MSAL Python's proxies), got ${describeValue(proxies)}` }
  }
  if (others.proxy !== undefined) return { problem: 'give either proxy (one proxy for every request) or proxies (one per scheme), not both' }
  if (others.httpClient !== undefined) {
    return { problem: 'give either httpClient or proxies, not both: an injected httpClient decides itself how to reach the network (as MSAL Python\'s proxies does not apply to your own http_client)' }
  }
  let setting: SchemeProxies = { _tag: 'SchemeProxies' }
  for (const [key, value] of Object.entries(proxies as Record<string, unknown>)) {
    if (value === undefined) continue
    if (!Object.hasOwn(PROXIES_KEYS, key)) {
      return { path: key, problem: 'msal-ts takes proxies for "http" and "https" URLs only; exempt hosts with NO_PROXY, or give one proxy for everything with proxy' }
    }
    if (typeof value !== 'string') return { path: key, problem: `expected a proxy URL (${PROXY_URL_FORMAT}), got ${describeValue(value)}` }
    const parsed = parseProxyUrl(value)
    if ('problem' in parsed) return { path: key, problem: `the proxy URL ${parsed.problem}` }
    setting = { ...setting, [PROXIES_KEYS[key as keyof typeof PROXIES_KEYS]]: parsed.proxy }
  }
  return { setting }
}

/** Removes a proxy's user name and password from a message. */
export const scrubSecrets = (message: string, proxy: ProxyUrl): string =>
  [...proxy.secrets].sort((a, b) => b.length - a.length).reduce((text, secret) => text.split(secret).join('***'), message)

const stripBrackets = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host)
const normalizeHost = (host: string): string => stripBrackets(host.trim().toLowerCase()).replace(/\.$/, '')

/** Hosts that are this machine: never sent through a proxy taken from the environment. */
export const isLoopbackHost = (hostname: string): boolean => {
  const host = normalizeHost(hostname)
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/** One NO_PROXY entry: a host or domain, optionally with a port ("[::1]:8080", ".contoso.com", "contoso.com:443"). */
const parseNoProxyEntry = (entry: string): { readonly host: string; readonly port?: string } => {
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(entry)
  if (bracketed) return bracketed[2] !== undefined ? { host: bracketed[1]!, port: bracketed[2] } : { host: bracketed[1]! }
  const parts = entry.split(':')
  // One colon is host:port; more is a bare IPv6 address.
  if (parts.length === 2 && /^\d+$/.test(parts[1]!)) return { host: parts[0]!, port: parts[1]! }
  return { host: entry }
}

/**
 * Whether NO_PROXY exempts host:port, with curl's rules: comma- (or space-) separated entries;
 * "*" exempts every host; an entry matches its host and every subdomain, with or without a
 * leading "." (or "*."); an entry with a port matches that port only. Case-insensitive.
 */
export const matchesNoProxy = (hostname: string, port: string, noProxy: string | undefined): boolean => {
  if (noProxy === undefined) return false
  const host = normalizeHost(hostname)
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase()
    if (entry === '') continue
    if (entry === '*') return true
    const parsed = parseNoProxyEntry(entry)
    if (parsed.port !== undefined && parsed.port !== port) continue
    const domain = normalizeHost(parsed.host).replace(/^\*?\./, '')
    if (domain !== '' && (host === domain || host.endsWith(`.${domain}`))) return true
  }
  return false
}

/** The first of the named variables that is set to something. */
const firstSet = (env: Env, names: readonly string[]): { readonly name: string; readonly value: string } | undefined => {
  for (const name of names) {
    const value = env[name]
    if (value !== undefined && value.trim() !== '') return { name, value }
  }
  return undefined
}

// Lower case first, as curl, Python's requests and undici read them.
const PROXY_VARIABLES = { 'https:': ['https_proxy', 'HTTPS_PROXY'], 'http:': ['http_proxy', 'HTTP_PROXY'] } as const
const NO_PROXY_VARIABLES = ['no_proxy', 'NO_PROXY'] as const

/**
 * The proxy the environment names for a request to `url`: HTTPS_PROXY / https_proxy for https,
 * HTTP_PROXY / http_proxy for http, unless NO_PROXY / no_proxy exempts the host or the host is
 * loopback (127.0.0.0/8, ::1, localhost).
 */
export const proxyFromEnvironment = (url: string, env: Env): ProxyRoute => {
  const scheme = url.slice(0, url.indexOf(':') + 1).toLowerCase()
  if (scheme !== 'https:' && scheme !== 'http:') return DIRECT
  const variable = firstSet(env, PROXY_VARIABLES[scheme])
  if (variable === undefined) return DIRECT
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return DIRECT
  }
  if (isLoopbackHost(target.hostname)) return DIRECT
  const port = target.port !== '' ? target.port : scheme === 'https:' ? '443' : '80'
  if (matchesNoProxy(target.hostname, port, firstSet(env, NO_PROXY_VARIABLES)?.value)) return DIRECT
  const parsed = parseProxyUrl(variable.value, true)
  return 'proxy' in parsed
    ? { _tag: 'Proxy', proxy: parsed.proxy, source: variable.name }
    : { _tag: 'BadProxy', source: variable.name, problem: parsed.problem }
}

/**
 * Where a request to `url` goes: the `proxy` option when given (for every host); else the
 * `proxies` option's proxy for the URL's scheme (for every host, as requests applies it); else
 * the environment.
 */
export const proxyRoute = (url: string, setting: ProxySetting, env: Env): ProxyRoute => {
  if (setting === false) return DIRECT
  if (setting === undefined) return proxyFromEnvironment(url, env)
  if (!('_tag' in setting)) return { _tag: 'Proxy', proxy: setting, source: 'the proxy option' }
  const scheme = url.slice(0, url.indexOf(':') + 1).toLowerCase() as 'https:' | 'http:'
  const proxy = setting[scheme]
  return proxy !== undefined ? { _tag: 'Proxy', proxy, source: `the proxies option (${scheme.slice(0, -1)})` } : proxyFromEnvironment(url, env)
}

/** Whether the environment sends a request to `url` through a proxy (or would, were its setting valid). */
export const shouldProxy = (url: string, env: Env): boolean => proxyFromEnvironment(url, env)._tag !== 'Direct'
