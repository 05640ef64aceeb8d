/**
 * The longest delay a timer takes: setTimeout keeps delays in a signed 32-bit integer, and one
 * of 2^31 ms or more (about 24.8 days) fires after 1 ms instead (Node, browsers, Deno, Bun).
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1

/**
 * A delay fit for setTimeout: within [0, MAX_TIMER_DELAY_MS], 0 for NaN. Every delay this
 * package and the Node package hand a timer goes through it, so no value, however absurd, turns
 * a long wait into a tight loop.
 */
export const timerDelay = (ms: number): number => (ms > 0 ? Math.min(ms, MAX_TIMER_DELAY_MS) : 0)
