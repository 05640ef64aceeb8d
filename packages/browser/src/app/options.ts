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
import type { HttpClient } from '../http.js'
import type { Logger } from '../logger.js'

/**
 * Options of a web runtime, beside the ones core checks. (Temporary, with the application class
 * that takes them: the runtime-neutral application shell in core will own these.)
 */
export interface WebRuntimeOptions {
  /** Tokens are kept here; share one cache between applications to share tokens. Default a new one per application. */
  readonly tokenCache?: TokenCache | undefined
  /** Discovery answers and throttling decisions are kept here. Default a new one per application. */
  readonly httpCache?: HttpCache | undefined
  /** A fetch-compatible function; default the runtime's fetch. */
  readonly httpClient?: HttpClient | undefined
  /** Per-request timeout in milliseconds (MSAL Python takes seconds). Default 30 000. */
  readonly timeout?: number | undefined
  readonly logger?: Logger | undefined
  /** The most detailed level logged: 'error', 'warning', 'info' (default) or 'verbose'. */
  readonly logLevel?: LogLevel | undefined
  /** Let log lines that may hold personal data reach the logger. Default false. */
  readonly enablePiiLog?: boolean | undefined
  /** Replaces the web interpreter (then httpClient, timeout and logger are unused): a replay, a recorder, virtual time. */
  readonly interpreter?: Interpret | undefined
}

const WebRuntimeOptionsCodec = t.partial({
  tokenCache: instanceOf(TokenCache, 'a TokenCache or SerializableTokenCache'),
  httpCache: instanceOf(HttpCache, 'an HttpCache'),
  httpClient: functionType('a fetch-compatible function'),
  timeout: PositiveNumber('a positive number of milliseconds'),
  logger: functionType('a function (level, message) => void'),
  logLevel: t.keyof({ error: null, warning: null, info: null, verbose: null }, "one of 'error', 'warning', 'info', 'verbose'"),
  enablePiiLog: t.boolean,
  interpreter: functionType('an interpreter function'),
})

/** Checks the web runtime's options; a wrong one is named in the error. Keeps only these options (no credential lingers). */
export const decodeWebRuntimeOptions = (input: object): E.Either<ConfigurationError, WebRuntimeOptions> =>
  decodeOr(t.exact(WebRuntimeOptionsCodec), input, toConfigurationError) as E.Either<ConfigurationError, WebRuntimeOptions>
