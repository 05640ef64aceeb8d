/**
 * What cache hits keep to be cheap (issue 16) follows the cache: a prepared bucket finds the
 * store's bucket again after it was emptied, refilled or replaced by a load; a user's hit parts
 * (account, ID token, claims) are found again when the account or ID token changed; a cache hit
 * before any token existed does not stop a later one from being found.
 */
import { ConfidentialClientApplication, PublicClientApplication, SerializableTokenCache, type TokenCacheEvent } from '@msal-ts/node'
import { bytesToBase64Url, utf8Encode } from '@msal-ts/core/protocol'

const NOW = Math.floor(Date.now() / 1000)
const HOST = 'login.microsoftonline.com'
const CLIENT = '7c0d1a9e-3f2b-4c5d-8e6f-1a2b3c4d5e6f'
const UID = '00000000-0000-4000-8000-000000000001'
const UTID = '11111111-1111-4111-8111-111111111111'
const b64 = (value: unknown): string => bytesToBase64Url(utf8Encode(JSON.stringify(value)))
const refuse = async (): Promise<Response> => {
  throw new Error('a cache hit made a request')
}

const userEvent = (scope: string, accessToken: string, name: string): TokenCacheEvent => ({
  clientId: CLIENT,
  scope: [scope],
  environment: HOST,
  realm: 'contoso.onmicrosoft.com',
  grantType: 'authorization_code',
  response: {
    token_type: 'Bearer',
    access_token: accessToken,
    expires_in: 3599,
    scope,
    refresh_token: 'rt',
    client_info: b64({ uid: UID, utid: UTID }),
    id_token: `${b64({ alg: 'none' })}.${b64({ oid: UID, sub: 'sub', tid: UTID, preferred_username: 'alice@contoso.com', name })}.`,
  },
})

const appTokenEvent = (tenant: string, accessToken: string): TokenCacheEvent => ({
  clientId: CLIENT,
  scope: ['api://bench/.default'],
  environment: HOST,
  realm: tenant,
  response: { token_type: 'Bearer', access_token: accessToken, expires_in: 3599 },
})

describe('cache hits follow the cache they keep parts of', () => {
  it("a silent hit's account, ID token and claims are the cache's as they are now", async () => {
    const cache = new SerializableTokenCache({ clock: () => NOW })
    cache.add(userEvent('api://a/read', 'at-a', 'Alice'), NOW)
    const app = new PublicClientApplication({ clientId: CLIENT, authority: `https://${HOST}/organizations`, tokenCache: cache, httpClient: refuse })
    const [account] = await app.getAccounts()

    const first = await app.acquireTokenSilent(['api://a/read'], account)
    expect(first).toMatchObject({ accessToken: 'at-a', tokenSource: 'cache', account: { name: 'Alice' }, idTokenClaims: { name: 'Alice' } })
    expect((await app.acquireTokenSilent(['api://a/read'], account))?.account).toBe(first?.account) // kept, not made again

    // A new sign-in renames the user: the next hit reports the new account and ID token.
    cache.add(userEvent('api://b/read', 'at-b', 'Alice Smith'), NOW)
    const renamed = await app.acquireTokenSilent(['api://a/read'], account)
    expect(renamed).toMatchObject({ accessToken: 'at-a', account: { name: 'Alice Smith' }, idTokenClaims: { name: 'Alice Smith' } })
    expect(renamed?.idToken).toBe(JSON.parse(cache.serialize()).IdToken[Object.keys(JSON.parse(cache.serialize()).IdToken)[0]!].secret)

    // The account's tokens are gone: no hit, and no parts of the old ones.
    await app.removeAccount(account!)
    expect(await app.acquireTokenSilentWithError(['api://a/read'], account)).toBeUndefined()
  })

  it('a client-credentials hit finds tokens filed, removed, filed again, and those of a cache loaded in place', async () => {
    const cache = new SerializableTokenCache({ clock: () => NOW })
    let requests = 0
    const countingRefuse = async (): Promise<Response> => {
      requests++
      return new Response(JSON.stringify({ error: 'invalid_client', error_description: 'no network in this test' }), { status: 401, headers: { 'content-type': 'application/json' } })
    }
    const app = new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: 's', authority: `https://${HOST}/tenant-1`, tokenCache: cache, httpClient: countingRefuse })
    // No token yet: the call goes to the identity provider (refused here).
    await expect(app.acquireTokenForClient(['api://bench/.default'])).rejects.toMatchObject({ kind: 'ServerError' })
    expect(requests).toBeGreaterThan(0)
    const asked = requests

    // Filed after that miss: found (the bucket did not exist when the app last looked).
    cache.add(appTokenEvent('tenant-1', 'first'), NOW)
    expect(await app.acquireTokenForClient(['api://bench/.default'])).toMatchObject({ accessToken: 'first', tokenSource: 'cache' })

    // Removed (its bucket emptied), then filed again: the new one.
    await app.removeTokensForClient()
    cache.add(appTokenEvent('tenant-1', 'second'), NOW)
    expect(await app.acquireTokenForClient(['api://bench/.default'])).toMatchObject({ accessToken: 'second', tokenSource: 'cache' })

    // Another cache loaded in place (a persistence's load): its token.
    const other = new SerializableTokenCache({ clock: () => NOW })
    other.add(appTokenEvent('tenant-1', 'loaded'), NOW)
    cache.deserialize(other.serialize())
    expect(await app.acquireTokenForClient(['api://bench/.default'])).toMatchObject({ accessToken: 'loaded', tokenSource: 'cache' })
    expect(requests).toBe(asked)
  })

  it('files frozen entries as they are, and shares the repeated strings of others', () => {
    const cache = new SerializableTokenCache({ clock: () => NOW })
    cache.add(appTokenEvent('tenant-1', 'one'), NOW)
    const [stored] = cache.find('AccessToken')
    const frozen = Object.freeze({ ...stored!, secret: 'frozen', realm: 'tenant-2' })
    cache.apply({ puts: [{ type: 'AccessToken', key: 'frozen-key', entity: frozen }], deletes: [] })
    expect(cache.find('AccessToken').map((entry) => entry.secret).sort()).toEqual(['frozen', 'one'])
    expect(Object.isFrozen(cache.find('AccessToken').find((entry) => entry.secret === 'frozen'))).toBe(true)
  })
})
