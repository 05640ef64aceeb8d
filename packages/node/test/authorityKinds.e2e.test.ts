/**
 * Every authority kind acquires an app token end to end against the fake identity provider: the
 * exact requests each sends (discovery documents at most once, then the token endpoint), the
 * issuer of the token it gets, and the same again over real HTTP through the loopback server.
 */
import { decodeJwt } from 'jose'
import {
  AuthorityBuilder,
  AZURE_CHINA,
  AZURE_PUBLIC,
  AZURE_US_GOVERNMENT,
  ConfidentialClientApplication,
  TokenCache,
  type ConfidentialClientApplicationOptions,
} from '@msal-ts/node'
import { FakeIdentityProvider, tenantIdOf, type FakeIdentityProviderOptions, type FetchFunction } from '@msal-ts/testing'
import { rejectionOf } from './support/rejection.js'

const CLIENT = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d'
const SECRET = 'kinds-secret'
const SCOPES = ['api://kinds/.default']
const OTHER_SCOPES = ['api://other/.default']
const TENANT = 'contoso.onmicrosoft.com'
const TID = tenantIdOf(TENANT)
const PRIVATE_CLOUD = 'login.contoso.example'
const IMDS = 'http://169.254.169.254/metadata/instance/compute/location?format=text&api-version=2021-01-01'

type AppOptions = Partial<ConfidentialClientApplicationOptions>

const newIdp = (options: FakeIdentityProviderOptions = {}) => new FakeIdentityProvider(options).registerApp({ clientId: CLIENT, clientSecret: SECRET })

const newApp = (httpClient: FetchFunction, options: AppOptions, cache = new TokenCache()) =>
  new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: SECRET, httpClient, tokenCache: cache, ...options })

const sent = (idp: FakeIdentityProvider): string[] => idp.requests.map((r) => `${r.method} ${r.url}`)

