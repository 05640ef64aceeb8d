/**
 * The logger never sees a token, code, secret, assertion, password, username or home account id
 * unless enablePiiLog is set. Every recorded flow is replayed at the verbose level, with Log
 * effects handed to the Node interpreter's own log handling (the production filter), and every
 * line is scanned for every secret its transcript and its scenario module hold.
 *
 * Suites are found, not listed: each directory under fixtures/ (kebab-case) is replayed with the
 * scenarios module of the same name in camelCase under scenarios/ (client-credentials →
 * scenarios/clientCredentials.ts), which exports `scenarios` (each with `name` and `play`) and
 * `newApp(scenario, interpreter, cache)`. A new fixture directory is covered the day it lands.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfidentialClientApplication, createNodeInterpreter, TokenCache, type Interpret, type LogLevel } from '@msal-ts/node'
import { type Effect, type HttpResponse } from '@msal-ts/core'
import { SECRET_FORM_FIELDS } from '@msal-ts/core/protocol'
import { createTestInterpreter, DEFAULT_START_MS, fixedClock, parseTranscript, REDACTED, replay, type Transcript } from '@msal-ts/testing'

const FIXTURES = join(import.meta.dirname, 'fixtures')
const SCENARIOS = join(import.meta.dirname, 'scenarios')

// ---------------------------------------------------------------------------------------------
// Discovering the suites

interface SuiteScenario {
  readonly name: string
  readonly play: (ctx: { readonly app: never; readonly cache: TokenCache; readonly advance: (ms: number) => void }) => Promise<void>
}

interface Suite {
  /** The fixture directory. */
  readonly dir: string
  readonly module: Record<string, unknown>
  readonly scenarios: readonly SuiteScenario[]
  readonly newApp: (scenario: SuiteScenario, interpreter: Interpret, cache: TokenCache) => unknown
}

const camelCase = (kebab: string): string => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())

const fixtureDirs = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()

const loadSuite = async (dir: string): Promise<Suite> => {
  const file = join(SCENARIOS, `${camelCase(dir)}.ts`)
  if (!existsSync(file)) throw new Error(`fixtures/${dir}/ has no scenarios module: expected scenarios/${camelCase(dir)}.ts`)
  const module = (await import(`./scenarios/${camelCase(dir)}.js`)) as Record<string, unknown>
  const { scenarios, newApp } = module
  if (!Array.isArray(scenarios) || typeof newApp !== 'function') {
    throw new Error(`scenarios/${camelCase(dir)}.ts must export \`scenarios\` (an array) and \`newApp(scenario, interpreter, cache)\``)
  }
  return { dir, module, scenarios: scenarios as SuiteScenario[], newApp: newApp as Suite['newApp'] }
}

const suites: readonly Suite[] = await Promise.all(fixtureDirs.map(loadSuite))

const loadTranscript = (suite: Suite, name: string): Transcript =>
  parseTranscript(JSON.parse(readFileSync(join(FIXTURES, suite.dir, `${name}.json`), 'utf8')))

// ---------------------------------------------------------------------------------------------
// Collecting what must never be logged

type SecretKind = 'credential' | 'identifier'

interface Secret {
  readonly kind: SecretKind
  /** Where it was found, for the failure message. */
  readonly what: string
  readonly value: string
}

/** Shorter values would match by accident; every real secret of the fixtures is longer. */
const MIN_LENGTH = 6

/** Response fields that carry credentials (the transcript keeps them: they are results). */
const CREDENTIAL_FIELDS = new Set(['access_token', 'refresh_token', 'id_token', 'code', 'device_code', 'client_info', ...SECRET_FORM_FIELDS])
/** Fields and claims that name a user. */
const IDENTIFIER_FIELDS = new Set(['username', 'preferred_username', 'upn', 'email', 'unique_name', 'login_hint', 'loginhint'])
/** Scenario-module names (constants, options) holding secrets or user names. */
const CREDENTIAL_NAME = /secret|password|passwd|assertion|token|credential/i
const IDENTIFIER_NAME = /username|upn|email|login_?hint/i

