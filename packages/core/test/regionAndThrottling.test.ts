import { acquireTokenForClient, createClientContext, decodeConfidentialClientConfig, HttpCache, MsalError, parseAuthority, run, runFlow, TokenCache, type Effect, type HttpOutcome, type HttpRequest, type HttpResponse } from '@msal-ts/core'
import { discoverInstance, IMDS_LOCATION_URL, regionalEndpoints, regionalHost, resolveRegion, sendThrottled, throttleDecision } from '@msal-ts/core/protocol'
import { createHash } from 'node:crypto'

/** Answers effects from a small script and records what was asked. */
const scripted = (env: Record<string, string>, http: (request: HttpRequest) => HttpOutcome) => {
  const asked: string[] = []
  const interpret = (effect: Effect): unknown => {
    asked.push(effect._tag === 'ReadEnv' ? `env ${effect.name}` : effect._tag === 'Http' ? `${effect.request.method} ${effect.request.url}` : effect._tag)
    switch (effect._tag) {
      case 'ReadEnv':
        return env[effect.name]
      case 'Http':
        return http(effect.request)
      case 'Sha256':
        return new Uint8Array(createHash('sha256').update(effect.data).digest())
      default:
        return undefined
    }
  }
  return { interpret, asked }
}
/** An application's view of region detection: what it learned is kept between calls, as the shell keeps it. */
const detection = (interpret: (effect: Effect) => unknown) => {
  let detected: string | null | undefined
  const app = (effect: Effect): unknown => {
    if (effect._tag !== 'Commit') return interpret(effect)
    if (effect.change._tag === 'RegionDetected') detected = effect.change.region
    return undefined
  }
  return { resolve: () => run(resolveRegion(true, detected), app), detected: () => detected }
}
const ok = (body: string, status = 200, headers: Record<string, string> = {}): HttpResponse => ({ _tag: 'HttpResponse', status, headers, body })
const noImds = (): HttpOutcome => ({ _tag: 'HttpFailure', kind: 'timeout', message: 'no answer' })

describe('resolveRegion', () => {
  it.each([
    ['false (opted out, even with MSAL_FORCE_REGION)', false, { MSAL_FORCE_REGION: 'eastus' }, undefined, []],
    ['a name, as given (lower-cased)', 'WestUS2', {}, 'westus2', []],
    ['a name that is not a DNS label', 'evil.example', {}, undefined, []],
    ['unset: MSAL_FORCE_REGION', undefined, { MSAL_FORCE_REGION: 'eastus' }, 'eastus', ['env MSAL_FORCE_REGION']],
    ['unset and no MSAL_FORCE_REGION: global', undefined, {}, undefined, ['env MSAL_FORCE_REGION']],
    // Detection commits what it found, for the application to keep.
    ['true: REGION_NAME first', true, { REGION_NAME: 'centralus' }, 'centralus', ['env REGION_NAME', 'Commit']],
    ['MSAL_FORCE_REGION=TryAutoDetect: detect', undefined, { MSAL_FORCE_REGION: 'TryAutoDetect', REGION_NAME: 'uksouth' }, 'uksouth', ['env MSAL_FORCE_REGION', 'env REGION_NAME', 'Commit']],
    ['true: a bad REGION_NAME, then IMDS', true, { REGION_NAME: 'a b' }, undefined, ['env REGION_NAME', 'Log', `GET ${IMDS_LOCATION_URL}`, 'Log', 'Commit']],
  ])('%s', (_, setting, env, expected, asked) => {
    const script = scripted(env, noImds)
    expect(run(resolveRegion(setting, undefined), script.interpret)).toBe(expected)
    expect(script.asked.filter((a) => a !== 'Log' || (asked as readonly string[]).includes('Log'))).toEqual(asked)
  })

  it('asks IMDS (briefly) when REGION_NAME says nothing, once per application', () => {
    const requests: HttpRequest[] = []
    const script = scripted({}, (request) => {
      requests.push(request)
      return ok('westeurope\n')
    })
    const app = detection(script.interpret)
    expect(app.resolve()).toBe('westeurope')
    expect(app.resolve()).toBe('westeurope')
    expect(requests).toEqual([{ method: 'GET', url: IMDS_LOCATION_URL, headers: { Metadata: 'true' }, timeoutMs: 2000 }])
  })

  it('falls back to the global endpoint when detection finds nothing, and does not ask again', () => {
    const script = scripted({}, noImds)
    const app = detection(script.interpret)
    expect(app.resolve()).toBeUndefined()
    expect(app.detected()).toBeNull()
    expect(app.resolve()).toBeUndefined()
    // One probe: a timeout is not retried (only refused connections are), and detection is not repeated.
    expect(script.asked.filter((a) => a.startsWith('GET'))).toHaveLength(1)
  })
})

