/**
 * RedisPersistence against a real redis-server, started by this file on a free port of
 * 127.0.0.1 (no persistence to disk) and stopped afterwards. Without redis-server every test
 * here fails: `./dev test` installs it.
 */
import { createClient } from 'redis'
import { type CacheAccessContext, type TokenCacheEvent } from '@msal-ts/core'
import { bytesToBase64Url, utf8Encode } from '@msal-ts/core/protocol'
import { ConfidentialClientApplication, SerializableTokenCache } from '@msal-ts/node'
import { FakeIdentityProvider } from '@msal-ts/testing'
import { RedisPersistence } from '../src/cache/redisPersistence.js'
import type { RedisLikeClient } from '../src/cache/redisClient.js'
import { freePort, startRedis, type RedisServer } from './support/redisServer.js'
import { rejectionOf } from './support/rejection.js'

// ---- fixtures ----

const CLIENT = '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
const SECRET = 'redis-secret'
const TENANT = 'contoso.onmicrosoft.com'
const ENV = 'login.microsoftonline.com'
const appContext = (realm = TENANT): CacheAccessContext => ({ clientId: CLIENT, environment: ENV, realm })

const b64 = (value: unknown): string => bytesToBase64Url(utf8Encode(JSON.stringify(value)))
const UID = '11111111-1111-4111-8111-111111111111'
const UTID = '22222222-2222-4222-8222-222222222222'
const HOME = `${UID}.${UTID}`
const userContext: CacheAccessContext = { clientId: CLIENT, environment: ENV, realm: TENANT, homeAccountId: HOME }

const appEvent = (secret: string, realm = TENANT, scope = `api://${secret}/.default`): TokenCacheEvent => ({
  clientId: CLIENT,
  scope: [scope],
  environment: ENV,
  realm,
  response: { access_token: secret, token_type: 'Bearer', expires_in: 3599 },
})

const userEvent: TokenCacheEvent = {
  clientId: CLIENT,
  scope: ['User.Read'],
  environment: ENV,
  realm: TENANT,
  grantType: 'authorization_code',
  response: {
    access_token: 'at-user',
    refresh_token: 'rt-user',
    expires_in: 3599,
    scope: 'User.Read',
    id_token: `${b64({ alg: 'none' })}.${b64({ oid: UID, tid: UTID, preferred_username: 'alice@contoso.com' })}.`,
    client_info: b64({ uid: UID, utid: UTID }),
  },
}

const APP_KEY = `msal-ts:app:${CLIENT}:${TENANT}`
const USER_KEY = `msal-ts:account:${HOME}`

/** One operation, as an application runs it: load, change, store. */
const operation = async (cache: SerializableTokenCache, context: CacheAccessContext, work: () => void = () => undefined): Promise<void> => {
  await cache.persistence!.beforeCacheAccess(cache, context)
  try {
    work()
  } finally {
    await cache.persistence!.afterCacheAccess(cache, context)
  }
}

/** node-redis, failing fast (no offline queue) when the server is gone. */
const redisClient = (port: number) => {
  const client = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false }, disableOfflineQueue: true })
  client.on('error', () => undefined)
  return client
}
type NodeRedisClient = ReturnType<typeof redisClient>

// ---- the tests ----

let redis: RedisServer | undefined
let admin: NodeRedisClient
const clients: NodeRedisClient[] = []

/** A connected node-redis client of its own, as each application instance would have. */
const newClient = async (): Promise<NodeRedisClient> => {
  const client = redisClient(redis!.port)
  clients.push(client)
  await client.connect()
  return client
}

const stored = async (key: string): Promise<Record<string, Record<string, { secret?: string }>>> => JSON.parse((await admin.get(key)) ?? 'null')
/** The distinct secrets in a stored section (one token may be written in two libraries' conventions). */
const secretsIn = async (key: string, section = 'AccessToken'): Promise<string[]> =>
  [...new Set(Object.values((await stored(key))[section] ?? {}).map((entry) => entry.secret ?? ''))].sort()

