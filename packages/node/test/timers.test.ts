/**
 * Timers that cannot overflow. setTimeout keeps its delay in a signed 32-bit integer: a delay of
 * 2^31 ms or more fires after 1 ms. Every delay the interpreters hand a timer is clamped, and the
 * device code flow's poll interval is kept within 1 to 60 s, so a server's absurd interval (or
 * a caller's NaN) never becomes a tight polling loop. These run on real timers: the bug is in
 * real timers.
 */
import { spawnSync } from 'node:child_process'
import type { Effect, HttpRequest, HttpResponse } from '@msal-ts/core'
import { MAX_POLL_INTERVAL_SECONDS, pollIntervalSeconds } from '@msal-ts/core/protocol'
import { MAX_TIMER_DELAY_MS, timerDelay } from '@msal-ts/browser'
import { performHttp } from '@msal-ts/browser/http'
import { PublicClientApplication } from '@msal-ts/node'
import { createTestInterpreter, FakeIdentityProvider, loopbackFetch } from '@msal-ts/testing'
import { rejectionOf } from './support/rejection.js'

const CLIENT = 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b'
const AUTHORITY = 'https://login.microsoftonline.com/organizations'
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

describe('timerDelay: a delay fit for setTimeout', () => {
  it.each([
    [0, 0],
    [1500, 1500],
    [MAX_TIMER_DELAY_MS, MAX_TIMER_DELAY_MS],
    [2 ** 31, MAX_TIMER_DELAY_MS],
    [2_147_484_000, MAX_TIMER_DELAY_MS],
    [1e10, MAX_TIMER_DELAY_MS],
    [Number.POSITIVE_INFINITY, MAX_TIMER_DELAY_MS],
    [-5, 0],
    [Number.NaN, 0],
  ])('%d → %d', (ms, expected) => {
    expect(timerDelay(ms)).toBe(expected)
  })
})

describe('the interpreters never hand a timer a delay that overflows', () => {
  it('a Sleep of 2^31 ms or more does not end after a millisecond (the web interpreter, and the abortable one the Node app sleeps with)', async () => {
    // In a process of its own: the clamped timers would keep this one alive for 24.8 days.
    const browser = new URL('../../browser/dist/index.js', import.meta.url).href
    const script = `
      const { createWebInterpreter, abortable } = await import(${JSON.stringify(browser)})
      const web = createWebInterpreter({ fetch: () => fetch, crypto: () => crypto })
      const signal = new AbortController().signal
      const aborting = abortable(web, signal, { realTimeSleep: true })
      const results = []
      for (const interpret of [web, aborting]) for (const ms of [2 ** 31, 2147484000, 1e10]) {
        const slept = interpret({ _tag: 'Sleep', ms })
        results.push(await Promise.race([slept.then(() => 'slept'), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 100))]))
      }
      process.stdout.write(JSON.stringify(results))
      process.exit(0)`
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 })
    expect(child.stderr).toBe('')
    expect(JSON.parse(child.stdout)).toEqual(Array.from({ length: 6 }, () => 'still waiting'))
  })

  it('a request timeout of 1e10 ms does not time every request out at once', async () => {
    const idp = new FakeIdentityProvider()
    const url = await idp.listen()
    try {
      const request: HttpRequest = { method: 'GET', url: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration', headers: {} }
      const outcome = await performHttp(loopbackFetch(url), request, { timeoutMs: 1e10, maxResponseBytes: 1024 * 1024 })
      expect(outcome).toMatchObject({ _tag: 'HttpResponse', status: 200 })
    } finally {
      await idp.close()
    }
  })

  it('a request whose timeout passes still times out when the client ignores its AbortSignal', async () => {
    const hanging = () => new Promise<never>(() => {}) // a fetch that never answers and never listens to the signal
    const started = Date.now()
    const outcome = await performHttp(hanging, { method: 'GET', url: 'https://example.invalid/', headers: {} }, { timeoutMs: 300, maxResponseBytes: 1024 })
    expect(outcome).toMatchObject({ _tag: 'HttpFailure', kind: 'timeout' })
    expect(Date.now() - started).toBeLessThan(1300)
  })
})

