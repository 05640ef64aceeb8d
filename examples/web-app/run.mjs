#!/usr/bin/env node
/**
 * node examples/web-app/run.mjs [--certificate] [--form-post]
 *     Starts the fake identity provider, the to-do API and the web app on 127.0.0.1, clicks
 *     through a sign-in and two API calls like a browser, prints what happened and stops.
 *     Exit code 0 when everything held, 1 otherwise.
 *
 * node examples/web-app/run.mjs --serve [--port 3000] [--certificate] [--form-post]
 *     Starts the same servers and keeps them running, for you to click through in a real browser.
 *
 * --certificate   the web app authenticates with a certificate (private_key_jwt), not a secret
 * --form-post     the sign-in response comes back as a form POST (response_mode=form_post)
 */
import { parseArgs } from 'node:util'
import { runExample, startExample, USER } from './example.mjs'

let args
try {
  ;({ values: args } = parseArgs({
    options: {
      serve: { type: 'boolean', default: false },
      port: { type: 'string', default: '0' },
      certificate: { type: 'boolean', default: false },
      'form-post': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }))
} catch (error) {
  console.error(`${error.message}\nusage: node examples/web-app/run.mjs [--serve [--port N]] [--certificate] [--form-post]`)
  process.exit(2)
}
if (args.help) {
  console.log('usage: node examples/web-app/run.mjs [--serve [--port N]] [--certificate] [--form-post]')
  process.exit(0)
}
const options = { credential: args.certificate ? 'certificate' : 'secret', responseMode: args['form-post'] ? 'form_post' : 'query' }

if (!args.serve) {
  const result = await runExample({ ...options, log: (line) => console.log(line) })
  process.exit(result.ok ? 0 : 1)
}

const port = Number(args.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: expected a port number, got ${args.port}`)
  process.exit(2)
}
const example = await startExample({ ...options, webAppPort: port })
console.log('msal-ts example: serving until Ctrl+C')
console.log(`  identity provider  ${example.authority}  (signs ${USER.username} in at once: no password page)`)
console.log(`  to-do API          ${example.api.url}/todos`)
console.log(`  web app            ${example.webApp.url}/   ← open this in a browser`)
const stop = async () => {
  await example.close()
  process.exit(0)
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
