/**
 * The browser bundle budget: the full SPA entry (with or without cache encryption) at most
 * 25,000 bytes gzipped (issue 11's budget), the bridge page at most 1,500, and no
 * confidential-client module (client assertion, client authentication, on-behalf-of, WS-Trust,
 * username/password, client credentials) in a browser app's bundle. Needs a build first.
 *
 * Sizes are what a page loads up front (the entry chunk and the chunks it imports; see
 * bench/spa/bundle.mjs). Code loaded later by a dynamic import() counts in the total, which has a
 * ceiling of its own, so moving code into a lazy chunk never hides growth.
 *
 * Every SPA entry loads less than 25,000 bytes up front: the sign-in, refresh and sign-out code,
 * the HTTP client and the page effects they need are lazy chunks (packages/browser/src/spa/
 * flows.ts), which a page answering from its cache never loads, and so is cache encryption's
 * session key and cipher (spa/sessionCrypto.ts). Splitting costs bytes in total (each chunk is
 * compressed on its own, and the chunks import each other), and every entry's total counts the
 * encryption chunk (a bundler writes a chunk for each import() it meets, used or not): the
 * totals' ceilings are a little above today's.
 */
import { measure } from '../bench/spa/bundle.mjs'
import { CONFIDENTIAL_MODULES, ENTRIES } from '../bench/spa/entries.mjs'

/**
 * Bytes gzip -9: `budget` is the goal for what loads up front; `ceiling` (when the goal is not met
 * yet) fails the run; `total` bounds every chunk together, lazy ones included.
 */
const LIMITS = {
  'msal-ts full SPA': { budget: 25_000, total: 41_900 },
  'msal-ts full SPA, cache encryption on': { budget: 25_000, total: 42_450 },
  'msal-ts redirect + silent': { budget: 25_000, total: 41_800 },
  'msal-ts bridge page': { budget: 1_500, total: 1_500 },
}
let failed = false
for (const [name, { budget, ceiling = budget, total }] of Object.entries(LIMITS)) {
  const { gzip, minified, totalGzip, chunks, inputs } = await measure(ENTRIES[name])
  const confidential = inputs.filter((input) => CONFIDENTIAL_MODULES.some((pattern) => pattern.test(input)))
  const overCeiling = gzip > ceiling
  const overTotal = totalGzip > total
  failed ||= overCeiling || overTotal || confidential.length > 0
  const verdict = overCeiling || overTotal ? 'FAIL ' : gzip > budget ? 'over ' : 'ok   '
  const detail = gzip > budget ? `${gzip - budget} bytes over the budget of ${budget}; ceiling ${ceiling}` : `budget ${budget}`
  console.log(`${verdict} ${name}: ${gzip} bytes gzip -9 up front (${detail}), ${minified} minified; ${totalGzip} in ${chunks} chunk(s) (total ceiling ${total})`)
  for (const module of confidential) console.log(`FAIL  ${name} bundles a confidential-client module: ${module}`)
}
process.exit(failed ? 1 : 0)
