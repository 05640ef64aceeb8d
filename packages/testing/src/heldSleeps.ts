import type { Effect, Interpret } from '@msal-ts/core'

/** A Sleep effect the program is waiting in, until the test ends it. */
export interface HeldSleep {
  /** How long the program asked to sleep, in milliseconds. */
  readonly ms: number
  /** Ends the wait: the program goes on at once, as if `ms` had passed. */
  end(): void
}

export interface HeldSleeps {
  /** The wrapped interpreter: every effect but Sleep goes to the inner one. */
  readonly interpret: Interpret
  /** The oldest Sleep not yet handed out, once the program enters it. */
  next(): Promise<HeldSleep>
}

/**
 * Virtual time for a program whose other effects are real (HTTP to a real server, the real
 * clock): every Sleep waits, however long it is, until the test ends it. The test acts while the
 * program waits (approves a device code, say), then lets it go on without waiting in real time.
 */
export const holdSleeps = (inner: Interpret): HeldSleeps => {
  const entered: HeldSleep[] = []
  const waiting: ((sleep: HeldSleep) => void)[] = []
  const handOut = (sleep: HeldSleep): void => {
    const taker = waiting.shift()
    if (taker === undefined) entered.push(sleep)
    else taker(sleep)
  }
  const interpret: Interpret = (effect: Effect) => {
    if (effect._tag !== 'Sleep') return inner(effect)
    return new Promise<undefined>((resolve) => handOut({ ms: effect.ms, end: () => resolve(undefined) }))
  }
  const next = (): Promise<HeldSleep> => {
    const sleep = entered.shift()
    return sleep !== undefined ? Promise.resolve(sleep) : new Promise((resolve) => waiting.push(resolve))
  }
  return { interpret, next }
}