const instanceDiscoveryUrl = (authority: string): string =>
  `https://login.microsoftonline.com/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${authority}/oauth2/v2.0/authorize`)}`

/** The region settings of the environment, cleared for each test (the Node interpreter reads process.env when asked). */
const REGION_ENV = ['REGION_NAME', 'MSAL_FORCE_REGION'] as const
const savedEnv = new Map<string, string | undefined>()
beforeEach(() => {
  for (const name of REGION_ENV) {
    savedEnv.set(name, process.env[name])
    delete process.env[name]
  }
})
afterEach(() => {
  for (const [name, value] of savedEnv) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})
const useEnv = (values: Partial<Record<(typeof REGION_ENV)[number], string>>): void => {
  for (const [name, value] of Object.entries(values)) process.env[name] = value
}

interface Kind {
  readonly name: string
  readonly options: AppOptions
  readonly idp?: FakeIdentityProviderOptions
  /** The discovery documents fetched, in order (each once: the http cache keeps them). */
  readonly discovery: readonly string[]
  readonly tokenEndpoint: string
  /** The access token's `iss`. */
  readonly issuer: string
  /** Where the token is filed: [environment, realm]. */
  readonly filedUnder: readonly [string, string]
}

const KINDS: readonly Kind[] = [
  {
    name: 'Entra, a tenant id on a known host (endpoints built in: no discovery)',
    options: { authority: `https://login.microsoftonline.com/${TID}` },
    discovery: [],
    tokenEndpoint: `https://login.microsoftonline.com/${TID}/oauth2/v2.0/token`,
    issuer: `https://login.microsoftonline.com/${TID}/v2.0`,
    filedUnder: ['login.microsoftonline.com', TID],
  },
  {
    name: 'Entra, a tenant domain on a known host',
    options: { authority: `https://login.microsoftonline.com/${TENANT}` },
    discovery: [],
    tokenEndpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
    issuer: `https://login.microsoftonline.com/${TID}/v2.0`,
    filedUnder: ['login.microsoftonline.com', TENANT],
  },
  {
    name: 'Entra, a private cloud Microsoft vouches for (instance discovery, then tenant discovery)',
    options: { authority: `https://${PRIVATE_CLOUD}/${TENANT}` },
    idp: { knownInstances: [PRIVATE_CLOUD] },
    discovery: [instanceDiscoveryUrl(`https://${PRIVATE_CLOUD}/${TENANT}`), `https://${PRIVATE_CLOUD}/${TENANT}/v2.0/.well-known/openid-configuration`],
    tokenEndpoint: `https://${PRIVATE_CLOUD}/${TENANT}/oauth2/v2.0/token`,
    issuer: `https://${PRIVATE_CLOUD}/${TID}/v2.0`,
    filedUnder: [PRIVATE_CLOUD, TENANT],
  },
  {
    name: 'Entra, a private cloud with instanceDiscovery: false (tenant discovery only)',
    options: { authority: `https://${PRIVATE_CLOUD}/${TENANT}`, instanceDiscovery: false },
    discovery: [`https://${PRIVATE_CLOUD}/${TENANT}/v2.0/.well-known/openid-configuration`],
    tokenEndpoint: `https://${PRIVATE_CLOUD}/${TENANT}/oauth2/v2.0/token`,
    issuer: `https://${PRIVATE_CLOUD}/${TID}/v2.0`,
    filedUnder: [PRIVATE_CLOUD, TENANT],
  },
  {
    name: 'Entra, a private cloud with validateAuthority: false (tenant discovery only)',
    options: { authority: `https://${PRIVATE_CLOUD}/${TENANT}`, validateAuthority: false },
    discovery: [`https://${PRIVATE_CLOUD}/${TENANT}/v2.0/.well-known/openid-configuration`],
    tokenEndpoint: `https://${PRIVATE_CLOUD}/${TENANT}/oauth2/v2.0/token`,
    issuer: `https://${PRIVATE_CLOUD}/${TID}/v2.0`,
    filedUnder: [PRIVATE_CLOUD, TENANT],
  },
  {
    name: 'B2C (a user flow; its policy named in any case)',
    options: { authority: `https://contoso.b2clogin.com/${TENANT}/B2C_1_SignIn` },
    discovery: [`https://contoso.b2clogin.com/${TENANT}/B2C_1_SignIn/v2.0/.well-known/openid-configuration`],
    tokenEndpoint: `https://contoso.b2clogin.com/${TENANT}/b2c_1_signin/oauth2/v2.0/token`,
    issuer: `https://contoso.b2clogin.com/${TID}/v2.0/`,
    filedUnder: ['contoso.b2clogin.com', TENANT],
  },
  {
    name: 'ADFS (no /v2.0 in its discovery URL)',
    options: { authority: 'https://adfs.contoso.com/adfs' },
    discovery: ['https://adfs.contoso.com/adfs/.well-known/openid-configuration'],
    tokenEndpoint: 'https://adfs.contoso.com/adfs/oauth2/token',
    issuer: 'http://adfs.contoso.com/adfs/services/trust',
    filedUnder: ['adfs.contoso.com', 'adfs'],
  },
  {
    name: 'CIAM without a path (the tenant is {sub}.onmicrosoft.com; the document names its id)',
    options: { authority: 'https://contoso.ciamlogin.com' },
    discovery: [`https://contoso.ciamlogin.com/${TENANT}/v2.0/.well-known/openid-configuration`],
    tokenEndpoint: `https://contoso.ciamlogin.com/${TID}/oauth2/v2.0/token`,
    issuer: `https://${TID}.ciamlogin.com/${TID}/v2.0`,
    filedUnder: ['contoso.ciamlogin.com', TENANT],
  },
  {
    name: 'CIAM with a path',
    options: { authority: `https://contoso.ciamlogin.com/${TID}` },
    discovery: [`https://contoso.ciamlogin.com/${TID}/v2.0/.well-known/openid-configuration`],
    tokenEndpoint: `https://contoso.ciamlogin.com/${TID}/oauth2/v2.0/token`,
    issuer: `https://${TID}.ciamlogin.com/${TID}/v2.0`,
    filedUnder: ['contoso.ciamlogin.com', TID],
  },
  {
    name: 'OIDC at a path (oidcAuthority: no /v2.0, no instance discovery)',
    options: { oidcAuthority: 'https://id.example/tenant-x' },
    discovery: ['https://id.example/tenant-x/.well-known/openid-configuration'],
    tokenEndpoint: 'https://id.example/tenant-x/oauth2/token',
    issuer: 'https://id.example/tenant-x',
    filedUnder: ['id.example', 'tenant-x'],
  },
  {
    name: 'OIDC at a host root',
    options: { oidcAuthority: 'https://id.example' },
    discovery: ['https://id.example/.well-known/openid-configuration'],
    tokenEndpoint: 'https://id.example/oauth2/token',
    issuer: 'https://id.example',
    filedUnder: ['id.example', ''],
  },
  {
    name: "OIDC pointed at Entra's v2.0 issuer",
    options: { oidcAuthority: `https://login.microsoftonline.com/${TID}/v2.0` },
    discovery: [`https://login.microsoftonline.com/${TID}/v2.0/.well-known/openid-configuration`],
    tokenEndpoint: `https://login.microsoftonline.com/${TID}/oauth2/v2.0/token`,
    issuer: `https://login.microsoftonline.com/${TID}/v2.0`,
    filedUnder: ['login.microsoftonline.com', TID],
  },
  {
    name: 'dSTS (/dstsv2/... behaves as OIDC)',
    options: { authority: 'https://x.dsts.core.azure-test.net/dstsv2/common' },
    discovery: ['https://x.dsts.core.azure-test.net/dstsv2/common/.well-known/openid-configuration'],
    tokenEndpoint: 'https://x.dsts.core.azure-test.net/dstsv2/common/oauth2/token',
    issuer: 'https://x.dsts.core.azure-test.net/dstsv2/common',
    filedUnder: ['x.dsts.core.azure-test.net', 'common'],
  },
  {
    name: 'AuthorityBuilder(AZURE_PUBLIC, tenant)',
    options: { authority: new AuthorityBuilder(AZURE_PUBLIC, TENANT) },
    discovery: [],
    tokenEndpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
    issuer: `https://login.microsoftonline.com/${TID}/v2.0`,
    filedUnder: ['login.microsoftonline.com', TENANT],
  },
  {
    name: 'AuthorityBuilder(AZURE_CHINA, tenant)',
    options: { authority: new AuthorityBuilder(AZURE_CHINA, TENANT) },
    discovery: [],
    tokenEndpoint: `https://login.chinacloudapi.cn/${TENANT}/oauth2/v2.0/token`,
    issuer: `https://login.chinacloudapi.cn/${TID}/v2.0`,
    filedUnder: ['login.chinacloudapi.cn', TENANT],
  },
  {
    name: 'AuthorityBuilder(AZURE_US_GOVERNMENT, tenant)',
    options: { authority: new AuthorityBuilder(AZURE_US_GOVERNMENT, TENANT) },
    discovery: [],
    tokenEndpoint: `https://login.microsoftonline.us/${TENANT}/oauth2/v2.0/token`,
    issuer: `https://login.microsoftonline.us/${TID}/v2.0`,
    filedUnder: ['login.microsoftonline.us', TENANT],
  },
]

