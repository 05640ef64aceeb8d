import * as E from '#fp-ts/Either'
import { anObject, checkOptions, CLIENT_APPLICATION_RULES, configurationError, HttpCache, type ClientApplicationOptions, type ConfigurationError, type Interpret, type OptionRule, type OptionRules, type PublicAppRuntime } from '@msal-ts/core'
import { abortable } from '@msal-ts/browser'
import { TokenCache } from '../cache/tokenCaches.js'
import { createNodeInterpreter } from '../interpreter/nodeInterpreter.js'
import { checkProxyOption } from '../interpreter/proxyEnvironment.js'
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
}

/** The options of a Node application, every one known: an unknown or unsupported one is a ConfigurationError naming it. */
export const checkNodeOptions = <T extends ClientApplicationOptions & NodeOptions>(
  input: unknown,
  rules: { readonly [name: string]: OptionRule },
  example: string,
  unsupported?: Readonly<Record<string, string>>,
): E.Either<ConfigurationError, T> => checkRuntimeOptions<T>(input, { ...CLIENT_APPLICATION_RULES, ...rules }, example, unsupported)

/** Options checked against `rules` plus Node's own (proxy, env); a proxy beside an httpClient is refused. */
export const checkRuntimeOptions = <T extends RuntimeOptions>(
  input: unknown,
  rules: { readonly [name: string]: OptionRule },
  example: string,
  unsupported?: Readonly<Record<string, string>>,
): E.Either<ConfigurationError, T> => {
  const checked = checkOptions<T>(input, { ...NODE_RULES, ...rules }, example, unsupported)
  if (E.isLeft(checked)) return checked
  const proxy = checkProxyOption(checked.right.proxy, checked.right.httpClient)
  return 'problem' in proxy ? E.left(configurationError('proxy', proxy.problem)) : checked
}

/**
 * The Node runtime of an application: the Node interpreter (or the one the options inject),
 * wrapped by `withCredential` for a confidential client; the system clock's caches.
 */
/** The options the Node runtime is built from (every application class has them). */
export type RuntimeOptions = NodeOptions &
  Pick<ClientApplicationOptions, 'interpreter' | 'httpClient' | 'timeout' | 'logger' | 'logLevel' | 'enablePiiLog' | 'tokenCache' | 'httpCache'>

export const nodeRuntime = (options: RuntimeOptions, withCredential: (interpret: Interpret) => Interpret = (i) => i): PublicAppRuntime => {
  const injected = options.interpreter
  const inner =
    injected ??
    createNodeInterpreter({
      httpClient: options.httpClient,
      proxy: options.proxy,
      timeoutMs: options.timeout,
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
