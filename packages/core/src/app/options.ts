import * as E from '../util/either.js'
import type { AuthorityBuilder } from '../authority/builder.js'
import type { TokenCache } from '../cache/tokenCache.js'
import type { Interpret } from '../effects/run.js'
import type { LogLevel } from '../effects/effect.js'
import { configurationError, type ConfigurationError } from '../errors.js'
import { HttpCache } from '../http/httpCache.js'
import {
  aBoolean,
  aFunction,
  anInstanceOf,
  anything,
  arrayOf,
  aString,
  either,
  is,
  nonEmptyString,
  oneOf,
  type Check,
} from '../util/check.js'

/**
 * Any fetch-compatible function: the runtime's fetch, cross-fetch, node-fetch, undici, a test
 * fake. Redirects are never followed (`redirect: 'manual'`).
 */
export type HttpClient = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal; redirect?: 'manual' },
) => Promise<{ status: number; headers: { forEach(callback: (value: string, name: string) => void): void }; text(): Promise<string> }>

/** Receives the library's log lines. Lines that may hold personal data arrive only with `enablePiiLog`. */
export type Logger = (level: LogLevel, message: string) => void

/**
 * The options every application takes, whatever the runtime: MSAL Python's ClientApplication
 * keyword arguments in camelCase, plus the runtime's plumbing.
 */
export interface ClientApplicationOptions {
  /** The application (client) id from its registration. */
  readonly clientId: string
  /**
   * An Entra, B2C, CIAM or AD FS authority URL (or an AuthorityBuilder), https only (loopback
   * hosts may use http). Default https://login.microsoftonline.com/common.
   */
  readonly authority?: string | AuthorityBuilder | undefined
  /**
   * Any OpenID Connect provider instead of `authority`: its configuration is read from
   * `{oidcAuthority}/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4).
   */
  readonly oidcAuthority?: string | undefined
  /** false: you vouch for the authority and Microsoft is not asked (MSAL Python's validate_authority). Default true. */
  readonly validateAuthority?: boolean | undefined
  /** false: never ask Microsoft's instance discovery; an https URL: ask that endpoint. Default true. */
  readonly instanceDiscovery?: boolean | string | undefined
  /** Capabilities the client declares (e.g. "CP1" for continuous access evaluation), sent as `xms_cc` claims. */
  readonly clientCapabilities?: readonly string[] | undefined
  /**
   * Scopes not to add to user sign-ins (MSAL adds openid, profile and offline_access), e.g.
   * ["offline_access"] for an app that must not receive refresh tokens. openid cannot be excluded.
   */
  readonly excludeScopes?: readonly string[] | undefined
  /** Your application's name, sent as `x-app-name` for the identity provider's diagnostics. */
  readonly appName?: string | undefined
  /** Your application's version, sent as `x-app-ver`. */
  readonly appVersion?: string | undefined
  /** Where tokens are kept; share one cache between applications to share tokens. Default: a new one per application. */
  readonly tokenCache?: TokenCache | undefined
  /** Where discovery answers and throttling decisions are kept (MSAL Python's http_cache). Default: a new one per application. */
  readonly httpCache?: HttpCache | undefined
  /**
   * A fetch-compatible function for every request. Default: the runtime's fetch. As MSAL
   * Python's http_client, it decides itself how to reach the network and how long to wait:
   * `timeout` (and, on Node, `proxy`, `proxies` and `verify`) do not apply to it, so giving one
   * of them beside it is a ConfigurationError.
   */
  readonly httpClient?: HttpClient | undefined
  /**
   * How long each request may take, in **seconds** (MSAL Python's timeout, as `requests` takes
   * it), response body included: more than 0 and at most 2,147,483 (about 24.8 days, the longest
   * a timer can wait); fractions are fine (0.5 is half a second). Default 30. Not with
   * `httpClient`, which keeps its own timeouts.
   */
  readonly timeout?: number | undefined
  /**
   * The largest response body read, in bytes, counted after decompression, whatever the client
   * (an injected `httpClient`'s responses too); a larger one fails the call with an
   * InvalidResponseError (not retried). Default 1 MiB (1,048,576), far above any token,
   * discovery or federation metadata answer.
   */
  readonly maxResponseBytes?: number | undefined
  /** Receives log lines; default none. */
  readonly logger?: Logger | undefined
  /** The least severe level the logger receives. Default 'info'. */
  readonly logLevel?: LogLevel | undefined
  /** Let log lines that may name a user or a tenant reach the logger. Default false. */
  readonly enablePiiLog?: boolean | undefined
  /**
   * Replaces the runtime's interpreter entirely (then httpClient, timeout and the logger are
   * unused). For tests: a replay, a recorder, or virtual time from @msal-ts/testing.
   */
  readonly interpreter?: Interpret | undefined
}

/** What a confidential client takes beside the common options; the credential's own form is the runtime's. */
export interface ConfidentialOptions {
  /** How the app proves who it is (MSAL Python's client_credential); its forms depend on the runtime. */
  readonly clientCredential: unknown
  /** Claims added to (and overriding) every client assertion the certificate signs (MSAL Python's client_claims). Only with a certificate. */
  readonly clientClaims?: Readonly<Record<string, unknown>> | undefined
  /**
   * Send client-credential requests to an Azure region: a region name ("westus2"), true to detect
   * it (REGION_NAME, then the VM's metadata service), false never (even if MSAL_FORCE_REGION is set).
   */
  readonly azureRegion?: string | boolean | undefined
  /**
   * Whether a certificate's signed client assertion is sent again to the same token endpoint for
   * up to 540 s, as MSAL does. Default: true for Microsoft's authorities (Entra, B2C, CIAM, AD FS,
   * dSTS), false for `oidcAuthority`, whose provider may accept each assertion's `jti` once
   * (RFC 7523 §3); then every request gets a freshly signed one. Either way, a token endpoint that
   * refuses a reused assertion (400, 401 or 403) gets a fresh one, once, and no reused one again.
   * Only with a certificate.
   */
  readonly reuseClientAssertion?: boolean | undefined
}

