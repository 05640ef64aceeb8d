import * as E from '#fp-ts/Either'
import * as t from 'io-ts'
import {
  configurationError,
  decodeOr,
  functionType,
  HttpCache,
  instanceOf,
  PositiveNumber,
  TokenCache,
  toConfigurationError,
  type ConfigurationError,
  type Interpret,
  type LogLevel,
} from '@msal-ts/core'
import type { HttpClient, Logger } from '@msal-ts/browser'
import { checkProxyOption } from '../interpreter/proxyEnvironment.js'

/** Options of the Node runtime, beside the ones core checks. */
export interface NodeRuntimeOptions {
  /** Tokens are kept here; share one cache between applications to share tokens. */
  readonly tokenCache?: TokenCache | undefined
  /** Discovery answers (and, later, throttling decisions) are kept here. */
  readonly httpCache?: HttpCache | undefined
  /** A fetch-compatible function; default the runtime's fetch, else cross-fetch. */
  readonly httpClient?: HttpClient | undefined
  /**
   * An HTTP proxy for every request, MSAL Python's `proxies` and MSAL Node's `proxyUrl`:
   * "http://[user:password@]host[:port]" (or https://). false: no proxy, whatever the environment
   * says. Unset: HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or their lower-case forms) decide per
   * request, as curl reads them; loopback hosts never go through a proxy from the environment.
   * Not with `httpClient`: an injected client decides itself how to reach the network.
   */
  readonly proxy?: string | false | undefined
  /** Per-request timeout in milliseconds (MSAL Python takes seconds). Default 30 000. */
  readonly timeout?: number | undefined
  readonly logger?: Logger | undefined
  readonly logLevel?: LogLevel | undefined
  /** Let log lines that may hold personal data reach the logger. Default false. */
  readonly enablePiiLog?: boolean | undefined
  /**
   * Replaces the Node interpreter entirely (then httpClient, proxy, timeout and logger are unused).
   * For tests: a replay, a recorder, or virtual time from @msal-ts/testing.
   */
  readonly interpreter?: Interpret | undefined
}

const NodeRuntimeOptionsCodec = t.partial({
  tokenCache: instanceOf(TokenCache, 'a TokenCache or SerializableTokenCache'),
  httpCache: instanceOf(HttpCache, 'an HttpCache'),
  httpClient: functionType('a fetch-compatible function'),
  proxy: new t.Type<string | false, string | false, unknown>(
    'a proxy URL or false',
    (u): u is string | false => u === false || typeof u === 'string',
    (u, c) => {
      // Checked without httpClient here (that clash is reported below); never repeats the value.
      const checked = checkProxyOption(u, undefined)
      return 'problem' in checked ? t.failure(u, c, checked.problem) : t.success(u as string | false)
    },
    t.identity,
  ),
  timeout: PositiveNumber('a positive number of milliseconds'),
  logger: functionType('a function (level, message) => void'),
  logLevel: t.keyof({ error: null, warning: null, info: null, verbose: null }, "one of 'error', 'warning', 'info', 'verbose'"),
  enablePiiLog: t.boolean,
  interpreter: functionType('an interpreter function'),
})

/** Checks the Node runtime options; a wrong one is named in the error. */
export const decodeNodeRuntimeOptions = (input: object): E.Either<ConfigurationError, NodeRuntimeOptions> => {
  const decoded = decodeOr(NodeRuntimeOptionsCodec, input, toConfigurationError) as E.Either<ConfigurationError, NodeRuntimeOptions>
  if (E.isLeft(decoded)) return decoded
  const checked = checkProxyOption(decoded.right.proxy, decoded.right.httpClient)
  if ('problem' in checked) return E.left(configurationError('proxy', checked.problem))
  // Only the runtime's own options: the rest (a credential's key and passphrase) must not linger on the application.
  return E.right(Object.fromEntries(Object.keys(NodeRuntimeOptionsCodec.props).filter((name) => name in decoded.right).map((name) => [name, (decoded.right as Record<string, unknown>)[name]])))
}