const base64UrlJson = (text: string): Record<string, unknown> | undefined => {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

const jwtClaims = (token: string): Record<string, unknown> | undefined => {
  const payload = token.split('.')[1]
  return payload === undefined ? undefined : base64UrlJson(payload)
}

class Secrets {
  readonly all: Secret[] = []

  add(kind: SecretKind, what: string, value: unknown): void {
    if (typeof value !== 'string' || value.length < MIN_LENGTH || value === REDACTED) return
    if (!this.all.some((s) => s.value === value)) this.all.push({ kind, what, value })
  }

  /** A token, and what it says about the user: the ID token's names, client_info's home account id. */
  addCredential(field: string, value: unknown, where: string): void {
    this.add('credential', `${field} (${where})`, value)
    if (typeof value !== 'string') return
    if (field === 'id_token') {
      const claims = jwtClaims(value) ?? {}
      for (const [claim, claimValue] of Object.entries(claims)) {
        if (IDENTIFIER_FIELDS.has(claim.toLowerCase())) this.add('identifier', `id_token claim ${claim} (${where})`, claimValue)
      }
      this.add('identifier', `id_token claim sub, a home account id for ADFS (${where})`, claims['sub'])
    }
    if (field === 'client_info') {
      const info = base64UrlJson(value)
      if (typeof info?.['uid'] === 'string' && typeof info['utid'] === 'string') {
        this.add('identifier', `home account id (${where})`, `${info['uid']}.${info['utid']}`)
        this.add('identifier', `client_info uid (${where})`, info['uid'])
      }
    }
  }

  /** Walks JSON (a response body), collecting by field name. */
  addFromJson(value: unknown, where: string): void {
    if (Array.isArray(value)) {
      for (const item of value) this.addFromJson(item, where)
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (CREDENTIAL_FIELDS.has(key.toLowerCase())) this.addCredential(key.toLowerCase(), item, where)
        else if (IDENTIFIER_FIELDS.has(key.toLowerCase())) this.add('identifier', `${key} (${where})`, item)
        else this.addFromJson(item, where)
      }
    }
  }

  /** Walks a scenario module's exports or a scenario: any string under a secret-sounding name. */
  addFromModule(value: unknown, name: string, where: string, depth = 0): void {
    if (depth > 6 || typeof value === 'function') return
    if (typeof value === 'string') {
      if (CREDENTIAL_NAME.test(name)) this.add('credential', `${name} (${where})`, value)
      else if (IDENTIFIER_NAME.test(name)) this.add('identifier', `${name} (${where})`, value)
    } else if (Array.isArray(value)) {
      for (const item of value) this.addFromModule(item, name, where, depth + 1)
    } else if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
      for (const [key, item] of Object.entries(value)) this.addFromModule(item, key, where, depth + 1)
    }
  }

  /** Every secret one transcript holds: tokens in the answers, user names in the requests. */
  addFromTranscript(transcript: Transcript): void {
    transcript.steps.forEach((step, index) => {
      const where = `step ${index + 1}`
      if (step.effect._tag !== 'Http') return
      const { request } = step.effect
      for (const [field, value] of Object.entries(request.form ?? {})) {
        if (CREDENTIAL_FIELDS.has(field)) this.addCredential(field, value, `${where} request`)
        else if (IDENTIFIER_FIELDS.has(field)) this.add('identifier', `form ${field} (${where})`, value)
      }
      const url = new URL(request.url)
      for (const [param, value] of url.searchParams) {
        if (CREDENTIAL_FIELDS.has(param)) this.addCredential(param, value, `${where} query`)
        else if (IDENTIFIER_FIELDS.has(param.toLowerCase())) this.add('identifier', `query ${param} (${where})`, value)
      }
      const segments = url.pathname.split('/')
      segments.forEach((segment, i) => {
        const decoded = decodeURIComponent(segment)
        if (segments[i - 1]?.toLowerCase() === 'userrealm' || decoded.includes('@')) {
          this.add('identifier', `user name in a URL path (${where})`, decoded)
          this.add('identifier', `user name in a URL path, encoded (${where})`, segment)
        }
      })
      const result = step.result as Partial<HttpResponse> | null
      if (result?._tag !== 'HttpResponse' || typeof result.body !== 'string') return
      try {
        this.addFromJson(JSON.parse(result.body), `${where} response`)
      } catch {
        // Not JSON (an HTML page, a cut-off body): nothing whole to collect.
      }
    })
  }
}

const secretsOf = (suite: Suite, scenario: SuiteScenario, transcript: Transcript): Secret[] => {
  const secrets = new Secrets()
  for (const [name, value] of Object.entries(suite.module)) secrets.addFromModule(value, name, `scenarios/${camelCase(suite.dir)}.ts`)
  secrets.addFromModule(scenario, 'scenario', `scenario ${scenario.name}`)
  secrets.addFromTranscript(transcript)
  return secrets.all
}

// ---------------------------------------------------------------------------------------------
// Replaying with a logger

interface Line {
  readonly level: LogLevel
  readonly message: string
}

interface Replayed {
  /** What the application's logger received. */
  readonly lines: Line[]
  /** Every Log effect the flows yielded, before any filtering. */
  readonly effects: Array<Extract<Effect, { _tag: 'Log' }>>
}

const refuseNetwork = (): never => {
  throw new Error('the log interpreter must never be asked for HTTP')
}

/**
 * Replays a scenario. Log effects go to the production interpreter (the Node interpreter over the
 * web interpreter), configured as an application would configure it; every other effect is
 * answered from the transcript. `tap` may add effects of its own (the leak check below).
 */
