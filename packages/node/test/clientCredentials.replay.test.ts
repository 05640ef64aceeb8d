import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { TokenCache } from '@msal-ts/node'
import { DEFAULT_START_MS, replay, ReplayMismatchError, type Transcript } from '@msal-ts/testing'
import { newApp, scenarios, type Scenario } from './scenarios/clientCredentials.js'

const FIXTURES = join(import.meta.dirname, 'fixtures', 'client-credentials')

const loadFixture = (name: string): Transcript => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Transcript

const play = async (scenario: Scenario, transcript: Transcript): Promise<void> => {
  const replayer = replay(transcript)
  // The cache's clock is the recording's virtual time (where it started), not today's.
  const cache = new TokenCache({ clock: () => DEFAULT_START_MS / 1000 })
  await scenario.play({ app: newApp(scenario, replayer.interpret, cache), cache, advance: () => undefined })
  replayer.assertComplete()
}

const byName = (name: string): Scenario => scenarios.find((s) => s.name === name)!

/** A deep copy of a transcript with one Http step's request changed. */
const withRequestChange = (transcript: Transcript, change: (request: Record<string, unknown>) => void): Transcript => {
  const copy = JSON.parse(JSON.stringify(transcript)) as Transcript
  const step = copy.steps.find((s) => s.effect._tag === 'Http')!
  change((step.effect as unknown as { request: Record<string, unknown> }).request)
  return copy
}

describe('client credentials, replayed from recorded transcripts', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (name, scenario) => {
    await play(scenario, loadFixture(name))
  })

  it('every fixture on disk belongs to a scenario', () => {
    const onDisk = readdirSync(FIXTURES).filter((file) => file.endsWith('.json')).sort()
    expect(onDisk).toEqual(scenarios.map((s) => `${s.name}.json`).sort())
  })

  it('fails with a readable diff when a form parameter changes', async () => {
    const changed = withRequestChange(loadFixture('cold'), (request) => {
      ;(request['form'] as Record<string, string>)['scope'] = 'api://someone-else/.default'
    })
    const failure = play(byName('cold'), changed)
    await expect(failure).rejects.toBeInstanceOf(ReplayMismatchError)
    await expect(failure).rejects.toThrow(
      'request.form.scope: expected "api://someone-else/.default", got "api://fixture-api/.default"',
    )
  })

  it('fails when a parameter is added or removed', async () => {
    const extra = withRequestChange(loadFixture('cold'), (request) => {
      ;(request['form'] as Record<string, string>)['claims'] = '{}'
    })
    await expect(play(byName('cold'), extra)).rejects.toThrow('request.form.claims: expected "{}", got nothing')
    const missing = withRequestChange(loadFixture('cold'), (request) => {
      delete (request['form'] as Record<string, string>)['grant_type']
    })
    await expect(play(byName('cold'), missing)).rejects.toThrow('request.form.grant_type: unexpected "client_credentials"')
  })

  it('fails when a protocol header changes (telemetry)', async () => {
    const changed = withRequestChange(loadFixture('cold'), (request) => {
      ;(request['headers'] as Record<string, string>)['x-client-current-telemetry'] = '4|730,3|'
    })
    await expect(play(byName('cold'), changed)).rejects.toThrow(
      'request.headers.x-client-current-telemetry: expected "4|730,3|", got "4|730,2|"',
    )
  })

  it('compares form parameters order-free', async () => {
    const reordered = withRequestChange(loadFixture('cold'), (request) => {
      const form = request['form'] as Record<string, string>
      request['form'] = Object.fromEntries(Object.entries(form).reverse())
    })
    await play(byName('cold'), reordered)
  })

  it('keeps the client secret out of the transcript, hash inputs included', () => {
    for (const scenario of scenarios) {
      const text = readFileSync(join(FIXTURES, `${scenario.name}.json`), 'utf8')
      expect(text).not.toContain('fixture-secret')
      expect(text).not.toContain('wrong-secret')
    }
    expect(JSON.stringify(loadFixture('cold'))).toContain('"client_secret":"<redacted>"')
    const hashes = loadFixture('cold').steps.filter((step) => step.effect._tag === 'Sha256')
    expect(hashes.length).toBeGreaterThan(0)
    for (const step of hashes) expect((step.effect as { data: string }).data).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('fails when the program stops before the transcript does', async () => {
    const cold = loadFixture('cold')
    const n = cold.steps.length
    const longer: Transcript = { ...cold, steps: [...cold.steps, cold.steps[1]!] }
    await expect(play(byName('cold'), longer)).rejects.toThrow(`the program finished after ${n} of ${n + 1} steps; step ${n + 1} (Now) was never asked for`)
  })

  it('fails when the program asks for more than the transcript holds', async () => {
    const cold = loadFixture('cold')
    const shorter: Transcript = { ...cold, steps: cold.steps.slice(0, 2) }
    await expect(play(byName('cold'), shorter)).rejects.toThrow(`asked for a ${cold.steps[2]!.effect._tag} effect at step 3, but the transcript ends after 2 steps`)
  })
})
