/**
 * Bundle sizes of the same SPA jobs in msal-ts and its peers (@azure/msal-browser 5,
 * oidc-client-ts, @auth0/auth0-spa-js, oauth4webapi), in one run: esbuild, ESM, minified, code
 * splitting on, gzip -9. "up front" is what a page loads before it runs (the entry chunk and the
 * chunks it imports); "total" adds every chunk loaded later by a dynamic import(). Ratios are of
 * the up-front gzip bytes. Run: node bench/spa-size.mjs (after `pnpm run build`).
 */
import { measure } from './spa/bundle.mjs'
import { ENTRIES } from './spa/entries.mjs'

const rows = []
for (const [name, source] of Object.entries(ENTRIES)) rows.push({ name, ...(await measure(source)) })
const ours = rows.find((row) => row.name === 'msal-ts full SPA')
const pad = (text, width) => String(text).padStart(width)
console.log('minified and gzip -9: what the page loads up front; total: every chunk, lazy ones included')
console.log(`${'entry'.padEnd(46)} ${pad('minified', 9)} ${pad('gzip -9', 8)} ${pad('total', 8)} ${pad('chunks', 6)}  ratio to msal-ts full SPA (gzip -9)`)
for (const row of rows) {
  console.log(`${row.name.padEnd(46)} ${pad(row.minified, 9)} ${pad(row.gzip, 8)} ${pad(row.totalGzip, 8)} ${pad(row.chunks, 6)}  ${(row.gzip / ours.gzip).toFixed(2)}×`)
}
