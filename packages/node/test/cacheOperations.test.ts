import { cacheError, type CacheAccessContext, type CachePersistence } from '@msal-ts/core'
import { bytesToBase64Url, utf8Encode } from '@msal-ts/core/protocol'
import { ConfidentialClientApplication, SerializableTokenCache, TokenCache } from '@msal-ts/node'
import { FakeIdentityProvider } from '@msal-ts/testing'

const b64 = (value: unknown): string => bytesToBase64Url(utf8Encode(JSON.stringify(value)))
const jwt = (claims: Record<string, unknown>): string => `${b64({ alg: 'none' })}.${b64(claims)}.x`
const ENV = 'login.microsoftonline.com'

const signIn = (cache: TokenCache, uid: string, username: string, clientId = 'web-app', host = ENV) =>
  cache.add({
    clientId,
    scope: ['User.Read'],
    tokenEndpoint: `https://${host}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
    grantType: 'authorization_code',
    response: {
      access_token: `at-${uid}`,
      refresh_token: `rt-${uid}`,
      expires_in: 3599,
      id_token: jwt({ oid: uid, preferred_username: username, tid: 'utid' }),
      client_info: b64({ uid, utid: 'utid' }),
    },
  })

const newApp = (tokenCache: TokenCache, idp = new FakeIdentityProvider()) =>
  new ConfidentialClientApplication({
    clientId: 'web-app',
    clientCredential: 's',
    authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
    tokenCache,
    httpClient: idp.fetch,
  })

describe('getAccounts and removeAccount', () => {
  it('lists signed-in accounts once each, filtered by username case-insensitively', async () => {
    const cache = new TokenCache()
    signIn(cache, 'u1', 'Alice@Contoso.com')
    signIn(cache, 'u2', 'bob@contoso.com')
    const app = newApp(cache)
    expect((await app.getAccounts()).map((a) => a.username).sort()).toEqual(['Alice@Contoso.com', 'bob@contoso.com'])
    expect(await app.getAccounts({ username: 'ALICE@contoso.com' })).toEqual([
      expect.objectContaining({ homeAccountId: 'u1.utid', environment: ENV, username: 'Alice@Contoso.com', accountSource: 'authorization_code', localAccountId: 'u1' }),
    ])
  })

  it('finds accounts filed under an alias of the authority host (MSAL for Node files them under login.windows.net)', async () => {
    const cache = new TokenCache()
    signIn(cache, 'u1', 'alice@contoso.com', 'web-app', 'login.windows.net')
    expect((await newApp(cache).getAccounts()).map((a) => a.environment)).toEqual(['login.windows.net'])
  })

  it('removes an account and its tokens, keeping the others', async () => {
    const cache = new TokenCache()
    signIn(cache, 'u1', 'alice@contoso.com')
    signIn(cache, 'u2', 'bob@contoso.com')
    const app = newApp(cache)
    const [alice] = await app.getAccounts({ username: 'alice@contoso.com' })
    await app.removeAccount(alice!)
    expect((await app.getAccounts()).map((a) => a.username)).toEqual(['bob@contoso.com'])
    expect(cache.find('AccessToken').map((at) => at.secret)).toEqual(['at-u2'])
    expect(cache.find('RefreshToken').map((rt) => rt.secret)).toEqual(['rt-u2'])
  })
})

describe('a persisted cache', () => {
  /** A persistence kept in a string, recording what the application asked of it. */
  class MemoryPersistence implements CachePersistence {
    stored = ''
    readonly calls: string[] = []
    beforeCacheAccess(cache: SerializableTokenCache, context: CacheAccessContext): void {
      this.calls.push(`before ${context.clientId} ${context.realm} ${context.homeAccountId ?? '-'}`)
      cache.mergeFrom(this.stored)
    }
    async afterCacheAccess(cache: SerializableTokenCache, context: CacheAccessContext): Promise<void> {
      this.calls.push(`after ${context.clientId} ${context.realm} ${context.homeAccountId ?? '-'} pending=${cache.pendingChangeCount}`)
      if (cache.pendingChangeCount === 0) return
      cache.mergeFrom(this.stored)
      this.stored = cache.serialize()
      cache.markPersisted()
    }
  }

  it('is loaded before and stored after every operation, and two apps share tokens through it', async () => {
    const idp = new FakeIdentityProvider().registerApp({ clientId: 'web-app', clientSecret: 's' })
    const persistence = new MemoryPersistence()
    const first = newApp(new SerializableTokenCache({ persistence }), idp)
    const second = newApp(new SerializableTokenCache({ persistence }), idp)
    expect((await first.acquireTokenForClient(['api://x/.default'])).tokenSource).toBe('identity_provider')
    expect((await second.acquireTokenForClient(['api://x/.default'])).tokenSource).toBe('cache')
    expect(idp.tokenRequests).toHaveLength(1)
    expect(persistence.calls).toEqual([
      'before web-app contoso.onmicrosoft.com -',
      'after web-app contoso.onmicrosoft.com - pending=1',
      'before web-app contoso.onmicrosoft.com -',
      'after web-app contoso.onmicrosoft.com - pending=0',
    ])
    await second.removeTokensForClient()
    expect(JSON.parse(persistence.stored).AccessToken).toEqual({})
    await first.removeAccount({ homeAccountId: 'u1.utid', environment: ENV })
    expect(persistence.calls.at(-1)).toBe('after web-app contoso.onmicrosoft.com u1.utid pending=0')
  })

  it('reports a persistence failure as the call`s failure', async () => {
    const failing: CachePersistence = {
      beforeCacheAccess: () => {
        throw cacheError('the file is damaged')
      },
      afterCacheAccess: () => undefined,
    }
    const app = newApp(new SerializableTokenCache({ persistence: failing }))
    await expect(app.acquireTokenForClient(['api://x/.default'])).rejects.toMatchObject({ kind: 'CacheError', message: 'token cache: the file is damaged' })
    await expect(app.getAccounts()).rejects.toMatchObject({ kind: 'CacheError' })
  })

  it('keeps a cache hit synchronous when there is no persistence', () => {
    const cache = new TokenCache()
    cache.add({ clientId: 'web-app', scope: ['api://x/.default'], environment: ENV, realm: 'contoso.onmicrosoft.com', response: { access_token: 'cached', expires_in: 3599 } })
    let settled = false
    void newApp(cache).acquireTokenForClient(['api://x/.default']).then(() => (settled = true))
    return Promise.resolve().then(() => expect(settled).toBe(true))
  })
})
