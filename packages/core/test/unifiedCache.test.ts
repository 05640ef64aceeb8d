import { MsalError, selectAccounts, SerializableTokenCache, TokenCache, type TokenCacheEvent } from '@msal-ts/core'
import { bytesToBase64Url, reduceTokenResponse, selectAccessTokenIn, selectAppMetadata, selectIdToken, selectRefreshTokens, utf8Encode } from '@msal-ts/core/protocol'

const NOW = 1_767_225_600
const b64 = (value: unknown): string => bytesToBase64Url(utf8Encode(JSON.stringify(value)))
const jwt = (claims: Record<string, unknown>): string => `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.c2ln`
const UID = '11111111-1111-4111-8111-111111111111'
const UTID = '22222222-2222-4222-8222-222222222222'
const HOME = `${UID}.${UTID}`
const ENV = 'login.microsoftonline.com'

const userResponse = (over: Record<string, unknown> = {}) => ({
  token_type: 'Bearer',
  scope: 'User.Read openid profile',
  expires_in: 3599,
  ext_expires_in: 3599,
  access_token: 'at-user',
  refresh_token: 'rt-user',
  id_token: jwt({ oid: UID, sub: 'pairwise-sub', tid: UTID, preferred_username: 'Alice@Contoso.com', name: 'Alice' }),
  client_info: b64({ uid: UID, utid: UTID }),
  ...over,
})

