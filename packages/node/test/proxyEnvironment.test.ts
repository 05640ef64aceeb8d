import {
  isLoopbackHost,
  parseProxyUrl,
  proxyFromEnvironment,
  proxyRoute,
  scrubSecrets,
  shouldProxy,
  type ProxyUrl,
} from '../src/interpreter/proxyEnvironment.js'

const P = 'http://proxy.corp:3128'

describe('shouldProxy(url, env): which requests the environment sends through a proxy (curl rules)', () => {
  it.each<[string, Record<string, string>, boolean]>([
    // Which variable serves which scheme.
    ['https://login.microsoftonline.com/t', {}, false],
    ['https://login.microsoftonline.com/t', { HTTPS_PROXY: P }, true],
    ['https://login.microsoftonline.com/t', { https_proxy: P }, true],
    ['https://login.microsoftonline.com/t', { HTTP_PROXY: P, http_proxy: P }, false],
    ['http://idp.contoso.com/t', { HTTP_PROXY: P }, true],
    ['http://idp.contoso.com/t', { http_proxy: P }, true],
    ['http://idp.contoso.com/t', { HTTPS_PROXY: P }, false],
    ['https://login.microsoftonline.com/t', { HTTPS_PROXY: '' }, false],
    ['https://login.microsoftonline.com/t', { HTTPS_PROXY: '  ' }, false],
    ['ftp://files.contoso.com/x', { HTTPS_PROXY: P, HTTP_PROXY: P }, false],
    // A value that cannot be used still decides "proxy": the request fails rather than bypass it.
    ['https://login.microsoftonline.com/t', { HTTPS_PROXY: 'socks5://proxy.corp:1080' }, true],
    // NO_PROXY: "*", hosts, domain suffixes with or without a leading dot, ports.
    ['https://login.microsoftonline.com/t', { HTTPS_PROXY: P, NO_PROXY: '*' }, false],
    ['https://login.microsoftonline.com/t', { HTTPS_PROXY: P, NO_PROXY: 'a.com,*' }, false],
    ['https://sts.contoso.com/t', { HTTPS_PROXY: P, NO_PROXY: 'contoso.com' }, false],
    ['https://contoso.com/t', { HTTPS_PROXY: P, NO_PROXY: 'contoso.com' }, false],
    ['https://notcontoso.com/t', { HTTPS_PROXY: P, NO_PROXY: 'contoso.com' }, true],
    ['https://contoso.com.evil.example/t', { HTTPS_PROXY: P, NO_PROXY: 'contoso.com' }, true],
    ['https://contoso.com/t', { HTTPS_PROXY: P, NO_PROXY: '.contoso.com' }, false],
    ['https://a.b.contoso.com/t', { HTTPS_PROXY: P, NO_PROXY: '.contoso.com' }, false],
    ['https://sts.contoso.com/t', { HTTPS_PROXY: P, NO_PROXY: '*.contoso.com' }, false],
    ['https://STS.Contoso.COM/t', { HTTPS_PROXY: P, NO_PROXY: ' other.org , .CONTOSO.com ' }, false],
    ['https://sts.contoso.com/t', { HTTPS_PROXY: P, NO_PROXY: 'other.org contoso.com' }, false],
    ['https://login.microsoftonline.com./t', { HTTPS_PROXY: P, NO_PROXY: 'microsoftonline.com' }, false],
    ['https://login.microsoftonline.com/t', { HTTPS_PROXY: P, NO_PROXY: 'microsoftonline.com.' }, false],
    ['https://contoso.com/t', { HTTPS_PROXY: P, NO_PROXY: 'contoso.com:8443' }, true],
    ['https://contoso.com:8443/t', { HTTPS_PROXY: P, NO_PROXY: 'contoso.com:8443' }, false],
    ['https://contoso.com/t', { HTTPS_PROXY: P, NO_PROXY: 'contoso.com:443' }, false],
    ['http://contoso.com/t', { HTTP_PROXY: P, NO_PROXY: 'contoso.com:443' }, true],
    ['http://contoso.com/t', { HTTP_PROXY: P, NO_PROXY: 'contoso.com:80' }, false],
    ['https://login.microsoftonline.com/t', { HTTPS_PROXY: P, NO_PROXY: ',, ,' }, true],
    // The lower-case NO_PROXY wins, as curl reads it.
    ['https://sts.contoso.com/t', { HTTPS_PROXY: P, no_proxy: 'contoso.com', NO_PROXY: 'other.org' }, false],
    ['https://sts.contoso.com/t', { HTTPS_PROXY: P, no_proxy: 'other.org', NO_PROXY: 'contoso.com' }, true],
    // IP addresses, IPv6 with or without brackets.
    ['https://10.0.0.1/t', { HTTPS_PROXY: P }, true],
    ['https://10.0.0.1/t', { HTTPS_PROXY: P, NO_PROXY: '10.0.0.1' }, false],
    ['https://10.0.0.12/t', { HTTPS_PROXY: P, NO_PROXY: '10.0.0.1' }, true],
    ['https://[fd00::1]/t', { HTTPS_PROXY: P, NO_PROXY: 'fd00::1' }, false],
    ['https://[fd00::1]/t', { HTTPS_PROXY: P, NO_PROXY: '[fd00::1]' }, false],
    ['https://[fd00::1]:8443/t', { HTTPS_PROXY: P, NO_PROXY: '[fd00::1]:8443' }, false],
    ['https://[fd00::1]/t', { HTTPS_PROXY: P, NO_PROXY: '[fd00::1]:8443' }, true],
    ['https://[fd00::2]/t', { HTTPS_PROXY: P, NO_PROXY: 'fd00::1' }, true],
    // Loopback never goes through a proxy from the environment.
    ['https://127.0.0.1/t', { HTTPS_PROXY: P }, false],
    ['http://127.0.0.1:8080/t', { HTTP_PROXY: P }, false],
    ['https://127.5.6.7:8443/t', { HTTPS_PROXY: P }, false],
    ['https://[::1]:8443/t', { HTTPS_PROXY: P }, false],
    ['https://localhost/t', { HTTPS_PROXY: P }, false],
    ['https://LOCALHOST./t', { HTTPS_PROXY: P }, false],
    ['http://app.localhost:3000/t', { HTTP_PROXY: P }, false],
    ['https://localhost.contoso.com/t', { HTTPS_PROXY: P }, true],
    ['https://128.0.0.1/t', { HTTPS_PROXY: P }, true],
  ])('%s with %j → %s', (url, env, expected) => {
    expect(shouldProxy(url, env)).toBe(expected)
  })
})

