/**
 * ManagedIdentityClient (the core shell) against each emulated source, on virtual time: MSAL
 * Python's happy path per source, retries and throttling, claims challenges, the cache's rules,
 * and Azure Arc's refusals (no file read). Every wait is a Sleep effect that moves the test's
 * clock, so minutes of retries take milliseconds.
 */
import {
  HttpCache,
  ManagedIdentityClient,
  SystemAssignedManagedIdentity,
  TokenCache,
  UserAssignedManagedIdentity,
  type Interpret,
  type ManagedIdentity,
  type MsalError,
  type TokenResult,
} from '@msal-ts/core'
import {
  AppServiceEmulation,
  AzureArcEmulation,
  CloudShellEmulation,
  createTestInterpreter,
  fixedClock,
  ImdsEmulation,
  MachineLearningEmulation,
  managedIdentityFaults,
  ServiceFabricEmulation,
  type FixedClock,
  type ManagedIdentityEmulation,
  type TestInterpreter,
} from '@msal-ts/testing'
import { parseManagedIdentity } from '@msal-ts/core/protocol'
import { createHash } from 'node:crypto'
import { performance } from 'node:perf_hooks'

const RESOURCE = 'https://vault.azure.net'

interface Harness {
  readonly client: ManagedIdentityClient
  readonly test: TestInterpreter
  readonly clock: FixedClock
  readonly cache: TokenCache
}

const harness = (
  emulation: ManagedIdentityEmulation,
  clock: FixedClock,
  options: { identity?: ManagedIdentity; os?: string; retries?: boolean; clientCapabilities?: string[]; cache?: TokenCache; env?: Record<string, string>; files?: Record<string, string>; wrap?: (i: Interpret) => Interpret } = {},
): Harness => {
  const test = createTestInterpreter({ http: emulation.http, clock, env: options.env ?? emulation.env, files: options.files ?? (emulation instanceof AzureArcEmulation ? emulation.keyFiles : {}) })
  const cache = options.cache ?? new TokenCache({ clock: () => Math.floor(clock.now() / 1000) })
  const client = new ManagedIdentityClient(
    { identity: identityOf(options.identity ?? SystemAssignedManagedIdentity()), clientCapabilities: options.clientCapabilities ?? [], retries: options.retries ?? true },
    { interpret: options.wrap?.(test.interpret) ?? test.interpret, platform: { sku: 'msal.ts.node', version: '0.1.0', os: options.os ?? 'linux' }, tokenCache: cache, httpCache: new HttpCache() },
  )
  return { client, test, clock, cache }
}

/** The identity as the runtimes hand it to the shell. */
const identityOf = (identity: ManagedIdentity) => {
  const parsed = parseManagedIdentity(identity)
  if (parsed._tag === 'Left') throw parsed.left
  return parsed.right
}

const rejection = async (promise: Promise<unknown>): Promise<MsalError> => {
  try {
    await promise
  } catch (error) {
    return error as MsalError
  }
  throw new Error('expected a rejection')
}

const nowSec = (clock: FixedClock) => Math.floor(clock.now() / 1000)
const accessTokens = (cache: TokenCache) => cache.find('AccessToken')

const SOURCES: ReadonlyArray<readonly [string, (clock: FixedClock) => ManagedIdentityEmulation]> = [
  ['IMDS (a VM)', (clock) => new ImdsEmulation({ clock: clock.now, tokenLifetimeSeconds: 7890 })],
  ['App Service', (clock) => new AppServiceEmulation({ clock: clock.now })],
  ['Machine Learning', (clock) => new MachineLearningEmulation({ clock: clock.now })],
  ['Service Fabric', (clock) => new ServiceFabricEmulation({ clock: clock.now })],
  ['Azure Arc', (clock) => new AzureArcEmulation({ clock: clock.now })],
  ['Cloud Shell', (clock) => new CloudShellEmulation({ clock: clock.now })],
]

