import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FilePersistence, PublicClientApplication, SerializableTokenCache } from '@msal-ts/node'
import { createTestInterpreter, FakeIdentityProvider, fixedClock } from '@msal-ts/testing'

const CLIENT = '0a1b2c3d-4e5f-4061-8273-9a8b7c6d5e4f'
const USER = 'adele@contoso.onmicrosoft.com'
const AUTHORITY = 'https://login.microsoftonline.com/organizations'

/** Two processes of one app, each with its own cache, signing the same user in for different scopes. */
const twoProcesses = (cacheOf: () => SerializableTokenCache) => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now }).registerApp({ clientId: CLIENT }).registerUser({ username: USER, password: 'pw' })
  const app = (cache: SerializableTokenCache) =>
    new PublicClientApplication({ clientId: CLIENT, authority: AUTHORITY, tokenCache: cache, interpreter: createTestInterpreter({ http: idp.http, clock }).interpret })
  const a = cacheOf()
  const b = cacheOf()
  return { a, b, appA: app(a), appB: app(b), nowSec: () => clock.now() / 1000 }
}

const refreshTokens = (cache: SerializableTokenCache) => cache.find('RefreshToken').map((rt) => rt.target)

describe('a merge applies the same rules as add', () => {
  it('mergeFrom: the refresh token a flow filed supersedes the other process\'s for the same app and account', async () => {
    const { a, b, appA, appB, nowSec } = twoProcesses(() => new SerializableTokenCache())
    await appB.acquireTokenByUsernamePassword(USER, 'pw', ['Mail.Read'])
    await appA.acquireTokenByUsernamePassword(USER, 'pw', ['User.Read'])
    expect(refreshTokens(a)).toHaveLength(1)
    expect(refreshTokens(b)).toHaveLength(1)

    expect(a.find('RefreshToken')[0]!.home_account_id).toBe(b.find('RefreshToken')[0]!.home_account_id)
    // As add keeps one refresh token per app and account, so does a merge: A's sign-in is
    // decided again on top of B's state, not replayed as the change it made then.
    a.mergeFrom(b.serialize())
    expect(refreshTokens(a)).toEqual([expect.stringContaining('User.Read')])
    expect(a.find('AccessToken', { now: nowSec() }).map((at) => at.target).sort()).toEqual([expect.stringContaining('Mail.Read'), expect.stringContaining('User.Read')])
  })

  it('through a file: a sign-in that ran while another process stored its own keeps one refresh token for the app and account', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msal-ts-merge-'))
    try {
      const path = join(dir, 'cache.json')
      const clock = fixedClock()
      const idp = new FakeIdentityProvider({ clock: clock.now }).registerApp({ clientId: CLIENT }).registerUser({ username: USER, password: 'pw' })
      // Process A's token request waits until process B has signed in and stored its cache.
      let release: () => void = () => undefined
      const bStored = new Promise<void>((resolve) => (release = resolve))
      const slowHttp = async (request: Parameters<typeof idp.http>[0]) => {
        if (request.form?.['grant_type'] === 'password') await bStored
        return idp.http(request)
      }
      const app = (cache: SerializableTokenCache, http: typeof idp.http) =>
        new PublicClientApplication({ clientId: CLIENT, authority: AUTHORITY, tokenCache: cache, interpreter: createTestInterpreter({ http, clock }).interpret })
      const a = new SerializableTokenCache({ persistence: new FilePersistence(path) })
      const b = new SerializableTokenCache({ persistence: new FilePersistence(path) })
      const signingInA = app(a, slowHttp).acquireTokenByUsernamePassword(USER, 'pw', ['User.Read'])
      await app(b, idp.http).acquireTokenByUsernamePassword(USER, 'pw', ['Mail.Read'])
      release()
      await signingInA

      // A's write merged B's file: its sign-in superseded B's refresh token, as add would have.
      expect(refreshTokens(a)).toEqual([expect.stringContaining('User.Read')])
      const onDisk = new SerializableTokenCache()
      onDisk.deserialize(readFileSync(path, 'utf8'))
      expect(refreshTokens(onDisk)).toEqual([expect.stringContaining('User.Read')])
      expect(onDisk.find('AccessToken', { now: clock.now() / 1000 })).toHaveLength(2)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
