/**
 * RedisPersistence when Redis stalls or dies, against a real redis-server: stopped with SIGSTOP
 * (its connections stay open and answer nothing) and killed with SIGKILL mid-run, then started
 * again. node-redis here keeps its defaults (an offline queue, reconnecting), the setting under
 * which a stalled server used to hang every call: each command now has `commandTimeoutMs`, so a
 * call fails with a clear CacheError in bounded time, and what was not stored stays journaled
 * and is stored once Redis answers again.
 */
import { createClient } from 'redis'
import { ConfidentialClientApplication, RedisPersistence, SerializableTokenCache, type RedisLikeClient } from '@msal-ts/node'
import { FakeIdentityProvider } from '@msal-ts/testing'
import { startRedis, type RedisServer } from './support/redisServer.js'
import { rejectionOf } from './support/rejection.js'

const CLIENT = 'e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b'
const SECRET = 'redis-faults-secret'
const TENANT = 'contoso.onmicrosoft.com'
const KEY = `msal-ts:app:${CLIENT}:${TENANT}`
const TIMEOUT_MS = 500

let redis: RedisServer
let idp: FakeIdentityProvider
const newClient = (port: number) => createClient({ socket: { host: '127.0.0.1', port } })
const clients: Array<ReturnType<typeof newClient>> = []

const connect = async (port: number) => {
  const client = newClient(port)
  client.on('error', () => undefined)
  clients.push(client)
  await client.connect()
  return client
}

/** The client, with a hook that runs before each compare-and-set script (to stall or kill Redis just then). */
const withHookBeforeWrite = (client: RedisLikeClient, beforeWrite: () => Promise<void> | void): RedisLikeClient => ({
  get: (key) => client.get(key),
  eval: async (script, options) => {
    await beforeWrite()
    return client.eval(script, options)
  },
  evalSha: async (sha1, options) => {
    await beforeWrite()
    return client.evalSha(sha1, options)
  },
})

const appOn = (client: RedisLikeClient, warnings: string[] = []) =>
  new ConfidentialClientApplication({
    clientId: CLIENT,
    clientCredential: SECRET,
    authority: `https://login.microsoftonline.com/${TENANT}`,
    httpClient: idp.fetch,
    tokenCache: new SerializableTokenCache({ persistence: new RedisPersistence(client, { commandTimeoutMs: TIMEOUT_MS }) }),
    logger: (level, message) => (level === 'warning' ? warnings.push(message) : undefined),
  })

/** The scopes of the app tokens the key holds. */
const storedScopes = async (port: number): Promise<string[]> => {
  const admin = await connect(port)
  const text = await admin.get(KEY)
  const cache = new SerializableTokenCache()
  cache.deserialize(text)
  return [...new Set(cache.find('AccessToken').map((token) => token.target))].sort()
}

const timed = async <T>(work: Promise<T>): Promise<{ result: T; ms: number }> => {
  const started = Date.now()
  const result = await work
  return { result, ms: Date.now() - started }
}

beforeEach(async () => {
  redis = await startRedis()
  idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET })
})
afterEach(async () => {
  redis.resume()
  for (const client of clients.splice(0)) client.destroy()
  await redis.stop()
})