beforeAll(async () => {
  redis = await startRedis()
  admin = redisClient(redis.port)
  await admin.connect()
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => (client.isOpen ? client.close() : undefined)))
  if (admin?.isOpen) await admin.flushAll()
})

afterAll(async () => {
  try {
    if (admin?.isOpen) await admin.close()
  } finally {
    await redis?.stop()
  }
})

describe('RedisPersistence: round trip', () => {
  it('stores an operation\'s changes in its partition and loads them into another cache', async () => {
    const client = await newClient()
    const writer = new SerializableTokenCache({ persistence: new RedisPersistence(client) })
    await operation(writer, appContext(), () => writer.add(appEvent('at-1')))
    expect(writer.pendingChangeCount).toBe(0)
    expect(await secretsIn(APP_KEY)).toEqual(['at-1'])
    expect(Object.keys(await stored(APP_KEY))).toEqual(['AccessToken', 'RefreshToken', 'IdToken', 'Account', 'AppMetadata'])

    const reader = new SerializableTokenCache({ persistence: new RedisPersistence(await newClient()) })
    await operation(reader, appContext())
    expect(reader.find('AccessToken').map((at) => at.secret)).toEqual(['at-1'])
    expect(reader.pendingChangeCount).toBe(0)
  })

  it('writes nothing when the operation changed nothing, a missing key is an empty partition, and an unchanged one is not merged again', async () => {
    const cache = new SerializableTokenCache({ persistence: new RedisPersistence(await newClient()) })
    await operation(cache, appContext())
    expect(cache.find('AccessToken')).toEqual([])
    expect(await admin.exists(APP_KEY)).toBe(0)
    // Once loaded, an unchanged partition is not merged again: the cache is left as it is.
    await operation(cache, appContext(), () => cache.add(appEvent('at-1')))
    const version = cache.stateVersion
    await operation(cache, appContext())
    expect(cache.stateVersion).toBe(version)
    // Changed by another writer: merged.
    const other = new SerializableTokenCache({ persistence: new RedisPersistence(await newClient()) })
    await operation(other, appContext(), () => other.add(appEvent('at-2')))
    await operation(cache, appContext())
    expect(cache.stateVersion).toBeGreaterThan(version)
    expect(cache.find('AccessToken').map((at) => at.secret).sort()).toEqual(['at-1', 'at-2'])
  })

  it('keeps unpersisted local changes when it loads (mergeFrom)', async () => {
    const other = new SerializableTokenCache({ persistence: new RedisPersistence(await newClient()) })
    await operation(other, appContext(), () => other.add(appEvent('theirs')))
    const cache = new SerializableTokenCache({ persistence: new RedisPersistence(await newClient()) })
    cache.add(appEvent('mine'))
    await operation(cache, appContext())
    expect(cache.find('AccessToken').map((at) => at.secret).sort()).toEqual(['mine', 'theirs'])
    expect(await secretsIn(APP_KEY)).toEqual(['mine', 'theirs'])
  })

  it('honours keyPrefix and ttlSeconds, and falls back to EVAL when the server has not cached the script', async () => {
    const client = await newClient()
    const calls: string[] = []
    // An adapter object works as well as the node-redis client itself.
    const counting: RedisLikeClient = {
      get: (key) => (calls.push('get'), client.get(key)),
      evalSha: (sha1, options) => (calls.push('evalSha'), client.evalSha(sha1, options)),
      eval: (script, options) => (calls.push('eval'), client.eval(script, options)),
    }
    await admin.scriptFlush()
    const cache = new SerializableTokenCache({ persistence: new RedisPersistence(counting, { keyPrefix: 'tokens/', ttlSeconds: 600 }) })
    await operation(cache, appContext(), () => cache.add(appEvent('first')))
    await operation(cache, appContext(), () => cache.add(appEvent('second')))
    expect(calls).toEqual(['get', 'evalSha', 'eval', 'get', 'evalSha'])
    const key = `tokens/app:${CLIENT}:${TENANT}`
    expect(await secretsIn(key)).toEqual(['first', 'second'])
    const ttl = await admin.ttl(key)
    expect(ttl).toBeGreaterThan(590)
    expect(ttl).toBeLessThanOrEqual(600)
  })

  it('rejects a client that is not one, and bad options, as ConfigurationErrors', () => {
    expect(() => new RedisPersistence({} as RedisLikeClient)).toThrow(expect.objectContaining({ kind: 'ConfigurationError', field: 'client' }))
    const client = { get: async () => null, eval: async () => [1], evalSha: async () => [1] }
    expect(() => new RedisPersistence(client, { ttlSeconds: 0 })).toThrow(expect.objectContaining({ field: 'ttlSeconds' }))
    expect(() => new RedisPersistence(client, { maxConflictRetries: -1 })).toThrow(expect.objectContaining({ field: 'maxConflictRetries' }))
    expect(new RedisPersistence(client).keyFor({ clientId: 'App', environment: ENV, realm: 'Contoso.COM' })).toBe('msal-ts:app:app:contoso.com')
  })
})

