/**
 * Records the replay fixtures against the FakeIdentityProvider, on virtual time with seeded
 * randomness. Run after an intentional protocol change: pnpm fixtures:record
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createTestInterpreter, FakeIdentityProvider, fixedClock, record, seededRandom, type FixedClock } from '@msal-ts/testing'
import { TokenCache } from '@msal-ts/node'
import { CLIENT_ID, CLIENT_SECRET, newApp, scenarios } from './clientCredentials.js'
import { arrangeSilentWorld, newSilentApp, scenarios as silentScenarios } from './silent.js'

// scripts/run-ts.mjs sets argv[1] to this file's own path.
const HERE = dirname(process.argv[1]!)
const fixturesOf = (set: string): string => {
  const folder = join(HERE, '..', 'fixtures', set)
  mkdirSync(folder, { recursive: true })
  return folder
}
// A committed test key: RS256 is deterministic, so recording again changes only what changed.
const SIGNING_KEY = readFileSync(join(HERE, 'fixture-signing-key.pem'), 'utf8')

interface ProviderSettings {
  readonly refreshInSeconds?: number
  readonly knownInstances?: readonly string[]
  readonly imdsRegion?: string
}

const provider = (clock: FixedClock, settings: ProviderSettings): FakeIdentityProvider =>
  new FakeIdentityProvider({
    signingKeyPem: SIGNING_KEY,
    clock: clock.now,
    random: seededRandom(1000),
    ...(settings.refreshInSeconds !== undefined ? { refreshInSeconds: settings.refreshInSeconds } : {}),
    ...(settings.knownInstances !== undefined ? { knownInstances: settings.knownInstances } : {}),
    ...(settings.imdsRegion !== undefined ? { imdsRegion: settings.imdsRegion } : {}),
  })

const save = (folder: string, name: string, transcript: { steps: readonly unknown[] }): void => {
  writeFileSync(join(folder, `${name}.json`), `${JSON.stringify(transcript, null, 2)}\n`)
  console.log(`recorded ${name}.json (${transcript.steps.length} steps)`)
}

const clientCredentialsFixtures = fixturesOf('client-credentials')
for (const scenario of scenarios) {
  const clock = fixedClock()
  const idp = provider(clock, scenario).registerApp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })
  scenario.arrange?.(idp)
  const recorder = record(createTestInterpreter({ http: idp.http, clock, random: seededRandom(7) }).interpret)
  const cache = new TokenCache({ clock: () => clock.now() / 1000 })
  await scenario.play({ app: newApp(scenario, recorder.interpret, cache), cache, advance: clock.advance })
  save(clientCredentialsFixtures, scenario.name, recorder.transcript(`client credentials: ${scenario.description}`))
}

const silentFixtures = fixturesOf('silent')
for (const scenario of silentScenarios) {
  const clock = fixedClock()
  const idp = provider(clock, scenario)
  arrangeSilentWorld(idp)
  scenario.arrange?.(idp)
  const recorder = record(createTestInterpreter({ http: idp.http, clock, random: seededRandom(7) }).interpret)
  const cache = new TokenCache({ clock: () => clock.now() / 1000 })
  const app = (clientId?: string, authority?: string) => newSilentApp(recorder.interpret, cache, clientId, authority)
  await scenario.play({ app, cache, advance: clock.advance })
  save(silentFixtures, scenario.name, recorder.transcript(`silent: ${scenario.description}`))
}