describe('Redis stopped with SIGSTOP', () => {
  it('fails each call with a CacheError after commandTimeoutMs instead of hanging it, and works again once Redis goes on', async () => {
    const app = appOn(await connect(redis.port))
    expect((await app.acquireTokenForClient(['api://a/.default'])).tokenSource).toBe('identity_provider')
    redis.pause()
    for (const scope of ['api://a/.default', 'api://b/.default']) {
      const { result: error, ms } = await timed(rejectionOf(app.acquireTokenForClient([scope])))
      expect(error).toMatchObject({ kind: 'CacheError', message: expect.stringMatching(/^token cache: Redis GET of ".*" failed: no answer within 500 ms \(commandTimeoutMs\)/) })
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20)
      expect(ms).toBeLessThan(TIMEOUT_MS + 1000)
    }
    redis.resume()
    expect((await app.acquireTokenForClient(['api://a/.default'])).tokenSource).toBe('cache')
    expect((await app.acquireTokenForClient(['api://b/.default'])).tokenSource).toBe('identity_provider')
    expect(await storedScopes(redis.port)).toEqual(['api://a/.default', 'api://b/.default'])
  })

  it('returns a token whose store stalled, keeps it, and loses nothing once Redis answers (the late write included)', async () => {
    let stallNextWrite = false
    const warnings: string[] = []
    const app = appOn(
      withHookBeforeWrite(await connect(redis.port), () => {
        if (stallNextWrite) redis.pause()
        stallNextWrite = false
      }),
      warnings,
    )
    await app.acquireTokenForClient(['api://a/.default'])
    stallNextWrite = true
    const { result, ms } = await timed(app.acquireTokenForClient(['api://b/.default']))
    expect(result.tokenSource).toBe('identity_provider')
    expect(ms).toBeLessThan(TIMEOUT_MS + 1000)
    expect(warnings).toEqual([expect.stringMatching(/the token cache could not be stored \(CacheError\)/)])
    // Redis goes on: the stalled write lands late; the next call merges it with what it kept.
    redis.resume()
    expect((await app.acquireTokenForClient(['api://b/.default'])).tokenSource).toBe('cache')
    expect((await app.acquireTokenForClient(['api://c/.default'])).tokenSource).toBe('identity_provider')
    expect(await storedScopes(redis.port)).toEqual(['api://a/.default', 'api://b/.default', 'api://c/.default'])
    expect(idp.tokenRequests).toHaveLength(3)
  })
})

describe('Redis killed with SIGKILL mid-run, then started again', () => {
  it('fails calls with a CacheError in bounded time while it is gone, then stores the token it could not store before', async () => {
    let killBeforeNextWrite = false
    const warnings: string[] = []
    const port = redis.port
    const app = appOn(
      withHookBeforeWrite(await connect(port), async () => {
        if (killBeforeNextWrite) await redis.kill()
        killBeforeNextWrite = false
      }),
      warnings,
    )
    await app.acquireTokenForClient(['api://a/.default'])
    // Killed just as the token for b is to be stored: the token is still returned.
    killBeforeNextWrite = true
    expect((await app.acquireTokenForClient(['api://b/.default'])).tokenSource).toBe('identity_provider')
    expect(warnings).toEqual([expect.stringMatching(/the token cache could not be stored \(CacheError\)/)])
    // While Redis is gone, every call fails clearly, within the command timeout.
    const { result: error, ms } = await timed(rejectionOf(app.acquireTokenForClient(['api://a/.default'])))
    expect(error).toMatchObject({ kind: 'CacheError', message: expect.stringMatching(/^token cache: Redis GET of ".*" failed/) })
    expect(ms).toBeLessThan(TIMEOUT_MS + 1000)
    // Redis is back (empty: it kept nothing on disk). The token for b, never stored, is stored now.
    redis = await startRedis(port)
    let answered: string | undefined
    for (let attempt = 0; attempt < 40 && answered === undefined; attempt += 1) {
      answered = await app.acquireTokenForClient(['api://b/.default']).then(
        (result) => result.tokenSource,
        () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100)), // the client is still reconnecting
      )
    }
    expect(answered).toBe('cache')
    expect(await storedScopes(port)).toEqual(['api://b/.default'])
  })
})

describe('a Redis key holding a cache nested 10,000 deep', () => {
  it('fails the call with a CacheError before any token request, and leaves the key as it was', async () => {
    const deep = `{"AccessToken":{},"XFuture":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`
    const admin = await connect(redis.port)
    await admin.set(KEY, deep)
    const error = await rejectionOf(appOn(await connect(redis.port)).acquireTokenForClient(['api://a/.default']))
    expect(error).toMatchObject({ kind: 'CacheError', message: expect.stringContaining('is not a token cache (nested deeper than 32 levels') })
    expect(idp.requests).toEqual([])
    expect(await admin.get(KEY)).toBe(deep)
  })
})
