/**
 * One confidential-client scenario for every web-platform runtime: fetch, WebCrypto,
 * performance.now and nothing else (no Node built-ins, no runtime's own API), so the same
 * bundle runs on Node, Deno, Bun, Cloudflare's workerd and Chromium. It never throws: a
 * failure is in the report, which each runtime hands back as JSON.
 */
import { ConfidentialClientApplication, type TokenResult, type WebClientCredentialOption } from '@msal-ts/browser'

export interface ScenarioConfig {
  /** The fake identity provider's tenant, e.g. http://127.0.0.1:5000/contoso.onmicrosoft.com */
  readonly authority: string
  /** The app with a certificate: the whole scenario. */
  readonly certificateApp: { readonly clientId: string; readonly clientCredential: WebClientCredentialOption }
  /** An app with a client secret: one app token. */
  readonly secretApp: { readonly clientId: string; readonly clientCredential: WebClientCredentialOption }
  readonly appScopes: readonly string[]
  readonly userScopes: readonly string[]
  /** A refresh token the identity provider issued to the certificate app for a user. */
  readonly refreshToken: string
  /** Untimed cache hits first, so that the timed ones run JIT-compiled code. */
  readonly warmupHits: number
  /** Cache hits are timed in batches (timers may be coarse: Chromium's tick is 100 µs, workerd's 1 ms). */
  readonly batches: number
  readonly batchSize: number
}

export interface StepReport {
  readonly tokenSource: TokenResult['tokenSource']
  /** Whether the access token is the one the step compares against (the previous one). */
  readonly sameToken?: boolean | undefined
  readonly username?: string | undefined
}

export interface ScenarioReport {
  /** navigator.userAgent, which names the runtime (Node 20 has none). */
  readonly userAgent: string
  readonly secretApp?: StepReport
  readonly first?: StepReport
  readonly second?: StepReport
  /** Cache hits: how many, how many were not from the cache, and the median batch's time per hit in microseconds. */
  readonly cacheHits?: { readonly count: number; readonly notFromCache: number; readonly medianMicros: number }
  readonly refreshTokenSignIn?: StepReport
  readonly accounts?: readonly string[]
  readonly silent?: StepReport
  /** The whole scenario's time in the runtime, in milliseconds. */
  readonly elapsedMs?: number
  /** Each step's time in the runtime, in milliseconds. */
  readonly stepsMs?: Readonly<Record<string, number>>
  /** The first failure, if any: where, and the error's kind and message. */
  readonly failure?: { readonly step: string; readonly kind: string; readonly message: string }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const timeCacheHits = async (app: ConfidentialClientApplication, config: ScenarioConfig): Promise<NonNullable<ScenarioReport['cacheHits']>> => {
  const perHitMicros: number[] = []
  let notFromCache = 0
  for (let i = 0; i < config.warmupHits; i++) {
    if ((await app.acquireTokenForClient(config.appScopes)).tokenSource !== 'cache') notFromCache++
  }
  for (let batch = 0; batch < config.batches; batch++) {
    const started = performance.now()
    for (let i = 0; i < config.batchSize; i++) {
      if ((await app.acquireTokenForClient(config.appScopes)).tokenSource !== 'cache') notFromCache++
    }
    perHitMicros.push(((performance.now() - started) * 1000) / config.batchSize)
  }
  return { count: config.warmupHits + config.batches * config.batchSize, notFromCache, medianMicros: Math.round(median(perHitMicros) * 100) / 100 }
}

/** Runs the scenario; every step's outcome, or the first failure, is in the report. */
export const runScenario = async (config: ScenarioConfig): Promise<ScenarioReport> => {
  const report: { -readonly [K in keyof ScenarioReport]: ScenarioReport[K] } = {
    userAgent: (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? 'none',
  }
  const started = performance.now()
  const stepsMs: Record<string, number> = {}
  report.stepsMs = stepsMs
  let step = 'construct'
  let stepStarted = started
  /** Closes the current step's timing and opens the next one's. */
  const next = (name: string): void => {
    const now = performance.now()
    stepsMs[step] = Math.round((now - stepStarted) * 10) / 10
    step = name
    stepStarted = now
  }
  try {
    const options = { authority: config.authority }
    const app = new ConfidentialClientApplication({ ...options, ...config.certificateApp })
    const secretApp = new ConfidentialClientApplication({ ...options, ...config.secretApp })

    next('secretApp')
    report.secretApp = { tokenSource: (await secretApp.acquireTokenForClient(config.appScopes)).tokenSource }
    next('first')
    const first = await app.acquireTokenForClient(config.appScopes)
    report.first = { tokenSource: first.tokenSource }
    next('second')
    const second = await app.acquireTokenForClient(config.appScopes)
    report.second = { tokenSource: second.tokenSource, sameToken: second.accessToken === first.accessToken }
    next('cacheHits')
    report.cacheHits = await timeCacheHits(app, config)

    next('refreshTokenSignIn')
    const signedIn = await app.acquireTokenByRefreshToken(config.refreshToken, config.userScopes)
    report.refreshTokenSignIn = { tokenSource: signedIn.tokenSource, username: signedIn.account?.username }
    next('accounts')
    const accounts = await app.getAccounts()
    report.accounts = accounts.map((account) => account.username)
    next('silent')
    const silent = await app.acquireTokenSilent(config.userScopes, accounts[0])
    report.silent = silent === undefined ? undefined : { tokenSource: silent.tokenSource, sameToken: silent.accessToken === signedIn.accessToken, username: silent.account?.username }
    next('done')
  } catch (error) {
    const { kind, message } = error as { kind?: unknown; message?: unknown }
    report.failure = { step, kind: typeof kind === 'string' ? kind : 'Error', message: typeof message === 'string' ? message : String(error) }
  }
  report.elapsedMs = Math.round(performance.now() - started)
  return report
}
