import { run, runToPromise, type Effect, type Interpret, type Program } from '@msal-ts/core'
import { log, now, randomBytes } from '@msal-ts/core/protocol'

function* twoEffects(): Program<string> {
  const t = yield* now()
  const bytes = yield* randomBytes(2)
  return `${t}:${bytes.join(',')}`
}

describe('run', () => {
  it('returns synchronously when every effect is answered synchronously', () => {
    const interpret: Interpret = (effect) => (effect._tag === 'Now' ? 42 : new Uint8Array([1, 2]))
    const result = run(twoEffects(), interpret)
    expect(result).toBe('42:1,2')
  })

  it('returns a promise once any effect is answered asynchronously, and finishes the program', async () => {
    const seen: string[] = []
    const interpret: Interpret = (effect) => {
      seen.push(effect._tag)
      return effect._tag === 'Now' ? Promise.resolve(7) : new Uint8Array([9])
    }
    const result = run(twoEffects(), interpret)
    expect(result).toBeInstanceOf(Promise)
    await expect(result).resolves.toBe('7:9')
    expect(seen).toEqual(['Now', 'RandomBytes'])
  })

  it('throws an interpreter failure into the program so its finally blocks run', async () => {
    let cleaned = false
    function* guarded(): Program<number> {
      try {
        return yield* now()
      } finally {
        cleaned = true
      }
    }
    expect(() => run(guarded(), () => { throw new Error('boom') })).toThrow('boom')
    expect(cleaned).toBe(true)
    cleaned = false
    await expect(run(guarded(), () => Promise.reject(new Error('later')))).rejects.toThrow('later')
    expect(cleaned).toBe(true)
  })

  it('lets a program catch an interpreter failure and carry on', async () => {
    function* recovering(): Program<string> {
      try {
        yield* now()
        return 'no failure'
      } catch (error) {
        yield* log('warning', 'recovered')
        return `recovered from ${(error as Error).message}`
      }
    }
    const effects: Effect[] = []
    const interpret: Interpret = (effect) => {
      effects.push(effect)
      if (effect._tag === 'Now') return Promise.reject(new Error('clock broke'))
      return undefined
    }
    await expect(run(recovering(), interpret)).resolves.toBe('recovered from clock broke')
    expect(effects.map((e) => e._tag)).toEqual(['Now', 'Log'])
  })

  it('runToPromise always hands back a promise', async () => {
    const p = runToPromise(twoEffects(), (e) => (e._tag === 'Now' ? 1 : new Uint8Array([3])))
    expect(p).toBeInstanceOf(Promise)
    await expect(p).resolves.toBe('1:3')
  })
})