/** Two scopes from the provider, then one from the cache: discovery once, two token requests. */
const acquiresEndToEnd = async (kind: Kind, idp: FakeIdentityProvider, httpClient: FetchFunction): Promise<void> => {
  const app = newApp(httpClient, kind.options)
  const first = await app.acquireTokenForClient(SCOPES)
  expect(first).toMatchObject({ tokenSource: 'identity_provider', expiresIn: 3599, scopes: SCOPES })
  expect(decodeJwt(first.accessToken)).toMatchObject({ iss: kind.issuer, aud: 'api://kinds' })
  expect((await app.acquireTokenForClient(OTHER_SCOPES)).tokenSource).toBe('identity_provider')
  expect(await app.acquireTokenForClient(SCOPES)).toMatchObject({ tokenSource: 'cache', accessToken: first.accessToken })
  expect(sent(idp)).toEqual([...kind.discovery.map((url) => `GET ${url}`), `POST ${kind.tokenEndpoint}`, `POST ${kind.tokenEndpoint}`])
  expect(idp.tokenRequests.map((r) => r.form)).toEqual([
    { grant_type: 'client_credentials', client_id: CLIENT, client_secret: SECRET, scope: SCOPES[0] },
    { grant_type: 'client_credentials', client_id: CLIENT, client_secret: SECRET, scope: OTHER_SCOPES[0] },
  ])
  expect(app.tokenCache.find('AccessToken').map((token) => [token.environment, token.realm])).toEqual([kind.filedUnder, kind.filedUnder])
}

