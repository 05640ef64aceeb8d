/**
 * Every flow against a hostile HTTP server on loopback (support/hostileServer.ts): huge, endless,
 * gzip-bomb, slow and silent answers, resets, invalid UTF-8, a cross-origin redirect, 5,000
 * headers and an error that echoes the request's secrets. The applications use the Node
 * interpreter's own fetch and body reader over real sockets. Each call must fail with a clear
 * MsalError in bounded time, without retrying what was answered, with the cache unchanged, and
 * with no secret it sent in anything the error prints. (Memory is measured in a child process:
 * hostileMemory.test.ts.)
 */
import { inspect } from 'node:util'
import { ConfidentialClientApplication, createNodeInterpreter, MsalError, PublicClientApplication, SerializableTokenCache } from '@msal-ts/node'
import { FakeIdentityProvider, JWT_BEARER_GRANT_TYPE, loopbackFetch, USER_FIC_GRANT_TYPE } from '@msal-ts/testing'
import { startHostileServer, type HostileServer, type Hostility, type SeenRequest } from './support/hostileServer.js'

/** Each call's timeout: the slow and silent answers must end within a second after it. */
const TIMEOUT_MS = 1000
const LIMIT = 1024 * 1024

const TENANT = 'contoso.onmicrosoft.com'
const AUTHORITY = `https://login.microsoftonline.com/${TENANT}`
const PUBLIC_CLIENT = 'b7c3a1d2-0e4f-4a5b-9c8d-7e6f5a4b3c2d'
const DAEMON = 'c8d4b2e3-1f50-4b6c-8d9e-8f7a6b5c4d3e'
const SECRET = 'hostile-test-client-secret-value'
const MANAGED = 'adele@contoso.onmicrosoft.com'
const MANAGED_PASSWORD = 'Correct-Horse-Battery-Staple-1'
const FEDERATED = 'henrietta@fabrikam.com'
const FEDERATED_PASSWORD = 'Federated-Password-Value-2'
const REFRESH_TOKEN = 'migrated-refresh-token-value-from-adal'
const AUTH_CODE = 'authorization-code-value-0123456789'
const INCOMING = 'incoming-bearer-token-of-the-api-caller'
const FIC = 'agent-federated-identity-credential-value'
const PRIVATE_CLOUD = 'login.contoso.example'

/** Every secret a flow here sends: none may reach an error's text. */
const SECRETS = [SECRET, MANAGED_PASSWORD, FEDERATED_PASSWORD, REFRESH_TOKEN, AUTH_CODE, INCOMING, FIC]

let idp: FakeIdentityProvider
let hostile: HostileServer

beforeAll(async () => {
  idp = new FakeIdentityProvider({ deviceCodeIntervalSeconds: 1, knownInstances: [PRIVATE_CLOUD] })
    .registerApp({ clientId: PUBLIC_CLIENT, redirectUris: ['http://localhost'] })
    .registerApp({ clientId: DAEMON, clientSecret: SECRET })
    .registerUser({ username: MANAGED, password: MANAGED_PASSWORD })
    .registerFederatedDomain({ domain: 'fabrikam.com' })
    .registerUser({ username: FEDERATED, password: FEDERATED_PASSWORD, tenant: 'fabrikam.com' })
  hostile = await startHostileServer(await idp.listen())
  // The fake makes its signing key on the first token: not within a test's 1 s timeout.
  await new PublicClientApplication({ clientId: PUBLIC_CLIENT, authority: AUTHORITY, httpClient: loopbackFetch(hostile.url) }).acquireTokenByUsernamePassword(MANAGED, MANAGED_PASSWORD, ['User.Read'])
})
afterAll(async () => {
  await hostile.close()
  await idp.close()
})
afterEach(() => hostile.clear())

/**
 * The Node interpreter itself (its fetch handling, body reader and timer), reaching every host
 * through the hostile server, with a 1 s timeout: an injected httpClient keeps its own timeouts
 * (MSAL Python's rule), so the timeout is the interpreter's here.
 */
const common = () => ({
  interpreter: createNodeInterpreter({ httpClient: loopbackFetch(hostile.url), timeoutMs: TIMEOUT_MS }),
  tokenCache: new SerializableTokenCache(),
})
const publicApp = (options: Record<string, unknown> = {}) => new PublicClientApplication({ clientId: PUBLIC_CLIENT, authority: AUTHORITY, ...common(), ...options })
const daemon = (options: Record<string, unknown> = {}) => new ConfidentialClientApplication({ clientId: DAEMON, clientCredential: SECRET, authority: AUTHORITY, ...common(), ...options })

const grant = (type: string) => (r: SeenRequest) => r.path.endsWith('/token') && r.form['grant_type'] === type

interface Flow {
  readonly name: string
  /** The request the hostile server answers. */
  readonly target: (request: SeenRequest) => boolean
  /** Whether a refused connection is retried once (token requests and discovery are; the federation steps are not). */
  readonly retriesConnections?: false
  /** Sets up (through the honest path) and returns the call that meets the hostile answer. */
  readonly start: () => Promise<{ readonly cache: SerializableTokenCache; readonly call: () => Promise<unknown> }>
}

