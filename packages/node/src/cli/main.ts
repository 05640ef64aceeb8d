import { MsalException } from '@msal-ts/core'
import { VERSION } from '../platform.js'
import { runDemo } from './demo.js'
import { consoleOutput, type Output } from './output.js'
import { runToken, TOKEN_USAGE } from './token.js'

const USAGE = `msal-ts ${VERSION}: the Microsoft Authentication Library, as a command

usage: msal-ts demo      run the client-credentials scenario against the built-in fake identity provider
       msal-ts token ... acquire an app token (client credentials); see msal-ts token --help
       msal-ts --version

${TOKEN_USAGE}`

/** Runs the CLI and returns its exit code: 0 success, 1 failure, 2 usage or configuration error. */
export const main = async (args: readonly string[], output: Output = consoleOutput, env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  const [command, ...rest] = args
  try {
    switch (command) {
      case 'demo':
        return await runDemo(output)
      case 'token':
        if (rest.includes('--help')) {
          output.out(TOKEN_USAGE)
          return 0
        }
        return await runToken(rest, output, env)
      case '--version':
        output.out(VERSION)
        return 0
      case undefined:
      case '--help':
      case 'help':
        output.out(USAGE)
        return command === undefined ? 2 : 0
      default:
        output.err(`msal-ts: unknown command ${JSON.stringify(command)}\n\n${USAGE}`)
        return 2
    }
  } catch (error) {
    if (error instanceof MsalException) {
      output.err(`msal-ts: ${error.message}`)
      if (error.correlationId !== undefined) output.err(`  correlation id: ${error.correlationId}`)
      return error.kind === 'ConfigurationError' || error.kind === 'UsageError' ? 2 : 1
    }
    // Duck-typed: node:util's errors may come from another realm.
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS') && typeof message === 'string') {
      output.err(`msal-ts: ${message}`)
      return 2
    }
    throw error
  }
}

/** Runs the CLI for a process: sets the exit code, reports an unexpected error with its stack. */
export const runCli = (args: readonly string[]): void => {
  main(args).then(
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      process.stderr.write(`msal-ts: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
      process.exitCode = 1
    },
  )
}
