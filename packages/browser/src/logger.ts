import type { LogLevel } from '@msal-ts/core'

/** Receives the library's log lines. Lines that may hold personal data arrive only with enablePiiLog. */
export type Logger = (level: LogLevel, message: string) => void

const RANK: Record<LogLevel, number> = { error: 0, warning: 1, info: 2, verbose: 3 }

/** Whether a line at `level` passes a `threshold`. */
export const isLogged = (level: LogLevel, threshold: LogLevel): boolean => RANK[level] <= RANK[threshold]
