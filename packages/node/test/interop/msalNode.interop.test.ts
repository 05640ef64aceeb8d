/**
 * Token cache interoperability with the real @azure/msal-node 7.2.1, in process, in both
 * directions: a cache msal-ts serialized is used by msal-node, and a cache msal-node serialized
 * is used by msal-ts and handed back. Tokens are real responses from the fake identity
 * provider; "from the cache" is proved by a network that fails (and records) every request.
 */
import { ConfidentialClientApplication as MsalNodeConfidentialClient, type INetworkModule } from '@azure/msal-node'
import { SerializableTokenCache } from '@msal-ts/node'
import type { FakeIdentityProvider } from '@msal-ts/testing'
import {
  ALICE,
  APP,
  AUTHORITY,
  EXTRA_FIELD,
  EXTRA_SECTION,
  EXTRA_SECTION_VALUE,
  GRAPH_APP_SCOPES,
  OIDC_SCOPES,
  SECRET,
  TID,
  entriesOf,
  extrasIn,
  homeAccountIdOf,
  msalNodeNetwork,
  msalTsApp,
  newIdp,
  noNetwork,
  parseCache,
  signInWithMsalTs,
  withExtras,
} from './interopFixtures.js'

const msalNodeApp = (networkClient: INetworkModule, cacheText?: string): MsalNodeConfidentialClient => {
  const app = new MsalNodeConfidentialClient({ auth: { clientId: APP, clientSecret: SECRET, authority: AUTHORITY }, system: { networkClient } })
  if (cacheText !== undefined) app.getTokenCache().deserialize(cacheText)
  return app
}

/** msal-ts's cache with Alice's sign-in and the app's own Graph token, both from the provider. */
const msalTsCache = async (idp: FakeIdentityProvider) => {
  const cache = new SerializableTokenCache()
  const user = await signInWithMsalTs(idp, cache)
  const app = await msalTsApp(idp, cache).acquireTokenForClient(GRAPH_APP_SCOPES)
  expect(app.tokenSource).toBe('identity_provider')
  return { cache, text: cache.serialize(), userAccessToken: user.access_token, appAccessToken: app.accessToken }
}

describe('msal-ts → MSAL for Node: a cache we serialize works in msal-node', () => {
  let idp: FakeIdentityProvider
  let ours: Awaited<ReturnType<typeof msalTsCache>>
  beforeEach(async () => {
    idp = newIdp()
    ours = await msalTsCache(idp)
  })

  it('lists our account in getAllAccounts()', async () => {
    const network = noNetwork()
    const accounts = await msalNodeApp(network, ours.text).getTokenCache().getAllAccounts()
    expect(accounts).toEqual([
      expect.objectContaining({
        homeAccountId: homeAccountIdOf(idp),
        environment: 'login.microsoftonline.com',
        tenantId: TID,
        username: ALICE,
        localAccountId: idp.getUser(ALICE)!.oid,
        name: 'Alice Smith',
      }),
    ])
    expect(network.attempts).toEqual([])
  })

  it('answers acquireTokenSilent with our user token from the cache, sending nothing', async () => {
    const network = noNetwork()
    const app = msalNodeApp(network, ours.text)
    const [account] = await app.getTokenCache().getAllAccounts()
    const result = await app.acquireTokenSilent({ account: account!, scopes: ['User.Read'] })
    expect(network.attempts).toEqual([])
    expect(result).toMatchObject({ accessToken: ours.userAccessToken, fromCache: true, tenantId: TID })
    expect(result.account).toMatchObject({ homeAccountId: homeAccountIdOf(idp), username: ALICE })
  })

  it('answers acquireTokenByClientCredential with our app token from the cache, sending nothing', async () => {
    const network = noNetwork()
    const outcome = await msalNodeApp(network, ours.text)
      .acquireTokenByClientCredential({ scopes: GRAPH_APP_SCOPES })
      .then((result) => ({ fromCache: result?.fromCache, ourToken: result?.accessToken === ours.appAccessToken }))
      .catch((error: unknown) => ({ fromCache: `rejected: ${String(error)}`, ourToken: false }))
    // msal-node 7.2.1 looks app tokens up with homeAccountId "" and matches only a *string*
    // (msal-common CacheManager.matchHomeAccountId), while MSAL Python matches only null: msal-ts
    // writes each app token in both conventions (SerializableTokenCache.serialize).
    expect({ networkAttempts: network.attempts, ...outcome }).toEqual({ networkAttempts: [], fromCache: true, ourToken: true })
  })

  it('reads the copy written in its own convention ("" under login.windows.net), ignoring MSAL Python\'s (null)', () => {
    const copies = entriesOf(parseCache(ours.text), 'AccessToken').filter((at) => at['secret'] === ours.appAccessToken)
    expect(copies.map((at) => [at['home_account_id'], at['environment']])).toEqual([
      [null, 'login.microsoftonline.com'],
      ['', 'login.windows.net'],
    ])
  })
})

