import * as E from '#fp-ts/Either'
import { anObject, checkOptions, CLIENT_APPLICATION_RULES, UNSUPPORTED_OPTIONS, configurationError, HttpCache, is, requestTimeoutMsOf, type ClientApplicationOptions, type ConfigurationError, type Interpret, type OptionRule, type OptionRules, type PublicAppRuntime } from '@msal-ts/core'
import { abortable } from '@msal-ts/browser'
import { TokenCache } from '../cache/tokenCaches.js'
import { createNodeInterpreter } from '../interpreter/nodeInterpreter.js'
import { checkProxiesOption, checkProxyOption } from '../interpreter/proxyEnvironment.js'
import { VERIFY_FORMAT } from '../interpreter/tlsVerification.js'
import { nodePlatform } from '../platform.js'

/** Options only the Node runtime takes. */
export interface NodeOptions {
  /**
   * An HTTP proxy for every request, MSAL Python's `proxies` and MSAL Node's `proxyUrl`:
   * "http://[user:password@]host[:port]" (or https://). false: no proxy, whatever the environment
   * says. Unset: HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or their lower-case forms) decide per
   * request, as curl reads them; loopback hosts never go through a proxy from the environment.
   * Not with `httpClient`: an injected client decides itself how to reach the network.
   */
  readonly proxy?: string | false | undefined
  /**
   * MSAL Python's `proxies`, as requests takes it: `{ https: "http://proxy:3128", http: "..." }`,
   * a proxy for each URL scheme (credentials in the URL as for `proxy`). A scheme it does not
   * name is left to HTTPS_PROXY / HTTP_PROXY / NO_PROXY, as requests leaves it. Not with `proxy`
   * or `httpClient`.
   */
  readonly proxies?: { readonly http?: string | undefined; readonly https?: string | undefined } | undefined
  /**
   * MSAL Python's `verify` (requests' TLS verification), for a network whose TLS-inspecting proxy
   * re-signs every certificate: true (the default: Node's trust store, plus NODE_EXTRA_CA_CERTS),
   * a CA bundle (a PEM file's path, or the PEM text itself) that, as in requests, replaces the
   * default store, or false: no certificate check at all, with a loud warning (process warning
   * MSAL_TS_TLS_VERIFICATION_OFF and a warning log line). Not with `httpClient`.
   */
  readonly verify?: boolean | string | undefined
  /**
   * The environment variables the application reads: proxies, the region, a managed identity's
   * source, Cloud Shell. Default process.env (read at each use, so later changes count).
   */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
}

export const NODE_RULES: OptionRules<NodeOptions> = {
  env: { check: anObject('an object of environment variables (name to string)') },
  proxy: {
    check: (value) => {
      // Checked without httpClient here (that clash is reported after); never repeats the value.
      const checked = checkProxyOption(value, undefined)
      return 'problem' in checked ? { path: '', message: checked.problem } : undefined
    },
  },
  proxies: {
    check: (value) => {
      // Checked alone here (clashes with proxy and httpClient are reported after).
      const checked = checkProxiesOption(value, { proxy: undefined, httpClient: undefined })
      return 'problem' in checked ? { path: checked.path ?? '', message: checked.problem } : undefined
    },
  },
  // The bundle is read (and its certificates checked) when the interpreter is made, in the constructor.
  verify: { check: is(VERIFY_FORMAT, (u) => typeof u === 'boolean' || typeof u === 'string') },
}

/** The options of a Node application, every one known: an unknown or unsupported one is a ConfigurationError naming it. */
export const checkNodeOptions = <T extends ClientApplicationOptions & NodeOptions>(
  input: unknown,
  rules: { readonly [name: string]: OptionRule },
  example: string,
  unsupported: Readonly<Record<string, string>> = UNSUPPORTED_OPTIONS,
): E.Either<ConfigurationError, T> => checkRuntimeOptions<T>(input, { ...CLIENT_APPLICATION_RULES, ...rules }, example, unsupported)

/** Options checked against `rules` plus Node's own (proxy, proxies, verify, env); what clashes with an httpClient is refused. */
export const checkRuntimeOptions = <T extends RuntimeOptions>(
  input: unknown,
  rules: { readonly [name: string]: OptionRule },
  example: string,
  unsupported: Readonly<Record<string, string>> = UNSUPPORTED_OPTIONS,
): E.Either<ConfigurationError, T> => {
  const checked = checkOptions<T>(input, { ...NODE_RULES, ...rules }, example, unsupported)
  if (E.isLeft(checked)) return checked
  const proxy = checkProxyOption(checked.right.proxy, checked.right.httpClient)
  if ('problem' in proxy) return E.left(configurationError('proxy', proxy.problem))
  const proxies = checkProxiesOption(checked.right.proxies, checked.right)
  if ('problem' in proxies) return E.left(configurationError(proxies.path === undefined ? 'proxies' : `proxies.${proxies.path}`, proxies.problem))
  if (checked.right.verify !== undefined && checked.right.verify !== true && checked.right.httpClient !== undefined) {
    return E.left(configurationError('verify', 'give either httpClient or verify, not both: an injected httpClient decides itself how to check certificates (as MSAL Python\'s verify does not apply to your own http_client)'))
  }
  return checked
}

/**
 * The Node runtime of an application: the Node interpreter (or the one the options inject),
 * wrapped by `withCredential` for a confidential client; the system clock's caches.
 */
/** The options the Node runtime is built from (every application class has them). */
export type RuntimeOptions = NodeOptions &
  Pick<ClientApplicationOptions, 'interpreter' | 'httpClient' | 'timeout' | 'maxResponseBytes' | 'logger' | 'logLevel' | 'enablePiiLog' | 'tokenCache' | 'httpCache'>

export const nodeRuntime = (options: RuntimeOptions, withCredential: (interpret: Interpret) => Interpret = (i) => i): PublicAppRuntime => {
  const injected = options.interpreter
  const inner =
    injected ??
    createNodeInterpreter({
      httpClient: options.httpClient,
      proxy: options.proxy,
      proxies: options.proxies,
      verify: options.verify,
      // Seconds, as MSAL Python's; an injected httpClient keeps its own timeouts.
      timeoutMs: requestTimeoutMsOf(options),
      maxResponseBytes: options.maxResponseBytes,
      logger: options.logger,
      logLevel: options.logLevel,
      enablePiiLog: options.enablePiiLog,
      env: options.env,
    })
  return {
    interpret: withCredential(inner),
    platform: nodePlatform(),
    tokenCache: options.tokenCache ?? new TokenCache(),
    httpCache: options.httpCache ?? new HttpCache(),
    // The Node interpreter sleeps in real time: the abortable wrapper times Sleep itself so an
    // abort clears the timer; an injected interpreter (virtual time) keeps its own.
    abortable: (interpret, signal) => abortable(interpret, signal, { realTimeSleep: injected === undefined }),
  }
}
