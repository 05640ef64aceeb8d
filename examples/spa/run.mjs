#!/usr/bin/env node
/**
 * node examples/spa/run.mjs [--port 3000]
 *     Starts the fake identity provider, the API and the single-page app on loopback and keeps
 *     them running: open the printed URL in a browser on this machine and click through.
 *
 * node examples/spa/run.mjs --check
 *     Drives the example in headless Chromium (/usr/bin/chromium) instead: redirect and popup
 *     sign-in, API calls, a silent refresh, sign-out. Prints what happened and stops. Exit code
 *     0 when every step held, 1 otherwise.
 *
 * After a build (pnpm run build): the page imports the built @msal-ts/browser.
 */
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { CHROMIUM, runSpaCheck } from './check.mjs'
import { startSpaExample, USERS } from './example.mjs'

const USAGE = 'usage: node examples/spa/run.mjs [--port N] | --check'

let args
try {
  ;({ values: args } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      port: { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }))
} catch (error) {
  console.error(`${error.message}\n${USAGE}`)
  process.exit(2)
}
if (args.help) {
  console.log(USAGE)
  process.exit(0)
}

if (args.check) {
  if (!existsSync(CHROMIUM)) {
    console.error(`--check drives Chromium at ${CHROMIUM}, which is missing: apt-get install chromium (./dev test installs it)`)
    process.exit(2)
  }
  const result = await runSpaCheck({ log: (line) => console.log(line) })
  process.exit(result.ok ? 0 : 1)
}

const port = Number(args.port)
if (!/^\d+$/.test(args.port) || port > 65535) {
  console.error(`--port: expected a port number, got ${args.port}\n${USAGE}`)
  process.exit(2)
}
const example = await startSpaExample({ port })
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`
console.log('msal-ts example: a single-page app, serving until Ctrl+C')
console.log(`  identity provider  ${example.authority}  (the built-in fake: a sign-in page, on loopback)`)
console.log(`  API                ${example.api.url}/me  (checks the bearer token)`)
console.log(`  app                ${example.site.origin}/  (app.js ${kb(example.bundle.sizes.app.gzip)} gzip, redirect.js ${kb(example.bundle.sizes.redirect.gzip)} gzip)`)
console.log('')
console.log(`Open ${example.site.origin}/ in a browser on this machine and sign in as`)
for (const user of USERS) console.log(`  ${user.username.padEnd(32)} password ${user.password}`)
console.log('(users of this fake only). Try both sign-ins, "Call the API", and both sign-outs.')
const stop = async () => {
  await example.close()
  process.exit(0)
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