describe('each authority kind acquires a token end to end (in process)', () => {
  it.each(KINDS.map((kind) => [kind.name, kind] as const))('%s', async (_, kind) => {
    const idp = newIdp(kind.idp)
    await acquiresEndToEnd(kind, idp, idp.fetch)
  })

  it.each(['common', 'organizations'])("refuses app tokens for /%s with Entra's error (no tenant to issue them for)", async (tenant) => {
    const idp = newIdp()
    const error = await rejectionOf(newApp(idp.fetch, { authority: `https://login.microsoftonline.com/${tenant}` }).acquireTokenForClient(SCOPES))
    expect(error).toMatchObject({ kind: 'ServerError', error: 'invalid_request', errorCodes: [50059], status: 400 })
    expect(error.errorDescription).toMatch(/^AADSTS50059: No tenant-identifying information found/)
    expect(sent(idp)).toEqual([`POST https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`])
  })

  it('refuses a host Microsoft does not vouch for (invalid_instance) as a ConfigurationError, asking nothing else', async () => {
    const idp = newIdp()
    const authority = `https://login.unknown.example/${TENANT}`
    const error = await rejectionOf(newApp(idp.fetch, { authority }).acquireTokenForClient(SCOPES))
    expect(error).toMatchObject({ kind: 'ConfigurationError', field: 'authority' })
    expect(error.message).toMatch(/invalid_instance: Microsoft does not know the authority https:\/\/login\.unknown\.example\/contoso\.onmicrosoft\.com/)
    expect(sent(idp)).toEqual([`GET ${instanceDiscoveryUrl(authority)}`])
  })

  it.each([
    ['B2C', { authority: `https://contoso.b2clogin.com/${TENANT}/b2c_1_signin` }, 400, /^AADB2C90081: The specified client_secret does not match/],
    ['ADFS', { authority: 'https://adfs.contoso.com/adfs' }, 401, /^MSIS9622: Client authentication failed/],
    ['OIDC', { oidcAuthority: 'https://id.example/tenant-x' }, 401, /^Client authentication failed\.$/],
  ] as const)("passes on %s's own error shape for a wrong secret (none of Entra's extra fields)", async (_, options, status, description) => {
    const idp = newIdp()
    const app = new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: 'wrong', httpClient: idp.fetch, ...options })
    const error = await rejectionOf(app.acquireTokenForClient(SCOPES))
    expect(error).toMatchObject({ kind: 'ServerError', error: 'invalid_client', status })
    expect(error.errorDescription).toMatch(description)
    expect(error).toMatchObject({ errorCodes: undefined, traceId: undefined, timestamp: undefined })
    expect(app.tokenCache.accessTokenCount).toBe(0)
  })
})