afterAll(async () => {
  // Arc emulations made temporary folders.
  await Promise.all(arcs.map((arc) => arc.close()))
})
const arcs: AzureArcEmulation[] = []
const emulate = (make: (clock: FixedClock) => ManagedIdentityEmulation, clock: FixedClock) => {
  const emulation = make(clock)
  if (emulation instanceof AzureArcEmulation) arcs.push(emulation)
  return emulation
}

describe.each(SOURCES)('%s', (_, make) => {
  it('MSAL Python\'s happy path: the source, then the cache (one token, realm managed_identity, no client id), then a claims challenge goes to the source', async () => {
    const clock = fixedClock()
    const emulation = emulate(make, clock)
    const { client, cache } = harness(emulation, clock)
    const first = await client.acquireTokenForClient({ resource: RESOURCE })
    const issued = emulation.issued[0]!
    expect(first).toMatchObject({ tokenSource: 'identity_provider', accessToken: issued.accessToken, tokenType: 'Bearer', scopes: [RESOURCE] })
    expect(first.expiresIn).toBe(issued.expiresOn - nowSec(clock))
    if (first.expiresIn >= 7200) expect(first.refreshOn).toBe(nowSec(clock) + Math.floor(first.expiresIn / 2))
    else expect(first.refreshOn).toBeUndefined()
    const requests = emulation.requests.length

    clock.advance(3_000)
    const second = await client.acquireTokenForClient({ resource: RESOURCE })
    expect(second).toMatchObject({ tokenSource: 'cache', accessToken: first.accessToken })
    expect(second.refreshOn).toBe(first.refreshOn)
    expect(Math.abs(second.expiresIn - (first.expiresIn - 3))).toBeLessThanOrEqual(5)
    expect(emulation.requests).toHaveLength(requests)
    expect(accessTokens(cache)).toEqual([expect.objectContaining({ client_id: null, realm: 'managed_identity', environment: 'localhost', home_account_id: null, target: RESOURCE, secret: first.accessToken })])
    expect(cache.find('AppMetadata')).toEqual([{ client_id: null, environment: 'localhost' }])

    const third = await client.acquireTokenForClient({ resource: RESOURCE, claimsChallenge: '{"access_token":{"nbf":{"essential":true,"value":"1"}}}' })
    expect(third.tokenSource).toBe('identity_provider')
    expect(third.accessToken).not.toBe(first.accessToken)
    expect(accessTokens(cache)).toHaveLength(1)
    expect(await client.getManagedIdentitySource()).toBe(emulation.source)
  })

  it('shares one request between identical concurrent calls', async () => {
    const clock = fixedClock()
    const emulation = emulate(make, clock)
    const { client } = harness(emulation, clock)
    const results = await Promise.all(Array.from({ length: 20 }, () => client.acquireTokenForClient({ resource: RESOURCE })))
    expect(new Set(results.map((r) => r.accessToken)).size).toBe(1)
    expect(emulation.issued).toHaveLength(1)
  })
})

