import type { Effect } from './effect.js'
import type { Program } from './program.js'

/**
 * Performs one effect. It may answer synchronously or with a promise; synchronous answers keep
 * the whole run synchronous, so a cache hit never waits for the event loop.
 */
export type Interpret = (effect: Effect) => unknown

type Settled = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown }

/** Whether an interpreter's answer is still to come (a promise, or any thenable). */
export const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'

const settle = (pending: PromiseLike<unknown>): Promise<Settled> =>
  Promise.resolve(pending).then(
    (value): Settled => ({ ok: true, value }),
    (error: unknown): Settled => ({ ok: false, error }),
  )

const resume = <A>(program: Program<A>, settled: Settled): IteratorResult<Effect, A> =>
  settled.ok ? program.next(settled.value) : program.throw(settled.error)

/**
 * Drives a program to completion. Returns the result directly when every effect was answered
 * synchronously, else a promise. An interpreter that throws (a bug: expected failures are values)
 * has its error thrown into the program, so its `finally` blocks run, and then out of `run`.
 * The synchronous loop allocates nothing of its own per effect (a cache hit runs it).
 */
export function run<A>(program: Program<A>, interpret: Interpret): A | Promise<A> {
  let step = program.next()
  while (!step.done) {
    let answer: unknown
    try {
      answer = interpret(step.value)
    } catch (error) {
      step = program.throw(error)
      continue
    }
    if (isPromiseLike(answer)) return runAsync(program, interpret, answer)
    step = program.next(answer)
  }
  return step.value
}

/** Calls the interpreter; a synchronous throw becomes a failed answer. */
function answer(interpret: Interpret, effect: Effect): Settled | PromiseLike<unknown> {
  try {
    const value = interpret(effect)
    return isPromiseLike(value) ? value : { ok: true, value }
  } catch (error) {
    return { ok: false, error }
  }
}

async function runAsync<A>(program: Program<A>, interpret: Interpret, pending: PromiseLike<unknown>): Promise<A> {
  let step = resume(program, await settle(pending))
  while (!step.done) {
    const next = answer(interpret, step.value)
    step = resume(program, isPromiseLike(next) ? await settle(next) : next)
  }
  return step.value
}

/** Runs a program and always hands back a promise (for public APIs that promise a Promise). */
export const runToPromise = <A>(program: Program<A>, interpret: Interpret): Promise<A> => {
  try {
    const result = run(program, interpret)
    return result instanceof Promise ? result : Promise.resolve(result)
  } catch (error) {
    return Promise.reject(error)
  }
}
