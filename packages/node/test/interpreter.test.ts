import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createNodeInterpreter, resolveFetch, resolveWebCrypto, VERSION, type HttpClient } from '@msal-ts/node'

describe('the Node interpreter', () => {
  it('answers time, randomness and the environment synchronously (a cache hit never waits)', () => {
    const interpret = createNodeInterpreter({ env: { MY_VAR: 'x' } })
    const now = interpret({ _tag: 'Now' })
    expect(typeof now).toBe('number')
    expect(Math.abs((now as number) - Date.now())).toBeLessThan(1000)
    const bytes = interpret({ _tag: 'RandomBytes', length: 32 })
    expect(bytes).toBeInstanceOf(Uint8Array)
    expect((bytes as Uint8Array).length).toBe(32)
    expect(interpret({ _tag: 'ReadEnv', name: 'MY_VAR' })).toBe('x')
    expect(interpret({ _tag: 'ReadEnv', name: 'NOT_SET' })).toBeUndefined()
  })

  it('hashes with SHA-256', async () => {
    const digest = (await createNodeInterpreter()({ _tag: 'Sha256', data: 'abc' })) as Uint8Array
    expect(Buffer.from(digest).toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('sleeps for real', async () => {
    const started = Date.now()
    await createNodeInterpreter()({ _tag: 'Sleep', ms: 50 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(45)
  })

  it('passes log lines at or above the level, and PII lines only with enablePiiLog', () => {
    const lines: string[] = []
    const logger = (level: string, message: string) => lines.push(`${level}:${message}`)
    const quiet = createNodeInterpreter({ logger, logLevel: 'warning' })
    quiet({ _tag: 'Log', level: 'info', message: 'skipped', pii: false })
    quiet({ _tag: 'Log', level: 'error', message: 'kept', pii: false })
    quiet({ _tag: 'Log', level: 'error', message: 'user@contoso.com', pii: true })
    createNodeInterpreter({ logger, logLevel: 'verbose', enablePiiLog: true })({ _tag: 'Log', level: 'verbose', message: 'pii ok', pii: true })
    expect(lines).toEqual(['error:kept', 'verbose:pii ok'])
  })
})

describe('runtime fallbacks', () => {
  it('uses an injected fetch, else the global one, else cross-fetch', async () => {
    const injected: HttpClient = async () => ({ status: 204, headers: { forEach: () => undefined }, text: async () => '' })
    expect(await resolveFetch(injected)).toBe(injected)
    expect(await resolveFetch(undefined)).toBe(globalThis.fetch)
    const crossFetch = await resolveFetch(undefined, {})
    expect(crossFetch).not.toBe(globalThis.fetch)
    expect((await import('cross-fetch')).default).toBe(crossFetch)
  })

  it('uses the runtime WebCrypto, else @peculiar/webcrypto', async () => {
    expect(await resolveWebCrypto()).toBe(globalThis.crypto)
    const peculiar = await resolveWebCrypto({})
    expect(peculiar).not.toBe(globalThis.crypto)
    const digest = await peculiar.subtle.digest('SHA-256', new TextEncoder().encode('abc'))
    expect(Buffer.from(digest).toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(peculiar.getRandomValues(new Uint8Array(8))).toHaveLength(8)
  })

  it('reports the version package.json declares', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }
    expect(VERSION).toBe(pkg.version)
  })
})