describe('the cache', () => {
  it('a user-assigned identity\'s tokens are filed under its id; identities sharing a cache never see each other\'s', async () => {
    const clock = fixedClock()
    const imds = new ImdsEmulation({ clock: clock.now })
    const cache = new TokenCache({ clock: () => Math.floor(clock.now() / 1000) })
    const user = imds.userAssigned[0]!
    const system = harness(imds, clock, { cache })
    const byClientId = harness(imds, clock, { cache, identity: UserAssignedManagedIdentity({ clientId: user.clientId }) })
    const byResourceId = harness(imds, clock, { cache, identity: UserAssignedManagedIdentity({ resourceId: user.resourceId }) })
    const a = await system.client.acquireTokenForClient({ resource: RESOURCE })
    const b = await byClientId.client.acquireTokenForClient({ resource: RESOURCE })
    const c = await byResourceId.client.acquireTokenForClient({ resource: RESOURCE })
    expect(new Set([a.accessToken, b.accessToken, c.accessToken]).size).toBe(3)
    expect(imds.issued.map((token) => token.identity)).toEqual([imds.systemAssigned, user, user])
    expect(imds.requests[2]!.query).toMatchObject({ msi_res_id: user.resourceId })
    expect(accessTokens(cache).map((at) => at.client_id).sort()).toEqual([null, user.clientId, user.resourceId].sort())
    expect((await byClientId.client.acquireTokenForClient({ resource: RESOURCE })).accessToken).toBe(b.accessToken)
    expect(imds.requests).toHaveLength(3)
  })

  it('another resource is another token; a token within 300 s of expiry is replaced', async () => {
    const clock = fixedClock()
    const appService = new AppServiceEmulation({ clock: clock.now, tokenLifetimeSeconds: 3600 })
    const { client } = harness(appService, clock)
    const vault = await client.acquireTokenForClient({ resource: RESOURCE })
    const storage = await client.acquireTokenForClient({ resource: 'https://storage.azure.com' })
    expect(storage.accessToken).not.toBe(vault.accessToken)
    clock.advance((3600 - 299) * 1000)
    expect((await client.acquireTokenForClient({ resource: RESOURCE })).tokenSource).toBe('identity_provider')
    expect(appService.issued).toHaveLength(3)
  })

  it('a token past its refresh_on is refreshed; if the source fails, the cached token is returned', async () => {
    const clock = fixedClock()
    const imds = new ImdsEmulation({ clock: clock.now, tokenLifetimeSeconds: 8000 })
    const { client } = harness(imds, clock, { retries: false })
    const first = await client.acquireTokenForClient({ resource: RESOURCE })
    clock.advance(4001 * 1000)
    const refreshed = await client.acquireTokenForClient({ resource: RESOURCE })
    expect(refreshed).toMatchObject({ tokenSource: 'identity_provider' })
    expect(refreshed.accessToken).not.toBe(first.accessToken)
    clock.advance(4001 * 1000)
    imds.injectFault(managedIdentityFaults.serverError(500))
    const fallback = await client.acquireTokenForClient({ resource: RESOURCE })
    expect(fallback).toMatchObject({ tokenSource: 'cache', accessToken: refreshed.accessToken })
  })

  it('a source\'s token already past expiry is not served from the cache (test_past_expires_on_should_not_be_cached_long)', async () => {
    const clock = fixedClock()
    const appService = new AppServiceEmulation({ clock: clock.now, tokenLifetimeSeconds: -60 })
    const { client } = harness(appService, clock)
    expect(await client.acquireTokenForClient({ resource: RESOURCE })).toMatchObject({ expiresIn: 0 })
    expect(await client.acquireTokenForClient({ resource: RESOURCE })).toMatchObject({ tokenSource: 'identity_provider' })
  })

  it('a failed call caches nothing (test_vm_error_should_be_returned_as_is)', async () => {
    const clock = fixedClock()
    const imds = new ImdsEmulation({ clock: clock.now, systemAssigned: null })
    const { client, cache } = harness(imds, clock)
    expect(await rejection(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ServerError', status: 400, error: 'invalid_request', errorDescription: 'Identity not found' })
    expect(accessTokens(cache)).toEqual([])
  })
})

describe('claims challenges and client capabilities', () => {
  it('Service Fabric is told the revoked token\'s SHA-256 and the capabilities (test_happy_path_with_client_capabilities_should_relay_capabilities)', async () => {
    const clock = fixedClock()
    const sf = new ServiceFabricEmulation({ clock: clock.now })
    const { client } = harness(sf, clock, { clientCapabilities: ['foo', 'bar'] })
    const first = await client.acquireTokenForClient({ resource: RESOURCE })
    await client.acquireTokenForClient({ resource: RESOURCE, claimsChallenge: '{"access_token":{}}' })
    const sha256 = createHash('sha256').update(first.accessToken).digest('hex')
    expect(sf.revocations).toEqual([
      { tokenSha256ToRefresh: undefined, clientCapabilities: 'foo,bar' },
      { tokenSha256ToRefresh: sha256, clientCapabilities: 'foo,bar' },
    ])
    expect(sf.requests[1]!.headers).toMatchObject({ secret: sf.identityHeader })
  })

  it('without capabilities no xms_cc; with no cached token no hash (test_happy_path_with_claim_challenge_should_send_sha256_to_provider)', async () => {
    const clock = fixedClock()
    const sf = new ServiceFabricEmulation({ clock: clock.now })
    const { client } = harness(sf, clock)
    await client.acquireTokenForClient({ resource: RESOURCE, claimsChallenge: '{}' })
    expect(sf.requests[0]!.query).toEqual({ 'api-version': '2019-07-01-preview', resource: RESOURCE })
  })

  it('other sources are sent neither (test_happy_path_of_vm: the last call is exactly api-version and resource)', async () => {
    const clock = fixedClock()
    const imds = new ImdsEmulation({ clock: clock.now })
    const { client } = harness(imds, clock, { clientCapabilities: ['CP1'] })
    await client.acquireTokenForClient({ resource: RESOURCE })
    await client.acquireTokenForClient({ resource: RESOURCE, claimsChallenge: '{}' })
    expect(imds.requests.map((request) => request.query)).toEqual([
      { 'api-version': '2018-02-01', resource: RESOURCE },
      { 'api-version': '2018-02-01', resource: RESOURCE },
    ])
  })
})

describe('retries, on virtual time', () => {
  const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
    const start = performance.now()
    const value = await work()
    return { value, ms: performance.now() - start }
  }

  it('IMDS\'s 410 (being updated): up to 7 retries, 10 s apart; 70 virtual seconds take milliseconds', async () => {
    const clock = fixedClock()
    const imds = new ImdsEmulation({ clock: clock.now }).injectFault(managedIdentityFaults.gone(), { times: 7 })
    const { client } = harness(imds, clock)
    const { value, ms } = await timed(() => client.acquireTokenForClient({ resource: RESOURCE }))
    expect(value.tokenSource).toBe('identity_provider')
    expect(imds.requests.map((request) => request.at - imds.requests[0]!.at)).toEqual([0, 10, 20, 30, 40, 50, 60, 70].map((s) => s * 1000))
    // 70 s of real waiting would fail this by far; the bound leaves room for a loaded machine.
    expect(ms).toBeLessThan(5000)
  })

  it('IMDS\'s 410 for longer: 8 requests, then its error', async () => {
    const clock = fixedClock()
    const imds = new ImdsEmulation({ clock: clock.now }).injectFault(managedIdentityFaults.gone(), { times: 8 })
    const { client } = harness(imds, clock)
    expect(await rejection(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ServerError', status: 410 })
    expect(imds.requests).toHaveLength(8)
  })

  it('IMDS\'s 500: retried after 1, 2 and 4 s, then its error; the policy is per call (MSAL for Node\'s Imds.spec)', async () => {
    const clock = fixedClock()
    const imds = new ImdsEmulation({ clock: clock.now }).injectFault(managedIdentityFaults.serverError(500), { times: 100 })
    const { client } = harness(imds, clock)
    for (const expected of [4, 8, 12]) {
      await rejection(client.acquireTokenForClient({ resource: `${RESOURCE}/${expected}` }))
      expect(imds.requests).toHaveLength(expected)
    }
    expect(imds.requests.slice(0, 4).map((request) => request.at - imds.requests[0]!.at)).toEqual([0, 1000, 3000, 7000])
  })

  it('IMDS\'s 429 ignores Retry-After (exponential back-off); a 400 is not retried', async () => {
    const clock = fixedClock()
    const imds = new ImdsEmulation({ clock: clock.now }).injectFault(managedIdentityFaults.throttled(30), { times: 2 })
    const { client } = harness(imds, clock)
    await client.acquireTokenForClient({ resource: RESOURCE })
    expect(imds.requests.map((request) => request.at - imds.requests[0]!.at)).toEqual([0, 1000, 3000])
    const noIdentity = new ImdsEmulation({ clock: clock.now, systemAssigned: null })
    await rejection(harness(noIdentity, clock).client.acquireTokenForClient({ resource: RESOURCE }))
    expect(noIdentity.requests).toHaveLength(1)
  })

  it('other sources: 429, 500, 503, 504, 404, 408 up to 3 times, honouring a longer Retry-After', async () => {
    const clock = fixedClock()
    const appService = new AppServiceEmulation({ clock: clock.now })
      .injectFault(managedIdentityFaults.throttled(3))
      .injectFault(managedIdentityFaults.serverError(503))
      .injectFault(managedIdentityFaults.notFound())
    const { client } = harness(appService, clock)
    expect((await client.acquireTokenForClient({ resource: RESOURCE })).tokenSource).toBe('identity_provider')
    expect(appService.requests.map((request) => request.at - appService.requests[0]!.at)).toEqual([0, 3000, 4000, 5000])
  })

  it('other sources: a 502 is not retried; a 500 four times is the source\'s error after 3 retries', async () => {
    const clock = fixedClock()
    const sf = new ServiceFabricEmulation({ clock: clock.now }).injectFault(managedIdentityFaults.serverError(502))
    const { client } = harness(sf, clock)
    expect(await rejection(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ServerError', status: 502 })
    expect(sf.requests).toHaveLength(1)
    const arcClock = fixedClock()
    const arc = new AzureArcEmulation({ clock: arcClock.now }).injectFault(managedIdentityFaults.serverError(500), { times: 4 })
    arcs.push(arc)
    expect(await rejection(harness(arc, arcClock).client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ServerError', status: 500, error: 'invalid_request' })
    expect(arc.requests).toHaveLength(4)
  })

  it('retries: false sends one request per call, as MSAL Python (MSAL for Node\'s disableInternalRetries)', async () => {
    const clock = fixedClock()
    const imds = new ImdsEmulation({ clock: clock.now }).injectFault(managedIdentityFaults.gone(), { times: 3 })
    const { client } = harness(imds, clock, { retries: false })
    expect(await rejection(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ServerError', status: 410 })
    expect(imds.requests).toHaveLength(1)
  })

  it('a Retry-After longer than a minute is not waited out: the caller gets the ThrottledError', async () => {
    const clock = fixedClock()
    const ml = new MachineLearningEmulation({ clock: clock.now }).injectFault(managedIdentityFaults.throttled(120))
    const { client } = harness(ml, clock)
    expect(await rejection(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ThrottledError', status: 429, retryAfterMs: 120_000 })
    expect(ml.requests).toHaveLength(1)
  })
})

describe('throttling (MSAL Python\'s http cache)', () => {
  it('after a 429 the identical request is answered from the http cache for Retry-After, then sent again', async () => {
    const clock = fixedClock()
    const appService = new AppServiceEmulation({ clock: clock.now }).injectFault(managedIdentityFaults.throttled(30))
    const { client } = harness(appService, clock, { retries: false })
    expect(await rejection(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ThrottledError', retryAfterMs: 30_000 })
    clock.advance(10_000)
    expect(await rejection(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ThrottledError', retryAfterMs: 20_000 })
    expect(appService.requests).toHaveLength(1)
    // Another resource is another request.
    expect((await client.acquireTokenForClient({ resource: 'https://storage.azure.com' })).tokenSource).toBe('identity_provider')
    clock.advance(20_000)
    expect((await client.acquireTokenForClient({ resource: RESOURCE })).tokenSource).toBe('identity_provider')
    expect(appService.requests).toHaveLength(3)
  })

  it('a success is never held, even with Retry-After', async () => {
    const clock = fixedClock()
    const imds = new ImdsEmulation({ clock: clock.now })
    const body = JSON.stringify({ access_token: 'AT', expires_in: '3600', token_type: 'Bearer' })
    imds.injectFault({ kind: 'answer', status: 200, headers: { 'retry-after': '60' }, body })
    const { client } = harness(imds, clock)
    await client.acquireTokenForClient({ resource: RESOURCE, claimsChallenge: '{}' })
    expect((await client.acquireTokenForClient({ resource: RESOURCE, claimsChallenge: '{}' })).accessToken).not.toBe('AT')
    expect(imds.requests).toHaveLength(2)
  })

  it('a 5xx without Retry-After holds the request back 5 s; a success is never held', async () => {
    const clock = fixedClock()
    const imds = new ImdsEmulation({ clock: clock.now }).injectFault(managedIdentityFaults.serverError(500))
    const { client } = harness(imds, clock, { retries: false })
    await rejection(client.acquireTokenForClient({ resource: RESOURCE }))
    expect(await rejection(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ThrottledError', status: 500, retryAfterMs: 5000 })
    clock.advance(5_000)
    await client.acquireTokenForClient({ resource: RESOURCE })
    await client.acquireTokenForClient({ resource: RESOURCE, claimsChallenge: '{}' })
    expect(imds.requests).toHaveLength(3)
  })
})

describe('each source\'s own errors, as MsalErrors', () => {
  it.each<[string, (clock: FixedClock) => ManagedIdentityEmulation, (e: ManagedIdentityEmulation) => Record<string, string>, Record<string, unknown>]>([
    ['App Service, a wrong secret', (clock) => new AppServiceEmulation({ clock: clock.now }), (e) => ({ ...e.env, IDENTITY_HEADER: 'wrong' }), { kind: 'ServerError', status: 401, error: 'invalid_scope', errorDescription: '401, The X-IDENTITY-HEADER header is missing or wrong.' }],
    ['Machine Learning, a wrong secret', (clock) => new MachineLearningEmulation({ clock: clock.now }), (e) => ({ ...e.env, MSI_SECRET: 'wrong' }), { kind: 'ServerError', status: 401, error: 'invalid_scope', errorDescription: '{"error":"invalid_request","message":"The secret header is missing or wrong."}' }],
    ['Service Fabric, a wrong secret', (clock) => new ServiceFabricEmulation({ clock: clock.now }), (e) => ({ ...e.env, IDENTITY_HEADER: 'wrong' }), { kind: 'ServerError', status: 401, error: 'unauthorized_client', errorDescription: 'SecretHeaderNotFound: The secret in the request headers is wrong.' }],
    ['IMDS, no identity assigned', (clock) => new ImdsEmulation({ clock: clock.now, systemAssigned: null }), (e) => e.env, { kind: 'ServerError', status: 400, error: 'invalid_request', errorDescription: 'Identity not found' }],
    ['Cloud Shell, an audience it does not serve', (clock) => new CloudShellEmulation({ clock: clock.now, supportedResources: ['https://management.azure.com'] }), (e) => e.env, { kind: 'ServerError', status: 400, error: 'AudienceNotSupported' }],
    ['App Service, an endpoint that is not a URL', (clock) => new AppServiceEmulation({ clock: clock.now }), (e) => ({ ...e.env, IDENTITY_ENDPOINT: 'localhost:41741/msi/token' }), { kind: 'ManagedIdentityError', source: 'APP_SERVICE', message: expect.stringMatching(/IDENTITY_ENDPOINT must be an http or https URL/) }],
  ])('%s', async (_, make, env, expected) => {
    const clock = fixedClock()
    const emulation = make(clock)
    const { client, cache } = harness(emulation, clock, { env: env(emulation) })
    expect(await rejection(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ ...expected, correlationId: expect.any(String) })
    expect(accessTokens(cache)).toEqual([])
  })

  it('Cloud Shell has no user-assigned identities', async () => {
    const clock = fixedClock()
    const cloudShell = new CloudShellEmulation({ clock: clock.now })
    const { client } = harness(cloudShell, clock, { identity: UserAssignedManagedIdentity({ clientId: 'x' }) })
    expect(await rejection(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ManagedIdentityError', source: 'CLOUD_SHELL' })
    expect(cloudShell.requests).toHaveLength(0)
  })

  it('Service Fabric ignores a user-assigned id (and says so in the log)', async () => {
    const clock = fixedClock()
    const sf = new ServiceFabricEmulation({ clock: clock.now })
    const { client, test } = harness(sf, clock, { identity: UserAssignedManagedIdentity({ clientId: 'c-1' }) })
    await client.acquireTokenForClient({ resource: RESOURCE })
    expect(sf.requests[0]!.query).toEqual({ 'api-version': '2019-07-01-preview', resource: RESOURCE })
    expect(test.logs).toContainEqual(expect.objectContaining({ level: 'warning', message: expect.stringMatching(/SERVICE_FABRIC serves the identity its host assigned; the ClientId given is not sent/) }))
  })
})

describe('Azure Arc', () => {
  const arcHarness = (options: ConstructorParameters<typeof AzureArcEmulation>[0] = {}, os = 'linux', identity?: ManagedIdentity) => {
    const clock = fixedClock()
    const arc = new AzureArcEmulation({ clock: clock.now, ...options })
    arcs.push(arc)
    return { arc, ...harness(arc, clock, { os, ...(identity !== undefined ? { identity } : {}) }) }
  }

  it('answers the challenge with the key file the agent named, from the token folder', async () => {
    const { arc, client, test } = arcHarness()
    await client.acquireTokenForClient({ resource: RESOURCE })
    const [challenged, answered] = arc.requests
    expect(challenged!.headers['authorization']).toBeUndefined()
    expect(test.fileReads).toEqual([expect.stringMatching(/^\/var\/opt\/azcmagent\/tokens\/[0-9a-f]{32}\.key$/)])
    expect(answered!.headers['authorization']).toBe(`Basic ${arc.keyFiles[test.fileReads[0]!]}`)
    expect(answered!.headers['metadata']).toBe('true')
  })

  it('on Windows, from %ProgramData%\\AzureConnectedMachineAgent\\Tokens', async () => {
    const { client, test } = arcHarness({ platform: 'win32', programData: 'C:\\ProgramData' }, 'win32')
    await client.acquireTokenForClient({ resource: RESOURCE })
    expect(test.fileReads).toEqual([expect.stringMatching(/^C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\[0-9a-f]{32}\.key$/)])
  })

  it('found by its agent\'s executable, at the agent\'s endpoint', async () => {
    const { arc, client } = arcHarness()
    arc.installAgent()
    expect(await client.getManagedIdentitySource()).toBe('AZURE_ARC')
    await client.acquireTokenForClient({ resource: RESOURCE })
    expect(arc.requests[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:40342\/metadata\/identity\/oauth2\/token\?/)
  })

  it.each<[string, (arc: AzureArcEmulation) => string, Record<string, unknown>]>([
    ['a key file outside the token folder', () => '/etc/passwd.key', { message: expect.stringMatching(/outside the agent's token folder/) }],
    ['a path climbing out of it', () => '/var/opt/azcmagent/tokens/../../../../etc/shadow.key', { message: expect.stringMatching(/outside/) }],
    ['a file that is not .key', (arc) => arc.writeKeyFile('secret.txt', 'not a key'), { message: expect.stringMatching(/not a \.key file/) }],
  ])('refuses %s without reading it', async (_, realm, expected) => {
    const { arc, client, test, cache } = arcHarness()
    arc.challengeWith(realm(arc))
    expect(await rejection(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ManagedIdentityError', source: 'AZURE_ARC', ...expected })
    expect(test.fileReads).toEqual([])
    expect(arc.requests).toHaveLength(1)
    expect(accessTokens(cache)).toEqual([])
  })

  it('refuses a key file over 4096 bytes (the interpreter checks the size first); exactly 4096 is read', async () => {
    const { arc, client } = arcHarness()
    arc.challengeWith(arc.writeKeyFile('large.key', 'k'.repeat(4097)))
    expect(await rejection(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ManagedIdentityError', message: expect.stringMatching(/shall not be larger than 4KB.*4097 bytes/) })
    expect(arc.requests).toHaveLength(1)
    arc.challengeWith(arc.writeKeyFile('exact.key', 'k'.repeat(4096)))
    await rejection(client.acquireTokenForClient({ resource: RESOURCE }))
    expect(arc.requests.at(-1)!.headers['authorization']).toBe(`Basic ${'k'.repeat(4096)}`)
  })

  it('on another platform: ArcPlatformNotSupportedError (also a ManagedIdentityError), nothing read', async () => {
    const { client, test } = arcHarness({}, 'darwin')
    const error = await rejection(client.acquireTokenForClient({ resource: RESOURCE }))
    expect(error).toMatchObject({ kind: 'ArcPlatformNotSupportedError', platform: 'darwin', error: 'arc_platform_not_supported' })
    const { ManagedIdentityError, ArcPlatformNotSupportedError } = await import('@msal-ts/core')
    expect(error).toBeInstanceOf(ArcPlatformNotSupportedError)
    expect(error).toBeInstanceOf(ManagedIdentityError)
    expect(test.fileReads).toEqual([])
  })

  it('only a 401 challenges: another status naming a key file is the agent\'s error, and nothing is read', async () => {
    const { arc, client, test } = arcHarness()
    arc.injectFault({ kind: 'answer', status: 400, headers: { 'www-authenticate': 'Basic realm=/var/opt/azcmagent/tokens/x.key' }, body: 'bad request' })
    expect(await rejection(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ServerError', status: 400, error: 'invalid_request', errorDescription: 'bad request' })
    expect(test.fileReads).toEqual([])
  })

  it('a 401 without a challenge is a ManagedIdentityError', async () => {
    const { arc, client } = arcHarness()
    arc.injectFault({ kind: 'answer', status: 401, headers: {}, body: '{}' })
    expect(await rejection(client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ManagedIdentityError', message: expect.stringMatching(/401 without a WWW-Authenticate/) })
  })

  it('a user-assigned identity is forwarded, and the answer must confirm it', async () => {
    const confirmed = arcHarness({}, 'linux', UserAssignedManagedIdentity({ objectId: 'placeholder' }))
    const user = confirmed.arc.userAssigned[0]!
    const byObjectId = harness(confirmed.arc, confirmed.clock, { identity: UserAssignedManagedIdentity({ objectId: user.objectId }) })
    await byObjectId.client.acquireTokenForClient({ resource: RESOURCE })
    expect(confirmed.arc.issued[0]!.identity).toBe(user)
    expect(confirmed.arc.requests.at(-1)!.query).toMatchObject({ object_id: user.objectId })

    // An agent that ignores the id answers with the system-assigned identity: refused, nothing cached.
    const ignoring = arcHarness({ honoursUserAssigned: false })
    const client = harness(ignoring.arc, ignoring.clock, { identity: UserAssignedManagedIdentity({ clientId: ignoring.arc.userAssigned[0]!.clientId }) })
    expect(await rejection(client.client.acquireTokenForClient({ resource: RESOURCE }))).toMatchObject({ kind: 'ManagedIdentityError', message: expect.stringMatching(/did not confirm the user-assigned identity/) })
    expect(accessTokens(client.cache)).toEqual([])
  })
})

describe('the cache hit', () => {
  it('performs no effect but the clock and the correlation id: no log line, no environment read', async () => {
    const clock = fixedClock()
    const imds = new ImdsEmulation({ clock: clock.now })
    const seen: string[] = []
    const { client } = harness(imds, clock, { wrap: (inner) => (effect) => (seen.push(effect._tag), inner(effect)) })
    await client.acquireTokenForClient({ resource: RESOURCE })
    seen.length = 0
    const hit: TokenResult = await client.acquireTokenForClient({ resource: RESOURCE })
    expect(hit.tokenSource).toBe('cache')
    expect(seen).toEqual(['Now', 'RandomBytes'])
  })
})