describe('RedisPersistence: partitions', () => {
  it("never writes tenant A's tokens into tenant B's key, even when one cache holds both", async () => {
    const cache = new SerializableTokenCache({ persistence: new RedisPersistence(await newClient()) })
    await operation(cache, appContext('tenant-a'), () => cache.add(appEvent('a-1', 'tenant-a')))
    await operation(cache, appContext('tenant-b'), () => cache.add(appEvent('b-1', 'tenant-b')))
    // Two concurrent operations on one cache: its memory holds both tenants' new tokens.
    const a = operation(cache, appContext('tenant-a'), () => cache.add(appEvent('a-2', 'tenant-a')))
    const b = operation(cache, appContext('tenant-b'), () => cache.add(appEvent('b-2', 'tenant-b')))
    await Promise.all([a, b])
    expect(await secretsIn(`msal-ts:app:${CLIENT}:tenant-a`)).toEqual(['a-1', 'a-2'])
    expect(await secretsIn(`msal-ts:app:${CLIENT}:tenant-b`)).toEqual(['b-1', 'b-2'])
    // The last write re-filed the other tenant's new token (it cannot know that the other
    // operation stored it already); the next operation on each tenant settles the journal.
    await operation(cache, appContext('tenant-a'))
    await operation(cache, appContext('tenant-b'))
    expect(cache.pendingChangeCount).toBe(0)
    expect(await secretsIn(`msal-ts:app:${CLIENT}:tenant-a`)).toEqual(['a-1', 'a-2'])
    expect(await secretsIn(`msal-ts:app:${CLIENT}:tenant-b`)).toEqual(['b-1', 'b-2'])
  })

  it('keeps a user account partition apart from the app partition', async () => {
    const cache = new SerializableTokenCache({ persistence: new RedisPersistence(await newClient()) })
    await operation(cache, userContext, () => cache.add(userEvent))
    await operation(cache, appContext(), () => cache.add(appEvent('app-token')))
    // And a change of both in one operation: each partition gets its own entries only.
    cache.add(appEvent('app-token-2'))
    await operation(cache, userContext, () => cache.add({ ...userEvent, response: { ...(userEvent.response as object), access_token: 'at-user-2', scope: 'Mail.Read' } }))

    expect(await secretsIn(USER_KEY)).toEqual(['at-user', 'at-user-2'])
    expect(await secretsIn(USER_KEY, 'RefreshToken')).toEqual(['rt-user'])
    expect(Object.values((await stored(USER_KEY)).Account ?? {})).toHaveLength(1)
    expect(Object.values((await stored(USER_KEY)).IdToken ?? {})).toHaveLength(1)
    expect(await secretsIn(APP_KEY)).toEqual(['app-token'])
    expect(await secretsIn(APP_KEY, 'RefreshToken')).toEqual([])
    expect((await stored(APP_KEY)).Account).toEqual({})
    // App metadata belongs to its app: every partition of the app carries it.
    expect(Object.keys((await stored(APP_KEY)).AppMetadata ?? {})).toEqual([`appmetadata-${ENV}-${CLIENT}`])
    expect(Object.keys((await stored(USER_KEY)).AppMetadata ?? {})).toEqual([`appmetadata-${ENV}-${CLIENT}`])

    // The pending app token was not lost: the next app operation stores it.
    await operation(cache, appContext())
    expect(await secretsIn(APP_KEY)).toEqual(['app-token', 'app-token-2'])
    // Loading one partition loads only it.
    const fresh = new SerializableTokenCache({ persistence: new RedisPersistence(await newClient()) })
    await operation(fresh, userContext)
    expect(fresh.find('AccessToken').map((at) => at.secret).sort()).toEqual(['at-user', 'at-user-2'])
  })

  it('applies a custom partition function to operations and to entries alike', async () => {
    const persistence = new RedisPersistence(await newClient(), { partition: (context) => `tenant:${context.realm}` })
    const cache = new SerializableTokenCache({ persistence })
    await operation(cache, appContext('t1'), () => {
      cache.add(appEvent('t1-token', 't1'))
      cache.add(appEvent('t2-token', 't2'))
    })
    expect(await secretsIn('msal-ts:tenant:t1')).toEqual(['t1-token'])
    await operation(cache, appContext('t2'))
    expect(await secretsIn('msal-ts:tenant:t2')).toEqual(['t2-token'])
  })
})

