import { createHash } from 'node:crypto'
import { configurationError, type Interpret, type LogLevel } from '@msal-ts/core'
import { createWebInterpreter, type HttpClient, type Logger } from '@msal-ts/browser'
import { fileIsReadable, readSmallFile } from './files.js'
import { resolveFetch } from './fetch.js'
import { checkProxyOption } from './proxyEnvironment.js'
import { routeThroughProxies } from './proxyFetch.js'
import { resolveWebCrypto } from './webcrypto.js'

export interface NodeInterpreterOptions {
  readonly httpClient?: HttpClient | undefined
  /**
   * An HTTP proxy for every request ("http://[user:password@]host[:port]", or https://), or false
   * to use none whatever the environment says. Unset: HTTPS_PROXY / HTTP_PROXY / NO_PROXY from
   * `env`, as curl reads them (loopback hosts never go through those). Not with `httpClient`.
   */
  readonly proxy?: string | false | undefined
  /** Per-request timeout in milliseconds. Default 30 000. */
  readonly timeoutMs?: number | undefined
  readonly logger?: Logger | undefined
  readonly logLevel?: LogLevel | undefined
  readonly enablePiiLog?: boolean | undefined
  /** Environment variables to read; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
}

/**
 * Performs effects on Node: the web-platform interpreter (fetch, WebCrypto, timers) with Node's
 * additions: process.env, small files (managed identity's key files), HTTP proxies (the `proxy` option or the environment, through undici),
 * and cross-fetch / @peculiar/webcrypto where the runtime lacks fetch or WebCrypto. The fetch
 * and crypto are resolved once, on first use. An injected httpClient is used as it is.
 *
 * @throws MsalError (kind ConfigurationError, field "proxy") for a proxy option it cannot use.
 */
export const createNodeInterpreter = (options: NodeInterpreterOptions = {}): Interpret => {
  const env = options.env ?? process.env
  const proxy = checkProxyOption(options.proxy, options.httpClient)
  if ('problem' in proxy) throw configurationError('proxy', proxy.problem)
  const web = createWebInterpreter({
    fetch: () =>
      options.httpClient !== undefined ? options.httpClient : resolveFetch(undefined).then((direct) => routeThroughProxies(direct, proxy.setting, env)),
    crypto: () => (globalThis.crypto?.subtle !== undefined ? globalThis.crypto : resolveWebCrypto()),
    timeoutMs: options.timeoutMs,
    logger: options.logger,
    logLevel: options.logLevel,
    enablePiiLog: options.enablePiiLog,
    env,
  })
  return (effect) => {
    switch (effect._tag) {
      case 'Sha256':
        // Node hashes synchronously (WebCrypto's digest is always a promise): throttling keys cost no await.
        return new Uint8Array(createHash('sha256').update(effect.data, 'utf8').digest())
      case 'ReadFile':
        return readSmallFile(effect.path, effect.maxBytes)
      case 'FileExists':
        return fileIsReadable(effect.path)
      default:
        return web(effect)
    }
  }
}
