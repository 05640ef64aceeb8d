/**
 * Records the browser flows' replay fixtures (packages/core/test/fixtures/browser) against the
 * FakeIdentityProvider, in Node, with a scripted browser tab, on virtual time with seeded
 * randomness. Run after an intentional protocol change: pnpm fixtures:record
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { recordScenario, scenarios } from './browserFlows.js'

// scripts/run-ts.mjs sets argv[1] to this file's own path.
const HERE = dirname(process.argv[1]!)
const FIXTURES = join(HERE, '..', 'fixtures', 'browser')
mkdirSync(FIXTURES, { recursive: true })
// The Node fixtures' committed test key: RS256 is deterministic, so recording again changes only what changed.
const SIGNING_KEY = readFileSync(join(HERE, '..', '..', '..', 'node', 'test', 'scenarios', 'fixture-signing-key.pem'), 'utf8')

for (const scenario of scenarios) {
  const transcript = await recordScenario(scenario, SIGNING_KEY)
  writeFileSync(join(FIXTURES, `${scenario.name}.json`), `${JSON.stringify(transcript, null, 2)}\n`)
  console.log(`recorded ${scenario.name}.json (${transcript.steps.length} steps)`)
}