const replayWithLogger = async (
  suite: Suite,
  scenario: SuiteScenario,
  transcript: Transcript,
  enablePiiLog: boolean,
  tap?: (effect: Effect, result: unknown, log: Interpret) => void,
): Promise<Replayed> => {
  const lines: Line[] = []
  const effects: Replayed['effects'] = []
  const production = createNodeInterpreter({
    logger: (level, message) => lines.push({ level, message }),
    logLevel: 'verbose',
    enablePiiLog,
    httpClient: refuseNetwork,
    env: {},
  })
  const replayer = replay(transcript)
  const interpret: Interpret = (effect) => {
    if (effect._tag === 'Log') {
      effects.push(effect)
      return production(effect)
    }
    const result = replayer.interpret(effect)
    tap?.(effect, result, interpret)
    return result
  }
  // The cache's clock is the recordings' virtual time (where it started), not today's.
  const cache = new TokenCache({ clock: () => DEFAULT_START_MS / 1000 })
  await scenario.play({ app: suite.newApp(scenario, interpret, cache) as never, cache, advance: () => undefined })
  replayer.assertComplete()
  return { lines, effects }
}

/** Looks like a JWT, or an email address / UPN. */
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{8,}/
const EMAIL_SHAPE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/

const preview = (value: string): string => (value.length > 16 ? `${value.slice(0, 12)}…(${value.length} chars)` : value)

/**
 * What a log line must not hold, as readable findings. Without PII logging: no credential and no
 * identifier, in full or by its first 16 characters (a truncated token is still a leak), and
 * nothing shaped like a JWT or an email address. With it, identifiers may appear; credentials
 * still never do.
 */
const leaksIn = (lines: readonly Line[], secrets: readonly Secret[], piiAllowed: boolean): string[] => {
  const findings: string[] = []
  for (const { level, message } of lines) {
    for (const secret of secrets) {
      if (piiAllowed && secret.kind === 'identifier') continue
      const probe = secret.value.length > 24 ? secret.value.slice(0, 16) : secret.value
      if (message.includes(probe)) findings.push(`${level} line holds the ${secret.kind} ${secret.what} ${JSON.stringify(preview(secret.value))}: ${message}`)
    }
    if (JWT_SHAPE.test(message)) findings.push(`${level} line holds something shaped like a JWT: ${message}`)
    if (!piiAllowed && EMAIL_SHAPE.test(message)) findings.push(`${level} line holds something shaped like an email address: ${message}`)
  }
  return findings
}

// ---------------------------------------------------------------------------------------------

const cases = suites.flatMap((suite) => suite.scenarios.map((scenario) => [`${suite.dir}/${scenario.name}`, suite, scenario] as const))