/** msal-node signs Alice in (Graph User.Read and Mail.Read) and gets the app's Graph token. */
const msalNodeCache = async (idp: FakeIdentityProvider) => {
  const app = msalNodeApp(msalNodeNetwork(idp))
  const appResult = await app.acquireTokenByClientCredential({ scopes: GRAPH_APP_SCOPES })
  // forceCache: msal-node files a refresh-token redemption only for an account it already has.
  const userResult = await app.acquireTokenByRefreshToken({
    refreshToken: idp.issueRefreshToken({ username: ALICE, clientId: APP, scopes: ['User.Read', 'Mail.Read', ...OIDC_SCOPES] }),
    scopes: ['User.Read', 'Mail.Read'],
    forceCache: true,
  })
  expect(appResult?.fromCache).toBe(false)
  expect(userResult?.fromCache).toBe(false)
  return { text: app.getTokenCache().serialize(), appAccessToken: appResult!.accessToken, userAccessToken: userResult!.accessToken }
}

describe('MSAL for Node → msal-ts: a cache msal-node serialized works in msal-ts', () => {
  let idp: FakeIdentityProvider
  let theirs: Awaited<ReturnType<typeof msalNodeCache>>
  beforeEach(async () => {
    idp = newIdp()
    theirs = await msalNodeCache(idp)
  })

  it('is filed the msal-node way: under login.windows.net, "" for no account, keys ending in "-"', () => {
    const cache = parseCache(theirs.text)
    const tokens = entriesOf(cache, 'AccessToken')
    expect(tokens.map((at) => at['environment'])).toEqual(['login.windows.net', 'login.windows.net'])
    expect(tokens.find((at) => at['secret'] === theirs.appAccessToken)).toMatchObject({ home_account_id: '', realm: TID })
    expect(tokens.find((at) => at['secret'] === theirs.userAccessToken)).toMatchObject({ home_account_id: homeAccountIdOf(idp), realm: TID })
    for (const key of Object.keys(cache['AccessToken']!)) expect(key).toMatch(/-$/)
    // msal-node writes no app metadata for an app outside a family (we and MSAL Python always do).
    expect(cache['AppMetadata']).toEqual({})
  })

  it('answers our acquireTokenForClient with its app token from the cache, asking the provider nothing', async () => {
    const cache = new SerializableTokenCache()
    cache.deserialize(theirs.text)
    const before = idp.requests.length
    const result = await msalTsApp(idp, cache).acquireTokenForClient(GRAPH_APP_SCOPES)
    expect(result).toMatchObject({ accessToken: theirs.appAccessToken, tokenSource: 'cache' })
    expect(idp.requests.length).toBe(before)
  })

  it('lists its account in our getAccounts() (found under the alias login.windows.net)', async () => {
    const cache = new SerializableTokenCache()
    cache.deserialize(theirs.text)
    expect(await msalTsApp(idp, cache).getAccounts()).toEqual([
      expect.objectContaining({ homeAccountId: homeAccountIdOf(idp), environment: 'login.windows.net', username: ALICE, realm: TID, localAccountId: idp.getUser(ALICE)!.oid, name: 'Alice Smith' }),
    ])
  })

  it('finds its user token with cache.find, by scope and home account', () => {
    const cache = new SerializableTokenCache()
    cache.deserialize(theirs.text)
    const home_account_id = homeAccountIdOf(idp)
    expect(cache.find('AccessToken', { target: ['User.Read'], query: { home_account_id } }).map((at) => at.secret)).toEqual([theirs.userAccessToken])
    expect(cache.find('AccessToken', { target: ['mail.read', 'user.read'], query: { home_account_id, environment: 'login.windows.net' } }).map((at) => at.secret)).toEqual([theirs.userAccessToken])
    expect(cache.find('RefreshToken', { query: { home_account_id, client_id: APP } })).toHaveLength(1)
    expect(cache.find('IdToken', { query: { home_account_id } })).toHaveLength(1)
    expect(cache.unusableEntryCount).toBe(0)
  })

  it('round-trips: our serialize() loads back into msal-node with every token still usable from the cache', async () => {
    const cache = new SerializableTokenCache()
    cache.deserialize(theirs.text)
    await msalTsApp(idp, cache).acquireTokenForClient(GRAPH_APP_SCOPES) // use it first: a cache hit
    const network = noNetwork()
    const app = msalNodeApp(network, cache.serialize())
    const accounts = await app.getTokenCache().getAllAccounts()
    expect(accounts).toEqual([expect.objectContaining({ homeAccountId: homeAccountIdOf(idp), username: ALICE })])
    const silent = await app.acquireTokenSilent({ account: accounts[0]!, scopes: ['Mail.Read'] })
    expect(silent).toMatchObject({ accessToken: theirs.userAccessToken, fromCache: true })
    const own = await app.acquireTokenByClientCredential({ scopes: GRAPH_APP_SCOPES })
    expect(own).toMatchObject({ accessToken: theirs.appAccessToken, fromCache: true })
    expect(network.attempts).toEqual([])
  })
})

