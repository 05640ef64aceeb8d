/**
 * Issue 14, item 4: TokenCache.find / search skip expired access tokens and remove them, as MSAL
 * Python 1.31+ does. Its token_cache.py `search(credential_type, target=None, query=None, *,
 * now=None)` (and `find`, "equivalent to list(search(...))") walks the access tokens and, before
 * matching the query, sets aside every one with `int(entry["expires_on"]) < now` ("Automatically
 * delete expired access tokens"), yields the rest, then `remove_at`s the expired ones. `now`
 * defaults to time.time().
 */
import { SerializableTokenCache, TokenCache, type TokenCacheEvent } from '@msal-ts/node'

const ENV = 'login.microsoftonline.com'
const TOKEN_ENDPOINT = `https://${ENV}/contoso.onmicrosoft.com/oauth2/v2.0/token`
const HOUR = 3600

/** An app token for `scope`, obtained at `atSec` (epoch seconds), valid for an hour. */
const appToken = (cache: TokenCache, scope: string, secret: string, atSec: number, clientId = 'app-1'): void => {
  const event: TokenCacheEvent = {
    clientId,
    scope: [scope],
    tokenEndpoint: TOKEN_ENDPOINT,
    response: { token_type: 'Bearer', expires_in: HOUR, access_token: secret, scope },
    grantType: 'client_credentials',
  }
  cache.add(event, atSec)
}

const secretsOf = (entries: readonly { secret: string }[]): string[] => entries.map((entry) => entry.secret).sort()

describe('TokenCache.find and search skip and remove expired access tokens (MSAL Python 1.31+ token_cache.search)', () => {
  it('an access token that expired in 1970 is not returned, and is gone from the cache afterwards', () => {
    const cache = new SerializableTokenCache()
    appToken(cache, 'api://a/.default', 'expired-in-1970', 0) // expires_on 3600: 1970-01-01T01:00Z
    appToken(cache, 'api://b/.default', 'valid', Math.floor(Date.now() / 1000))
    cache.serialize() // nothing changed since this point
    expect(cache.hasStateChanged).toBe(false)

    expect(secretsOf(cache.find('AccessToken'))).toEqual(['valid'])
    expect(cache.accessTokenCount).toBe(1)
    // Removing it is a change to store, as MSAL Python's remove_at marks has_state_changed.
    expect(cache.hasStateChanged).toBe(true)
    // (App tokens are written in both MSAL Python's and MSAL for Node's key conventions: one secret, two entries.)
    const stored = Object.values(JSON.parse(cache.serialize()).AccessToken as Record<string, { secret: string }>).map((at) => at.secret)
    expect([...new Set(stored)]).toEqual(['valid'])
  })

  it('`now` (epoch seconds) decides what is expired: before expiry the token is found, after it the token is removed', () => {
    const cache = new TokenCache()
    appToken(cache, 'api://a/.default', 'at', 1_000_000)
    expect(secretsOf(cache.find('AccessToken', { now: 1_000_000 + HOUR - 1 }))).toEqual(['at'])
    // MSAL Python's test is `expires_on < now`: a token is still returned at the second it expires.
    expect(secretsOf(cache.find('AccessToken', { now: 1_000_000 + HOUR }))).toEqual(['at'])
    expect(secretsOf([...cache.search('AccessToken', { now: 1_000_000 + HOUR + 1 })])).toEqual([])
    expect(cache.accessTokenCount).toBe(0)
  })

  it('removes every expired access token, also those the query does not match (MSAL Python checks expiry before the query)', () => {
    const cache = new TokenCache()
    appToken(cache, 'api://a/.default', 'app-1-old', 1_000_000, 'app-1')
    appToken(cache, 'api://a/.default', 'app-2-old', 1_000_000, 'app-2')
    appToken(cache, 'api://b/.default', 'app-2-new', 2_000_000, 'app-2')
    const found = cache.find('AccessToken', { query: { client_id: 'app-1' }, now: 2_000_000 })
    expect(found).toEqual([])
    expect(secretsOf(cache.find('AccessToken', { now: 2_000_000 }))).toEqual(['app-2-new'])
  })

  it('searching another type removes nothing (only access token searches do)', () => {
    const cache = new TokenCache()
    appToken(cache, 'api://a/.default', 'old', 1_000_000)
    expect(cache.find('RefreshToken', { now: 9_000_000 })).toEqual([])
    expect(cache.find('Account', { now: 9_000_000 })).toEqual([])
    expect(cache.accessTokenCount).toBe(1)
  })

  it('the application\'s own lookups keep working on what search left (the cache is one store)', () => {
    const cache = new TokenCache()
    appToken(cache, 'api://a/.default', 'old', 0)
    expect(cache.find('AccessToken', { target: ['api://a/.default'] })).toEqual([])
    expect(cache.accessTokenCount).toBe(0)
  })

  it.each<[string, unknown]>([
    ['a string', '1700000000'],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('refuses a `now` that is %s with a UsageError naming now, changing nothing', (_, now) => {
    const cache = new TokenCache()
    appToken(cache, 'api://a/.default', 'at', 0)
    expect(() => cache.find('AccessToken', { now: now as number })).toThrow(expect.objectContaining({ kind: 'UsageError', argument: 'now' }))
    expect(cache.accessTokenCount).toBe(1)
  })
})
