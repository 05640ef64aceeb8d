/**
 * The browser bundle budget: the full SPA entry (with or without cache encryption) at most
 * 25,000 bytes gzipped (issue 11's budget), the bridge page at most 1,500, and no
 * confidential-client module (client assertion, client authentication, on-behalf-of, WS-Trust,
 * username/password, client credentials) in a browser app's bundle. Needs a build first.
 *
 * The SPA entries are not yet within 25,000 bytes (about 33,100 today; issue 11 stays open for
 * it): until they are, each has a ceiling a little above today's size, which fails the run, so
 * the bundle cannot grow while the budget is worked towards. The report says how far each is
 * from its budget.
 */
import { measure } from '../bench/spa/bundle.mjs'
import { CONFIDENTIAL_MODULES, ENTRIES } from '../bench/spa/entries.mjs'

/** Bytes gzip -9: `budget` is the goal; `ceiling` (when the goal is not met yet) fails the run. */
const LIMITS = {
  'msal-ts full SPA': { budget: 25_000, ceiling: 33_500 },
  'msal-ts full SPA, cache encryption on': { budget: 25_000, ceiling: 34_500 },
  'msal-ts redirect + silent': { budget: 25_000, ceiling: 33_500 },
  'msal-ts bridge page': { budget: 1_500 },
}
let failed = false
for (const [name, { budget, ceiling = budget }] of Object.entries(LIMITS)) {
  const { gzip, minified, inputs } = await measure(ENTRIES[name])
  const confidential = inputs.filter((input) => CONFIDENTIAL_MODULES.some((pattern) => pattern.test(input)))
  const overCeiling = gzip > ceiling
  failed ||= overCeiling || confidential.length > 0
  const verdict = overCeiling ? 'FAIL ' : gzip > budget ? 'over ' : 'ok   '
  const detail = gzip > budget ? `${gzip - budget} bytes over the budget of ${budget}; ceiling ${ceiling}` : `budget ${budget}`
  console.log(`${verdict} ${name}: ${gzip} bytes gzip -9 (${detail}), ${minified} minified`)
  for (const module of confidential) console.log(`FAIL  ${name} bundles a confidential-client module: ${module}`)
}
process.exit(failed ? 1 : 0)