describe('RedisPersistence: several application instances share one cache', () => {
  const instance = async (idp: FakeIdentityProvider) =>
    new ConfidentialClientApplication({
      clientId: CLIENT,
      clientCredential: SECRET,
      authority: `https://${ENV}/${TENANT}`,
      httpClient: idp.fetch,
      tokenCache: new SerializableTokenCache({ persistence: new RedisPersistence(await newClient()) }),
    })

  it('the first instance asks the identity provider; the others find its token in Redis', async () => {
    const idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET })
    const [first, second, third] = [await instance(idp), await instance(idp), await instance(idp)]
    const scopes = ['https://graph.microsoft.com/.default']

    const fromIdp = await first!.acquireTokenForClient(scopes)
    expect(fromIdp.tokenSource).toBe('identity_provider')
    expect(idp.tokenRequests).toHaveLength(1)
    expect(await secretsIn(APP_KEY)).toEqual([fromIdp.accessToken])

    for (const app of [second!, third!]) {
      const result = await app.acquireTokenForClient(scopes)
      expect(result).toMatchObject({ tokenSource: 'cache', accessToken: fromIdp.accessToken })
    }
    expect(idp.tokenRequests).toHaveLength(1)

    // A removal propagates too: once the second instance forgets the app's tokens, the third asks again.
    await second!.removeTokensForClient()
    expect(await secretsIn(APP_KEY)).toEqual([])
    const again = await third!.acquireTokenForClient(scopes)
    expect(again.tokenSource).toBe('identity_provider')
    expect(idp.tokenRequests).toHaveLength(2)
    expect((await first!.acquireTokenForClient(scopes)).accessToken).toBe(again.accessToken)
  })

  it('instances asking for different scopes at once lose none of each other\'s tokens', async () => {
    const idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET })
    const apps = await Promise.all([instance(idp), instance(idp), instance(idp)])
    const results = await Promise.all(apps.map((app, i) => app.acquireTokenForClient([`api://resource-${i}/.default`])))
    expect(await secretsIn(APP_KEY)).toEqual(results.map((r) => r.accessToken).sort())
    const late = await instance(idp)
    for (let i = 0; i < 3; i++) expect((await late.acquireTokenForClient([`api://resource-${i}/.default`])).tokenSource).toBe('cache')
    expect(idp.tokenRequests).toHaveLength(3)
  })
})

