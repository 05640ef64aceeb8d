import type { HttpRequest } from '@msal-ts/core'
import { PublicClientApplication, SerializableTokenCache, TokenCache, type CachePersistence, type DeviceFlow } from '@msal-ts/node'
import { createTestInterpreter, FakeIdentityProvider, fixedClock } from '@msal-ts/testing'
import { rejectionOf } from './support/rejection.js'

// The device code flow end to end against the fake identity provider, on virtual time: a wait
// of the poll interval costs nothing.
const CLIENT = '2b1a0f9e-8d7c-4b6a-a594-83726150f4e3'
const ALICE = 'alice@contoso.onmicrosoft.com'
const AUTHORITY = 'https://login.microsoftonline.com/organizations'
const GRAPH = ['https://graph.microsoft.com/User.Read']
const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code'

/**
 * A provider, an app on a shared cache, and the user's side: `onPoll(n)` runs before the
 * provider sees the device's nth poll (the user approving after a while, say).
 */
const world = (idpOptions: ConstructorParameters<typeof FakeIdentityProvider>[0] = {}, tokenCache: TokenCache = new TokenCache()) => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now, ...idpOptions }).registerApp({ clientId: CLIENT }).registerUser({ username: ALICE, password: 'pw' })
  /** The provider's answer to each poll: its OAuth2 error, or "tokens". */
  const answers: string[] = []
  let onPoll: (poll: number) => void = () => {}
  const http = async (request: HttpRequest) => {
    if (request.form?.['grant_type'] !== GRANT_TYPE) return idp.http(request)
    onPoll(answers.length + 1)
    const outcome = await idp.http(request)
    answers.push(outcome._tag === 'HttpResponse' ? ((JSON.parse(outcome.body) as { error?: string }).error ?? 'tokens') : outcome.kind)
    return outcome
  }
  const app = new PublicClientApplication({ clientId: CLIENT, authority: AUTHORITY, tokenCache, interpreter: createTestInterpreter({ http, clock }).interpret })
  return {
    idp,
    clock,
    app,
    tokenCache,
    startMs: clock.now(),
    userActs: (act: (poll: number) => void) => (onPoll = act),
    answers,
  }
}

const entries = (cache: TokenCache): number =>
  (['AccessToken', 'RefreshToken', 'IdToken', 'Account'] as const).reduce((sum, type) => sum + cache.find(type).length, 0)

