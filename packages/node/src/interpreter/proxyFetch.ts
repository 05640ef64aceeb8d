import type { HttpClient } from '@msal-ts/browser'
import type * as UndiciModule from 'undici'
import { proxyRoute, scrubSecrets, type ProxySetting, type ProxyUrl } from './proxyEnvironment.js'
import { tlsOptionsOf, type TlsVerification } from './tlsVerification.js'

type Env = Readonly<Record<string, string | undefined>>
type Undici = typeof UndiciModule
type Dispatcher = InstanceType<Undici['ProxyAgent']>

const messageOf = (value: unknown): string | undefined =>
  typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string'
    ? (value as { message: string }).message
    : undefined

/** The messages of an error and its causes, outermost first. */
const messagesOf = (error: unknown): string[] => {
  const messages: string[] = []
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const message = messageOf(e)
    if (message !== undefined && message !== '') messages.push(message)
  }
  return messages.length > 0 ? messages : [String(error)]
}

const authenticationDemanded = (proxy: ProxyUrl, where: string): string =>
  proxy.authorization === undefined
    ? `${where} demanded authentication (HTTP 407 Proxy Authentication Required); give its user name and password in the proxy URL (http://user:password@host:port)`
    : `${where} rejected the user name and password given in the proxy URL (HTTP 407 Proxy Authentication Required)`

/** A failure of the proxied leg: its message names the proxy (never its credentials). */
class ProxyFailure extends Error {}

/**
 * Sends through undici's ProxyAgent (with undici's own fetch, whose dispatcher it understands):
 * a CONNECT tunnel for https targets, absolute-URI requests for http targets through an http
 * proxy (as curl). One agent per proxy, kept for the interpreter's lifetime; idle sockets do not
 * hold the process open.
 */
const proxiedSender = (tls: TlsVerification) => {
  let undici: Promise<Undici> | undefined
  // The `verify` option holds for the identity provider through the tunnel, and for an https proxy.
  const tlsOptions = tlsOptionsOf(tls)
  const agents = new Map<string, Dispatcher>()
  return async (proxy: ProxyUrl, source: string, url: string, init: Parameters<HttpClient>[1]): ReturnType<HttpClient> => {
    const where = `the proxy ${proxy.origin} (set by ${source})`
    try {
      undici ??= import('undici')
      const { fetch, ProxyAgent } = await undici
      const key = `${proxy.origin}\u0000${proxy.authorization ?? ''}`
      let agent = agents.get(key)
      if (agent === undefined) {
        agent = new ProxyAgent({
          uri: proxy.origin,
          proxyTunnel: false,
          ...(proxy.authorization !== undefined ? { token: proxy.authorization } : {}),
          ...(tlsOptions !== undefined ? { requestTls: tlsOptions, proxyTls: tlsOptions } : {}),
        })
        agents.set(key, agent)
      }
      const response = await fetch(url, { ...init, dispatcher: agent } as Parameters<typeof fetch>[1])
      if (response.status === 407) {
        await response.body?.cancel().catch(() => undefined)
        throw new ProxyFailure(authenticationDemanded(proxy, where))
      }
      return response
    } catch (error) {
      if (error instanceof ProxyFailure || init.signal?.aborted === true) throw error
      const messages = messagesOf(error)
      // undici says "Proxy response (407) !== 200 when HTTP Tunneling" or "Proxy Authentication Required (407)".
      if (messages.some((m) => /\(407\)/.test(m))) throw new ProxyFailure(authenticationDemanded(proxy, where))
      throw new ProxyFailure(scrubSecrets(`through ${where}: ${messages.join(': ')}`, proxy))
    }
  }
}

/**
 * The fetch for requests that go straight to their host: the runtime's, or, when `verify` asks
 * for other than Node's trust store, undici's with an agent that checks certificates as it says
 * (loaded only then). One agent for the interpreter's lifetime.
 */
export const directFetch = async (runtimeFetch: () => Promise<HttpClient>, tls: TlsVerification): Promise<HttpClient> => {
  const tlsOptions = tlsOptionsOf(tls)
  if (tlsOptions === undefined) return runtimeFetch()
  const { fetch, Agent } = await import('undici')
  const agent = new Agent({ connect: tlsOptions })
  return ((url, init) => fetch(url, { ...init, dispatcher: agent } as Parameters<typeof fetch>[1])) as HttpClient
}

/**
 * A fetch that decides per request whether to go through a proxy (the `proxy` option, else
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY from `env`) and sends every other request with `direct`.
 * A proxy setting that cannot be used fails the request (performHttp reports it as a network
 * failure naming the variable); it never throws out of the interpreter.
 */
export const routeThroughProxies = (direct: HttpClient, setting: ProxySetting, env: Env, tls: TlsVerification = { _tag: 'Default' }): HttpClient => {
  if (setting === false) return direct
  const send = proxiedSender(tls)
  return (url, init) => {
    const route = proxyRoute(url, setting, env)
    switch (route._tag) {
      case 'Direct':
        return direct(url, init)
      case 'Proxy':
        return send(route.proxy, route.source, url, init)
      case 'BadProxy':
        return Promise.reject(new ProxyFailure(`the ${route.source} environment variable is not a usable proxy URL: it ${route.problem}`))
    }
  }
}
