import { MsalError } from '@msal-ts/core'
import { VERSION } from '../platform.js'
import { ACCOUNTS_USAGE, LOGOUT_USAGE, runAccounts, runLogout } from './accounts.js'
import { LOGIN_USAGE, runLogin } from './login.js'
import { consoleOutput, type Output } from './output.js'
import { runToken, TOKEN_USAGE } from './token.js'

const USAGE = `msal-ts ${VERSION}: the Microsoft Authentication Library, as a command

usage: msal-ts login ...    sign a user in (--device-code or --interactive); see msal-ts login --help
       msal-ts token ...    a signed-in user's token from the cache, an app token, or a managed identity's; see msal-ts token --help
       msal-ts accounts ... who is signed in
       msal-ts logout ...   sign an account out
       msal-ts --version
       msal-ts help COMMAND   (or msal-ts COMMAND --help, -h)`

const HELP: Readonly<Record<string, string>> = { login: LOGIN_USAGE, token: TOKEN_USAGE, accounts: ACCOUNTS_USAGE, logout: LOGOUT_USAGE }

/** Ctrl-C while a login waits stops the waiting (the sign-in is cancelled, the cache untouched). */
const interruptible = async <T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
  const controller = new AbortController()
  const onInterrupt = (): void => controller.abort(new Error('interrupted (Ctrl-C)'))
  process.once('SIGINT', onInterrupt)
  try {
    return await work(controller.signal)
  } finally {
    process.removeListener('SIGINT', onInterrupt)
  }
}

/** Runs the CLI and returns its exit code: 0 success, 1 failure, 2 usage or configuration error. */
export const main = async (args: readonly string[], output: Output = consoleOutput, env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  const [command, ...rest] = args
  try {
    switch (command) {
      case 'login':
      case 'token':
      case 'accounts':
      case 'logout':
        if (rest.includes('--help') || rest.includes('-h')) {
          output.out(HELP[command]!)
          return 0
        }
        if (command === 'login') return await interruptible((signal) => runLogin(rest, output, env, { signal }))
        if (command === 'token') return await runToken(rest, output, env)
        return await (command === 'accounts' ? runAccounts : runLogout)(rest, output, env)
      case '--version':
        output.out(VERSION)
        return 0
      case undefined:
      case '--help':
      case '-h':
      case 'help': {
        // "msal-ts help token" and "msal-ts --help token": the command's own help.
        const topic = rest[0]
        output.out(topic !== undefined && Object.hasOwn(HELP, topic) ? HELP[topic]! : USAGE)
        return command === undefined ? 2 : 0
      }
      default:
        output.err(`msal-ts: unknown command ${JSON.stringify(command)}\n\n${USAGE}`)
        return 2
    }
  } catch (error) {
    if (error instanceof MsalError) {
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