const userEvent = (over: Partial<TokenCacheEvent> = {}): TokenCacheEvent => ({
  clientId: 'app-1',
  scope: ['User.Read', 'openid', 'profile', 'offline_access'],
  tokenEndpoint: `https://${ENV}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
  response: userResponse(),
  grantType: 'authorization_code',
  ...over,
})

const cacheWith = (...events: TokenCacheEvent[]): SerializableTokenCache => {
  const cache = new SerializableTokenCache({ clock: () => NOW })
  events.forEach((event) => cache.add(event, NOW))
  return cache
}

describe('add(): a token response becomes every entity of the unified schema', () => {
  it('files a user sign-in as MSAL Python does, under the tenant id of the ID token', () => {
    const json = JSON.parse(cacheWith(userEvent()).serialize())
    expect(json.AccessToken).toEqual({
      [`${HOME}-${ENV}-accesstoken-app-1-${UTID}-user.read openid profile`]: {
        credential_type: 'AccessToken',
        secret: 'at-user',
        home_account_id: HOME,
        environment: ENV,
        client_id: 'app-1',
        target: 'User.Read openid profile',
        realm: UTID,
        token_type: 'Bearer',
        cached_at: String(NOW),
        expires_on: String(NOW + 3599),
        extended_expires_on: String(NOW + 3599),
      },
    })
    expect(json.RefreshToken).toEqual({
      [`${HOME}-${ENV}-refreshtoken-app-1--user.read openid profile`]: {
        credential_type: 'RefreshToken',
        secret: 'rt-user',
        home_account_id: HOME,
        environment: ENV,
        client_id: 'app-1',
        target: 'User.Read openid profile',
        last_modification_time: String(NOW),
      },
    })
    expect(Object.keys(json.IdToken)).toEqual([`${HOME}-${ENV}-idtoken-app-1-${UTID}-`])
    expect(json.IdToken[`${HOME}-${ENV}-idtoken-app-1-${UTID}-`]).toMatchObject({ credential_type: 'IdToken', home_account_id: HOME, realm: UTID, client_id: 'app-1' })
    expect(json.Account).toEqual({
      [`${HOME}-${ENV}-${UTID}`]: {
        home_account_id: HOME,
        environment: ENV,
        realm: UTID,
        local_account_id: UID,
        username: 'Alice@Contoso.com',
        authority_type: 'MSSTS',
        account_source: 'authorization_code',
        name: 'Alice',
        client_info: userResponse().client_info,
      },
    })
    expect(json.AppMetadata).toEqual({ [`appmetadata-${ENV}-app-1`]: { client_id: 'app-1', environment: ENV } })
  })

  it('records the family of a FOCI response on the refresh token and the app metadata', () => {
    const cache = cacheWith(userEvent({ response: userResponse({ foci: '1' }) }))
    expect(selectRefreshTokens(cache, { environment: ENV, homeAccountId: HOME, familyId: '1' })).toHaveLength(1)
    expect(selectAppMetadata(cache, ENV, 'app-1')).toEqual({ client_id: 'app-1', environment: ENV, family_id: '1' })
  })

  it('derives an ADFS account from the ID token when there is no client_info', () => {
    const cache = cacheWith(
      userEvent({
        tokenEndpoint: 'https://adfs.contoso.com/adfs/oauth2/token',
        response: userResponse({ client_info: undefined, id_token: jwt({ sub: 'adfs-sub', upn: 'bob@contoso.com' }) }),
        grantType: 'password',
      }),
    )
    expect(selectAccounts(cache, ['adfs.contoso.com'])).toEqual([
      expect.objectContaining({ homeAccountId: 'adfs-sub', username: 'bob@contoso.com', authorityType: 'ADFS', realm: 'adfs', localAccountId: 'adfs-sub', accountSource: 'password' }),
    ])
  })

  it.each([
    ['the ID token', { username: undefined, data: undefined }, 'Alice@Contoso.com'],
    ['the ROPC form data, when the ID token names nobody', { data: { username: 'ropc@contoso.com' } }, 'ropc@contoso.com'],
    ['the event, last', { username: 'event@contoso.com' }, 'event@contoso.com'],
  ])('takes the username from %s', (_, over, username) => {
    const noName = Object.keys(over).length > 0 && !('username' in over && over.username === undefined)
    const response = noName ? userResponse({ id_token: jwt({ oid: UID, sub: 's' }) }) : userResponse()
    const cache = cacheWith(userEvent({ ...over, response }))
    expect(selectAccounts(cache, [ENV])[0]?.username).toBe(username)
  })

  it('does not create an account on a refresh (a concurrent removeAccount must win)', () => {
    const cache = cacheWith(userEvent({ grantType: 'refresh_token', skipAccountCreation: true }))
    expect(cache.accounts.size).toBe(0)
    expect(cache.refreshTokens.size).toBe(1)
  })

  it('never replaces a known account with a nameless one from a response without an ID token', () => {
    const cache = cacheWith(userEvent())
    cache.add(userEvent({ scope: ['Mail.Read'], response: userResponse({ scope: 'Mail.Read', id_token: undefined }) }), NOW + 10)
    expect(cache.find('Account')).toEqual([expect.objectContaining({ username: 'Alice@Contoso.com', local_account_id: UID, name: 'Alice' })])
    expect(cache.find('AccessToken')).toHaveLength(2)
  })

  it('still creates an account from client_info alone when there is none yet', () => {
    const cache = cacheWith(userEvent({ response: userResponse({ id_token: undefined }) }))
    expect(cache.find('Account')).toEqual([expect.objectContaining({ home_account_id: HOME, username: '', local_account_id: null })])
  })

  it('reads each ID token for itself, even when ID tokens end alike (the claims memo is keyed by the end and confirmed in full)', () => {
    // Two users' ID tokens with one signature: the same last 64 characters, other claims.
    const signature = 'x'.repeat(100)
    const idTokenOf = (uid: string, name: string) => `${b64({ alg: 'RS256' })}.${b64({ oid: uid, sub: uid, tid: UTID, preferred_username: `${name}@contoso.com`, name })}.${signature}`
    const eventOf = (uid: string, name: string) =>
      userEvent({ response: userResponse({ id_token: idTokenOf(uid, name), client_info: b64({ uid, utid: UTID }) }) })
    const cache = cacheWith()
    const bob = '33333333-3333-4333-8333-333333333333'
    // Alice, Bob, Alice again (her text evicted from the memo's slot by Bob's), and Bob's own text as a new string.
    for (const [uid, name] of [[UID, 'Alice'], [bob, 'Bob'], [UID, 'Alice'], [bob, 'Bob']] as const) cache.add(eventOf(uid, name), NOW)
    cache.add(eventOf(bob, 'Robert'), NOW)
    const names = Object.fromEntries(cache.find('Account').map((account) => [account.local_account_id, account.name]))
    expect(names).toEqual({ [UID]: 'Alice', [bob]: 'Robert' })
  })

  it('records only account-establishing grants as the account source', () => {
    const cache = cacheWith(userEvent({ grantType: 'refresh_token' }))
    expect(selectAccounts(cache, [ENV])[0]?.accountSource).toBeUndefined()
  })

  it('files a client-credentials response with no account and a null home account id', () => {
    const cache = cacheWith({ clientId: 'daemon', scope: ['api://x/.default'], tokenEndpoint: `https://${ENV}/t1/oauth2/v2.0/token`, response: { access_token: 'app-at', expires_in: 3599 } })
    const json = JSON.parse(cache.serialize())
    expect(Object.values(json.AccessToken)).toEqual([expect.objectContaining({ home_account_id: null, realm: 't1' }), expect.objectContaining({ home_account_id: '', realm: 't1' })])
    expect(cache.accessTokenCount).toBe(1)
    expect(Object.keys(json.Account)).toEqual([])
    expect(Object.keys(json.AppMetadata)).toEqual([`appmetadata-${ENV}-daemon`])
  })

  it.each([
    ['no clientId', { clientId: '' }, 'event.clientId: expected a non-empty string'],
    ['no location', { tokenEndpoint: undefined }, 'event: expected an environment or a tokenEndpoint'],
    ['a response without a token', { response: { token_type: 'Bearer' } }, 'event.response: access_token: expected a non-empty string, got nothing'],
    ['an ID token that is not a JWT', { response: userResponse({ id_token: 'nope' }) }, 'event.response.id_token: the ID token is not a JWT'],
    ['a client_info that is not base64url JSON', { response: userResponse({ client_info: '%%%' }) }, 'event.response.client_info: client_info is not base64url-encoded JSON'],
  ])('refuses %s with an MsalError, changing nothing', (_, over, message) => {
    const cache = cacheWith(userEvent())
    const before = cache.serialize()
    expect(() => cache.add(userEvent(over as Partial<TokenCacheEvent>), NOW)).toThrow(MsalError)
    expect(() => cache.add(userEvent(over as Partial<TokenCacheEvent>), NOW)).toThrow(message)
    expect(cache.serialize()).toBe(before)
  })

  it('needs `now` when it has no clock', () => {
    expect(() => new TokenCache().add(userEvent())).toThrow('now: this TokenCache has no clock: pass now (epoch seconds)')
    const clocked = new TokenCache({ clock: () => NOW + 5 })
    clocked.add(userEvent())
    expect(clocked.find('AccessToken')[0]?.cached_at).toBe(String(NOW + 5))
  })
})

