import type * as E from '#fp-ts/Either'
import * as t from 'io-ts'
import {
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

/** Options of the Node runtime, beside the ones core checks. */
export interface NodeRuntimeOptions {
  /** Tokens are kept here; share one cache between applications to share tokens. */
  readonly tokenCache?: TokenCache | undefined
  /** Discovery answers (and, later, throttling decisions) are kept here. */
  readonly httpCache?: HttpCache | undefined
  /** A fetch-compatible function; default the runtime's fetch, else cross-fetch. */
  readonly httpClient?: HttpClient | undefined
  /** Per-request timeout in milliseconds (MSAL Python takes seconds). Default 30 000. */
  readonly timeout?: number | undefined
  readonly logger?: Logger | undefined
  readonly logLevel?: LogLevel | undefined
  /** Let log lines that may hold personal data reach the logger. Default false. */
  readonly enablePiiLog?: boolean | undefined
  /**
   * Replaces the Node interpreter entirely (then httpClient, timeout and logger are unused).
   * For tests: a replay, a recorder, or virtual time from @msal-ts/testing.
   */
  readonly interpreter?: Interpret | undefined
}

const NodeRuntimeOptionsCodec = t.partial({
  tokenCache: instanceOf(TokenCache, 'a TokenCache or SerializableTokenCache'),
  httpCache: instanceOf(HttpCache, 'an HttpCache'),
  httpClient: functionType('a fetch-compatible function'),
  timeout: PositiveNumber('a positive number of milliseconds'),
  logger: functionType('a function (level, message) => void'),
  logLevel: t.keyof({ error: null, warning: null, info: null, verbose: null }, "one of 'error', 'warning', 'info', 'verbose'"),
  enablePiiLog: t.boolean,
  interpreter: functionType('an interpreter function'),
})

/** Checks the Node runtime options; a wrong one is named in the error. */
export const decodeNodeRuntimeOptions = (input: object): E.Either<ConfigurationError, NodeRuntimeOptions> =>
  decodeOr(NodeRuntimeOptionsCodec, input, toConfigurationError) as E.Either<ConfigurationError, NodeRuntimeOptions>
