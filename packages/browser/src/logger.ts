import type { LogLevel, Logger } from '@msal-ts/core/spa'

export type { Logger }

const RANK: Record<LogLevel, number> = { error: 0, warning: 1, info: 2, verbose: 3 }

/** Whether a line at `level` passes a `threshold`. */
export const isLogged = (level: LogLevel, threshold: LogLevel): boolean => RANK[level] <= RANK[threshold]
