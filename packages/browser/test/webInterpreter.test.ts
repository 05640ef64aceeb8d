import { createBrowserInterpreter, type HttpClient } from '@msal-ts/browser'
import { performHttp } from '@msal-ts/browser/http'
import { FakeIdentityProvider, faults } from '@msal-ts/testing'

describe('performHttp', () => {
  const idp = new FakeIdentityProvider().registerApp({ clientId: 'c', clientSecret: 's' })
  const request = {
    method: 'POST' as const,
    url: 'https://login.microsoftonline.com/t/oauth2/v2.0/token',
    headers: { 'X-Custom': 'v' },
    form: { grant_type: 'client_credentials', client_id: 'c', client_secret: 's', scope: 'a/.default' },
  }

  it('form-encodes the body, lower-cases response headers, and never follows redirects', async () => {
    let seen: Parameters<HttpClient>[1] | undefined
    const spy: HttpClient = async (url, init) => {
      seen = init
      return idp.fetch(url, init)
    }
    // A generous timeout: the fake makes its signing key on its first token, which a loaded machine may take over a second to do.
    const outcome = await performHttp(spy, request, 10_000)
    expect(outcome).toMatchObject({ _tag: 'HttpResponse', status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } })
    expect(seen).toMatchObject({
      method: 'POST',
      redirect: 'manual',
      headers: { 'X-Custom': 'v', 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: 'grant_type=client_credentials&client_id=c&client_secret=s&scope=a%2F.default',
    })
  })

  it('turns a thrown fetch into a connection failure and a hang into a timeout, as values', async () => {
    idp.injectFault(faults.connectionError()).injectFault(faults.timeout())
    expect(await performHttp(idp.fetch, request, 1000)).toEqual({ _tag: 'HttpFailure', kind: 'connection', message: 'fetch failed: connect ECONNREFUSED (injected fault)' })
    expect(await performHttp(idp.fetch, request, 100)).toEqual({ _tag: 'HttpFailure', kind: 'timeout', message: 'no response within 100 ms (the timeout covers the whole body)' })
  })

  it('counts a body that fails mid-read as an unreadable body (an InvalidResponseError, never retried)', async () => {
    const broken: HttpClient = async () => ({ status: 200, headers: { forEach: () => undefined }, text: () => Promise.reject(new Error('socket hang up')) })
    expect(await performHttp(broken, request, 1000)).toEqual({ _tag: 'HttpFailure', kind: 'body', status: 200, message: 'the response body could not be read to its end (socket hang up)' })
  })
})

describe('the browser interpreter', () => {
  it('uses the page fetch and WebCrypto unless given others', async () => {
    const idp = new FakeIdentityProvider()
    const interpret = createBrowserInterpreter({ fetch: () => idp.fetch as unknown as HttpClient })
    const outcome = await interpret({ _tag: 'Http', request: { method: 'GET', url: 'https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration', headers: {} } })
    expect(outcome).toMatchObject({ _tag: 'HttpResponse', status: 200 })
    expect(idp.requests).toHaveLength(1)
    expect(interpret({ _tag: 'RandomBytes', length: 4 })).toHaveLength(4)
    expect(interpret({ _tag: 'ReadEnv', name: 'PATH' })).toBeUndefined()
  })

  it('takes fetch: undefined and crypto: undefined as not given: the runtime\'s own, over real HTTP', async () => {
    const idp = new FakeIdentityProvider()
    const base = await idp.listen()
    try {
      const interpret = createBrowserInterpreter({ fetch: undefined, crypto: undefined, timeoutMs: undefined })
      const outcome = await interpret({ _tag: 'Http', request: { method: 'GET', url: `${base}/t/v2.0/.well-known/openid-configuration`, headers: {} } })
      expect(outcome).toMatchObject({ _tag: 'HttpResponse', status: 200 })
      expect(idp.requests.map((request) => request.path)).toEqual(['/t/v2.0/.well-known/openid-configuration'])
      const digest = (await interpret({ _tag: 'Sha256', data: 'abc' })) as Uint8Array
      expect(Buffer.from(digest).toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    } finally {
      await idp.close()
    }
  })

  it('resolves a lazy fetch once, then answers without waiting for it again', async () => {
    const idp = new FakeIdentityProvider()
    let resolutions = 0
    const interpret = createBrowserInterpreter({
      fetch: async () => {
        resolutions++
        return idp.fetch as unknown as HttpClient
      },
    })
    const request = { method: 'GET' as const, url: 'https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration', headers: {} }
    await Promise.all([interpret({ _tag: 'Http', request }), interpret({ _tag: 'Http', request })])
    await interpret({ _tag: 'Http', request })
    expect(resolutions).toBe(1)
    expect(idp.requests).toHaveLength(3)
  })
})

describe('random bytes', () => {
  it('come from a pool, never hand out the same bytes twice, and still serve large requests', () => {
    let fills = 0
    const crypto = {
      getRandomValues: <T extends ArrayBufferView>(array: T): T => {
        fills++
        globalThis.crypto.getRandomValues(array as unknown as Uint8Array)
        return array
      },
    } as unknown as Crypto
    const interpret = createBrowserInterpreter({ crypto: () => crypto })
    const seen = new Set<string>()
    // 10,000 correlation ids' bytes: three fills of the 64 KiB pool.
    for (let i = 0; i < 10_000; i++) seen.add(Buffer.from(interpret({ _tag: 'RandomBytes', length: 16 }) as Uint8Array).toString('hex'))
    expect(seen.size).toBe(10_000)
    expect(fills).toBe(Math.ceil((10_000 * 16) / 65_536))
    // More than a quarter of the pool is drawn by a call of its own.
    expect(interpret({ _tag: 'RandomBytes', length: 20_000 })).toHaveLength(20_000)
    expect(fills).toBe(4)
  })
})