describe('the device code flow against the fake identity provider', () => {
  it('signs Alice in once she approves the code after a few polls; silent calls then hit the cache', async () => {
    const w = world()
    const flow: DeviceFlow = await w.app.initiateDeviceFlow(GRAPH)
    expect(flow).toMatchObject({ verificationUri: 'https://microsoft.com/devicelogin', interval: 5, expiresIn: 900 })
    expect(flow.message).toContain(flow.userCode)
    expect(w.idp.pendingDeviceCodes.map((code) => code.userCode)).toEqual([flow.userCode])
    w.userActs((poll) => {
      if (poll === 4) w.idp.approveDeviceCode(flow.userCode, ALICE)
    })

    const result = await w.app.acquireTokenByDeviceFlow(flow)
    expect(result).toMatchObject({ tokenSource: 'identity_provider', scopes: ['User.Read'], account: { username: ALICE, accountSource: GRANT_TYPE } })
    // Three answers of authorization_pending, 5 s apart, then the tokens.
    expect(w.answers).toEqual(['authorization_pending', 'authorization_pending', 'authorization_pending', 'tokens'])
    expect(w.clock.now() - w.startMs).toBe(15_000)
    expect(w.idp.tokenRequests.at(-1)!.headers['x-client-current-telemetry']).toBe('4|622,0|')
    expect(w.idp.pendingDeviceCodes).toEqual([])

    expect(await w.app.getAccounts()).toEqual([result.account])
    const requests = w.idp.requests.length
    const silent = await w.app.acquireTokenSilent(GRAPH, result.account)
    expect(silent).toMatchObject({ tokenSource: 'cache', accessToken: result.accessToken, account: result.account })
    expect(w.idp.requests).toHaveLength(requests)
  })

  it('keeps pace when the provider answers slow_down', async () => {
    // The provider asks for 5 s; a device that believes 3 s polls too early and is told to slow down.
    const w = world({ autoApproveDeviceCodes: { user: ALICE, afterPolls: 2 } })
    const flow = await w.app.initiateDeviceFlow(GRAPH)
    const result = await w.app.acquireTokenByDeviceFlow({ ...flow, interval: 3 })
    expect(result.account).toMatchObject({ username: ALICE })
    expect(w.answers).toEqual(['authorization_pending', 'slow_down', 'authorization_pending', 'tokens'])
    expect(w.clock.now() - w.startMs).toBe((3 + 8 + 8) * 1000)
  })

  it('rejects with authorization_declined when Alice declines, and caches nothing', async () => {
    const w = world()
    const flow = await w.app.initiateDeviceFlow(GRAPH)
    w.userActs((poll) => {
      if (poll === 2) w.idp.declineDeviceCode(flow.userCode)
    })
    expect(await rejectionOf(w.app.acquireTokenByDeviceFlow(flow))).toMatchObject({ kind: 'ServerError', error: 'authorization_declined', errorCodes: [70000] })
    expect(entries(w.tokenCache)).toBe(0)
  })

  it('stops with a CancelledError when its AbortSignal aborts, on virtual time too', async () => {
    const w = world()
    const flow = await w.app.initiateDeviceFlow(GRAPH)
    const controller = new AbortController()
    w.userActs((poll) => {
      if (poll === 3) controller.abort()
    })
    expect(await rejectionOf(w.app.acquireTokenByDeviceFlow(flow, { signal: controller.signal }))).toMatchObject({ kind: 'CancelledError' })
    // The third poll was on its way when the signal aborted; its answer is dropped.
    expect(w.answers).toHaveLength(3)
    expect(w.clock.now() - w.startMs).toBe(10_000)
    expect(entries(w.tokenCache)).toBe(0)
  })

  it('gives up with a TimeoutError when the code expires first, and caches nothing', async () => {
    const w = world({ deviceCodeLifetimeSeconds: 60 })
    const flow = await w.app.initiateDeviceFlow(GRAPH)
    expect(await rejectionOf(w.app.acquireTokenByDeviceFlow(flow))).toMatchObject({ kind: 'TimeoutError', error: 'timeout' })
    expect(w.answers).toEqual(Array(12).fill('authorization_pending'))
    expect(entries(w.tokenCache)).toBe(0)
  })

  it("stops with expired_token when the provider's code expired though the flow says otherwise", async () => {
    const w = world({ deviceCodeLifetimeSeconds: 10 })
    const flow = await w.app.initiateDeviceFlow(GRAPH)
    expect(await rejectionOf(w.app.acquireTokenByDeviceFlow({ ...flow, expiresAt: flow.expiresAt + 60 }))).toMatchObject({ kind: 'ServerError', error: 'expired_token' })
  })

  it('stores the new account through a persistence, for the next process', async () => {
    let stored = ''
    const persistence: CachePersistence = {
      beforeCacheAccess: (cache) => cache.deserialize(stored === '' ? '{}' : stored),
      afterCacheAccess: (cache) => {
        stored = cache.serialize()
      },
    }
    const w = world({ autoApproveDeviceCodes: { user: ALICE } }, new SerializableTokenCache({ persistence }))
    const result = await w.app.acquireTokenByDeviceFlow(await w.app.initiateDeviceFlow(GRAPH))

    const next = new SerializableTokenCache()
    next.deserialize(stored)
    expect(next.find('Account')).toEqual([expect.objectContaining({ username: ALICE, home_account_id: result.account!.homeAccountId, account_source: GRANT_TYPE })])
    expect(next.find('AccessToken', { now: w.clock.now() / 1000 })).toEqual([expect.objectContaining({ secret: result.accessToken })])
  })
})
