import { TokenCache } from '@msal-ts/core'
import { accessTokenEntityOf, accessTokenKey, reduceTokenResponse, removeClientTokens, selectAccessToken, type AccessTokenQuery, type TokenResponseEvent } from '@msal-ts/core/protocol'

const NOW = 1_767_225_600
const event = (over: Partial<TokenResponseEvent> = {}): TokenResponseEvent => ({
  clientId: 'client-1',
  environment: 'login.microsoftonline.com',
  realm: 'tenant-a',
  scopes: ['api://x/.default'],
  response: { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600, ext_expires_in: 7200 },
  homeAccountId: null,
  ...over,
})
const query = (over: Partial<AccessTokenQuery> = {}): AccessTokenQuery => ({
  clientId: 'client-1',
  environment: 'login.microsoftonline.com',
  realm: 'tenant-a',
  homeAccountId: null,
  scopes: ['api://x/.default'],
  ...over,
})
const cacheWith = (...events: Array<[TokenResponseEvent, number?]>): TokenCache => {
  const cache = new TokenCache()
  for (const [e, at] of events) cache.apply(reduceTokenResponse(e, at ?? NOW))
  return cache
}

describe('access-token entries', () => {
  it('are written in the unified schema, timestamps as strings of epoch seconds', () => {
    expect(accessTokenEntityOf(event({ response: { access_token: 'at-1', expires_in: 3600, ext_expires_in: 7200, refresh_in: 1800 } }), NOW)).toEqual({
      credential_type: 'AccessToken',
      secret: 'at-1',
      home_account_id: null,
      environment: 'login.microsoftonline.com',
      client_id: 'client-1',
      target: 'api://x/.default',
      realm: 'tenant-a',
      token_type: 'Bearer',
      cached_at: String(NOW),
      expires_on: String(NOW + 3600),
      extended_expires_on: String(NOW + 7200),
      refresh_on: String(NOW + 1800),
    })
  })

  it.each([
    ['expires_in alone: ext_expires_in defaults to it', { access_token: 'a', expires_in: 100 }, NOW + 100, NOW + 100],
    ['only expires_on (some managed identity sources)', { access_token: 'a', expires_on: NOW + 500 }, NOW + 500, NOW + 500],
    ['neither: 600 s', { access_token: 'a' }, NOW + 600, NOW + 600],
  ])('%s', (_, response, expiresOn, extExpiresOn) => {
    const entity = accessTokenEntityOf(event({ response }), NOW)
    expect([entity.expires_on, entity.extended_expires_on]).toEqual([String(expiresOn), String(extExpiresOn)])
  })

  it('file the scopes granted in the response, sorted, over the scopes asked for', () => {
    expect(accessTokenEntityOf(event({ scopes: ['b'], response: { access_token: 'a', scope: 'Mail.Read User.Read' } }), NOW).target).toBe('Mail.Read User.Read')
    expect(accessTokenEntityOf(event({ scopes: ['z', 'a'] }), NOW).target).toBe('a z')
  })

  it('are keyed as MSAL Python keys them, lower-cased', () => {
    const entity = accessTokenEntityOf(event({ realm: 'Tenant-A', scopes: ['API://X/.default'] }), NOW)
    expect(accessTokenKey(entity)).toBe('-login.microsoftonline.com-accesstoken-client-1-tenant-a-api://x/.default')
  })
})