describe('the device code poll interval is kept within 1 to 60 seconds', () => {
  it.each([
    [5, 5],
    [0, 1],
    [0.2, 1],
    [2_147_484, MAX_POLL_INTERVAL_SECONDS],
    [Number.POSITIVE_INFINITY, MAX_POLL_INTERVAL_SECONDS],
    [Number.NaN, 5],
    ['5', 5],
    [undefined, 5],
  ])('interval %p → %d s', (interval, expected) => {
    expect(pollIntervalSeconds(interval)).toBe(expected)
  })

  it('a server asking for an interval of 2147484 s is polled once, not in a tight loop (real timers, stopped after 1.5 s)', async () => {
    const idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT })
    const url = await idp.listen()
    try {
      // The device authorization answer names the overflowing interval.
      const app = new PublicClientApplication({
        clientId: CLIENT,
        authority: AUTHORITY,
        httpClient: async (input, init) => {
          const response = await loopbackFetch(url)(input, init)
          if (!String(input).endsWith('/devicecode')) return response
          const body = (await response.json()) as Record<string, unknown>
          return new Response(JSON.stringify({ ...body, interval: 2_147_484 }), { status: response.status, headers: { 'content-type': 'application/json' } })
        },
      })
      const flow = await app.initiateDeviceFlow(['User.Read'])
      expect(flow.interval).toBe(MAX_POLL_INTERVAL_SECONDS)
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 1500)
      const error = await rejectionOf(app.acquireTokenByDeviceFlow(flow, { signal: controller.signal }))
      expect(error.kind).toBe('CancelledError')
      expect(idp.requests.filter((r) => r.form['grant_type'] === DEVICE_GRANT)).toHaveLength(1)
    } finally {
      await idp.close()
    }
  })

  it('waits at most 60 s between polls whatever the flow says (NaN, Infinity, slow_down upon slow_down), on virtual time', async () => {
    const idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT })
    const sleeps: number[] = []
    let polls = 0
    const answer = (error: string): HttpResponse => ({ _tag: 'HttpResponse', status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error }) })
    // Five slow_downs (each adding 5 s), then the end.
    const test = createTestInterpreter({
      http: async (request) => {
        if (request.form?.['grant_type'] !== DEVICE_GRANT) return idp.http(request)
        polls += 1
        return answer(polls < 6 ? 'slow_down' : 'expired_token')
      },
    })
    const interpret = (effect: Effect) => {
      if (effect._tag === 'Sleep') sleeps.push(effect.ms)
      return test.interpret(effect)
    }
    const app = new PublicClientApplication({ clientId: CLIENT, authority: AUTHORITY, interpreter: interpret })
    for (const interval of [Number.NaN, Number.POSITIVE_INFINITY, 58]) {
      sleeps.length = 0
      polls = 0
      const expiresAt = Math.floor(test.clock.now() / 1000) + 100_000
      const flow = { deviceCode: 'dc-0123456789', userCode: 'U', verificationUri: 'https://microsoft.com/devicelogin', message: 'm', expiresIn: 900, expiresAt, codeExpiresAt: expiresAt, interval, scopes: ['User.Read'], correlationId: 'c' }
      const error = await rejectionOf(app.acquireTokenByDeviceFlow(flow))
      expect(error).toMatchObject({ kind: 'ServerError', error: 'expired_token' })
      expect(sleeps).toHaveLength(5)
      for (const ms of sleeps) {
        expect(ms).toBeGreaterThanOrEqual(1000)
        expect(ms).toBeLessThanOrEqual(MAX_POLL_INTERVAL_SECONDS * 1000)
      }
    }
  })
})
