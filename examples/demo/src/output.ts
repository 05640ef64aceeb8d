/** Where the demo writes; injectable so tests can capture it. */
export interface Output {
  out(line: string): void
}

/** Milliseconds, readable at any scale: "312 µs", "4.8 ms", "1.20 s". */
export const formatDuration = (ms: number): string =>
  ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`

/** Seconds as a countdown: "14:05", "0:09" (as `msal-ts login` shows a device code's time left). */
export const formatCountdown = (seconds: number): string => {
  const whole = Math.max(0, Math.ceil(seconds))
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`
}