describe('unknown keys: MSAL for Node → msal-ts → MSAL for Node', () => {
  it('keeps an unknown top-level section and unknown entry fields all the way round', async () => {
    const idp = newIdp()
    const theirs = await msalNodeCache(idp)
    // As a newer SDK might have written it: an extra section, and an extra field in one entry of each kind.
    const { text, marked } = withExtras(theirs.text, ['AccessToken', 'RefreshToken', 'IdToken', 'Account'])
    const allKept = { AccessToken: 'kept in AccessToken', RefreshToken: 'kept in RefreshToken', IdToken: 'kept in IdToken', Account: 'kept in Account' }

    // msal-ts: loads, uses, writes (a new token for another resource), serializes. We keep everything.
    const cache = new SerializableTokenCache()
    cache.deserialize(text)
    const ourApp = msalTsApp(idp, cache)
    expect((await ourApp.acquireTokenForClient(GRAPH_APP_SCOPES)).tokenSource).toBe('cache')
    expect((await ourApp.acquireTokenForClient(['https://management.azure.com/.default'])).tokenSource).toBe('identity_provider')
    const ours = cache.serialize()
    expect(extrasIn(ours, marked)).toEqual(allKept)
    expect(parseCache(ours)[EXTRA_SECTION]).toEqual(EXTRA_SECTION_VALUE)

    // msal-node: loads, uses, writes (its own token for a third resource), serializes.
    const nodeApp = msalNodeApp(msalNodeNetwork(idp), ours)
    const [account] = await nodeApp.getTokenCache().getAllAccounts()
    expect((await nodeApp.acquireTokenSilent({ account: account!, scopes: ['User.Read'] })).fromCache).toBe(true)
    expect((await nodeApp.acquireTokenByClientCredential({ scopes: ['https://vault.azure.net/.default'] }))?.fromCache).toBe(false)
    // In memory msal-node keeps only the fields it knows (its Deserializer maps each entry
    // field by field): the extra field is gone from the entities it works with...
    const inMemory = Object.values(nodeApp.getTokenCache().getKVStore()) as Array<Record<string, unknown>>
    expect(inMemory.filter((entity) => EXTRA_FIELD in entity)).toEqual([])
    // ...but serialize() deep-merges its state into the text it deserialized, so the extra
    // fields of the entries it still has, and the unknown section, come back out.
    const back = nodeApp.getTokenCache().serialize()
    expect(extrasIn(back, marked)).toEqual(allKept)
    expect(parseCache(back)[EXTRA_SECTION]).toEqual(EXTRA_SECTION_VALUE)
    // msal-ts's own additions survive msal-node too: the token for the second resource, and
    // the app metadata entry msal-node would not have written.
    // (App tokens appear twice: each in MSAL Python's and MSAL for Node's convention.)
    const entries = parseCache(back)
    expect([...new Set(entriesOf(entries, 'AccessToken').map((at) => at['target']))].sort()).toEqual([
      'User.Read Mail.Read openid profile',
      'https://graph.microsoft.com/.default',
      'https://management.azure.com/.default',
      'https://vault.azure.net/.default',
    ].sort())
    expect(entriesOf(entries, 'AppMetadata')).toEqual([expect.objectContaining({ client_id: APP })])

    // And msal-ts reads msal-node's result back with everything in it.
    const again = new SerializableTokenCache()
    again.deserialize(back)
    expect(extrasIn(again.serialize(), marked)).toEqual(allKept)
    expect((await msalTsApp(idp, again).acquireTokenForClient(['https://vault.azure.net/.default'])).tokenSource).toBe('cache')
  })
})

describe('a lifetime no server should send (expires_in 1e308) is cached as integers msal-node reads', () => {
  it('msal-node serves the token from the cache', async () => {
    const cache = new SerializableTokenCache()
    cache.add({
      clientId: APP,
      scope: GRAPH_APP_SCOPES,
      environment: 'login.microsoftonline.com',
      realm: TID,
      response: { access_token: 'at-with-an-absurd-lifetime', token_type: 'Bearer', expires_in: 1e308, ext_expires_in: '9'.repeat(400) },
    })
    const network = noNetwork()
    const result = await msalNodeApp(network, cache.serialize()).acquireTokenByClientCredential({ scopes: GRAPH_APP_SCOPES })
    expect({ attempts: network.attempts, fromCache: result?.fromCache, accessToken: result?.accessToken }).toEqual({ attempts: [], fromCache: true, accessToken: 'at-with-an-absurd-lifetime' })
  })
})
