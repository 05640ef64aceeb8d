/**
 * Issue 14, item 1: `timeout` means what MSAL Python means. MSAL Python hands `timeout` to
 * requests, in seconds (application.py, ClientApplication.__init__: `functools.partial(
 * self.http_client.request, timeout=timeout)`), and says of verify, proxies and timeout: "This
 * does not apply if you have chosen to pass your own Http client".
 */
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ConfidentialClientApplication, PublicClientApplication, createNodeInterpreter } from '@msal-ts/node'
import { FakeIdentityProvider, faults } from '@msal-ts/testing'
import { rejectionOf } from '../support/rejection.js'

const CLIENT = '0f9e8d7c-6b5a-4493-8281-7f6e5d4c3b2a'
const SECRET = 'timeout-secret'
const SCOPES = ['api://parity/.default']

/** A reverse proxy on loopback that holds every request `delayMs` before passing it to `target`. */
const slowProxy = async (target: string, delayMs: number): Promise<{ url: string; close: () => Promise<void> }> => {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      setTimeout(() => {
        const upstream = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        })
        upstream.on('error', () => res.destroy())
        upstream.end(Buffer.concat(chunks))
      }, delayMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

describe('timeout is in seconds, as MSAL Python (application.py passes it to requests)', () => {
  let idp: FakeIdentityProvider
  let base: string
  beforeEach(async () => {
    idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET })
    base = await idp.listen()
  })
  afterEach(() => idp.close())

  it('a timeout ported from MSAL Python (timeout: 2) waits for a server that takes 0.3 s on discovery and on the token', async () => {
    const slow = await slowProxy(base, 300)
    try {
      const app = new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: SECRET, authority: `${slow.url}/contoso`, timeout: 2 })
      const result = await app.acquireTokenForClient(SCOPES)
      expect(result.tokenSource).toBe('identity_provider')
      expect(idp.requests.map((r) => r.path)).toEqual(['/contoso/v2.0/.well-known/openid-configuration', '/contoso/oauth2/v2.0/token'])
    } finally {
      await slow.close()
    }
  })

  it('timeout: 0.5 gives up after half a second (not half a millisecond) with a TimeoutError', async () => {
    idp.injectFault(faults.timeout(), { path: '/token' })
    const app = new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: SECRET, authority: `${base}/contoso`, timeout: 0.5 })
    const started = Date.now()
    const error = await rejectionOf(app.acquireTokenForClient(SCOPES))
    const elapsed = Date.now() - started
    expect(error).toMatchObject({ kind: 'TimeoutError', error: 'timeout' })
    expect(error.message).toContain('no response within 500 ms')
    expect(elapsed).toBeGreaterThanOrEqual(450)
    expect(elapsed).toBeLessThan(5_000)
  })

  it.each([
    ['0', 0],
    ['a negative number', -1],
    ['a string of seconds', '30'],
    ['not a number', Number.NaN],
    ['so large a timer overflows (1e10 s)', 1e10],
    ['one second past the longest timer', 2_147_484],
  ])('refuses %s with a ConfigurationError naming timeout and the accepted range', (_, timeout) => {
    expect(() => new PublicClientApplication({ clientId: CLIENT, timeout: timeout as number })).toThrow(
      expect.objectContaining({ kind: 'ConfigurationError', field: 'timeout', message: expect.stringContaining('seconds above 0 and at most 2,147,483') }),
    )
  })

  it('accepts the longest timer, 2,147,483 s, and fractions of a second', () => {
    expect(() => new PublicClientApplication({ clientId: CLIENT, timeout: 2_147_483 })).not.toThrow()
    expect(() => new PublicClientApplication({ clientId: CLIENT, timeout: 0.25 })).not.toThrow()
  })
})

describe('an injected httpClient keeps its own timeouts, as MSAL Python\'s http_client ("this does not apply if you have chosen to pass your own Http client")', () => {
  it('timeout beside httpClient is a ConfigurationError naming timeout, rather than silently unused', () => {
    const idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET })
    for (const make of [
      () => new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: SECRET, httpClient: idp.fetch, timeout: 5 }),
      () => new PublicClientApplication({ clientId: CLIENT, httpClient: idp.fetch, timeout: 5 }),
    ]) {
      expect(make).toThrow(expect.objectContaining({ kind: 'ConfigurationError', field: 'timeout', message: expect.stringContaining('injected httpClient') }))
    }
  })

  const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length

  it('no timer of the application runs around an injected client\'s request; the runtime\'s fetch gets one', async () => {
    const idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET })
    const during: number[] = []
    const counting = (fetchOf: typeof idp.fetch): typeof idp.fetch => (input, init) => {
      during.push(timers())
      return fetchOf(input, init)
    }
    const request = { method: 'GET' as const, url: 'https://login.microsoftonline.com/contoso/v2.0/.well-known/openid-configuration', headers: {} }
    const before = timers()
    // The application's runtime: an injected client gets no timeout of the application's.
    await createNodeInterpreter({ httpClient: counting(idp.fetch) })({ _tag: 'Http', request })
    // An interpreter asked for a timeout around the same client sets one timer for the request.
    await createNodeInterpreter({ httpClient: counting(idp.fetch), timeoutMs: 30_000 })({ _tag: 'Http', request })
    expect(during).toEqual([before, before + 1])
  })
})
