import { createHash } from 'node:crypto'
import type { Effect, HttpOutcome, HttpRequest, Interpret, LogLevel } from '@msal-ts/core'
import { fixedClock, type FixedClock } from './clock.js'
import { seededRandom, type RandomSource } from './random.js'
import { testPopKey, type TestPopKey } from './popTestKey.js'

export interface LogEntry {
  /** The line's level: "error", "warning", "info" or "verbose". */
  readonly level: LogLevel
  /** The line as the program wrote it. */
  readonly message: string
  /** Whether the line holds personal data (a real logger drops it unless enablePiiLog). */
  readonly pii: boolean
}

/** Answers an Http effect: a FakeIdentityProvider's `http`, or any function of your own. */
export type HttpHandler = (request: HttpRequest) => HttpOutcome | Promise<HttpOutcome>

export interface TestInterpreterOptions {
  /** Answers every Http effect: a FakeIdentityProvider's `http`, or a function of your own. */
  readonly http: HttpHandler
  /** Virtual time for Now and Sleep. Default: a fixed clock at 2026-01-01T00:00:00Z. */
  readonly clock?: FixedClock
  /** Answers RandomBytes. Default: seeded randomness (seed 1), the same bytes every run. */
  readonly random?: RandomSource
  /** Environment variables for ReadEnv. Default: none. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** A virtual file system for ReadFile and FileExists: path to text. Default: no files. */
  readonly files?: Readonly<Record<string, string>>
  /**
   * The proof-of-possession key (PopKey and SignPop), answered synchronously and
   * deterministically: a PKCS#8 PEM, or `testPopKey(pem)`. Default: TEST_POP_KEY_PKCS8, the same
   * for every interpreter (give apps that must not share a key one each).
   */
  readonly popKey?: string | TestPopKey | undefined
}

export interface TestInterpreter {
  /** The interpreter to run programs with. */
  readonly interpret: Interpret
  /** The virtual clock it reads and Sleep advances: move it to let time pass. */
  readonly clock: FixedClock
  /** Every Log effect, PII or not. */
  readonly logs: LogEntry[]
  /** The paths the program read (ReadFile effects), in order, whether or not they were read. */
  readonly fileReads: string[]
}

let sharedPopKey: TestPopKey | undefined
/** The default key, read once per process. */
const defaultPopKey = (): TestPopKey => (sharedPopKey ??= testPopKey())

/**
 * A fully deterministic interpreter: virtual time (Sleep advances the clock instead of waiting),
 * seeded randomness, a fixed environment and file system, and HTTP answered by the given handler.
 */
export const createTestInterpreter = (options: TestInterpreterOptions): TestInterpreter => {
  const clock = options.clock ?? fixedClock()
  const random = options.random ?? seededRandom(1)
  const env = options.env ?? {}
  const files = options.files ?? {}
  const logs: LogEntry[] = []
  const fileReads: string[] = []
  let pop: TestPopKey | undefined
  const popKey = (): TestPopKey =>
    (pop ??= typeof options.popKey === 'object' ? options.popKey : options.popKey === undefined ? defaultPopKey() : testPopKey(options.popKey))
  const interpret: Interpret = (effect: Effect) => {
    switch (effect._tag) {
      case 'Http':
        return options.http(effect.request)
      case 'Now':
        return clock.now()
      case 'RandomBytes':
        return random(effect.length)
      case 'Sha256':
        return new Uint8Array(createHash('sha256').update(effect.data, 'utf8').digest())
      case 'Sleep':
        clock.advance(effect.ms)
        return undefined
      case 'ReadEnv':
        return env[effect.name]
      case 'ReadFile': {
        fileReads.push(effect.path)
        const text = Object.prototype.hasOwnProperty.call(files, effect.path) ? files[effect.path] : undefined
        if (text === undefined) return { _tag: 'FileUnavailable', reason: `no such file: ${effect.path}` }
        const size = new TextEncoder().encode(text).length
        return size > effect.maxBytes ? { _tag: 'FileTooLarge', sizeBytes: size } : { _tag: 'FileContent', text }
      }
      case 'FileExists':
        return Object.prototype.hasOwnProperty.call(files, effect.path)
      case 'PopKey':
        return popKey().key()
      case 'SignPop':
        return popKey().sign(effect.kid, effect.header, effect.payload)
      case 'SignJwt':
      case 'ClientAssertion':
        // Only an application built around a credential holds keys and callbacks (it answers these first).
        return { _tag: 'CredentialFailure', message: 'this interpreter holds no client credential to sign with' }
      case 'Log':
        logs.push({ level: effect.level, message: effect.message, pii: effect.pii })
        return undefined
      case 'Commit':
        // An application applies its flows' commits before effects reach the runtime.
        throw new Error('a Commit effect reached the test interpreter: run flows through an application, or with runFlow(ctx, program, interpret)')
      default:
        // A browser page's effects: replay a transcript recorded in one, or use the SPA's test platform.
        throw new Error(`the ${effect._tag} effect is a browser page's; the test interpreter cannot perform it`)
    }
  }
  return { interpret, clock, logs, fileReads }
}