describe('RedisPersistence: concurrent writers (compare-and-set)', () => {
  it('5 caches adding 40 tokens each to one partition, persisting each at once, lose nothing', async () => {
    const caches = await Promise.all(
      Array.from({ length: 5 }, async () => new SerializableTokenCache({ persistence: new RedisPersistence(await newClient()) })),
    )
    await Promise.all(
      caches.map(async (cache, writer) => {
        for (let i = 0; i < 40; i++) await operation(cache, appContext(), () => cache.add(appEvent(`w${writer}-t${i}`)))
      }),
    )
    expect(await secretsIn(APP_KEY)).toEqual(Array.from({ length: 5 }, (_, w) => Array.from({ length: 40 }, (_, i) => `w${w}-t${i}`)).flat().sort())
    for (const cache of caches) expect(cache.pendingChangeCount).toBe(0)
  })

  it('a write that lost the race merges the winner\'s tokens and retries (conflicts are counted)', async () => {
    const persistences = await Promise.all(Array.from({ length: 5 }, async () => new RedisPersistence(await newClient())))
    const caches = persistences.map((persistence) => new SerializableTokenCache({ persistence }))
    // All five load the same (empty) partition, then all five store at once: the script lets one
    // write through per round, and every other writer must merge and retry.
    await Promise.all(caches.map((cache) => cache.persistence!.beforeCacheAccess(cache, appContext())))
    caches.forEach((cache, writer) => {
      for (let i = 0; i < 40; i++) cache.add(appEvent(`w${writer}-t${i}`))
    })
    await Promise.all(caches.map((cache) => cache.persistence!.afterCacheAccess(cache, appContext())))
    expect(persistences.reduce((sum, p) => sum + p.conflicts, 0)).toBeGreaterThanOrEqual(4)
    expect(persistences.filter((p) => p.conflicts === 0)).toHaveLength(1)
    expect(await secretsIn(APP_KEY)).toHaveLength(200)
  })

  it('detects a write by a writer that does not know the protocol (a plain SET)', async () => {
    const persistence = new RedisPersistence(await newClient())
    const cache = new SerializableTokenCache({ persistence })
    await persistence.beforeCacheAccess(cache, appContext())
    const outsider = new SerializableTokenCache()
    outsider.add(appEvent('outsider'))
    await admin.set(APP_KEY, outsider.serialize())
    cache.add(appEvent('mine'))
    await persistence.afterCacheAccess(cache, appContext())
    expect(persistence.conflicts).toBe(1)
    expect(await secretsIn(APP_KEY)).toEqual(['mine', 'outsider'])
  })

  it('gives up with an MsalError after maxConflictRetries, leaving the key as the other writer left it', async () => {
    const client = await newClient()
    // A writer that changes the key before every one of our writes.
    let n = 0
    const contended: RedisLikeClient = {
      get: (key) => client.get(key),
      evalSha: async (sha1, options) => {
        const other = new SerializableTokenCache()
        other.add(appEvent(`other-${n++}`))
        await admin.set(APP_KEY, other.serialize())
        return client.evalSha(sha1, options)
      },
      eval: (script, options) => client.eval(script, options),
    }
    const persistence = new RedisPersistence(contended, { maxConflictRetries: 2 })
    const cache = new SerializableTokenCache({ persistence })
    const error = await rejectionOf(operation(cache, appContext(), () => cache.add(appEvent('mine'))))
    expect(error).toMatchObject({ kind: 'CacheError' })
    expect(error.message).toMatch(/Redis key ".*" kept changing/)
    expect(persistence.conflicts).toBe(3)
    expect(await secretsIn(APP_KEY)).toEqual([`other-${n - 1}`])
    expect(cache.pendingChangeCount).toBe(1)
  })
})