describe('selectors', () => {
  it('find a token filed under any alias of the environment', () => {
    const cache = cacheWith({ clientId: 'daemon', scope: ['api://x/.default'], tokenEndpoint: 'https://login.windows.net/t1/oauth2/v2.0/token', response: { access_token: 'from-node', expires_in: 3599 } })
    const buckets = ['login.microsoftonline.com', 'login.windows.net'].map((environment) => ({ clientId: 'daemon', environment, realm: 't1', homeAccountId: null }))
    expect(selectAccessTokenIn(cache, buckets, ['api://x/.default'], NOW)).toMatchObject({ _tag: 'Fresh', entity: { secret: 'from-node' } })
    expect(selectAccessTokenIn(cache, buckets.slice(0, 1), ['api://x/.default'], NOW)._tag).toBe('Miss')
  })

  it('keep one refresh token per app (or family) and account: a new one supersedes the others', () => {
    const cache = cacheWith(userEvent({ response: userResponse({ refresh_token: 'first' }) }))
    cache.add(userEvent({ scope: ['Mail.Read'], response: userResponse({ scope: 'Mail.Read', refresh_token: 'second' }) }), NOW + 60)
    cache.add(userEvent({ clientId: 'app-2', response: userResponse({ refresh_token: 'other-app' }) }), NOW + 60)
    expect(cache.find('RefreshToken').map((rt) => rt.secret).sort()).toEqual(['other-app', 'second'])
  })

  it('list refresh tokens newest first, for the app or its family', () => {
    const cache = cacheWith(
      userEvent({ response: userResponse({ refresh_token: 'old', foci: '1' }) }),
      userEvent({ clientId: 'app-2', response: userResponse({ refresh_token: 'sibling', foci: '1' }) }),
    )
    cache.add(userEvent({ scope: ['Mail.Read'], response: userResponse({ scope: 'Mail.Read', refresh_token: 'new' }) }), NOW + 60)
    expect(selectRefreshTokens(cache, { environment: ENV, homeAccountId: HOME, clientId: 'APP-1' }).map((rt) => rt.secret)).toEqual(['new', 'old'])
    expect(selectRefreshTokens(cache, { environment: ENV, homeAccountId: HOME, familyId: '1' }).map((rt) => rt.secret).sort()).toEqual(['old', 'sibling'])
    expect(selectRefreshTokens(cache, { environment: ENV, homeAccountId: 'someone.else' })).toEqual([])
  })

  it('list accounts once per home account, under the first environment that has any, filtered by username case-insensitively', () => {
    const cache = cacheWith(
      userEvent(),
      // The same user in a second tenant (as a guest): another account entry, one account listed.
      userEvent({ tokenEndpoint: `https://${ENV}/other-tenant/oauth2/v2.0/token`, response: userResponse({ id_token: jwt({ oid: UID, tid: 'other-tenant-id', preferred_username: 'Alice@Contoso.com' }) }) }),
      userEvent({ tokenEndpoint: 'https://login.windows.net/contoso.onmicrosoft.com/oauth2/v2.0/token', response: userResponse({ client_info: b64({ uid: 'u2', utid: 't2' }), id_token: jwt({ oid: 'u2', preferred_username: 'carol@contoso.com' }) }) }),
    )
    expect(cache.accounts.size).toBe(3)
    expect(selectAccounts(cache, [ENV, 'login.windows.net']).map((a) => a.homeAccountId)).toEqual([HOME])
    expect(selectAccounts(cache, ['login.windows.net', ENV]).map((a) => a.username)).toEqual(['carol@contoso.com'])
    expect(selectAccounts(cache, [ENV], { username: 'ALICE@contoso.COM' })).toHaveLength(1)
    expect(selectAccounts(cache, [ENV], { username: 'bob@contoso.com' })).toEqual([])
  })

  it('find the ID token of an account in a realm', () => {
    const cache = cacheWith(userEvent())
    expect(selectIdToken(cache, { homeAccountId: HOME, environment: ENV, clientId: 'app-1', realm: UTID })?.secret).toMatch(/\./)
    expect(selectIdToken(cache, { homeAccountId: HOME, environment: ENV, clientId: 'app-1', realm: 'elsewhere' })).toBeUndefined()
  })
})

