import { describeLayer, isPromiseLike, requestTimeoutMsOf, type ClientApplicationOptions, type Effect, type Interpret, type LogLevel } from '@msal-ts/core/spa'
import type { HttpClient } from './http.js'
import type * as HttpModule from './http.js'
import { DEFAULT_MAX_RESPONSE_BYTES } from './limits.js'
import { isLogged, type Logger } from './logger.js'
import { timerDelay } from './timers.js'
import type { WebCrypto } from './webCrypto.js'

type Lazy<T> = () => T | Promise<T>

export interface WebInterpreterOptions {
  /** The fetch to use; may be resolved lazily (a runtime may need to load a fallback). */
  readonly fetch: Lazy<HttpClient>
  /** getRandomValues and SHA-256; may be resolved lazily (a runtime may need to load a fallback). */
  readonly crypto: Lazy<WebCrypto>
  /**
   * Per-request timeout in milliseconds, body included. Default 30 000. false: none of the
   * application's (an injected client keeps its own); a request's own limit (the 2 s region
   * probe) still applies.
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
  /** Environment variables, where the runtime has them. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
}

export const DEFAULT_TIMEOUT_MS = 30_000

/** The shorter of the application's timeout and the request's own; undefined when neither sets one. */
const requestTimeout = (application: number | false, own: number | undefined): number | undefined =>
  application === false ? own : Math.min(application, own ?? application)

/** Resolves a lazy value once; later calls get the value itself, not a promise. */
const memo = <T>(lazy: Lazy<T>): (() => T | Promise<T>) => {
  let value: T | Promise<T> | undefined
  return () => {
    if (value === undefined) {
      const resolved = lazy()
      value = isPromiseLike(resolved) ? Promise.resolve(resolved).then((v) => (value = v)) : resolved
    }
    return value
  }
}

/** The clock, shared by every interpreter (it holds nothing of an application's). */
const clockNow = (): number => Date.now()

/**
 * The pool's size: the most one getRandomValues call may fill (WebCrypto's limit). A refill costs
 * about 15 µs whatever its size (a new buffer outside V8's heap, and the call), so a pool of 64 KiB
 * (4,096 correlation ids) costs each id nanoseconds where 4 KiB cost it about 60 ns, on every
 * cache hit. Every consumer turns its bytes into a string at once, so no view keeps a pool alive.
 */
const POOL_BYTES = 65536

/**
 * Cryptographically random bytes, drawn from a pool refilled by getRandomValues. One call per
 * correlation id costs microseconds of fixed overhead; a pool (as Node's randomUUID keeps)
 * makes it nanoseconds. Each byte is handed out once. Interpreters on one crypto share one pool
 * (see poolOf): a process with many applications reads one warm buffer, not one per application.
 */
class RandomPool {
  private bytes = new Uint8Array(0)
  private offset = 0

  constructor(private readonly crypto: WebCrypto) {}

