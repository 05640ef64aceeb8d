/**
 * A browser application using @msal-ts/browser and @msal-ts/core from their packed tarballs,
 * compiled with the DOM library and without Node's types (a browser package must not need them),
 * then bundled for the browser platform (scripts/published-packages/check.mjs).
 */
import { createBrowserInterpreter, type Logger } from '@msal-ts/browser'
import { runToPromise, type acquireTokenForClient, type Interpret, type MsalError, type Program, type TokenResult } from '@msal-ts/core'
import { now } from '@msal-ts/core/protocol'

const logger: Logger = (level, message) => console.log(level, message)

export const interpret: Interpret = createBrowserInterpreter({
  fetch: () => window.fetch.bind(window),
  timeoutMs: 10_000,
  logger,
})

function* millisecondsUntil(deadlineMs: number): Program<number> {
  const current = yield* now()
  return deadlineMs - current
}

export const timeLeft = (deadlineMs: number): Promise<number> => runToPromise(millisecondsUntil(deadlineMs), interpret)

/** A core flow's outcome is an fp-ts Either: a value, never a throw. */
export const describeOutcome = (outcome: ReturnType<typeof acquireTokenForClient> extends Program<infer A> ? A : never): string => {
  if (outcome._tag === 'Left') {
    const error: MsalError = outcome.left
    return `${error.kind}: ${error.message}`
  }
  const result: TokenResult = outcome.right
  return `token until ${result.expiresOn}`
}

/** Never called: every line here must fail to compile. */
export function mustNotCompile(result: TokenResult): void {
  // @ts-expect-error expiresOn is epoch seconds, a number
  const expiresOn: string = result.expiresOn
  // @ts-expect-error a logger takes a level and a message
  createBrowserInterpreter({ logger: (level: number) => level })
  // @ts-expect-error Node's types are not part of a browser build
  const buffer = Buffer.from('x')
  void [expiresOn, buffer]
}
