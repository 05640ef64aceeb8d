/**
 * Records the client-credentials fixtures against the FakeIdentityProvider, on virtual time with
 * seeded randomness. Run after an intentional protocol change: pnpm fixtures:record
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createTestInterpreter, FakeIdentityProvider, fixedClock, record, seededRandom } from '@msal-ts/testing'
import { TokenCache } from '@msal-ts/node'
import { CLIENT_ID, CLIENT_SECRET, newApp, scenarios } from './clientCredentials.js'

// scripts/run-ts.mjs sets argv[1] to this file's own path.
const FIXTURES = join(dirname(process.argv[1]!), '..', 'fixtures', 'client-credentials')

for (const scenario of scenarios) {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({
    // A committed test key: RS256 is deterministic, so recording again changes only what changed.
    signingKeyPem: readFileSync(join(dirname(process.argv[1]!), 'fixture-signing-key.pem'), 'utf8'),
    clock: clock.now,
    random: seededRandom(1000),
    ...(scenario.refreshInSeconds !== undefined ? { refreshInSeconds: scenario.refreshInSeconds } : {}),
    ...(scenario.knownInstances !== undefined ? { knownInstances: scenario.knownInstances } : {}),
    ...(scenario.imdsRegion !== undefined ? { imdsRegion: scenario.imdsRegion } : {}),
  }).registerApp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })
  scenario.arrange?.(idp)
  const recorder = record(createTestInterpreter({ http: idp.http, clock, random: seededRandom(7) }).interpret)
  const cache = new TokenCache()
  await scenario.play({ app: newApp(scenario, recorder.interpret, cache), cache, advance: clock.advance })
  const transcript = recorder.transcript(`client credentials: ${scenario.description}`)
  writeFileSync(join(FIXTURES, `${scenario.name}.json`), `${JSON.stringify(transcript, null, 2)}\n`)
  console.log(`recorded ${scenario.name}.json (${transcript.steps.length} steps)`)
}