describe('RedisPersistence: failures are MsalErrors, and never overwrite', () => {
  it('refuses corrupt data in the key, and leaves it unchanged', async () => {
    const corrupt = '{"AccessToken": {"truncated'
    await admin.set(APP_KEY, corrupt)
    const idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET })
    const app = new ConfidentialClientApplication({
      clientId: CLIENT,
      clientCredential: SECRET,
      authority: `https://${ENV}/${TENANT}`,
      httpClient: idp.fetch,
      tokenCache: new SerializableTokenCache({ persistence: new RedisPersistence(await newClient()) }),
    })
    const error = await rejectionOf(app.acquireTokenForClient(['api://x/.default']))
    expect(error).toMatchObject({ kind: 'CacheError', error: 'invalid_cache' })
    expect(error.message).toContain(`the data in Redis at "${APP_KEY}" is not a token cache`)
    expect(await admin.get(APP_KEY)).toBe(corrupt)
    expect(idp.tokenRequests).toHaveLength(0)
  })

  it('refuses corrupt data found while writing, and leaves it unchanged', async () => {
    const persistence = new RedisPersistence(await newClient())
    const cache = new SerializableTokenCache({ persistence })
    await persistence.beforeCacheAccess(cache, appContext())
    const corrupt = '{"AccessToken": "not an object"}'
    await admin.set(APP_KEY, corrupt)
    cache.add(appEvent('mine'))
    const error = await rejectionOf(Promise.resolve(persistence.afterCacheAccess(cache, appContext())))
    expect(error.message).toMatch(/Redis at ".*" is not a token cache \(the AccessToken section must be an object/)
    expect(await admin.get(APP_KEY)).toBe(corrupt)
    expect(cache.find('AccessToken').map((at) => at.secret)).toEqual(['mine'])
  })

  it('reports a key of the wrong type as a Redis failure', async () => {
    await admin.hSet(APP_KEY, 'field', 'value')
    const cache = new SerializableTokenCache({ persistence: new RedisPersistence(await newClient()) })
    const error = await rejectionOf(operation(cache, appContext()))
    expect(error.message).toMatch(/^token cache: Redis GET of ".*" failed: WRONGTYPE/)
  })

  it('reports Redis going down as an MsalError naming Redis', async () => {
    const doomed = await startRedis()
    try {
      const client = redisClient(doomed.port)
      await client.connect()
      const idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET })
      const app = new ConfidentialClientApplication({
        clientId: CLIENT,
        clientCredential: SECRET,
        authority: `https://${ENV}/${TENANT}`,
        httpClient: idp.fetch,
        tokenCache: new SerializableTokenCache({ persistence: new RedisPersistence(client) }),
      })
      expect((await app.acquireTokenForClient(['api://x/.default'])).tokenSource).toBe('identity_provider')
      await doomed.stop()
      const error = await rejectionOf(app.acquireTokenForClient(['api://x/.default']))
      expect(error).toMatchObject({ kind: 'CacheError' })
      expect(error.message).toMatch(/^token cache: Redis GET of ".*" failed: /)
      if (client.isOpen) client.destroy()
    } finally {
      await doomed.stop()
    }
  })

  it('reports a Redis that was never reachable (a closed port) as an MsalError naming Redis, on reads and on writes', async () => {
    const port = await freePort()
    const client = redisClient(port)
    await expect(client.connect()).rejects.toThrow(/ECONNREFUSED/)
    const persistence = new RedisPersistence(client)
    const cache = new SerializableTokenCache({ persistence })
    const read = await rejectionOf(Promise.resolve(persistence.beforeCacheAccess(cache, appContext())))
    expect(read.message).toMatch(/Redis GET .* failed/)
    cache.add(appEvent('mine'))
    const write = await rejectionOf(Promise.resolve(persistence.afterCacheAccess(cache, appContext())))
    expect(write.message).toMatch(/Redis (GET|EVALSHA) .* failed/)
    expect(cache.pendingChangeCount).toBe(1)
  })
})