describe('removeAccount: sign out of this app and its family, forget the account', () => {
  it('removes the refresh tokens of the app and its family, and every access token, ID token and account entry', () => {
    const cache = cacheWith(
      userEvent({ response: userResponse({ foci: '1' }) }),
      userEvent({ clientId: 'family-sibling', response: userResponse({ foci: '1', refresh_token: 'sibling-rt', access_token: 'sibling-at' }) }),
      userEvent({ clientId: 'outsider', response: userResponse({ refresh_token: 'outsider-rt', access_token: 'outsider-at' }) }),
      userEvent({ tokenEndpoint: `https://${ENV}/other-tenant/oauth2/v2.0/token`, response: userResponse({ access_token: 'other-realm-at', foci: '1' }) }),
    )
    // Another user of the same (family) app; its response carries foci too, as Entra's do.
    const someoneElse = userResponse({ client_info: b64({ uid: 'u9', utid: 't9' }), id_token: jwt({ oid: 'u9' }), access_token: 'keep-me', foci: '1' })
    cache.add(userEvent({ response: someoneElse }), NOW)
    cache.perform({ _tag: 'RemoveAccount', clientId: 'app-1', account: { homeAccountId: HOME, environment: ENV } })
    expect(cache.find('RefreshToken', { query: { home_account_id: HOME } }).map((rt) => rt.secret)).toEqual(['outsider-rt'])
    expect(cache.find('RefreshToken', { query: { home_account_id: 'u9.t9' } })).toHaveLength(1)
    expect(cache.find('AccessToken').map((at) => at.secret)).toEqual(['keep-me'])
    expect(cache.find('Account').map((a) => a.home_account_id)).toEqual(['u9.t9'])
    expect(cache.find('IdToken').map((idt) => idt.home_account_id)).toEqual(['u9.t9'])
  })
})

