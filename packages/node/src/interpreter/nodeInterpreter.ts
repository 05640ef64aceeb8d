import * as nodeCrypto from 'node:crypto'
import { configurationError, describeLayer, type Interpret, type LogLevel } from '@msal-ts/core'
import { createWebInterpreter, webPopKeys, withPopKeys, type HttpClient, type Logger, type PopSubtleCrypto } from '@msal-ts/browser'
import { fileIsReadable, readSmallFile } from './files.js'
import { resolveFetch } from './fetch.js'
import { checkProxiesOption, checkProxyOption } from './proxyEnvironment.js'
import { directFetch, routeThroughProxies } from './proxyFetch.js'
import { checkVerifyOption, VERIFY_OFF_WARNING } from './tlsVerification.js'
import { resolveWebCrypto } from './webcrypto.js'

export interface NodeInterpreterOptions {
  /** A fetch-compatible function to send every request with (MSAL Python's http_client); default the runtime's fetch (cross-fetch where there is none). */
  readonly httpClient?: HttpClient | undefined
  /**
   * An HTTP proxy for every request ("http://[user:password@]host[:port]", or https://), or false
   * to use none whatever the environment says. Unset: HTTPS_PROXY / HTTP_PROXY / NO_PROXY from
   * `env`, as curl reads them (loopback hosts never go through those). Not with `httpClient`.
   */
  readonly proxy?: string | false | undefined
  /** A proxy per URL scheme, MSAL Python's `proxies`: `{ https?: url, http?: url }`; a scheme it does not name is left to the environment. Not with `proxy` or `httpClient`. */
  readonly proxies?: { readonly http?: string | undefined; readonly https?: string | undefined } | undefined
  /**
   * MSAL Python's `verify`: true (default: Node's trust store), false (no certificate check; a
   * loud warning), or a CA bundle (a file's path, or its PEM text) that replaces the default
   * store, as requests takes it. Not with `httpClient`.
   */
  readonly verify?: boolean | string | undefined
  /**
   * Per-request timeout in milliseconds, body included. Default 30 000 for the runtime's fetch;
   * none for an injected `httpClient` (it keeps its own, as MSAL Python's http_client does)
   * unless given. false: none.
   */
  readonly timeoutMs?: number | false | undefined
  /** The largest response body read, in bytes, counted after decompression, whatever the client. Default 1 MiB (1,048,576). */
  readonly maxResponseBytes?: number | undefined
  /** Receives each log line that passes `logLevel` (and `enablePiiLog`); default: no logging. */
  readonly logger?: Logger | undefined
  /** The most verbose level logged: "error", "warning", "info" or "verbose". Default "info". */
  readonly logLevel?: LogLevel | undefined
  /** true: also log lines with personal data (user names, tenant URLs). Default false. */
  readonly enablePiiLog?: boolean | undefined
  /** Environment variables to read; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
}

/** The runtime's WebCrypto, else a fallback: one function, so every application's interpreter shares one RandomBytes answer. */
const crypto = () => (globalThis.crypto?.subtle !== undefined ? globalThis.crypto : resolveWebCrypto())

type OneShotHash = (algorithm: string, data: string, encoding: 'buffer') => Buffer

/** crypto.hash (Node 20.12+, a quarter of createHash's cost for short input: on-behalf-of hashes every new assertion), else createHash. */
const oneShot = (nodeCrypto as { hash?: OneShotHash }).hash
const sha256 = (data: string): Uint8Array => {
  const digest = oneShot !== undefined ? oneShot('sha256', data, 'buffer') : nodeCrypto.createHash('sha256').update(data, 'utf8').digest()
  return new Uint8Array(digest) // a copy: Node may hand out a slice of a shared pool
}

/**
 * Performs effects on Node: the web-platform interpreter (fetch, WebCrypto, timers) with Node's
 * additions: process.env, small files (managed identity's key files), HTTP proxies (the `proxy` option or the environment, through undici),
 * and cross-fetch / @peculiar/webcrypto where the runtime lacks fetch or WebCrypto. The fetch
 * and crypto are resolved once, on first use. An injected httpClient is used as it is.
 *
 * @throws MsalError (kind ConfigurationError, field "proxy", "proxies" or "verify") for a proxy
 * or verification option it cannot use (a CA bundle is read here, once).
 */
export const createNodeInterpreter = (options: NodeInterpreterOptions = {}): Interpret => {
  const env = options.env ?? process.env
  const proxy = checkProxyOption(options.proxy, options.httpClient)
  if ('problem' in proxy) throw configurationError('proxy', proxy.problem)
  const proxies = checkProxiesOption(options.proxies, options)
  if ('problem' in proxies) throw configurationError(proxies.path === undefined ? 'proxies' : `proxies.${proxies.path}`, proxies.problem)
  const verify = checkVerifyOption(options.verify, options.httpClient)
  if ('problem' in verify) throw configurationError('verify', verify.problem)
  const tls = verify.setting
  // Loud, as Node is about NODE_TLS_REJECT_UNAUTHORIZED=0: on stderr whatever the logger.
  if (tls._tag === 'Off') process.emitWarning(VERIFY_OFF_WARNING, { code: 'MSAL_TS_TLS_VERIFICATION_OFF' })
  const webOnly = createWebInterpreter({
    fetch: () =>
      options.httpClient !== undefined
        ? options.httpClient
        : directFetch(() => resolveFetch(undefined), tls).then((direct) => routeThroughProxies(direct, proxy.setting ?? proxies.setting, env, tls)),
    crypto,
    timeoutMs: options.timeoutMs ?? (options.httpClient !== undefined ? false : undefined),
    maxResponseBytes: options.maxResponseBytes,
    logger: options.logger,
    logLevel: options.logLevel,
    enablePiiLog: options.enablePiiLog,
    env,
  })
  // The application's proof-of-possession key, in memory (made on first use).
  const web = withPopKeys(webOnly, webPopKeys(async () => (await crypto()).subtle as unknown as PopSubtleCrypto))
  if (tls._tag === 'Off') web({ _tag: 'Log', level: 'warning', message: VERIFY_OFF_WARNING, pii: false })
  const node: Interpret = (effect) => {
    switch (effect._tag) {
      case 'Sha256':
        // Node hashes synchronously (WebCrypto's digest is always a promise): throttling keys cost no await.
        return sha256(effect.data)
      case 'ReadFile':
        return readSmallFile(effect.path, effect.maxBytes)
      case 'FileExists':
        return fileIsReadable(effect.path)
      default:
        return web(effect)
    }
  }
  return describeLayer(node, { inner: web, handles: NODE_EFFECTS })
}

/** The effects Node answers itself; the web platform's interpreter answers the rest. */
const NODE_EFFECTS = ['Sha256', 'ReadFile', 'FileExists'] as const