  take(length: number): Uint8Array {
    if (length > POOL_BYTES / 4) return this.crypto.getRandomValues(new Uint8Array(length))
    if (this.offset + length > this.bytes.length) {
      this.bytes = this.crypto.getRandomValues(new Uint8Array(POOL_BYTES))
      this.offset = 0
    }
    this.offset += length
    // A view, not a copy: each byte is handed out once, and a refill makes a new buffer.
    return this.bytes.subarray(this.offset - length, this.offset)
  }
}

const pools = new WeakMap<WebCrypto, RandomPool>()

/** The pool of a crypto implementation, shared by every interpreter that uses it. */
const poolOf = (crypto: WebCrypto): RandomPool => {
  let pool = pools.get(crypto)
  if (pool === undefined) pools.set(crypto, (pool = new RandomPool(crypto)))
  return pool
}

type RandomAnswer = (effect: { readonly length: number }) => Uint8Array | Promise<Uint8Array>

const randomAnswers = new WeakMap<Lazy<WebCrypto>, RandomAnswer>()

/**
 * The RandomBytes answer for a crypto source, shared by every interpreter given that source (a
 * runtime's applications all are): a call's correlation id reads no application's closure.
 */
const randomAnswerOf = (source: Lazy<WebCrypto>): RandomAnswer => {
  let answer = randomAnswers.get(source)
  if (answer === undefined) {
    const crypto = memo(source)
    let pool: RandomPool | undefined
    const random = (c: WebCrypto, length: number): Uint8Array => (pool ??= poolOf(c)).take(length)
    answer = (effect) => {
      if (pool !== undefined) return pool.take(effect.length)
      const c = crypto()
      return isPromiseLike(c) ? Promise.resolve(c).then((resolved) => random(resolved, effect.length)) : random(c, effect.length)
    }
    randomAnswers.set(source, answer)
  }
  return answer
}

type HttpCode = Pick<typeof HttpModule, 'performHttp'>

/** http.ts, loaded; a load that fails (a chunk of the app's bundle not served) answers every request with a connection failure saying so. */
const loadHttpCode = (): Promise<HttpCode> =>
  import('./http.js').catch(
    (cause: unknown): HttpCode => ({
      performHttp: () =>
        Promise.resolve({ _tag: 'HttpFailure', kind: 'connection', message: `msal-ts's HTTP code (a chunk of this app's bundle) did not load: ${cause instanceof Error ? cause.message : String(cause)}` }),
    }),
  )

const using = <A, B>(value: A | Promise<A>, use: (a: A) => B | Promise<B>): B | Promise<B> =>
  isPromiseLike(value) ? Promise.resolve(value).then(use) : use(value)

/**
 * Performs effects with the web platform: fetch (with a timeout), WebCrypto, the clock, timers,
 * and the application's logger. Time, randomness and logging answer synchronously, so a cache
 * hit never waits for the event loop. Runs in browsers, and is the base of the Node interpreter.
 */
export const createWebInterpreter = (options: WebInterpreterOptions): Interpret => {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
  const threshold = options.logLevel ?? 'info'
  const fetchClient = memo(options.fetch)
  const crypto = memo(options.crypto)
  // Every call draws its correlation id here, cache hits included.
  const randomBytes = randomAnswerOf(options.crypto)
  // The HTTP code loads with the first request: a browser page that answers from its cache never loads it.
  let httpCode: Promise<HttpCode> | undefined
  const web = (effect: Effect): unknown => {
    switch (effect._tag) {
      case 'Http':
        return (httpCode ??= loadHttpCode()).then((http) =>
          using(fetchClient(), (client) => http.performHttp(client, effect.request, { timeoutMs: requestTimeout(timeoutMs, effect.request.timeoutMs), maxResponseBytes })),
        )
      case 'Now':
        return clockNow()
      case 'RandomBytes':
        return randomBytes(effect)
      case 'Sha256':
        return using(crypto(), async (c) => new Uint8Array(await c.subtle.digest('SHA-256', new TextEncoder().encode(effect.data))))
      case 'Sleep':
        return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timerDelay(effect.ms)))
      case 'ReadEnv':
        return options.env?.[effect.name]
      case 'ReadFile':
        return { _tag: 'FileUnavailable', reason: 'this runtime has no file system' }
      case 'FileExists':
        return false
      case 'Commit':
        // The application shell applies commits to its state before effects reach a runtime.
        throw new Error('a Commit effect reached the runtime interpreter: run flows with runFlow(ctx, program, interpret)')
      case 'SignJwt':
      case 'ClientAssertion':
      case 'PopKey':
      case 'SignPop':
        // Only an application built around a credential or a PoP key holds keys and callbacks (withClientCredential, withPopKeys answer these first).
        return { _tag: 'CredentialFailure', message: `this interpreter holds no key for ${effect._tag}` }
      case 'Log':
        if (options.logger !== undefined && isLogged(effect.level, threshold) && (!effect.pii || options.enablePiiLog === true)) {
          options.logger(effect.level, effect.message)
        }
        return undefined
      default:
        // The browser's own effects (navigation, storage, popups, iframes, locks) are the SPA's
        // platform's (packages/browser/src/spa/browserPlatform.ts); this runtime cannot do them.
        throw new Error(`the ${effect._tag} effect is a browser page's; this runtime cannot perform it`)
    }
  }
  // The time and random bytes are answered without the switch (and, through answererOf, without the layers above).
  return describeLayer(web, { answers: { Now: clockNow, RandomBytes: randomBytes } })
}

/** The runtime's own WebCrypto (one function, so every interpreter on it shares one RandomBytes answer). */
const runtimeCrypto = (): WebCrypto => globalThis.crypto

/**
 * The interpreter for web-platform runtimes (browsers, Cloudflare Workers, Deno, Bun): the
 * runtime's own fetch and WebCrypto unless others are given (`undefined` counts as not given).
 * A `fetch` given here keeps its own timeouts unless `timeoutMs` is given too; the runtime's gets
 * the default 30 s.
 */
export const createBrowserInterpreter = (options: Partial<WebInterpreterOptions> = {}): Interpret =>
  createWebInterpreter(
    Object.assign({}, options, {
      fetch: options.fetch ?? (() => globalThis.fetch.bind(globalThis) as unknown as HttpClient),
      crypto: options.crypto ?? runtimeCrypto,
      timeoutMs: options.timeoutMs ?? (options.fetch !== undefined ? false : DEFAULT_TIMEOUT_MS),
    }),
  )

/**
 * The web interpreter an application's options ask for: their fetch (`httpClient`), `timeout`
 * (seconds, as MSAL Python's; none of the application's for an injected httpClient),
 * `maxResponseBytes` and logging. Every web-platform application class builds its interpreter here.
 */
export const webInterpreterFor = (
  options: Pick<ClientApplicationOptions, 'httpClient' | 'timeout' | 'maxResponseBytes' | 'logger' | 'logLevel' | 'enablePiiLog'>,
): Interpret => {
  const { httpClient } = options
  return createBrowserInterpreter({
    fetch: httpClient !== undefined ? () => httpClient : undefined,
    timeoutMs: requestTimeoutMsOf(options),
    maxResponseBytes: options.maxResponseBytes,
    logger: options.logger,
    logLevel: options.logLevel,
    enablePiiLog: options.enablePiiLog,
  })
}
