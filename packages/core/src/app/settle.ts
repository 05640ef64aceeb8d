import * as E from '../util/either.js'
import type { MsalError } from '../errors.js'

/** A result handed to the caller as its own copy: nothing the library keeps can be changed through it. */
const copy = <A>(value: A): A => (typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : value)

/** A flow's Either the Promise way: a copy of the result, or a rejection with the MsalError. */
export const settle = <A>(outcome: E.Either<MsalError, A>): Promise<A> =>
  E.isRight(outcome) ? Promise.resolve(copy(outcome.right)) : Promise.reject(outcome.left)

/**
 * As `settle`, for a result the flow built for this call alone (a token result): it is handed
 * over without a copy, which every cache hit would otherwise make.
 */
export const settleBuilt = <A>(outcome: E.Either<MsalError, A>): Promise<A> =>
  E.isRight(outcome) ? Promise.resolve(outcome.right) : Promise.reject(outcome.left)

/** The value, or the MsalError thrown (constructors, which cannot return a Promise). */
export const throwIfLeft = <A>(value: E.Either<MsalError, A>): A => {
  if (E.isLeft(value)) throw value.left
  return value.right
}

/** Settles a flow's outcome, synchronous or not, as a Promise; a throw (a bug) rejects. */
export const settled = <A>(start: () => E.Either<MsalError, A> | Promise<E.Either<MsalError, A>>): Promise<A> => {
  try {
    const outcome = start()
    return outcome instanceof Promise ? outcome.then(settle) : settle(outcome)
  } catch (error) {
    return Promise.reject(error)
  }
}

/** Which calls are identical, for sharing one request. Total over any input: bad input is the flow's to report. */
export const flightKey = (...parts: readonly unknown[]): string =>
  parts
    .map((part) =>
      Array.isArray(part)
        ? part.map((item) => (typeof item === 'string' ? item : '\u0001')).join('\u0000')
        : typeof part === 'string' || typeof part === 'boolean'
          ? String(part)
          : '\u0002',
    )
    .join('\u0003')

/**
 * What tells key-bound silent calls apart: a PoP token's whole request (each call's result is
 * signed for its own request), a `data` key's type and id. Nothing for bearer calls.
 */
export const bindingFlightKey = (options: { readonly authScheme?: unknown; readonly data?: unknown }): readonly unknown[] => {
  const { authScheme, data } = options as { authScheme?: Record<string, unknown>; data?: Record<string, unknown> }
  if (authScheme !== undefined) return ['pop', authScheme?.['httpMethod'], authScheme?.['url'], authScheme?.['nonce']]
  if (data !== undefined) return ['data', data?.['tokenType'], data?.['keyId'], data?.['reqCnf']]
  return []
}