describe('proxyFromEnvironment', () => {
  it('names the variable it used (lower case first) and reads a value without a scheme as http://', () => {
    expect(proxyFromEnvironment('https://a.contoso.com/', { https_proxy: 'http://one:1', HTTPS_PROXY: 'http://two:2' })).toEqual({
      _tag: 'Proxy',
      source: 'https_proxy',
      proxy: { origin: 'http://one:1', authorization: undefined, secrets: [] },
    })
    expect(proxyFromEnvironment('http://a.contoso.com/', { HTTP_PROXY: 'proxy.corp:3128' })).toMatchObject({ _tag: 'Proxy', source: 'HTTP_PROXY', proxy: { origin: 'http://proxy.corp:3128' } })
    expect(proxyFromEnvironment('http://a.contoso.com/', { HTTP_PROXY: 'user:pw@proxy.corp:3128' })).toMatchObject({
      proxy: { origin: 'http://proxy.corp:3128', authorization: `Basic ${Buffer.from('user:pw').toString('base64')}` },
    })
  })

  it('reports an unusable value with the variable and the problem, never the value', () => {
    const route = proxyFromEnvironment('https://a.contoso.com/', { HTTPS_PROXY: 'socks5://alice:s3cr3t@gw.corp:1080' })
    expect(route).toEqual({ _tag: 'BadProxy', source: 'HTTPS_PROXY', problem: expect.stringMatching(/^must start with http:\/\/ or https:\/\//) })
    expect(JSON.stringify(route)).not.toMatch(/s3cr3t|gw\.corp|alice/)
  })
})

describe('proxyRoute: the option before the environment', () => {
  const explicit = (parseProxyUrl('http://proxy.corp:3128') as { proxy: ProxyUrl }).proxy
  it.each<[string, ProxyUrl | false | undefined, Record<string, string>, string]>([
    ['http://127.0.0.1:9/t', explicit, {}, 'Proxy'],
    ['https://sts.contoso.com/t', explicit, { NO_PROXY: '*' }, 'Proxy'],
    ['https://sts.contoso.com/t', false, { HTTPS_PROXY: P }, 'Direct'],
    ['https://sts.contoso.com/t', undefined, { HTTPS_PROXY: P }, 'Proxy'],
    ['https://sts.contoso.com/t', undefined, {}, 'Direct'],
  ])('%s with the option %j and %j → %s', (url, setting, env, tag) => {
    expect(proxyRoute(url, setting, env)._tag).toBe(tag)
  })

  it('says the option set it', () => {
    expect(proxyRoute('https://a/', explicit, {})).toMatchObject({ source: 'the proxy option', proxy: { origin: 'http://proxy.corp:3128' } })
  })
})

describe('parseProxyUrl', () => {
  it.each<[string, string, string | undefined]>([
    ['http://proxy.corp:3128', 'http://proxy.corp:3128', undefined],
    ['http://proxy.corp:3128/', 'http://proxy.corp:3128', undefined],
    ['HTTP://Proxy.Corp:80', 'http://proxy.corp', undefined],
    ['https://proxy.corp', 'https://proxy.corp', undefined],
    ['http://[::1]:3128', 'http://[::1]:3128', undefined],
    ['http://user:pw@proxy.corp:3128', 'http://proxy.corp:3128', 'user:pw'],
    ['http://us%40er:p%40ss%3Aw%2Frd@proxy.corp:3128', 'http://proxy.corp:3128', 'us@er:p@ss:w/rd'],
    ['http://user@proxy.corp:3128', 'http://proxy.corp:3128', 'user:'],
  ])('%s → origin %s, Basic credentials %s', (value, origin, credentials) => {
    const parsed = parseProxyUrl(value)
    expect(parsed).toMatchObject({ proxy: { origin } })
    const authorization = 'proxy' in parsed ? parsed.proxy.authorization : 'none'
    expect(authorization).toBe(credentials === undefined ? undefined : `Basic ${Buffer.from(credentials).toString('base64')}`)
  })

  it.each([
    ['proxy.corp:3128', 'must start with http:// or https://'],
    ['socks5://proxy.corp:1080', 'must start with http:// or https://'],
    ['http://proxy.corp:70000', 'is not a valid URL'],
    ['http://proxy.corp:3128/path', 'must not have a path, query or fragment'],
    ['http://proxy.corp:3128?x=1', 'must not have a path, query or fragment'],
    ['http://proxy.corp:3128#frag', 'must not have a path, query or fragment'],
  ])('rejects %s: it %s', (value, problem) => {
    const parsed = parseProxyUrl(value)
    expect('problem' in parsed && parsed.problem.startsWith(problem)).toBe(true)
  })

  it('scrubs the user name and password, as written and decoded, from a message', () => {
    const { proxy } = parseProxyUrl('http://bob:p%40ss@proxy.corp:3128') as { proxy: ProxyUrl }
    expect(scrubSecrets('bob:p@ss and p%40ss at proxy.corp', proxy)).toBe('***:*** and *** at proxy.corp')
  })
})

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['::1', true],
    ['[::1]', true],
    ['localhost', true],
    ['Localhost.', true],
    ['x.localhost', true],
    ['localhost.contoso.com', false],
    ['10.0.0.1', false],
    ['::2', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })
})