describe('app metadata follows the latest response, as MSAL Python writes it', () => {
  it('forgets the family when a later response carries no foci', () => {
    const cache = cacheWith(userEvent({ response: userResponse({ foci: '1' }) }), userEvent())
    expect(selectAppMetadata(cache, ENV, 'app-1')?.family_id).toBeUndefined()
  })
})

describe('search and find (MSAL Python semantics)', () => {
  const cache = cacheWith(userEvent(), { clientId: 'daemon', scope: ['api://x/.default'], tokenEndpoint: `https://${ENV}/t1/oauth2/v2.0/token`, response: { access_token: 'app-at' } })

  it.each([
    [{ query: { client_id: 'app-1' } }, ['at-user']],
    [{ query: { home_account_id: null, environment: ENV } }, ['app-at']],
    [{ query: { home_account_id: '', environment: ENV } }, ['app-at']],
    [{ query: { home_account_id: HOME, environment: ENV }, target: ['user.read'] }, ['at-user']],
    [{ target: ['User.Read', 'Mail.Read'] }, []],
    [{ query: { realm: 'nowhere' } }, []],
    [{}, ['at-user', 'app-at']],
  ])('%j', (options, secrets) => {
    expect(cache.find('AccessToken', options).map((at) => at.secret)).toEqual(secrets)
  })

  it('search is lazy', () => {
    const found = cache.search('Account')
    expect(found.next().value).toMatchObject({ home_account_id: HOME })
    expect(found.next().done).toBe(true)
  })
})

