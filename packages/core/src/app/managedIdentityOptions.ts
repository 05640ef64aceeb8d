import type { TokenCache } from '../cache/tokenCache.js'
import type { Interpret } from '../effects/run.js'
import type { LogLevel } from '../effects/effect.js'
import type { HttpCache } from '../http/httpCache.js'
import { aBoolean, arrayOf, nonEmptyString } from '../util/check.js'
import { type HttpClient, type Logger, type OptionRule, type OptionRules } from './options.js'
import { CLIENT_APPLICATION_RULES, UNSUPPORTED_OPTIONS } from './clientOptions.js'

/**
 * ManagedIdentityClient's options, whatever the runtime: MSAL Python's keyword arguments
 * (http_client, token_cache, http_cache, client_capabilities) in camelCase, plus the runtime's
 * plumbing and the retry switch.
 */
export interface ManagedIdentityClientOptions {
  /** A fetch-compatible function for every request. Default: the runtime's fetch. */
  readonly httpClient?: HttpClient | undefined
  /** Where tokens are kept (a SerializableTokenCache to persist them). Default: a new one per client. */
  readonly tokenCache?: TokenCache | undefined
  /** Where throttling decisions are kept (MSAL Python's http_cache). Default: a new one per client. */
  readonly httpCache?: HttpCache | undefined
  /** Capabilities the client declares (e.g. ["CP1"]); sent to Service Fabric as `xms_cc`, as MSAL Python does. */
  readonly clientCapabilities?: readonly string[] | undefined
  /**
   * Retry transient failures as MSAL for Node and MSAL.NET do: IMDS's 410 seven times 10 s apart,
   * its 404, 408, 429 and 5xx three times after 1, 2 and 4 s; other sources' 404, 408, 429, 500,
   * 503 and 504 three times, 1 s apart or as Retry-After says (up to 60 s). false: one request per
   * call, as MSAL Python. Default true.
   */
  readonly retries?: boolean | undefined
  /** Per-request timeout in milliseconds, covering the response's body. Default 30 000. */
  readonly timeout?: number | undefined
  /** Receives log lines; default none. */
  readonly logger?: Logger | undefined
  /** The least severe level the logger receives. Default 'info'. */
  readonly logLevel?: LogLevel | undefined
  /** Let log lines that may hold personal data reach the logger. Default false. */
  readonly enablePiiLog?: boolean | undefined
  /** Replaces the runtime's interpreter entirely (tests: replay, virtual time, emulated sources). */
  readonly interpreter?: Interpret | undefined
}

const optional = (check: OptionRule['check']): OptionRule => ({ check })

export const MANAGED_IDENTITY_RULES: OptionRules<ManagedIdentityClientOptions> = {
  httpClient: CLIENT_APPLICATION_RULES.httpClient,
  tokenCache: CLIENT_APPLICATION_RULES.tokenCache,
  httpCache: CLIENT_APPLICATION_RULES.httpCache,
  clientCapabilities: optional(arrayOf(nonEmptyString, 'an array of capability names')),
  retries: optional(aBoolean),
  timeout: CLIENT_APPLICATION_RULES.timeout,
  logger: CLIENT_APPLICATION_RULES.logger,
  logLevel: CLIENT_APPLICATION_RULES.logLevel,
  enablePiiLog: CLIENT_APPLICATION_RULES.enablePiiLog,
  interpreter: CLIENT_APPLICATION_RULES.interpreter,
}

/** Options of the other application classes, and MSAL for Node's, that a managed identity client does not take. */
export const MANAGED_IDENTITY_UNSUPPORTED: Readonly<Record<string, string>> = {
  ...UNSUPPORTED_OPTIONS,
  clientId: 'a managed identity is named by the first argument: UserAssignedManagedIdentity({ clientId })',
  managedIdentityIdParams: "MSAL for Node's managedIdentityIdParams is the first argument here: UserAssignedManagedIdentity({ clientId | resourceId | objectId })",
  authority: 'a managed identity gets its tokens from the source its environment names, not from an authority',
  clientCredential: 'a managed identity needs no credential: its host vouches for it',
  disableInternalRetries: "MSAL for Node's disableInternalRetries is retries: false here",
  resource: 'the resource is acquireTokenForClient({ resource })\'s argument',
}
