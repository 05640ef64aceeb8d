import { createHash } from 'node:crypto'
import type { Interpret, LogLevel } from '@msal-ts/core'
import { createWebInterpreter, type HttpClient, type Logger } from '@msal-ts/browser'
import { resolveFetch } from './fetch.js'
import { resolveWebCrypto } from './webcrypto.js'

export interface NodeInterpreterOptions {
  readonly httpClient?: HttpClient | undefined
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
 * additions: process.env, and cross-fetch / @peculiar/webcrypto where the runtime lacks fetch
 * or WebCrypto. The fetch and crypto are resolved once, on first use.
 */
export const createNodeInterpreter = (options: NodeInterpreterOptions = {}): Interpret => {
  const web = createWebInterpreter({
    fetch: () => (options.httpClient !== undefined ? options.httpClient : resolveFetch(undefined)),
    crypto: () => (globalThis.crypto?.subtle !== undefined ? globalThis.crypto : resolveWebCrypto()),
    timeoutMs: options.timeoutMs,
    logger: options.logger,
    logLevel: options.logLevel,
    enablePiiLog: options.enablePiiLog,
    env: options.env ?? process.env,
  })
  // Node hashes synchronously (WebCrypto's digest is always a promise): throttling keys cost no await.
  return (effect) => (effect._tag === 'Sha256' ? new Uint8Array(createHash('sha256').update(effect.data, 'utf8').digest()) : web(effect))
}
