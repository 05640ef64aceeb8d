import { createNodeInterpreter, PublicClientApplication, TokenCache, type DeviceFlow } from '@msal-ts/node'
import { FakeIdentityProvider, holdSleeps, type FetchFunction } from '@msal-ts/testing'
import { rejectionOf } from './support/rejection.js'

// The Node interpreter, real time: the fake identity provider answers in-process through fetch.
const CLIENT = '0d7c8b1a-3f2e-4d5c-9b8a-7f6e5d4c3b2a'
const ALICE = 'alice@contoso.onmicrosoft.com'
const GRAPH = ['https://graph.microsoft.com/User.Read']

const setup = (options: { intervalSeconds?: number; hangTokenRequests?: boolean; holdSleeps?: boolean } = {}) => {
  const idp = new FakeIdentityProvider({ deviceCodeIntervalSeconds: options.intervalSeconds ?? 5 }).registerApp({ clientId: CLIENT }).registerUser({ username: ALICE })
  // A token endpoint that answers nothing until the request times out, for an abort during a request.
  const hanging: FetchFunction = (input, init) =>
    String(input).includes('/token')
      ? new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('timed out', 'AbortError'))))
      : idp.fetch(input, init)
  const cache = new TokenCache()
  const runtime = { httpClient: options.hangTokenRequests === true ? hanging : idp.fetch }
  // Or the same interpreter with its waits held until the test ends them (virtual time).
  const sleeps = holdSleeps(createNodeInterpreter({ httpClient: runtime.httpClient }))
  const app = new PublicClientApplication({
    clientId: CLIENT,
    authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
    tokenCache: cache,
    ...(options.holdSleeps === true ? { interpreter: sleeps.interpret } : runtime),
  })
  const cacheIsEmpty = () => cache.find('AccessToken').length + cache.find('RefreshToken').length + cache.find('Account').length === 0
  return { idp, app, cacheIsEmpty, sleeps }
}

const activeTimers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length

describe('acquireTokenByDeviceFlow on the Node interpreter', () => {
  it('rejects at once with a CancelledError when its AbortSignal aborts mid-wait, clears its timer, and caches nothing', async () => {
    const { idp, app, cacheIsEmpty } = setup({ intervalSeconds: 5 })
    const flow = await app.initiateDeviceFlow(GRAPH)
    const timersBefore = activeTimers()
    const controller = new AbortController()
    const started = Date.now()
    const pending = app.acquireTokenByDeviceFlow(flow, { signal: controller.signal })
    setTimeout(() => controller.abort(), 100)
    const error = await rejectionOf(pending)
    expect(error).toMatchObject({ kind: 'CancelledError', error: 'user_cancelled', correlationId: flow.correlationId })
    // The 5 s wait was cut short.
    expect(Date.now() - started).toBeLessThan(1000)
    expect(idp.tokenRequests).toHaveLength(1)
    expect(cacheIsEmpty()).toBe(true)
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore)
  })

  it('rejects at once when the signal aborts during a poll that has not been answered', async () => {
    const { app, cacheIsEmpty } = setup({ hangTokenRequests: true })
    const flow = await app.initiateDeviceFlow(GRAPH)
    const controller = new AbortController()
    const started = Date.now()
    const pending = app.acquireTokenByDeviceFlow(flow, { signal: controller.signal })
    setTimeout(() => controller.abort(), 100)
    expect(await rejectionOf(pending)).toMatchObject({ kind: 'CancelledError' })
    expect(Date.now() - started).toBeLessThan(1000)
    expect(cacheIsEmpty()).toBe(true)
  })

  it('rejects without a request when the signal has already aborted', async () => {
    const { idp, app } = setup()
    const flow = await app.initiateDeviceFlow(GRAPH)
    expect(await rejectionOf(app.acquireTokenByDeviceFlow(flow, { signal: AbortSignal.abort() }))).toMatchObject({ kind: 'CancelledError' })
    expect(idp.tokenRequests).toHaveLength(0)
  })

  it("stops before the next poll when the caller sets the flow's expiresAt to 0", async () => {
    // The wait between polls on virtual time: the caller changes the flow while the app waits.
    const { idp, app, cacheIsEmpty, sleeps } = setup({ holdSleeps: true })
    const flow: DeviceFlow = await app.initiateDeviceFlow(GRAPH)
    const pending = app.acquireTokenByDeviceFlow(flow)
    const wait = await sleeps.next()
    flow.expiresAt = 0
    wait.end()
    expect(await rejectionOf(pending)).toMatchObject({ kind: 'CancelledError' })
    expect(idp.tokenRequests).toHaveLength(1)
    expect(cacheIsEmpty()).toBe(true)
  })

  it('signs the user in once they approve, polling in real time', async () => {
    const { idp, app } = setup({ intervalSeconds: 1 })
    const flow = await app.initiateDeviceFlow(GRAPH)
    setTimeout(() => idp.approveDeviceCode(flow.userCode, ALICE), 300)
    const result = await app.acquireTokenByDeviceFlow(flow, { signal: new AbortController().signal })
    expect(result).toMatchObject({ tokenSource: 'identity_provider', account: { username: ALICE } })
    expect(idp.tokenRequests).toHaveLength(2)
  })
})
