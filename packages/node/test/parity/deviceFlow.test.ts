/**
 * Issue 14, item 5: the device flow as MSAL Python runs it.
 *
 * `PublicClientApplication.initiate_device_flow(self, scopes=None, ...)` asks for
 * `self._decorate_scope(scopes or [])`: without scopes, the sign-in's own (openid, profile,
 * offline_access). `acquire_token_by_device_flow` says: "You can abort the polling loop at any
 * time, by changing the value of the flow's "expires_at" key to 0" (oauth2cli's exit_condition,
 * `flow.get("expires_at", 0) < time.time()`). msal-ts reports that stop as a CancelledError, as its
 * README says, whether the caller set 0 before the call or during the polling; a code that
 * simply runs out is a TimeoutError.
 */
import type { HttpRequest } from '@msal-ts/core'
import { PublicClientApplication, TokenCache, type DeviceFlow } from '@msal-ts/node'
import { createTestInterpreter, FakeIdentityProvider, fixedClock } from '@msal-ts/testing'
import { rejectionOf } from '../support/rejection.js'

const CLIENT = '2b1a0f9e-8d7c-4b6a-a594-83726150f4e3'
const ALICE = 'alice@contoso.onmicrosoft.com'
const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code'

const world = (deviceCodeLifetimeSeconds?: number) => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now, ...(deviceCodeLifetimeSeconds !== undefined ? { deviceCodeLifetimeSeconds } : {}) })
    .registerApp({ clientId: CLIENT })
    .registerUser({ username: ALICE })
  let onPoll: (poll: number) => void = () => {}
  let polls = 0
  const http = (request: HttpRequest) => {
    if (request.form?.['grant_type'] === GRANT_TYPE) onPoll(++polls)
    return idp.http(request)
  }
  const tokenCache = new TokenCache()
  const app = new PublicClientApplication({
    clientId: CLIENT,
    authority: 'https://login.microsoftonline.com/organizations',
    tokenCache,
    interpreter: createTestInterpreter({ http, clock }).interpret,
  })
  return { idp, app, tokenCache, userActs: (act: (poll: number) => void) => (onPoll = act), polls: () => polls }
}

describe('initiateDeviceFlow without scopes, as MSAL Python\'s initiate_device_flow(scopes=None)', () => {
  it('asks for the sign-in\'s own scopes only, and the flow signs the user in', async () => {
    const w = world()
    const flow = await w.app.initiateDeviceFlow()
    expect(w.idp.requests.at(-1)!.form['scope']).toBe('openid profile offline_access')
    expect(flow.scopes).toEqual(['openid', 'profile', 'offline_access'])
    w.userActs(() => w.idp.approveDeviceCode(flow.userCode, ALICE))
    const result = await w.app.acquireTokenByDeviceFlow(flow)
    expect(result).toMatchObject({ tokenSource: 'identity_provider', account: { username: ALICE }, idTokenClaims: { preferred_username: ALICE } })
    expect((await w.app.getAccounts()).map((a) => a.username)).toEqual([ALICE])
  })

  it('an empty list means the same (MSAL Python: scopes or [])', async () => {
    const w = world()
    await w.app.initiateDeviceFlow([])
    expect(w.idp.requests.at(-1)!.form['scope']).toBe('openid profile offline_access')
  })
})

describe('flow.expiresAt = 0 stops acquireTokenByDeviceFlow (MSAL Python: "abort the polling loop ... by changing ... expires_at ... to 0")', () => {
  it('set before the call: a CancelledError, with no poll and nothing cached', async () => {
    const w = world()
    const flow: DeviceFlow = await w.app.initiateDeviceFlow(['User.Read'])
    flow.expiresAt = 0
    const error = await rejectionOf(w.app.acquireTokenByDeviceFlow(flow))
    expect(error).toMatchObject({ kind: 'CancelledError', error: 'user_cancelled', correlationId: flow.correlationId })
    expect(error.message).toContain('expiresAt was set to 0')
    expect(w.polls()).toBe(0)
    expect(w.tokenCache.accessTokenCount).toBe(0)
  })

  it('set before the call on a flow that went through a session store (plain JSON): the same CancelledError', async () => {
    const w = world()
    const stored = JSON.parse(JSON.stringify(await w.app.initiateDeviceFlow(['User.Read']))) as DeviceFlow
    stored.expiresAt = 0
    expect(await rejectionOf(w.app.acquireTokenByDeviceFlow(stored))).toMatchObject({ kind: 'CancelledError' })
    expect(w.polls()).toBe(0)
  })

  it('set while polling: a CancelledError before the next poll', async () => {
    const w = world()
    const flow: DeviceFlow = await w.app.initiateDeviceFlow(['User.Read'])
    w.userActs((poll) => {
      if (poll === 2) flow.expiresAt = 0
    })
    expect(await rejectionOf(w.app.acquireTokenByDeviceFlow(flow))).toMatchObject({ kind: 'CancelledError' })
    expect(w.polls()).toBe(2)
  })

  it('a code that runs out on its own is still a TimeoutError (the user did not sign in in time)', async () => {
    const w = world(12)
    const flow = await w.app.initiateDeviceFlow(['User.Read'])
    const error = await rejectionOf(w.app.acquireTokenByDeviceFlow(flow))
    expect(error).toMatchObject({ kind: 'TimeoutError', error: 'timeout' })
    expect(w.polls()).toBeGreaterThan(0)
  })
})
