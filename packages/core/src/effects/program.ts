import type { StateChange } from '../app/stateChange.js'
import type { AssertionOutcome, Effect, EffectResults, EffectTag, FileOutcome, HttpOutcome, HttpRequest, LogLevel, PopKeyOutcome } from './effect.js'

/**
 * A flow: a generator that yields effect descriptions and receives their results.
 * Generators read top to bottom like async code, and a recorded transcript of
 * (effect, result) pairs is all a replay needs.
 */
export type Program<A> = Generator<Effect, A, unknown>

/**
 * One effect as a program: yields the effect once, then returns what the interpreter answered.
 * A small object rather than a generator function: a flow `yield*`s several of these on every
 * call, cache hits included, and a generator object (its whole frame) costs several times more.
 */
class EffectStep<R> implements Iterator<Effect, R, unknown> {
  private yielded = false

  constructor(
    private readonly effect: Effect,
    /** What the flow gets from the interpreter's answer (default: the answer itself). */
    private readonly then?: (answer: never) => R,
  ) {}

  next(...[answer]: [] | [unknown]): IteratorResult<Effect, R> {
    if (this.yielded) return { value: this.then === undefined ? (answer as R) : this.then(answer as never), done: true }
    this.yielded = true
    return { value: this.effect, done: false }
  }

  return(value: R): IteratorResult<Effect, R> {
    this.yielded = true
    return { value, done: true }
  }

  throw(error: unknown): IteratorResult<Effect, R> {
    this.yielded = true
    throw error
  }

  [Symbol.iterator](): this {
    return this
  }
}

/** A step as the Program a flow `yield*`s (it is one in all that a flow or `run` uses). */
const asProgram = <R>(step: EffectStep<R>): Program<R> => step as unknown as Program<R>

/** Asks the interpreter to perform one effect and returns its typed result. */
export const perform = <K extends EffectTag>(effect: Extract<Effect, { _tag: K }>): Program<EffectResults[K]> => asProgram(new EffectStep<EffectResults[K]>(effect))

/** Asks the interpreter to perform one effect and returns `then` of its answer (one step, no generator). */
export const performThen = <K extends EffectTag, B>(effect: Extract<Effect, { _tag: K }>, then: (answer: EffectResults[K]) => B): Program<B> =>
  asProgram(new EffectStep<B>(effect, then))

export const http = (request: HttpRequest): Program<HttpOutcome> => perform<'Http'>({ _tag: 'Http', request })

/** Epoch milliseconds. */
export const now = (): Program<number> => perform<'Now'>({ _tag: 'Now' })

export const randomBytes = (length: number): Program<Uint8Array> =>
  perform<'RandomBytes'>({ _tag: 'RandomBytes', length })

export const sha256 = (data: string): Program<Uint8Array> => perform<'Sha256'>({ _tag: 'Sha256', data })

export const sleep = (ms: number): Program<undefined> => perform<'Sleep'>({ _tag: 'Sleep', ms })

export const readEnv = (name: string): Program<string | undefined> => perform<'ReadEnv'>({ _tag: 'ReadEnv', name })

/** A small text file's content, refused unread when larger than `maxBytes` (see the ReadFile effect). */
export const readFile = (path: string, maxBytes: number): Program<FileOutcome> => perform<'ReadFile'>({ _tag: 'ReadFile', path, maxBytes })

export const fileExists = (path: string): Program<boolean> => perform<'FileExists'>({ _tag: 'FileExists', path })

/** `pii: true` marks a message that may name a user or hold a secret; interpreters drop it unless PII logging is on. */
export const log = (level: LogLevel, message: string, pii = false): Program<undefined> =>
  perform<'Log'>({ _tag: 'Log', level, message, pii })

export const signJwt = (header: Readonly<Record<string, unknown>>, claims: Readonly<Record<string, unknown>>): Program<AssertionOutcome> =>
  perform<'SignJwt'>({ _tag: 'SignJwt', header, claims })

export const clientAssertion = (clientId: string, tokenEndpoint: string): Program<AssertionOutcome> =>
  perform<'ClientAssertion'>({ _tag: 'ClientAssertion', clientId, tokenEndpoint })

/** The application's proof-of-possession key (made by the interpreter on first use). */
export const popKey = (): Program<PopKeyOutcome> => perform<'PopKey'>({ _tag: 'PopKey' })

/** A signed HTTP request's JWS, signed with the proof-of-possession key `kid`. */
export const signPop = (kid: string, header: Readonly<Record<string, unknown>>, payload: Readonly<Record<string, unknown>>): Program<AssertionOutcome> =>
  perform<'SignPop'>({ _tag: 'SignPop', kid, header, payload })

/** Asks the application shell to apply a change to the application's state (see StateChange). */
export const commit = (change: StateChange): Program<undefined> => perform<'Commit'>({ _tag: 'Commit', change })

/** A program that performs no effect. */
// eslint-disable-next-line require-yield
export function* pure<A>(value: A): Program<A> {
  return value
}