describe('regional endpoints', () => {
  it.each([
    ['login.microsoftonline.com', 'westus2.login.microsoft.com'],
    ['login.windows.net', 'westus2.login.microsoft.com'],
    ['login.microsoftonline.us', 'westus2.login.microsoftonline.us'],
    ['login.chinacloudapi.cn', 'westus2.login.chinacloudapi.cn'],
  ])('%s → %s', (host, regional) => {
    expect(regionalHost(host, 'westus2')).toBe(regional)
  })

  it('only Entra authorities go regional', () => {
    const entra = parseAuthority('https://login.microsoftonline.com/contoso.onmicrosoft.com')
    expect(entra._tag === 'Right' && regionalEndpoints(entra.right, 'westus2')?.tokenEndpoint).toBe('https://westus2.login.microsoft.com/contoso.onmicrosoft.com/oauth2/v2.0/token')
    for (const url of ['https://contoso.b2clogin.com/c.onmicrosoft.com/b2c_1_x', 'https://adfs.contoso.com/adfs', 'https://contoso.ciamlogin.com']) {
      const other = parseAuthority(url)
      expect(other._tag === 'Right' && regionalEndpoints(other.right, 'westus2')).toBeUndefined()
    }
  })
})

describe('a region and authority validation', () => {
  /** A client-credentials call with a region, against a script answering each request by URL. */
  const callWithRegion = (authority: string, answer: (request: HttpRequest) => HttpOutcome): string[] => {
    const config = decodeConfidentialClientConfig({ clientId: 'c', clientCredential: 's', authority, azureRegion: 'westus2' })
    if (config._tag !== 'Right') throw new Error(config.left.message)
    const ctx = createClientContext({ config: config.right, platform: { sku: 'test', version: '0', os: 'none' }, tokenCache: new TokenCache(), httpCache: new HttpCache(), instanceDiscovery: discoverInstance })
    const sent: string[] = []
    const interpret = (effect: Effect): unknown => {
      switch (effect._tag) {
        case 'Http':
          sent.push(`${effect.request.method} ${effect.request.url.split('?')[0]}`)
          return answer(effect.request)
        case 'Now':
          return 1_767_225_600_000
        case 'RandomBytes':
          return new Uint8Array(effect.length)
        case 'Sha256':
          return new Uint8Array(createHash('sha256').update(effect.data).digest())
        default:
          return undefined
      }
    }
    runFlow(ctx, acquireTokenForClient(ctx, ['api://x/.default']), interpret)
    return sent
  }
  const token = ok(JSON.stringify({ access_token: 'at', expires_in: 3599 }))

  it('still asks instance discovery for an Entra host Microsoft must vouch for, and sends no secret when it does not', () => {
    const sent = callWithRegion('https://login.unknown.example/t', () => ok(JSON.stringify({ error: 'invalid_instance' }), 400))
    expect(sent).toEqual(['GET https://login.microsoftonline.com/common/discovery/instance'])
  })

  it('goes to {region}.{host} once the host is vouched for', () => {
    const sent = callWithRegion('https://login.private.example/t', (request) =>
      request.url.includes('/discovery/instance')
        ? ok(JSON.stringify({ tenant_discovery_endpoint: 'https://login.private.example/t/v2.0/.well-known/openid-configuration' }))
        : request.method === 'GET'
          ? ok(JSON.stringify({ token_endpoint: 'https://login.private.example/t/oauth2/v2.0/token', authorization_endpoint: 'https://login.private.example/t/oauth2/v2.0/authorize' }))
          : token,
    )
    expect(sent).toEqual([
      'GET https://login.microsoftonline.com/common/discovery/instance',
      'GET https://login.private.example/t/v2.0/.well-known/openid-configuration',
      'POST https://westus2.login.private.example/t/oauth2/v2.0/token',
    ])
  })

  it('costs nothing more on a known Microsoft host (endpoints built in)', () => {
    expect(callWithRegion('https://login.microsoftonline.com/t', () => token)).toEqual(['POST https://westus2.login.microsoft.com/t/oauth2/v2.0/token'])
  })
})

describe('throttling decisions (MSAL Python\'s throttled http client)', () => {
  it.each([
    ['429 without Retry-After: the default', 429, {}, { key: 'retry', ms: 5000 }],
    ['503 with Retry-After: 3', 503, { 'retry-after': '3' }, { key: 'retry', ms: 3000 }],
    ['500 without Retry-After: the default', 500, {}, { key: 'retry', ms: 5000 }],
    ['200 with Retry-After: held back too', 200, { 'retry-after': '2' }, { key: 'retry', ms: 2000 }],
    ['Retry-After beyond an hour: an hour', 429, { 'retry-after': '999999' }, { key: 'retry', ms: 3_600_000 }],
    ['a plain 400: 60 s for the identical request', 400, {}, { key: 'badRequest', ms: 60_000 }],
    ['400 with Retry-After: by Retry-After', 400, { 'retry-after': '4' }, { key: 'retry', ms: 4000 }],
    ['401: not throttled', 401, {}, undefined],
    ['200: not throttled', 200, {}, undefined],
  ])('%s', (_, status, headers, decision) => {
    expect(throttleDecision(ok('{}', status, headers as Record<string, string>), 0, 5000)).toEqual(decision)
  })
})

