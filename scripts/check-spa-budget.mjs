/**
 * The browser bundle budget: the full SPA entry (with or without cache encryption) at most
 * 25,000 bytes gzipped, the bridge page at most 1,500, and no confidential-client module (client assertion,
 * client authentication, on-behalf-of, WS-Trust, username/password, client credentials) in a
 * browser app's bundle. Needs a build first.
 */
import { measure } from '../bench/spa/bundle.mjs'
import { CONFIDENTIAL_MODULES, ENTRIES } from '../bench/spa/entries.mjs'

const BUDGETS = { 'msal-ts full SPA': 25_000, 'msal-ts full SPA, cache encryption on': 25_000, 'msal-ts redirect + silent': 25_000, 'msal-ts bridge page': 1_500 }
let failed = false
for (const [name, budget] of Object.entries(BUDGETS)) {
  const { gzip, minified, inputs } = await measure(ENTRIES[name])
  const confidential = inputs.filter((input) => CONFIDENTIAL_MODULES.some((pattern) => pattern.test(input)))
  const over = gzip > budget
  failed ||= over || confidential.length > 0
  console.log(`${over ? 'OVER ' : 'ok   '} ${name}: ${gzip} bytes gzip -9 (budget ${budget}), ${minified} minified`)
  for (const module of confidential) console.log(`FAIL  ${name} bundles a confidential-client module: ${module}`)
}
process.exit(failed ? 1 : 0)