const FLOWS: readonly Flow[] = [
  {
    name: 'client credentials',
    target: grant('client_credentials'),
    start: async () => {
      const app = daemon()
      return { cache: app.tokenCache as SerializableTokenCache, call: () => app.acquireTokenForClient(['api://hostile/.default']) }
    },
  },
  {
    name: 'on-behalf-of',
    target: grant(JWT_BEARER_GRANT_TYPE),
    start: async () => {
      const app = daemon()
      return { cache: app.tokenCache as SerializableTokenCache, call: () => app.acquireTokenOnBehalfOf(INCOMING, ['https://graph.microsoft.com/User.Read']) }
    },
  },
  {
    name: 'user federated identity credential',
    target: grant(USER_FIC_GRANT_TYPE),
    start: async () => {
      const app = daemon()
      return { cache: app.tokenCache as SerializableTokenCache, call: () => app.acquireTokenByUserFederatedIdentityCredential(['User.Read'], FIC, { username: MANAGED }) }
    },
  },
  {
    name: 'refresh token migration',
    target: grant('refresh_token'),
    start: async () => {
      const app = publicApp()
      return { cache: app.tokenCache as SerializableTokenCache, call: () => app.acquireTokenByRefreshToken(REFRESH_TOKEN, ['User.Read']) }
    },
  },
  {
    name: 'authorization code redemption',
    target: grant('authorization_code'),
    start: async () => {
      const app = publicApp()
      return { cache: app.tokenCache as SerializableTokenCache, call: () => app.acquireTokenByAuthorizationCode(AUTH_CODE, ['User.Read'], { redirectUri: 'http://localhost:8400' }) }
    },
  },
  {
    name: 'silent refresh of a signed-in user',
    target: grant('refresh_token'),
    start: async () => {
      const app = publicApp()
      const { account } = await app.acquireTokenByUsernamePassword(MANAGED, MANAGED_PASSWORD, ['User.Read'])
      return { cache: app.tokenCache as SerializableTokenCache, call: () => app.acquireTokenSilentWithError(['User.Read'], account, { forceRefresh: true }) }
    },
  },
  {
    name: 'device code: the start',
    target: (r) => r.path.endsWith('/devicecode'),
    start: async () => {
      const app = publicApp()
      return { cache: app.tokenCache as SerializableTokenCache, call: () => app.initiateDeviceFlow(['User.Read']) }
    },
  },
  {
    name: 'device code: a poll',
    target: grant('urn:ietf:params:oauth:grant-type:device_code'),
    start: async () => {
      const app = publicApp()
      const flow = await app.initiateDeviceFlow(['User.Read'])
      return { cache: app.tokenCache as SerializableTokenCache, call: () => app.acquireTokenByDeviceFlow(flow) }
    },
  },
  {
    name: 'username and password: user realm discovery',
    retriesConnections: false,
    target: (r) => r.path.includes('/common/userrealm/'),
    start: async () => {
      const app = publicApp()
      return { cache: app.tokenCache as SerializableTokenCache, call: () => app.acquireTokenByUsernamePassword(MANAGED, MANAGED_PASSWORD, ['User.Read']) }
    },
  },
  {
    name: 'username and password: the password grant',
    target: grant('password'),
    start: async () => {
      const app = publicApp()
      return { cache: app.tokenCache as SerializableTokenCache, call: () => app.acquireTokenByUsernamePassword(MANAGED, MANAGED_PASSWORD, ['User.Read']) }
    },
  },
  {
    name: 'username and password: the federation metadata (MEX)',
    retriesConnections: false,
    target: (r) => r.path.endsWith('/mex'),
    start: async () => {
      const app = publicApp()
      return { cache: app.tokenCache as SerializableTokenCache, call: () => app.acquireTokenByUsernamePassword(FEDERATED, FEDERATED_PASSWORD, ['User.Read']) }
    },
  },
  {
    name: 'username and password: WS-Trust at the federation server',
    retriesConnections: false,
    target: (r) => r.path.includes('/usernamemixed'),
    start: async () => {
      const app = publicApp()
      return { cache: app.tokenCache as SerializableTokenCache, call: () => app.acquireTokenByUsernamePassword(FEDERATED, FEDERATED_PASSWORD, ['User.Read']) }
    },
  },
  {
    name: 'tenant discovery (an OpenID provider)',
    target: (r) => r.path.endsWith('/.well-known/openid-configuration'),
    start: async () => {
      const app = new ConfidentialClientApplication({ clientId: DAEMON, clientCredential: SECRET, oidcAuthority: 'https://id.example/tenant-x', ...common() })
      return { cache: app.tokenCache as SerializableTokenCache, call: () => app.acquireTokenForClient(['api://hostile/.default']) }
    },
  },
  {
    name: 'instance discovery (a private cloud)',
    target: (r) => r.path.endsWith('/discovery/instance'),
    start: async () => {
      const app = daemon({ authority: `https://${PRIVATE_CLOUD}/${TENANT}` })
      return { cache: app.tokenCache as SerializableTokenCache, call: () => app.acquireTokenForClient(['api://hostile/.default']) }
    },
  },
]