describe('TokenCache and selectAccessToken', () => {
  it('finds a token by its exact key', () => {
    const cache = cacheWith([event()])
    expect(selectAccessToken(cache, query(), NOW)).toMatchObject({ _tag: 'Fresh', entity: { secret: 'at-1' } })
  })

  it('finds a token whose target covers the requested scopes, case-insensitively', () => {
    const cache = cacheWith([event({ scopes: ['Mail.Read', 'User.Read'] })])
    expect(selectAccessToken(cache, query({ scopes: ['user.read'] }), NOW)._tag).toBe('Fresh')
    expect(selectAccessToken(cache, query({ scopes: ['User.Read', 'Files.Read'] }), NOW)).toEqual({ _tag: 'Miss', reason: 'absent' })
  })

  it.each([
    ['another client', { clientId: 'client-2' }],
    ['another tenant', { realm: 'tenant-b' }],
    ['another environment', { environment: 'login.microsoftonline.us' }],
    ['a user account', { homeAccountId: 'uid.utid' }],
    ['a key-bound (PoP) lookup', { keyId: 'kid-1' }],
  ])('never serves %s', (_, over) => {
    expect(selectAccessToken(cacheWith([event()]), query(over), NOW)).toEqual({ _tag: 'Miss', reason: 'absent' })
  })

  it('keeps bearer and key-bound tokens apart', () => {
    const cache = cacheWith([event()], [event({ keyId: 'kid-1', response: { access_token: 'pop', expires_in: 3600 } })])
    expect(selectAccessToken(cache, query(), NOW)).toMatchObject({ entity: { secret: 'at-1' } })
    expect(selectAccessToken(cache, query({ keyId: 'kid-1' }), NOW)).toMatchObject({ entity: { secret: 'pop' } })
    expect(cache.accessTokenCount).toBe(2)
  })

  it('treats a token with under 300 s left as expired', () => {
    const cache = cacheWith([event()])
    expect(selectAccessToken(cache, query(), NOW + 3600 - 300)._tag).toBe('Fresh')
    expect(selectAccessToken(cache, query(), NOW + 3600 - 299)).toMatchObject({ _tag: 'Miss', reason: 'expired', lastResort: { secret: 'at-1' } })
    // Once it has expired it is not even a last resort.
    expect(selectAccessToken(cache, query(), NOW + 3600)).toEqual({ _tag: 'Miss', reason: 'expired', lastResort: undefined })
  })

  it('reports a token past its refresh_on as aging', () => {
    const cache = cacheWith([event({ response: { access_token: 'a', expires_in: 7200, refresh_in: 3600 } })])
    expect(selectAccessToken(cache, query(), NOW + 3600)._tag).toBe('Fresh')
    expect(selectAccessToken(cache, query(), NOW + 3601)).toMatchObject({ _tag: 'Aging', entity: { secret: 'a' } })
  })

  it('prefers a usable token over an expired one for the same scopes', () => {
    const cache = cacheWith([event({ scopes: ['api://x/.default', 'extra'], response: { access_token: 'wide', expires_in: 3600 } })], [event({ response: { access_token: 'old', expires_in: 10 } })])
    expect(selectAccessToken(cache, query(), NOW)).toMatchObject({ _tag: 'Fresh', entity: { secret: 'wide' } })
  })

  it('replaces an entry under the same key and keeps one copy', () => {
    const cache = cacheWith([event()], [event({ response: { access_token: 'at-2', expires_in: 3600 } }), NOW + 10])
    expect(cache.accessTokenCount).toBe(1)
    expect(selectAccessToken(cache, query(), NOW + 10)).toMatchObject({ entity: { secret: 'at-2', cached_at: String(NOW + 10) } })
  })

  it('counts state changes', () => {
    const cache = new TokenCache()
    const before = cache.stateVersion
    cache.apply({ puts: [], deletes: [] })
    expect(cache.stateVersion).toBe(before)
    cache.apply(reduceTokenResponse(event(), NOW))
    expect(cache.stateVersion).toBe(before + 1)
  })

  it('removes the app tokens of one client only, and keeps indexes consistent', () => {
    const cache = cacheWith(
      [event()],
      [event({ realm: 'tenant-b' })],
      [event({ clientId: 'client-2' })],
      [event({ homeAccountId: 'uid.utid' })],
    )
    cache.apply(removeClientTokens(cache, 'CLIENT-1', ['login.microsoftonline.com']))
    expect(cache.accessTokenCount).toBe(2)
    expect(selectAccessToken(cache, query(), NOW)._tag).toBe('Miss')
    expect(selectAccessToken(cache, query({ realm: 'tenant-b' }), NOW)._tag).toBe('Miss')
    expect(selectAccessToken(cache, query({ clientId: 'client-2' }), NOW)._tag).toBe('Fresh')
    expect(selectAccessToken(cache, query({ homeAccountId: 'uid.utid' }), NOW)._tag).toBe('Fresh')
    expect(cache.accessTokensIn(query()).size).toBe(0)
  })

  it('looks only inside the matching bucket, however large the cache', () => {
    const cache = new TokenCache()
    for (let i = 0; i < 5000; i++) cache.apply(reduceTokenResponse(event({ realm: `tenant-${i}` }), NOW))
    expect(cache.accessTokenCount).toBe(5000)
    expect(cache.accessTokensIn(query({ realm: 'tenant-4321' })).size).toBe(1)
    expect(selectAccessToken(cache, query({ realm: 'tenant-4321' }), NOW)._tag).toBe('Fresh')
  })
})