describe('log lines hold no secrets and no personal data unless enablePiiLog is set', () => {
  it('finds every fixture directory, each with its scenarios module, each fixture with its scenario', () => {
    expect(fixtureDirs.length).toBeGreaterThan(0)
    for (const suite of suites) {
      const onDisk = readdirSync(join(FIXTURES, suite.dir)).filter((file) => file.endsWith('.json')).sort()
      expect([suite.dir, onDisk]).toEqual([suite.dir, suite.scenarios.map((s) => `${s.name}.json`).sort()])
    }
    // And the other way: a scenarios module (not a recorder) whose fixtures are not on disk is caught too.
    const modules = readdirSync(SCENARIOS).filter((file) => file.endsWith('.ts') && !file.startsWith('record'))
    const suiteModules = modules.filter((file) => /export const scenarios\b/.test(readFileSync(join(SCENARIOS, file), 'utf8')))
    expect(suiteModules.sort()).toEqual(suites.map((suite) => `${camelCase(suite.dir)}.ts`).sort())
  })

  it.each(cases)('%s', async (_, suite, scenario) => {
    const transcript = loadTranscript(suite, scenario.name)
    const secrets = secretsOf(suite, scenario, transcript)
    // A scan with nothing to look for cannot fail: every confidential flow has at least its secret.
    expect(secrets.filter((s) => s.kind === 'credential').length).toBeGreaterThan(0)

    const quiet = await replayWithLogger(suite, scenario, transcript, false)
    // A flow that logs nothing at verbose proves nothing (and leaves a developer in the dark).
    expect(quiet.lines.length).toBeGreaterThan(0)
    expect(leaksIn(quiet.lines, secrets, false)).toEqual([])

    // The production filter is what keeps the PII lines out: they are yielded, and dropped.
    const loud = await replayWithLogger(suite, scenario, transcript, true)
    expect(loud.effects).toEqual(quiet.effects)
    expect(quiet.lines.map((l) => l.message)).toEqual(quiet.effects.filter((e) => !e.pii).map((e) => e.message))
    expect(loud.lines.map((l) => l.message)).toEqual(loud.effects.map((e) => e.message))
    if (transcript.steps.some((step) => step.effect._tag === 'Http')) {
      // Every request names its endpoint in a PII line (the path names the tenant).
      expect(loud.effects.filter((e) => e.pii).length).toBeGreaterThan(0)
    }
    expect(leaksIn(loud.lines, secrets, true)).toEqual([])
  })

  it('would catch a leak: a flow that logged the identity provider’s answers fails the scan', async () => {
    const [, suite, scenario] = cases.find(([, suite, scenario]) =>
      secretsOf(suite, scenario, loadTranscript(suite, scenario.name)).some((s) => s.what.startsWith('access_token')),
    )!
    const transcript = loadTranscript(suite, scenario.name)
    const leaky = await replayWithLogger(suite, scenario, transcript, false, (effect, result, log) => {
      if (effect._tag === 'Http' && (result as HttpResponse | undefined)?._tag === 'HttpResponse') {
        log({ _tag: 'Log', level: 'verbose', message: `answer: ${(result as HttpResponse).body.slice(0, 120)}`, pii: false })
      }
    })
    const findings = leaksIn(leaky.lines, secretsOf(suite, scenario, transcript), false)
    expect(findings.some((f) => f.includes('credential access_token'))).toBe(true)
    // The same line flagged as PII is dropped without enablePiiLog.
    const flagged = await replayWithLogger(suite, scenario, transcript, false, (effect, result, log) => {
      if (effect._tag === 'Http') log({ _tag: 'Log', level: 'verbose', message: `answer: ${JSON.stringify(result)}`, pii: true })
    })
    expect(leaksIn(flagged.lines, secretsOf(suite, scenario, transcript), false)).toEqual([])
  })

  it('collects user names, home account ids and passwords from requests, answers and scenario modules', () => {
    const idToken = `e30.${Buffer.from(JSON.stringify({ preferred_username: 'alice@contoso.example', sub: 'adfs-subject-1' })).toString('base64url')}.sig`
    const clientInfo = Buffer.from(JSON.stringify({ uid: 'user-object-id', utid: 'tenant-id-1' })).toString('base64url')
    const transcript: Transcript = {
      format: 'msal-ts/transcript@1',
      name: 'synthetic',
      steps: [
        {
          effect: { _tag: 'Http', request: { method: 'GET', url: 'https://login.microsoftonline.com/common/userrealm/bob%40contoso.example?api-version=1.0', headers: {} } },
          result: { _tag: 'HttpResponse', status: 200, headers: {}, body: '{"account_type":"Managed"}' },
        },
        {
          effect: { _tag: 'Http', request: { method: 'POST', url: 'https://login.microsoftonline.com/t/oauth2/v2.0/token', headers: {}, form: { username: 'carol@contoso.example', password: REDACTED } } },
          result: { _tag: 'HttpResponse', status: 200, headers: {}, body: JSON.stringify({ access_token: 'access-token-value', refresh_token: 'refresh-token-value', id_token: idToken, client_info: clientInfo }) },
        },
      ],
    }
    const suite: Suite = { dir: 'synthetic', module: { USERS: [{ username: 'dave@contoso.example', password: 'dave-password' }], CLIENT_SECRET: 'module-secret' }, scenarios: [], newApp: () => undefined }
    const found = secretsOf(suite, { name: 'synthetic', play: async () => undefined }, transcript)
    const values = (kind: SecretKind) => found.filter((s) => s.kind === kind).map((s) => s.value).sort()
    expect(values('credential')).toEqual(['access-token-value', clientInfo, 'dave-password', idToken, 'module-secret', 'refresh-token-value'].sort())
    expect(values('identifier')).toEqual(
      ['adfs-subject-1', 'alice@contoso.example', 'bob%40contoso.example', 'bob@contoso.example', 'carol@contoso.example', 'dave@contoso.example', 'user-object-id', 'user-object-id.tenant-id-1'].sort(),
    )
  })

  it('keeps the cache-hit path free of Log effects (it is the hot path)', async () => {
    const answer = JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: 'an-access-token' })
    const test = createTestInterpreter({ http: () => ({ _tag: 'HttpResponse', status: 200, headers: {}, body: answer }), clock: fixedClock() })
    const app = new ConfidentialClientApplication({
      clientId: 'app',
      clientCredential: 'app-secret',
      authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
      interpreter: test.interpret,
    })
    await app.acquireTokenForClient(['api://a/.default'])
    const before = test.logs.length
    expect(before).toBeGreaterThan(0)
    expect((await app.acquireTokenForClient(['api://a/.default'])).tokenSource).toBe('cache')
    expect(test.logs.slice(before)).toEqual([])
  })
})