describe('serialize and deserialize', () => {
  it('round-trips, keeping unknown top-level keys and unknown entry fields', () => {
    const text = JSON.stringify({
      AccessToken: {
        'k1': { credential_type: 'AccessToken', secret: 's', home_account_id: 'h.t', environment: ENV, client_id: 'c', target: 'a', realm: 't', cached_at: '1', expires_on: String(NOW + 4000), userAssertionHash: 'h', custom: { x: 1 } },
      },
      RefreshToken: {},
      IdToken: {},
      Account: { 'a-b-c': { home_account_id: 'a', environment: 'b', realm: 'c', local_account_id: 'l', username: 'u', authority_type: 'MSSTS', tenantProfiles: ['x'] } },
      AppMetadata: {},
      SomethingNew: { version: 3 },
    })
    const cache = new SerializableTokenCache({ clock: () => NOW })
    cache.deserialize(text)
    expect(JSON.parse(cache.serialize())).toEqual(JSON.parse(text))
  })

  it("loads MSAL for Node's forms: key suffixes, empty home ids, numeric timestamps; replaces them on a new write", () => {
    const nodeKey = `-login.windows.net-accesstoken-daemon-t1-api://x/.default-`
    const text = JSON.stringify({
      AccessToken: { [nodeKey]: { credential_type: 'AccessToken', secret: 'node-at', home_account_id: '', environment: 'login.windows.net', client_id: 'daemon', target: 'api://x/.default', realm: 't1', cached_at: NOW, expires_on: NOW + 3599, extended_expires_on: String(NOW + 3599), token_type: 'Bearer' } },
    })
    const cache = new SerializableTokenCache({ clock: () => NOW })
    cache.deserialize(text)
    const buckets = [{ clientId: 'daemon', environment: 'login.windows.net', realm: 't1', homeAccountId: null }]
    expect(selectAccessTokenIn(cache, buckets, ['api://x/.default'], NOW)).toMatchObject({ _tag: 'Fresh', entity: { secret: 'node-at', expires_on: String(NOW + 3599) } })
    cache.add({ clientId: 'daemon', scope: ['api://x/.default'], tokenEndpoint: 'https://login.windows.net/t1/oauth2/v2.0/token', response: { access_token: 'ours' } }, NOW)
    expect(cache.accessTokenCount).toBe(1)
    expect(cache.find('AccessToken').map((at) => at.secret)).toEqual(['ours'])
  })

  it("writes an app's own token in both conventions (MSAL Python: home null; MSAL for Node: home \"\", login.windows.net, a trailing key part)", () => {
    const cache = cacheWith({ clientId: 'daemon', scope: ['api://x/.default'], environment: ENV, realm: 't1', response: { access_token: 'app', expires_in: 3599 } })
    const section = JSON.parse(cache.serialize()).AccessToken
    // The second is exactly what MSAL for Node would write: its alias, "" and its key form.
    expect(Object.keys(section)).toEqual([`-${ENV}-accesstoken-daemon-t1-api://x/.default`, `-login.windows.net-accesstoken-daemon-t1-api://x/.default-`])
    expect(Object.values(section).map((at) => (at as { home_account_id: unknown }).home_account_id)).toEqual([null, ''])
    const again = new SerializableTokenCache({ clock: () => NOW })
    again.deserialize(cache.serialize())
    expect(again.accessTokenCount).toBe(1)
    expect(again.serialize()).toBe(cache.serialize())
  })

  it('keeps the copy that expires later when the two conventions disagree (one library refreshed its copy)', () => {
    const cache = cacheWith({ clientId: 'daemon', scope: ['api://x/.default'], environment: ENV, realm: 't1', response: { access_token: 'old', expires_in: 600 } })
    const json = JSON.parse(cache.serialize())
    const nodeKey = `-login.windows.net-accesstoken-daemon-t1-api://x/.default-`
    json.AccessToken[nodeKey] = { ...json.AccessToken[nodeKey], secret: 'refreshed-by-node', expires_on: String(NOW + 3599) }
    const loaded = new SerializableTokenCache({ clock: () => NOW })
    loaded.deserialize(JSON.stringify(json))
    expect(loaded.find('AccessToken').map((at) => at.secret)).toEqual(['refreshed-by-node'])
  })

  it("finds MSAL Python 1.21's unsorted targets, and a new write replaces the entry", () => {
    const text = JSON.stringify({
      AccessToken: { [`${HOME}-${ENV}-accesstoken-app-1-t1-user.read mail.read`]: { credential_type: 'AccessToken', secret: 'py121', home_account_id: HOME, environment: ENV, client_id: 'app-1', target: 'User.Read Mail.Read', realm: 't1', cached_at: String(NOW), expires_on: String(NOW + 3599) } },
    })
    const cache = new SerializableTokenCache({ clock: () => NOW })
    cache.deserialize(text)
    const bucket = [{ clientId: 'app-1', environment: ENV, realm: 't1', homeAccountId: HOME }]
    expect(selectAccessTokenIn(cache, bucket, ['Mail.Read', 'User.Read'], NOW)).toMatchObject({ entity: { secret: 'py121' } })
    cache.add(userEvent({ tokenEndpoint: `https://${ENV}/t1/oauth2/v2.0/token`, response: userResponse({ scope: 'Mail.Read User.Read', access_token: 'replacement', id_token: jwt({ oid: UID, tid: 't1' }) }) }), NOW)
    expect(cache.find('AccessToken').map((at) => at.secret)).toEqual(['replacement'])
  })

  it('keeps entries that do not fit the schema, unused but intact', () => {
    const broken = { credential_type: 'AccessToken', secret: 's' } // no expires_on, client_id...
    const text = JSON.stringify({ AccessToken: { broken }, RefreshToken: {}, IdToken: {}, Account: {}, AppMetadata: {} })
    const cache = new SerializableTokenCache({ clock: () => NOW })
    cache.deserialize(text)
    expect(cache.unusableEntryCount).toBe(1)
    expect(cache.accessTokenCount).toBe(0)
    expect(JSON.parse(cache.serialize()).AccessToken).toEqual({ broken })
  })

  it.each([
    ['truncated JSON', '{"AccessToken": {"k": {"secret": "s"', 'token cache: not valid JSON'],
    ['a JSON array', '[]', 'token cache: expected a JSON object'],
    ['a section of the wrong shape', '{"AccessToken": []}', 'token cache: the AccessToken section must be an object of entries'],
    ['binary garbage', '\u0000\u0001\u0002', 'token cache: not valid JSON'],
  ])('refuses %s with an MsalError and keeps the cache as it was', (_, text, message) => {
    const cache = cacheWith(userEvent())
    const before = cache.serialize()
    cache.add(userEvent({ clientId: 'app-2' }), NOW)
    const withPending = cache.serialize()
    expect(withPending).not.toBe(before)
    let error: unknown
    try {
      cache.deserialize(text)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(MsalError)
    expect(error).toMatchObject({ kind: 'CacheError', error: 'invalid_cache' })
    expect((error as Error).message).toContain(message)
    expect(cache.serialize()).toBe(withPending)
  })

  it('treats an empty text as an empty cache, as MSAL Python does', () => {
    const cache = cacheWith(userEvent())
    cache.deserialize('')
    expect(cache.find('AccessToken')).toEqual([])
  })

  it('tracks hasStateChanged as MSAL Python does', () => {
    const cache = new SerializableTokenCache({ clock: () => NOW })
    expect(cache.hasStateChanged).toBe(false)
    cache.add(userEvent(), NOW)
    expect(cache.hasStateChanged).toBe(true)
    const text = cache.serialize()
    expect(cache.hasStateChanged).toBe(false)
    cache.deserialize(text)
    expect(cache.hasStateChanged).toBe(false)
    cache.perform({ _tag: 'RemoveAccount', clientId: 'nobody', account: { homeAccountId: 'none', environment: ENV } })
    expect(cache.hasStateChanged).toBe(false)
  })
})

describe('mergeFrom: merge-on-write', () => {
  it('keeps what another writer stored and what this one added since it loaded', () => {
    const base = cacheWith(userEvent()).serialize()
    const mine = new SerializableTokenCache({ clock: () => NOW })
    const theirs = new SerializableTokenCache({ clock: () => NOW })
    mine.deserialize(base)
    theirs.deserialize(base)
    mine.add({ clientId: 'daemon', scope: ['api://mine/.default'], environment: ENV, realm: 't1', response: { access_token: 'mine' } }, NOW)
    theirs.add({ clientId: 'daemon', scope: ['api://theirs/.default'], environment: ENV, realm: 't1', response: { access_token: 'theirs' } }, NOW)
    mine.mergeFrom(theirs.serialize())
    expect(mine.find('AccessToken').map((at) => at.secret).sort()).toEqual(['at-user', 'mine', 'theirs'])
    expect(mine.pendingChangeCount).toBe(1)
    mine.markPersisted()
    expect(mine.pendingChangeCount).toBe(0)
  })

  it('replays removals against the merged state (removeAccount also removes what the other writer added)', () => {
    const base = cacheWith(userEvent()).serialize()
    const mine = new SerializableTokenCache({ clock: () => NOW })
    const theirs = new SerializableTokenCache({ clock: () => NOW })
    mine.deserialize(base)
    theirs.deserialize(base)
    theirs.add(userEvent({ scope: ['Mail.Read'], response: userResponse({ scope: 'Mail.Read', access_token: 'theirs-mail' }) }), NOW)
    mine.perform({ _tag: 'RemoveAccount', clientId: 'app-1', account: { homeAccountId: HOME, environment: ENV } })
    mine.mergeFrom(theirs.serialize())
    expect(mine.find('AccessToken')).toEqual([])
    expect(mine.find('Account')).toEqual([])
  })

  it('forgets only the changes that were stored when more arrived during the write', () => {
    const cache = new SerializableTokenCache({ clock: () => NOW })
    cache.add({ clientId: 'daemon', scope: ['api://one/.default'], environment: ENV, realm: 't1', response: { access_token: 'one' } }, NOW)
    const written = cache.pendingChangeCount
    const stored = cache.serialize()
    cache.add({ clientId: 'daemon', scope: ['api://two/.default'], environment: ENV, realm: 't1', response: { access_token: 'two' } }, NOW)
    cache.markPersisted(written)
    expect(cache.pendingChangeCount).toBe(1)
    cache.mergeFrom(stored)
    expect(cache.find('AccessToken').map((at) => at.secret).sort()).toEqual(['one', 'two'])
  })

  it('refuses a corrupt stored state and keeps its own', () => {
    const mine = cacheWith(userEvent())
    const before = mine.serialize()
    expect(() => mine.mergeFrom('{"AccessToken":')).toThrow('token cache: not valid JSON')
    expect(mine.serialize()).toBe(before)
  })
})

describe('reduceTokenResponse is pure', () => {
  it('decides the same change for the same input, without touching any cache', () => {
    const event = { clientId: 'c', environment: ENV, realm: 't', scopes: ['a'], response: { access_token: 'x', expires_in: 100 }, homeAccountId: null }
    expect(reduceTokenResponse(event, NOW)).toEqual(reduceTokenResponse(event, NOW))
  })
})
