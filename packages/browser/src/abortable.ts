import { isPromiseLike, type Effect, type HttpFailure, type Interpret } from '@msal-ts/core/spa'
import { timerDelay } from './timers.js'

export interface AbortableOptions {
  /**
   * The inner interpreter sleeps in real time (the Node interpreter does): Sleep is then timed
   * here, with a timer an abort clears, rather than by the inner interpreter, whose timer would
   * keep Node's event loop alive until it fired. Leave it off for virtual time.
   */
  readonly realTimeSleep?: boolean | undefined
}

// A timeout rather than a connection failure: a request cut short must not be retried.
const ABORTED: HttpFailure = { _tag: 'HttpFailure', kind: 'timeout', message: 'no response: the request was aborted by its AbortSignal' }

/** What a wait answers when it is cut short. */
const cutShort = (effect: Effect): unknown => (effect._tag === 'Http' ? ABORTED : undefined)

/** Settles with the pending answer, or with `early` as soon as the signal aborts. */
const raceAbort = (pending: PromiseLike<unknown>, signal: AbortSignal, early: unknown, onAbort: () => void = () => {}): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const abort = () => {
      onAbort()
      resolve(early)
    }
    signal.addEventListener('abort', abort, { once: true })
    pending.then(
      (value) => {
        signal.removeEventListener('abort', abort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort)
        reject(error)
      },
    )
    // The inner interpreter may itself have run the code that aborted.
    if (signal.aborted) abort()
  })

/**
 * An interpreter whose waits end when `signal` aborts: a Sleep returns at once, and a request
 * still in flight answers as a failure (its response, should it come, is dropped).
 * A flow that reads the signal (acquireTokenByDeviceFlow does) then stops with a
 * CancelledError. Answers given synchronously (virtual time) pass through untouched.
 */
export const abortable = (interpret: Interpret, signal: AbortSignal | undefined, options: AbortableOptions = {}): Interpret => {
  if (signal === undefined) return interpret
  return (effect) => {
    if (effect._tag !== 'Sleep' && effect._tag !== 'Http') return interpret(effect)
    if (signal.aborted) return cutShort(effect)
    if (effect._tag === 'Sleep' && options.realTimeSleep === true) {
      let timer: ReturnType<typeof setTimeout> | undefined
      const elapsed = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timerDelay(effect.ms))
      })
      return raceAbort(elapsed, signal, undefined, () => clearTimeout(timer))
    }
    const answer = interpret(effect)
    return isPromiseLike(answer) ? raceAbort(answer, signal, cutShort(effect)) : answer
  }
}
