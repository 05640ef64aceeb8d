import type { LogLevel } from '../effects/effect.js'
import { log, type Program } from '../effects/program.js'
import { type MsalError } from '../errors.js'
import { errorSummary } from '../wireErrors.js'

/**
 * An error as log lines: its summary (kind, OAuth2 error, status, AADSTS codes, host) for every
 * logger, and its whole message (the server's description, the endpoint's path) only where PII
 * logging is on: a description is the server's free text, and may name the user.
 */
export function* logError(level: LogLevel, context: string, error: MsalError): Program<undefined> {
  yield* log(level, `${context}: ${errorSummary(error)}`)
  yield* log(level, `${context}: ${error.message}`, true)
  return undefined
}
