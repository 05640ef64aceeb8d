/**
 * Bundle sizes of the same SPA jobs in msal-ts and its peers (@azure/msal-browser 5,
 * oidc-client-ts, @auth0/auth0-spa-js, oauth4webapi), in one run: esbuild, ESM, minified,
 * gzip -9. Run: node bench/spa-size.mjs (after `pnpm run build`).
 */
import { measure } from './spa/bundle.mjs'
import { ENTRIES } from './spa/entries.mjs'

const rows = []
for (const [name, source] of Object.entries(ENTRIES)) rows.push({ name, ...(await measure(source)) })
const ours = rows.find((row) => row.name === 'msal-ts full SPA')
const pad = (text, width) => String(text).padStart(width)
console.log(`${'entry'.padEnd(46)} ${pad('minified', 9)} ${pad('gzip -9', 8)}  ratio to msal-ts full SPA (gzip)`)
for (const row of rows) console.log(`${row.name.padEnd(46)} ${pad(row.minified, 9)} ${pad(row.gzip, 8)}  ${(row.gzip / ours.gzip).toFixed(2)}×`)
