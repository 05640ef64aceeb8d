import { run, type Program } from '@msal-ts/core'
import { http, now, randomBytes, sha256, sleep } from '@msal-ts/core/protocol'
import {
  createTestInterpreter,
  DEFAULT_START_MS,
  FakeIdentityProvider,
  fixedClock,
  holdSleeps,
  parseTranscript,
  record,
  replay,
  ReplayMismatchError,
  seededRandom,
} from '@msal-ts/testing'

function* sample(): Program<string> {
  const t = yield* now()
  const bytes = yield* randomBytes(4)
  const digest = yield* sha256('abc')
  const outcome = yield* http({
    method: 'POST',
    url: 'https://login.microsoftonline.com/t/oauth2/v2.0/token',
    headers: { authorization: 'Basic c2VjcmV0', 'x-client-os': 'linux' },
    form: { grant_type: 'client_credentials', client_id: 'a', client_secret: 'hunter2', scope: 'api://x/.default' },
  })
  return `${t}|${bytes.join(',')}|${digest.length}|${outcome._tag === 'HttpResponse' ? outcome.status : outcome.kind}`
}

const recorded = async () => {
  const idp = new FakeIdentityProvider().registerApp({ clientId: 'a', clientSecret: 'hunter2' })
  const recorder = record(createTestInterpreter({ http: idp.http, random: seededRandom(5) }).interpret)
  const value = await run(sample(), recorder.interpret)
  return { value, transcript: JSON.parse(JSON.stringify(recorder.transcript('sample'))) as unknown }
}

describe('record and replay', () => {
  it('replays a recording to the same result, with no provider at all', async () => {
    const { value, transcript } = await recorded()
    const replayer = replay(transcript)
    expect(run(sample(), replayer.interpret)).toBe(value) // synchronous: every answer comes from the transcript
    replayer.assertComplete()
    expect(value).toBe(`${DEFAULT_START_MS}|${Array.from(seededRandom(5)(4)).join(',')}|32|200`)
  })

  it('redacts secrets in form fields and headers, and writes bytes as base64url', async () => {
    const { transcript } = await recorded()
    const text = JSON.stringify(transcript)
    expect(text).not.toContain('hunter2')
    expect(text).not.toContain('c2VjcmV0')
    expect(text).toContain('"client_secret":"<redacted>"')
    expect(text).toContain('"authorization":"<redacted>"')
    expect(text).toMatch(/"\$bytes":"[A-Za-z0-9_-]+"/)
  })

  it('still matches when the live request carries a different secret (secrets are compared redacted)', async () => {
    const { transcript } = await recorded()
    function* otherSecret(): Program<unknown> {
      yield* now()
      yield* randomBytes(4)
      yield* sha256('abc')
      return yield* http({
        method: 'POST',
        url: 'https://login.microsoftonline.com/t/oauth2/v2.0/token',
        headers: { authorization: 'Basic other', 'x-client-os': 'darwin' },
        form: { scope: 'api://x/.default', client_secret: 'different', client_id: 'a', grant_type: 'client_credentials' },
      })
    }
    expect(run(otherSecret(), replay(transcript).interpret)).toMatchObject({ _tag: 'HttpResponse', status: 200 })
  })

  it('reports a different effect kind at a step', async () => {
    const { transcript } = await recorded()
    function* wrong(): Program<unknown> {
      return yield* randomBytes(4)
    }
    expect(() => run(wrong(), replay(transcript).interpret)).toThrow(ReplayMismatchError)
    expect(() => run(wrong(), replay(transcript).interpret)).toThrow('step 1 of 4 differs from the transcript\n  _tag: expected "Now", got "RandomBytes"')
  })

  it('refuses a file that is not a transcript', () => {
    expect(() => parseTranscript({ steps: [] })).toThrow('not a transcript: format must be "msal-ts/transcript@1"')
    expect(() => parseTranscript({ format: 'msal-ts/transcript@1', steps: [{}] })).toThrow('step 1 has no effect._tag')
  })
})

describe('virtual time and seeded randomness', () => {
  it('moves only when told, and Sleep advances it instead of waiting', async () => {
    const clock = fixedClock(1000)
    const interpreter = createTestInterpreter({ http: () => ({ _tag: 'HttpFailure', kind: 'connection', message: 'x' }), clock })
    expect(clock.now()).toBe(1000)
    expect(interpreter.interpret({ _tag: 'Sleep', ms: 5000 })).toBeUndefined()
    expect(clock.now()).toBe(6000)
    await clock.sleep(4000)
    expect(interpreter.interpret({ _tag: 'Now' })).toBe(10_000)
  })

  it('holdSleeps: each Sleep waits, however long, until the test ends it; other effects pass through', async () => {
    const clock = fixedClock(1000)
    const held = holdSleeps(createTestInterpreter({ http: () => ({ _tag: 'HttpFailure', kind: 'connection', message: 'x' }), clock }).interpret)
    const steps: string[] = []
    function* twoWaits(): Program<number> {
      yield* sleep(5000)
      steps.push('first wait over')
      yield* sleep(10)
      steps.push('second wait over')
      return yield* now()
    }
    const first = held.next() // asked for before the program sleeps
    const result = run(twoWaits(), held.interpret)
    const wait = await first
    expect(wait.ms).toBe(5000)
    await new Promise((resolve) => setImmediate(resolve))
    expect(steps).toEqual([])
    wait.end()
    await new Promise((resolve) => setImmediate(resolve))
    expect(steps).toEqual(['first wait over'])
    const second = await held.next() // asked for once the program already sleeps
    expect(second.ms).toBe(10)
    second.end()
    expect(await result).toBe(1000) // the clock is the inner interpreter's: holding a sleep does not move it
    expect(steps).toEqual(['first wait over', 'second wait over'])
  })

  it('repeats the same bytes for the same seed, and differs across seeds', () => {
    expect(seededRandom(9)(33)).toEqual(seededRandom(9)(33))
    expect(seededRandom(9)(16)).not.toEqual(seededRandom(10)(16))
    const bytes = seededRandom(1)(4096)
    expect(new Set(bytes).size).toBe(256)
  })

  it('keeps every log line, PII flag included', () => {
    const interpreter = createTestInterpreter({ http: () => ({ _tag: 'HttpFailure', kind: 'connection', message: 'x' }) })
    interpreter.interpret({ _tag: 'Log', level: 'info', message: 'hello', pii: true })
    expect(interpreter.logs).toEqual([{ level: 'info', message: 'hello', pii: true }])
  })
})
