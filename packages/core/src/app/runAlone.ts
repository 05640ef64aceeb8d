import type { Program } from '../effects/program.js'
import { run, type Interpret } from '../effects/run.js'
import type { SingleFlight } from '../effects/singleFlight.js'
import type { MsalError } from '../errors.js'
import type * as E from '../util/either.js'
import { settleBuilt } from './settle.js'

/**
 * Whether a call that identical concurrent calls share through `flights` can run at once,
 * unshared (see runAlone): nothing is in flight and no persistence wraps `cache`. The usual call.
 */
export const runsAlone = (cache: object, flights: SingleFlight<unknown>): boolean =>
  flights.size === 0 && (cache as { readonly persistence?: unknown }).persistence === undefined

/**
 * Runs a flow at once (see runsAlone): a cache hit's outcome comes back as it is, with no closure
 * or promise made (every hit path comes here); a call that has to wait is shared from then on,
 * under `key(p, q, r)` (see flightKey). A throw (a bug) is thrown.
 */
export const runAlone = <O, P, Q, R>(
  flights: SingleFlight<O>,
  program: Program<O>,
  interpret: Interpret,
  key: (p: P, q: Q, r: R) => string,
  p: P,
  q: Q,
  r: R,
): O | Promise<O> => {
  const outcome = run(program, interpret)
  return outcome instanceof Promise ? flights.share(key(p, q, r), outcome) : outcome
}

/**
 * `runAlone`, settled as a Promise. The flows run so return results built for the call, so the
 * result is handed over as it is (see settleBuilt).
 */
export const settleAlone = <A, P, Q, R>(
  flights: SingleFlight<E.Either<MsalError, A>>,
  program: Program<E.Either<MsalError, A>>,
  interpret: Interpret,
  key: (p: P, q: Q, r: R) => string,
  p: P,
  q: Q,
  r: R,
): Promise<A> => {
  try {
    const outcome = runAlone(flights, program, interpret, key, p, q, r)
    return outcome instanceof Promise ? outcome.then(settleBuilt) : settleBuilt(outcome)
  } catch (error) {
    return Promise.reject(error)
  }
}
