/** Virtual time for tests: `now` only moves when the test (or a Sleep effect) moves it. */
export interface FixedClock {
  /** Epoch milliseconds. */
  now(): number
  /** Moves virtual time forward by `ms` milliseconds. */
  advance(ms: number): void
  /** Advances virtual time instead of waiting. */
  sleep(ms: number): Promise<void>
  /** Sets virtual time to `epochMs`, in epoch milliseconds (backwards too: a clock that jumps). */
  set(epochMs: number): void
}

/** 2026-01-01T00:00:00Z: a round, recognisable default start. */
export const DEFAULT_START_MS = 1_767_225_600_000

export const fixedClock = (startMs: number = DEFAULT_START_MS): FixedClock => {
  let current = startMs
  return {
    now: () => current,
    advance: (ms) => {
      current += ms
    },
    sleep: async (ms) => {
      current += ms
    },
    set: (epochMs) => {
      current = epochMs
    },
  }
}