describe('regional endpoints (only client credentials, only Entra)', () => {
  const AUTHORITY = `https://login.microsoftonline.com/${TENANT}`
  const regionalToken = (region: string) => `POST https://${region}.login.microsoft.com/${TENANT}/oauth2/v2.0/token`
  const centralToken = `POST https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`

  it('azureRegion "westus2": the token request goes to westus2.login.microsoft.com; the token is filed under the central host', async () => {
    const idp = newIdp()
    const cache = new TokenCache()
    const regional = newApp(idp.fetch, { authority: AUTHORITY, azureRegion: 'westus2' }, cache)
    const result = await regional.acquireTokenForClient(SCOPES)
    expect(sent(idp)).toEqual([regionalToken('westus2')])
    expect(idp.requests[0]!.host).toBe('westus2.login.microsoft.com')
    // ESTS-R issues the cloud's tokens: the issuer is the central host's.
    expect(decodeJwt(result.accessToken)['iss']).toBe(`https://login.microsoftonline.com/${TID}/v2.0`)
    expect(cache.find('AccessToken').map((token) => token.environment)).toEqual(['login.microsoftonline.com'])
    // An app on the central authority finds it in the shared cache.
    expect((await newApp(idp.fetch, { authority: AUTHORITY }, cache).acquireTokenForClient(SCOPES)).tokenSource).toBe('cache')
    expect(idp.requests).toHaveLength(1)
  })

  it.each([
    [AZURE_CHINA, 'chinaeast2', `https://chinaeast2.login.chinacloudapi.cn/${TENANT}/oauth2/v2.0/token`],
    [AZURE_US_GOVERNMENT, 'usgovvirginia', `https://usgovvirginia.login.microsoftonline.us/${TENANT}/oauth2/v2.0/token`],
  ])('%s goes regional on {region}.{host}', async (instance, region, tokenEndpoint) => {
    const idp = newIdp()
    const result = await newApp(idp.fetch, { authority: new AuthorityBuilder(instance, TENANT), azureRegion: region }).acquireTokenForClient(SCOPES)
    expect(sent(idp)).toEqual([`POST ${tokenEndpoint}`])
    expect(decodeJwt(result.accessToken)['iss']).toBe(`https://${instance}/${TID}/v2.0`)
  })

  it('azureRegion true reads REGION_NAME first (no IMDS probe)', async () => {
    useEnv({ REGION_NAME: 'eastus2' })
    const idp = newIdp({ imdsRegion: 'westeurope' })
    await newApp(idp.fetch, { authority: AUTHORITY, azureRegion: true }).acquireTokenForClient(SCOPES)
    expect(sent(idp)).toEqual([regionalToken('eastus2')])
  })

  it('azureRegion true asks IMDS (Metadata: true) once per application', async () => {
    const idp = newIdp({ imdsRegion: 'westeurope' })
    const app = newApp(idp.fetch, { authority: AUTHORITY, azureRegion: true })
    await app.acquireTokenForClient(SCOPES)
    await app.acquireTokenForClient(OTHER_SCOPES)
    expect(sent(idp)).toEqual([`GET ${IMDS}`, regionalToken('westeurope'), regionalToken('westeurope')])
    expect(idp.requests[0]!.headers['metadata']).toBe('true')
  })

  it('falls back to the global endpoint when detection finds nothing (IMDS unreachable: one probe, never repeated)', async () => {
    const idp = newIdp()
    const app = newApp(idp.fetch, { authority: AUTHORITY, azureRegion: true })
    expect((await app.acquireTokenForClient(SCOPES)).tokenSource).toBe('identity_provider')
    await app.acquireTokenForClient(OTHER_SCOPES)
    expect(sent(idp)).toEqual([`GET ${IMDS}`, centralToken, centralToken])
  })

  it('MSAL_FORCE_REGION applies when azureRegion is unset; azureRegion false overrides it', async () => {
    useEnv({ MSAL_FORCE_REGION: 'centralus' })
    const idp = newIdp()
    await newApp(idp.fetch, { authority: AUTHORITY }).acquireTokenForClient(SCOPES)
    await newApp(idp.fetch, { authority: AUTHORITY, azureRegion: false }).acquireTokenForClient(SCOPES)
    expect(sent(idp)).toEqual([regionalToken('centralus'), centralToken])
  })

  it('MSAL_FORCE_REGION=TryAutoDetect detects', async () => {
    useEnv({ MSAL_FORCE_REGION: 'TryAutoDetect' })
    const idp = newIdp({ imdsRegion: 'uksouth' })
    await newApp(idp.fetch, { authority: AUTHORITY }).acquireTokenForClient(SCOPES)
    expect(sent(idp)).toEqual([`GET ${IMDS}`, regionalToken('uksouth')])
  })

  it('a private cloud is still vouched for before going regional: {region}.{host} after discovery', async () => {
    const idp = newIdp({ knownInstances: [PRIVATE_CLOUD] })
    const authority = `https://${PRIVATE_CLOUD}/${TENANT}`
    const result = await newApp(idp.fetch, { authority, azureRegion: 'westus2' }).acquireTokenForClient(SCOPES)
    expect(sent(idp)).toEqual([
      `GET ${instanceDiscoveryUrl(authority)}`,
      `GET https://${PRIVATE_CLOUD}/${TENANT}/v2.0/.well-known/openid-configuration`,
      `POST https://westus2.${PRIVATE_CLOUD}/${TENANT}/oauth2/v2.0/token`,
    ])
    expect(decodeJwt(result.accessToken)['iss']).toBe(`https://${PRIVATE_CLOUD}/${TID}/v2.0`)
  })

  it('a region does not skip authority validation: an unknown host is refused, and no secret is sent', async () => {
    const idp = newIdp()
    const authority = `https://login.unknown.example/${TENANT}`
    const error = await rejectionOf(newApp(idp.fetch, { authority, azureRegion: 'westus2' }).acquireTokenForClient(SCOPES))
    expect(error).toMatchObject({ kind: 'ConfigurationError', field: 'authority' })
    expect(sent(idp)).toEqual([`GET ${instanceDiscoveryUrl(authority)}`])
  })

  it.each([
    ['B2C', { authority: `https://contoso.b2clogin.com/${TENANT}/b2c_1_signin` }, `https://contoso.b2clogin.com/${TENANT}/b2c_1_signin/oauth2/v2.0/token`],
    ['ADFS', { authority: 'https://adfs.contoso.com/adfs' }, 'https://adfs.contoso.com/adfs/oauth2/token'],
    ['CIAM', { authority: 'https://contoso.ciamlogin.com' }, `https://contoso.ciamlogin.com/${TID}/oauth2/v2.0/token`],
    ['OIDC', { oidcAuthority: 'https://id.example/tenant-x' }, 'https://id.example/tenant-x/oauth2/token'],
  ] as const)('%s stays on its global endpoint whatever the region', async (_, options, tokenEndpoint) => {
    const idp = newIdp()
    await newApp(idp.fetch, { ...options, azureRegion: 'westus2' }).acquireTokenForClient(SCOPES)
    expect(idp.tokenRequests.map((r) => r.url)).toEqual([tokenEndpoint])
  })
})

