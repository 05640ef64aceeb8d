import { createServer } from 'node:http'
import { ConfidentialClientApplication, createNodeInterpreter, MsalError, type HttpClient } from '@msal-ts/node'
import { FakeIdentityProvider, faults } from '@msal-ts/testing'
import { routeThroughProxies } from '../src/interpreter/proxyFetch.js'
import { rejectionOf } from './support/rejection.js'
import { startProxy, type TestProxy } from './support/testProxy.js'

const CLIENT = '3c1b7f2e-9d4a-4e8b-a6f0-5d2c8b7e1a93'
const SECRET = 'proxy-test-secret'
const SCOPES = ['api://proxied/.default']
const PASSWORD = 'p@ss:w/rd-93f1'
const USER = 'proxy-user'
const CREDENTIALS = `${encodeURIComponent(USER)}:${encodeURIComponent(PASSWORD)}`

/** A port nothing listens on: bound, then released. */
const deadPort = async (): Promise<number> => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

const withCredentials = (proxyUrl: string, credentials: string) => proxyUrl.replace('http://', `http://${credentials}@`)

const loggerInto = (lines: string[]) => (level: string, message: string) => lines.push(`${level}: ${message}`)

describe('the proxy option, through a real forward proxy on loopback', () => {
  let idp: FakeIdentityProvider
  let base: string
  let proxy: TestProxy
  beforeEach(async () => {
    idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET })
    base = await idp.listen()
  })
  afterEach(async () => {
    await proxy?.close()
    await idp.close()
  })

  const app = (extra: Record<string, unknown>) =>
    new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: SECRET, authority: `${base}/contoso.onmicrosoft.com`, ...extra })

  it('acquires a client-credentials token with every request going through the proxy (even to loopback, when given explicitly)', async () => {
    proxy = await startProxy()
    const cca = app({ proxy: proxy.url })
    const first = await cca.acquireTokenForClient(SCOPES)
    expect(first).toMatchObject({ tokenSource: 'identity_provider', scopes: SCOPES })
    expect(proxy.seen.map((r) => r.line)).toEqual([
      `GET ${base}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`,
      `POST ${base}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
    ])
    expect(proxy.seen.every((r) => r.authorization === undefined)).toBe(true)
    // The identity provider got them from the proxy (which adds a Via header).
    expect(idp.requests.map((r) => r.headers['via'])).toEqual([expect.stringContaining('proxy/'), expect.stringContaining('proxy/')])
    expect((await cca.acquireTokenForClient(SCOPES)).tokenSource).toBe('cache')
    expect(proxy.seen).toHaveLength(2)
  })

  it('sends the user name and password from the proxy URL as Basic credentials, and never prints them', async () => {
    proxy = await startProxy({ user: USER, password: PASSWORD })
    const lines: string[] = []
    const cca = app({ proxy: withCredentials(proxy.url, CREDENTIALS), logger: loggerInto(lines), logLevel: 'verbose', enablePiiLog: true })
    expect((await cca.acquireTokenForClient(SCOPES)).tokenSource).toBe('identity_provider')
    expect(proxy.seen).toHaveLength(2)
    expect(proxy.seen.every((r) => r.authorization === `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`)).toBe(true)
    expect(lines.join('\n')).not.toContain(PASSWORD)
    expect(lines.join('\n')).not.toContain(encodeURIComponent(PASSWORD))
  })

  it('fails with an MsalError saying the proxy demanded authentication when the URL has no credentials (407)', async () => {
    proxy = await startProxy({ user: USER, password: PASSWORD })
    const error = await rejectionOf(app({ proxy: proxy.url }).acquireTokenForClient(SCOPES))
    expect(error).toMatchObject({ kind: 'NetworkError', url: `${base}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration` })
    expect(error.message).toContain(`the proxy ${proxy.url} (set by the proxy option) demanded authentication (HTTP 407 Proxy Authentication Required)`)
    expect(idp.requests).toHaveLength(0)
  })

  it('says the proxy rejected the credentials when they are wrong, without printing them', async () => {
    proxy = await startProxy({ user: USER, password: 'another-password' })
    const lines: string[] = []
    const error = await rejectionOf(
      app({ proxy: withCredentials(proxy.url, CREDENTIALS), logger: loggerInto(lines), logLevel: 'verbose', enablePiiLog: true }).acquireTokenForClient(SCOPES),
    )
    expect(error.kind).toBe('NetworkError')
    expect(error.message).toContain(`the proxy ${proxy.url} (set by the proxy option) rejected the user name and password given in the proxy URL (HTTP 407`)
    for (const text of [error.message, JSON.stringify(error), JSON.stringify(error), lines.join('\n')]) {
      expect(text).not.toContain(PASSWORD)
      expect(text).not.toContain(encodeURIComponent(PASSWORD))
    }
  })

  it('reports a proxy that refuses the connection as a NetworkError naming the proxy but not its password', async () => {
    const port = await deadPort()
    const lines: string[] = []
    const cca = app({ proxy: `http://${CREDENTIALS}@127.0.0.1:${port}`, logger: loggerInto(lines), logLevel: 'verbose', enablePiiLog: true })
    const error = await rejectionOf(cca.acquireTokenForClient(SCOPES))
    expect(error).toMatchObject({ kind: 'NetworkError', error: 'network_error' })
    expect(error.message).toContain(`through the proxy http://127.0.0.1:${port} (set by the proxy option)`)
    expect(error.message).toMatch(/ECONNREFUSED/)
    expect(lines).toContainEqual(expect.stringMatching(/^warning: connection to .* failed \(through the proxy http:\/\/127\.0\.0\.1:\d+ .*ECONNREFUSED.*\); retrying once$/))
    for (const text of [error.message, JSON.stringify(error), lines.join('\n')]) {
      expect(text).not.toContain(PASSWORD)
      expect(text).not.toContain(encodeURIComponent(PASSWORD))
      expect(text).not.toContain(USER)
    }
    expect(idp.requests).toHaveLength(0)
  })

  it('keeps the timeout through the proxy (a TimeoutError, not a hang)', async () => {
    proxy = await startProxy()
    idp.injectFault(faults.timeout(), { path: '/token' })
    const started = Date.now()
    const error = await rejectionOf(app({ proxy: proxy.url, timeout: 0.3 }).acquireTokenForClient(SCOPES))
    expect(error.kind).toBe('TimeoutError')
    expect(error.message).toContain('no response within 300 ms')
    expect(Date.now() - started).toBeLessThan(5000)
    expect(proxy.seen.map((r) => r.line.split(' ')[0])).toEqual(['GET', 'POST'])
  })

  it('goes straight to a loopback host when the proxy comes from the environment', async () => {
    proxy = await startProxy()
    const interpreter = createNodeInterpreter({ env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: '' } })
    expect((await app({ interpreter }).acquireTokenForClient(SCOPES)).tokenSource).toBe('identity_provider')
    expect(proxy.seen).toEqual([])
    expect(idp.requests).toHaveLength(2)
  })

  it('sends an http request through HTTP_PROXY from the environment (the proxy resolves the name)', async () => {
    const port = new URL(base).port
    proxy = await startProxy({ hosts: { [`idp.test:${port}`]: `127.0.0.1:${port}` } })
    const interpret = createNodeInterpreter({ env: { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,.example.com' } })
    const url = `http://idp.test:${port}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`
    const outcome = await interpret({ _tag: 'Http', request: { method: 'GET', url, headers: {} } })
    expect(outcome).toMatchObject({ _tag: 'HttpResponse', status: 200 })
    expect(proxy.seen.map((r) => r.line)).toEqual([`GET ${url}`])
    expect(idp.requests.map((r) => r.path)).toEqual(['/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration'])
  })

  it('reads process.env by default', async () => {
    const port = new URL(base).port
    proxy = await startProxy({ hosts: { [`idp.test:${port}`]: `127.0.0.1:${port}` } })
    const saved = { HTTP_PROXY: process.env['HTTP_PROXY'], http_proxy: process.env['http_proxy'], NO_PROXY: process.env['NO_PROXY'], no_proxy: process.env['no_proxy'] }
    try {
      for (const name of Object.keys(saved)) delete process.env[name]
      process.env['http_proxy'] = proxy.url
      const url = `http://idp.test:${port}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`
      const outcome = await createNodeInterpreter()({ _tag: 'Http', request: { method: 'GET', url, headers: {} } })
      expect(outcome).toMatchObject({ _tag: 'HttpResponse', status: 200 })
      expect(proxy.seen.map((r) => r.line)).toEqual([`GET ${url}`])
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    }
  })
})

describe('HTTPS_PROXY from the environment, for an https identity provider', () => {
  let proxy: TestProxy
  afterEach(() => proxy.close())

  const app = (env: Record<string, string>, extra: Record<string, unknown> = {}) =>
    new ConfidentialClientApplication({
      clientId: CLIENT,
      clientCredential: SECRET,
      authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
      interpreter: createNodeInterpreter({ env, ...extra }),
    })

  it('opens a CONNECT tunnel through it; a 407 becomes an MsalError naming the variable (nothing leaves this machine)', async () => {
    proxy = await startProxy({ user: USER, password: PASSWORD })
    const error = await rejectionOf(app({ HTTPS_PROXY: proxy.url }).acquireTokenForClient(SCOPES))
    expect(error).toMatchObject({ kind: 'NetworkError', url: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token' })
    expect(error.message).toContain(`the proxy ${proxy.url} (set by HTTPS_PROXY) demanded authentication (HTTP 407 Proxy Authentication Required)`)
    // One CONNECT, and one more for the retry after a failed connection.
    expect(proxy.seen.map((r) => r.line)).toEqual(['CONNECT login.microsoftonline.com:443', 'CONNECT login.microsoftonline.com:443'])
  })

  it('authenticates the CONNECT with the credentials in https_proxy (here the tunnel leads to a plain-HTTP port, so TLS then fails)', async () => {
    const target = await startProxy() // any loopback server that does not speak TLS
    proxy = await startProxy({ user: USER, password: PASSWORD, hosts: { 'login.microsoftonline.com:443': `127.0.0.1:${target.port}` } })
    try {
      const error = await rejectionOf(app({ https_proxy: withCredentials(proxy.url, CREDENTIALS) }).acquireTokenForClient(SCOPES))
      expect(error.kind).toBe('NetworkError')
      expect(error.message).toContain(`through the proxy ${proxy.url} (set by https_proxy)`)
      expect(error.message).not.toContain(PASSWORD)
      expect(proxy.seen[0]).toEqual({ line: 'CONNECT login.microsoftonline.com:443', authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` })
    } finally {
      await target.close()
    }
  })

  it('reports a malformed HTTPS_PROXY at first use as a NetworkError naming the variable, never its value', async () => {
    proxy = await startProxy()
    const error = await rejectionOf(app({ HTTPS_PROXY: `socks5://${CREDENTIALS}@proxy.contoso.com:1080` }).acquireTokenForClient(SCOPES))
    expect(error.kind).toBe('NetworkError')
    expect(error.message).toContain('the HTTPS_PROXY environment variable is not a usable proxy URL: it must start with http:// or https://')
    expect(error.message).not.toContain(USER)
    expect(error.message).not.toContain('proxy.contoso.com')
  })

  it('ignores the environment with proxy: false', async () => {
    proxy = await startProxy()
    const direct: string[] = []
    const client: HttpClient = async (url) => {
      direct.push(url)
      throw new Error('offline')
    }
    const routed = routeThroughProxies(client, false, { HTTPS_PROXY: proxy.url })
    expect(routed).toBe(client)
    await expect(routed('https://login.microsoftonline.com/x', { method: 'GET', headers: {} })).rejects.toThrow('offline')
    expect(direct).toEqual(['https://login.microsoftonline.com/x'])
    expect(proxy.seen).toEqual([])
  })

  it('keeps hosts NO_PROXY names on the normal fetch, and proxies the rest', async () => {
    proxy = await startProxy({ user: USER, password: PASSWORD })
    const direct: string[] = []
    const client: HttpClient = async (url) => {
      direct.push(url)
      return { status: 204, headers: new Headers(), text: async () => '' }
    }
    const routed = routeThroughProxies(client, undefined, { HTTPS_PROXY: proxy.url, NO_PROXY: '.contoso.com, login.microsoftonline.com:8443' })
    for (const url of ['https://sts.contoso.com/token', 'https://login.microsoftonline.com:8443/t', 'https://127.0.0.1:9/t', 'http://login.microsoftonline.com/t']) {
      expect((await routed(url, { method: 'GET', headers: {} })).status).toBe(204)
    }
    expect(direct).toEqual(['https://sts.contoso.com/token', 'https://login.microsoftonline.com:8443/t', 'https://127.0.0.1:9/t', 'http://login.microsoftonline.com/t'])
    await expect(routed('https://login.microsoftonline.com/t', { method: 'GET', headers: {} })).rejects.toThrow(/demanded authentication/)
    expect(proxy.seen.map((r) => r.line)).toEqual(['CONNECT login.microsoftonline.com:443'])
  })
})

describe('proxy configuration', () => {
  const valid = { clientId: CLIENT, clientCredential: SECRET, authority: 'https://login.microsoftonline.com/t' }
  const thrown = (make: () => unknown): MsalError => {
    try {
      make()
    } catch (error) {
      expect(error).toBeInstanceOf(MsalError)
      return error as MsalError
    }
    throw new Error('expected a ConfigurationError')
  }

  it.each([
    ['proxy.contoso.com:3128', 'proxy: the proxy URL must start with http:// or https://'],
    [`${CREDENTIALS}@proxy.contoso.com:3128`, 'proxy: the proxy URL must start with http:// or https://'],
    [`socks5://${CREDENTIALS}@proxy.contoso.com:1080`, 'proxy: the proxy URL must start with http:// or https://'],
    [`http://${CREDENTIALS}@proxy.contoso.com:99999`, 'proxy: the proxy URL is not a valid URL'],
    [`http://${CREDENTIALS}@proxy.contoso.com:3128/path`, 'proxy: the proxy URL must not have a path, query or fragment'],
    ['http://', 'proxy: the proxy URL is not a valid URL'],
    [42, 'proxy: expected a proxy URL (http://[user:password@]host[:port]) or false, got 42'],
    [true, 'proxy: expected a proxy URL (http://[user:password@]host[:port]) or false, got true'],
  ])('rejects %j with a ConfigurationError naming proxy, never repeating the value', (proxy, message) => {
    for (const error of [thrown(() => new ConfidentialClientApplication({ ...valid, proxy } as never)), thrown(() => createNodeInterpreter({ proxy } as never))]) {
      expect(error).toMatchObject({ kind: 'ConfigurationError', field: 'proxy' })
      expect(error.message.startsWith(message)).toBe(true)
      expect(error.message).not.toContain(PASSWORD)
      expect(error.message).not.toContain(encodeURIComponent(PASSWORD))
      expect(error.message).not.toContain('contoso')
    }
  })

  it('refuses httpClient with proxy (the injected client decides how to reach the network)', () => {
    const httpClient: HttpClient = async () => ({ status: 200, headers: new Headers(), text: async () => '{}' })
    for (const error of [
      thrown(() => new ConfidentialClientApplication({ ...valid, httpClient, proxy: 'http://proxy.contoso.com:3128' })),
      thrown(() => createNodeInterpreter({ httpClient, proxy: 'http://proxy.contoso.com:3128' })),
    ]) {
      expect(error).toMatchObject({ kind: 'ConfigurationError', field: 'proxy' })
      expect(error.message).toBe(
        'proxy: give either httpClient or proxy, not both: an injected httpClient decides itself how to reach the network (configure the proxy there)',
      )
    }
  })

  it('accepts a proxy URL, https proxies, and false (also beside httpClient)', () => {
    const httpClient: HttpClient = async () => ({ status: 200, headers: new Headers(), text: async () => '{}' })
    expect(() => new ConfidentialClientApplication({ ...valid, proxy: 'http://proxy.contoso.com:3128' })).not.toThrow()
    expect(() => new ConfidentialClientApplication({ ...valid, proxy: `https://${CREDENTIALS}@proxy.contoso.com/` })).not.toThrow()
    expect(() => new ConfidentialClientApplication({ ...valid, proxy: 'http://[::1]:3128' })).not.toThrow()
    expect(() => new ConfidentialClientApplication({ ...valid, proxy: false, httpClient })).not.toThrow()
  })
})