interface Expected {
  readonly kind: string
  readonly message?: RegExp
  /** How many times the target is asked: answers are never retried; a reset before any answer is, once. */
  readonly attempts: number
  /** The call must end after at least this long (a timeout), else well within the timeout. */
  readonly timesOut?: boolean
}

const EXPECTED: Readonly<Record<Hostility, Expected>> = {
  huge: { kind: 'InvalidResponseError', message: /larger than 1048576 bytes \(maxResponseBytes\)/, attempts: 1 },
  endless: { kind: 'InvalidResponseError', message: /larger than 1048576 bytes/, attempts: 1 },
  gzipBomb: { kind: 'InvalidResponseError', message: /larger than 1048576 bytes .*counted after decompression/, attempts: 1 },
  slowBody: { kind: 'TimeoutError', message: /no response within 1000 ms/, attempts: 1, timesOut: true },
  silent: { kind: 'TimeoutError', message: /no response within 1000 ms/, attempts: 1, timesOut: true },
  resetMidBody: { kind: 'InvalidResponseError', message: /could not be read to its end/, attempts: 1 },
  resetAtOnce: { kind: 'NetworkError', attempts: 2 },
  invalidUtf8: { kind: 'InvalidResponseError', message: /not valid UTF-8/, attempts: 1 },
  crossOriginRedirect: { kind: 'InvalidResponseError', message: /HTTP 302/, attempts: 1 },
  manyHeaders: { kind: 'InvalidResponseError', message: /headers are larger/, attempts: 1 },
  echoingError: { kind: '(any)', attempts: 1 },
}

const HOSTILITIES = Object.keys(EXPECTED) as Hostility[]

/** Everything an application might print of an error. */
const printedForms = (error: MsalError): string[] => [String(error), error.message, error.stack ?? '', inspect(error, { depth: 5 }), JSON.stringify(error)]

describe.each(FLOWS)('$name, answered by a hostile server', (flow) => {
  it.each(HOSTILITIES)('%s: a clear MsalError in bounded time, not retried, the cache unchanged, no secret printed', async (hostility) => {
    const { cache, call } = await flow.start()
    const before = cache.serialize()
    hostile.answer(flow.target, hostility)
    const seen = hostile.requests.length
    const redirectsBefore = hostile.redirectTargetRequests
    const started = Date.now()
    const error = await call().then(
      () => undefined,
      (e: unknown) => e,
    )
    const elapsed = Date.now() - started
    hostile.clear()

    expect(error).toBeInstanceOf(MsalError)
    const failure = error as MsalError
    const expected = EXPECTED[hostility]
    if (expected.kind !== '(any)') expect(failure.kind).toBe(expected.kind)
    if (expected.message !== undefined) expect(failure.message).toMatch(expected.message)
    const attempts = hostility === 'resetAtOnce' && flow.retriesConnections === false ? 1 : expected.attempts
    expect(hostile.requests.slice(seen).filter((r) => r.hostility !== undefined)).toHaveLength(attempts)
    if (expected.timesOut === true) {
      expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 20)
      expect(elapsed).toBeLessThan(TIMEOUT_MS + 1000)
    } else {
      // Not a timeout (the kind says so), and no hang either: the bound leaves room for a loaded
      // 2-core machine (a 1 MiB read took 3 s there), far below what an unbounded read would take.
      expect(elapsed).toBeLessThan(10 * TIMEOUT_MS)
    }
    expect(hostile.redirectTargetRequests).toBe(redirectsBefore)
    expect(cache.serialize()).toBe(before)
    for (const printed of printedForms(failure)) {
      for (const secret of SECRETS) expect(printed).not.toContain(secret)
      expect(printed.length).toBeLessThan(12 * 1024)
    }
  })
})

describe('what the limit lets through', () => {
  it('maxResponseBytes raises or lowers the limit, for an injected httpClient too', async () => {
    const app = daemon({ interpreter: undefined, httpClient: loopbackFetch(hostile.url), maxResponseBytes: 2048 })
    hostile.answer(grant('client_credentials'), 'huge')
    const error = await app.acquireTokenForClient(['api://small/.default']).catch((e: unknown) => e)
    expect(error).toMatchObject({ kind: 'InvalidResponseError', message: expect.stringMatching(/larger than 2048 bytes/) })
    hostile.clear()
    await expect(daemon({ interpreter: undefined, httpClient: loopbackFetch(hostile.url), maxResponseBytes: LIMIT }).acquireTokenForClient(['api://small/.default'])).resolves.toMatchObject({
      tokenSource: 'identity_provider',
    })
  })

  it('refuses a maxResponseBytes that is not a whole number of bytes from 1 KiB to 1 GiB', () => {
    for (const maxResponseBytes of [0, 100, 1.5, 2 ** 31, Number.NaN, '1024']) {
      expect(() => daemon({ maxResponseBytes })).toThrow(expect.objectContaining({ kind: 'ConfigurationError', field: 'maxResponseBytes' }))
    }
  })
})