describe('each authority kind over real HTTP, through the loopback server', () => {
  let idp: FakeIdentityProvider
  afterEach(() => idp.close())

  it.each(KINDS.map((kind) => [kind.name, kind] as const))('%s', async (_, kind) => {
    idp = newIdp(kind.idp)
    await idp.listen()
    await acquiresEndToEnd(kind, idp, idp.tunnelFetch)
  })

  it('goes regional, with the region from IMDS, over real sockets', async () => {
    idp = newIdp({ imdsRegion: 'westus3' })
    await idp.listen()
    await newApp(idp.tunnelFetch, { authority: `https://login.microsoftonline.com/${TENANT}`, azureRegion: true }).acquireTokenForClient(SCOPES)
    expect(sent(idp)).toEqual([`GET ${IMDS}`, `POST https://westus3.login.microsoft.com/${TENANT}/oauth2/v2.0/token`])
  })

  it('falls back to the global endpoint when IMDS drops the connection', async () => {
    idp = newIdp()
    await idp.listen()
    await newApp(idp.tunnelFetch, { authority: `https://login.microsoftonline.com/${TENANT}`, azureRegion: true }).acquireTokenForClient(SCOPES)
    expect(sent(idp)).toEqual([`GET ${IMDS}`, `POST https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`])
  })
})