describe('sendThrottled', () => {
  const request = (form: Record<string, string>): HttpRequest => ({ method: 'POST', url: 'https://login.microsoftonline.com/t/oauth2/v2.0/token', headers: {}, form: { client_id: 'c', scope: 'a', grant_type: 'client_credentials', client_secret: 's', ...form } })
  const sending = (answers: HttpResponse[]) => {
    let sent = 0
    const script = scripted({}, () => {
      sent++
      return answers.shift() ?? ok('{"access_token":"x"}')
    })
    return { ...script, get sent() { return sent } }
  }

  it('answers an identical request from the cache while Retry-After lasts, with the time left; other scopes go through', () => {
    const cache = new HttpCache()
    const net = sending([ok('{"error":"too_many_requests"}', 429, { 'retry-after': '10' })])
    expect(run(sendThrottled(cache, request({}), 0, 5000), net.interpret)).toMatchObject({ status: 429 })
    expect(run(sendThrottled(cache, request({}), 4000, 5000), net.interpret)).toMatchObject({ status: 429, headers: { 'retry-after': '6' } })
    expect(net.sent).toBe(1)
    expect(run(sendThrottled(cache, request({ scope: 'b' }), 4000, 5000), net.interpret)).toMatchObject({ status: 200 })
    expect(run(sendThrottled(cache, request({}), 10_000, 5000), net.interpret)).toMatchObject({ status: 200 })
    expect(net.sent).toBe(3)
  })

  it('holds back a repeated identical 400 for 60 s, but not one with any parameter changed', () => {
    const cache = new HttpCache()
    const net = sending([ok('{"error":"invalid_grant"}', 400), ok('{"error":"invalid_grant"}', 400)])
    run(sendThrottled(cache, request({ refresh_token: 'rt1' }), 0, 5000), net.interpret)
    expect(run(sendThrottled(cache, request({ refresh_token: 'rt1' }), 59_000, 5000), net.interpret)).toMatchObject({ status: 400 })
    expect(net.sent).toBe(1)
    run(sendThrottled(cache, request({ refresh_token: 'rt2' }), 59_000, 5000), net.interpret)
    expect(net.sent).toBe(2)
    run(sendThrottled(cache, request({ refresh_token: 'rt1' }), 60_000, 5000), net.interpret)
    expect(net.sent).toBe(3)
  })

  it('never throttles device-code polling (authorization_pending is its normal answer)', () => {
    const cache = new HttpCache()
    const pending = () => ok('{"error":"authorization_pending"}', 400)
    const net = sending([pending(), pending(), ok('{"error":"slow_down"}', 429, { 'retry-after': '5' }), pending()])
    const poll = request({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'dc' })
    for (let i = 0; i < 4; i++) run(sendThrottled(cache, poll, i * 1000, 60_000), net.interpret)
    expect(net.sent).toBe(4)
    expect(cache.size).toBe(0)
  })

  it('keeps no secret in the http cache: keys hash the account part, values keep status, body and Retry-After only', () => {
    const cache = new HttpCache()
    const net = sending([ok('{"error":"too_many_requests"}', 429, { 'retry-after': '10', 'set-cookie': 'x=1' })])
    run(sendThrottled(cache, request({ refresh_token: 'secret-refresh-token' }), 0, 5000), net.interpret)
    const text = cache.serialize()
    expect(text).not.toContain('secret-refresh-token')
    expect(text).not.toContain('client_secret')
    expect(text).not.toContain('set-cookie')
  })
})

describe('HttpCache persistence', () => {
  it('round-trips, keeping expiries', () => {
    const cache = new HttpCache()
    cache.set('GET a', ok('1'), 5000)
    const copy = new HttpCache()
    copy.deserialize(cache.serialize())
    expect(copy.get('GET a', 4999)?.body).toBe('1')
    expect(copy.get('GET a', 5000)).toBeUndefined()
  })

  it.each(['{', '[]', '{"format":"other","entries":[]}', '{"format":"msal-ts/http-cache@1","entries":[["k",{"response":{"status":"x"}}]]}'])(
    'refuses %s with an MsalError and keeps its entries',
    (text) => {
      const cache = new HttpCache()
      cache.set('GET a', ok('1'), 5000)
      expect(() => cache.deserialize(text)).toThrow(MsalError)
      expect(cache.get('GET a', 0)?.body).toBe('1')
    },
  )
})