/** A rule for one option: its check, and whether it must be given. */
export interface OptionRule {
  /** Checks the option's value: undefined when it is acceptable, else what was expected. */
  readonly check: Check
  /** true: leaving the option out is a ConfigurationError. Default false. */
  readonly required?: boolean
}

/** One rule per option of `T`, no more and no fewer: the table and the type cannot drift apart. */
export type OptionRules<T> = { readonly [K in keyof Required<T>]-?: OptionRule }

const optional = (check: Check): OptionRule => ({ check })

const LOG_LEVELS: readonly LogLevel[] = ['error', 'warning', 'info', 'verbose']

/** The longest `timeout`, in seconds: a timer's delay is a signed 32-bit count of milliseconds (2^31 - 1). */
export const MAX_TIMEOUT_SECONDS = 2_147_483

/** The default `timeout`, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 30

/**
 * The per-request timeout a runtime's interpreter applies, in milliseconds: `timeout` (seconds),
 * else the default; false when an injected httpClient keeps its own (MSAL Python: "this does not
 * apply if you have chosen to pass your own Http client").
 */
export const requestTimeoutMsOf = (options: Pick<ClientApplicationOptions, 'timeout' | 'httpClient'>): number | false =>
  options.httpClient !== undefined ? false : Math.round((options.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000)

/** `timeout`'s rule, in seconds (MSAL Python's unit). */
export const aTimeoutInSeconds: Check = is(
  `a number of seconds above 0 and at most 2,147,483 (e.g. 30)`,
  (u) => typeof u === 'number' && Number.isFinite(u) && u > 0 && u <= MAX_TIMEOUT_SECONDS,
)

/** The rules of every option but `tokenCache` (a browser app keeps its own), one per option. */
export const APP_RULES: OptionRules<Omit<ClientApplicationOptions, 'tokenCache'>> = {
  clientId: { check: nonEmptyString, required: true },
  // Parsed (and reported) by the authority parser, which names what is wrong with it.
  authority: optional(anything),
  oidcAuthority: optional(anything),
  validateAuthority: optional(aBoolean),
  instanceDiscovery: optional(either('true, false or an instance discovery URL', aBoolean, nonEmptyString)),
  clientCapabilities: optional(arrayOf(nonEmptyString, 'an array of capability names')),
  excludeScopes: optional(arrayOf(nonEmptyString, 'an array of scopes')),
  appName: optional(aString),
  appVersion: optional(aString),
  httpCache: optional(anInstanceOf(HttpCache, 'an HttpCache')),
  httpClient: optional(aFunction('a fetch-compatible function')),
  timeout: optional(aTimeoutInSeconds),
  maxResponseBytes: optional(is('a whole number of bytes from 1,024 to 1,073,741,824 (1 GiB)', (u) => Number.isSafeInteger(u) && (u as number) >= 1024 && (u as number) <= 2 ** 30)),
  logger: optional(aFunction('a function (level, message) => void')),
  logLevel: optional(oneOf(LOG_LEVELS)),
  enablePiiLog: optional(aBoolean),
  interpreter: optional(aFunction('an interpreter function')),
}

/** Edit distance, for "did you mean". Options are short: the quadratic table is nothing. */
const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}

const suggestion = (name: string, known: readonly string[]): string => {
  const best = known.map((candidate) => ({ candidate, d: distance(name, candidate) })).sort((x, y) => x.d - y.d)[0]
  return best !== undefined && best.d <= Math.max(2, Math.floor(name.length / 3)) ? `; did you mean ${best.candidate}?` : ''
}

/**
 * Checks an options object against its rules: every option known (an unknown one, or one of
 * MSAL Python's that msal-ts does not take, is named with what to use instead), required ones
 * given, each value acceptable. Options set to undefined count as not given.
 */
export const checkOptions = <T>(
  input: unknown,
  rules: { readonly [name: string]: OptionRule },
  example: string,
  /** Names users bring from other libraries, with what to do instead (e.g. UNSUPPORTED_OPTIONS). */
  unsupported: Readonly<Record<string, string>>,
): E.Either<ConfigurationError, T> => {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return E.left(configurationError('options', `expected an object such as ${example}`))
  }
  const given = input as Record<string, unknown>
  const known = Object.keys(rules)
  for (const name of Object.keys(given)) {
    if (Object.prototype.hasOwnProperty.call(rules, name) || given[name] === undefined) continue
    const instead = Object.prototype.hasOwnProperty.call(unsupported, name) ? unsupported[name] : undefined
    return E.left(configurationError(name, instead ?? `unknown option${suggestion(name, known)} (the options are ${known.join(', ')})`))
  }
  for (const name of known) {
    const rule = rules[name]!
    const value = given[name]
    if (value === undefined) {
      if (rule.required === true) {
        const found = rule.check(undefined)
        return E.left(configurationError(name, found?.message ?? 'is required'))
      }
      continue
    }
    const found = rule.check(value)
    if (found !== undefined) return E.left(configurationError(found.path === '' ? name : `${name}.${found.path}`, found.message))
  }
  return E.right(input as T)
}
