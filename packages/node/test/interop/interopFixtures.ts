/**
 * Shared set-up of the token cache interoperability tests: one web app (a confidential client
 * that signs users in and also gets tokens of its own), one user, the fake identity provider,
 * and the ways each library talks to it.
 */
import type { INetworkModule } from '@azure/msal-node'
import { ConfidentialClientApplication, type SerializableTokenCache } from '@msal-ts/node'
import { FakeIdentityProvider, msalNodeNetworkClient, tenantIdOf } from '@msal-ts/testing'

export const APP = 'cccccccc-0000-4000-8000-00000000c0de'
export const SECRET = 'interop-web-app-secret'
export const ALICE = 'alice@contoso.onmicrosoft.com'
export const TID = tenantIdOf('contoso.onmicrosoft.com')
/**
 * The tenant by id. Entra's tenant discovery names the tenant by id in its token endpoint, so
 * MSAL Python files tokens under that realm, and MSAL for Node files user tokens under the ID
 * token's `tid`: with the tenant's id in the authority, every library agrees on the realm (the
 * fake's discovery echoes a tenant named by domain instead, which real Entra does not).
 */
export const AUTHORITY = `https://login.microsoftonline.com/${TID}`
export const TOKEN_ENDPOINT = `${AUTHORITY}/oauth2/v2.0/token`
export const GRAPH_APP_SCOPES = ['https://graph.microsoft.com/.default']
/** What MSAL libraries add to every user sign-in. */
export const OIDC_SCOPES = ['openid', 'profile', 'offline_access']

export type CacheJson = Record<string, Record<string, Record<string, unknown>>>
export const parseCache = (text: string): CacheJson => JSON.parse(text) as CacheJson
export const entriesOf = (cache: CacheJson, section: string): Array<Record<string, unknown>> => Object.values(cache[section] ?? {})

/** Real clock and randomness: every library checks token lifetimes against the real time. */
export const newIdp = (): FakeIdentityProvider =>
  new FakeIdentityProvider().registerApp({ clientId: APP, clientSecret: SECRET }).registerUser({ username: ALICE, displayName: 'Alice Smith' })

export const homeAccountIdOf = (idp: FakeIdentityProvider): string => `${idp.getUser(ALICE)!.oid}.${TID}`

/**
 * Alice signs in to the web app the way msal-ts will file it once it has a user flow: a real
 * token response from the provider (a refresh-token grant asking client_info, as MSAL does),
 * filed with `cache.add` as an authorization-code sign-in. Returns the response.
 */
export const signInWithMsalTs = async (
  idp: FakeIdentityProvider,
  cache: SerializableTokenCache,
  scopes: readonly string[] = ['User.Read'],
): Promise<{ access_token: string; refresh_token: string; id_token: string; scope: string }> => {
  const scope = [...scopes, ...OIDC_SCOPES]
  const outcome = await idp.http({
    method: 'POST',
    url: TOKEN_ENDPOINT,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    form: {
      grant_type: 'refresh_token',
      client_id: APP,
      client_secret: SECRET,
      refresh_token: idp.issueRefreshToken({ username: ALICE, clientId: APP, scopes: scope }),
      scope: scope.join(' '),
      client_info: '1',
    },
  })
  if (outcome._tag !== 'HttpResponse' || outcome.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(outcome)}`)
  const response = JSON.parse(outcome.body) as { access_token: string; refresh_token: string; id_token: string; scope: string }
  cache.add({ clientId: APP, scope, tokenEndpoint: TOKEN_ENDPOINT, response, grantType: 'authorization_code' })
  return response
}

/** msal-ts's web app over a cache, talking to the fake in process. */
export const msalTsApp = (idp: FakeIdentityProvider, tokenCache: SerializableTokenCache): ConfidentialClientApplication =>
  new ConfidentialClientApplication({ clientId: APP, clientCredential: SECRET, authority: AUTHORITY, tokenCache, httpClient: idp.fetch })

/** msal-node's INetworkModule, served in process by the fake (any host). */
export const msalNodeNetwork = (idp: FakeIdentityProvider): INetworkModule => msalNodeNetworkClient(idp.fetch)

/**
 * An INetworkModule that records every request msal-node tries and fails it: a test that must
 * be answered from the cache asserts `attempts` stays empty (msal-node turns the failure into a
 * `network_error`, so the assertion on `attempts` is the one that names the request).
 */
export const noNetwork = (): INetworkModule & { readonly attempts: string[] } => {
  const attempts: string[] = []
  const refuse = (method: string, url: string): Promise<never> => {
    attempts.push(`${method} ${url}`)
    return Promise.reject(new Error(`no network in this test: ${method} ${url}`))
  }
  return {
    attempts,
    sendGetRequestAsync: (url) => refuse('GET', url),
    sendPostRequestAsync: (url) => refuse('POST', url),
  }
}

/** A field no library knows, added to entries and to the top level to see who keeps it. */
export const EXTRA_FIELD = 'x_interop_probe'
export const EXTRA_SECTION = 'XInteropFutureSection'
export const EXTRA_SECTION_VALUE = { 'some-key': { note: 'a section written by a newer SDK', n: 1 } }

/** Adds the extra top-level section, and the extra field to the first entry of each section named. */
export const withExtras = (text: string, sections: readonly string[]): { text: string; marked: Record<string, string> } => {
  const cache = parseCache(text)
  const marked: Record<string, string> = {}
  for (const section of sections) {
    const [key, entry] = Object.entries(cache[section] ?? {})[0] ?? []
    if (key === undefined || entry === undefined) throw new Error(`no ${section} entry to mark`)
    entry[EXTRA_FIELD] = `kept in ${section}`
    marked[section] = key
  }
  return { text: JSON.stringify({ ...cache, [EXTRA_SECTION]: EXTRA_SECTION_VALUE }), marked }
}

/** The extra field of each marked entry, by section (undefined where it was dropped). */
export const extrasIn = (text: string, marked: Record<string, string>): Record<string, unknown> => {
  const cache = parseCache(text)
  return Object.fromEntries(Object.entries(marked).map(([section, key]) => [section, cache[section]?.[key]?.[EXTRA_FIELD]]))
}
