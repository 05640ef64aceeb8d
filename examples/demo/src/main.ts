#!/usr/bin/env node
// `./dev demo` (after a build): runs the walk-through and exits 0 when everything it shows held.
import { MsalError } from '@msal-ts/node'
import { runDemo } from './demo.js'

runDemo({ out: (line) => process.stdout.write(`${line}\n`) }).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    const text = error instanceof MsalError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)
    process.stderr.write(`msal-ts demo: ${text}\n`)
    process.exitCode = 1
  },
)
