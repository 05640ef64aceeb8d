/**
 * Client-credentials scenarios. Each runs once against the FakeIdentityProvider to record a
 * transcript (scripts: pnpm fixtures:record), and in every test run against that transcript.
 * The same assertions must hold both times, so they are written here, once.
 */
import assert from 'node:assert/strict'
import { ConfidentialClientApplication, isMsalError, MsalError, TokenCache, type Interpret, type TokenResult } from '@msal-ts/node'
import { faults, type FakeIdentityProvider } from '@msal-ts/testing'

export const TENANT = 'contoso.onmicrosoft.com'
export const CLIENT_ID = '1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b'
export const CLIENT_SECRET = 'fixture-secret'
export const SCOPES = ['api://fixture-api/.default']
export const KNOWN_HOST_AUTHORITY = `https://login.microsoftonline.com/${TENANT}`
const PRIVATE_CLOUD = 'login.contoso.example'

export interface ScenarioContext {
  readonly app: ConfidentialClientApplication
  readonly cache: TokenCache
  /** Moves the recording's virtual clock; a no-op when replaying (the transcript holds the time). */
  readonly advance: (ms: number) => void
}

export interface Scenario {
  /** The fixture's file name, without .json. */
  readonly name: string
  readonly description: string
  readonly authority?: string
  readonly oidcAuthority?: string
  readonly clientSecret?: string
  readonly clientCapabilities?: readonly string[]
  readonly instanceDiscovery?: boolean
  readonly azureRegion?: string | boolean
  /** Provider settings and faults, applied only when recording. */
  readonly refreshInSeconds?: number
  /** Private cloud hosts the provider's instance discovery vouches for. */
  readonly knownInstances?: readonly string[]
  /** The region the provider's IMDS reports; unset, IMDS does not answer. */
  readonly imdsRegion?: string
  readonly arrange?: (idp: FakeIdentityProvider) => void
  readonly play: (ctx: ScenarioContext) => Promise<void>
}

export const newApp = (scenario: Scenario, interpreter: Interpret, cache = new TokenCache()): ConfidentialClientApplication =>
  new ConfidentialClientApplication({
    clientId: CLIENT_ID,
    clientCredential: scenario.clientSecret ?? CLIENT_SECRET,
    ...(scenario.oidcAuthority !== undefined ? { oidcAuthority: scenario.oidcAuthority } : { authority: scenario.authority ?? KNOWN_HOST_AUTHORITY }),
    ...(scenario.clientCapabilities !== undefined ? { clientCapabilities: scenario.clientCapabilities } : {}),
    ...(scenario.instanceDiscovery !== undefined ? { instanceDiscovery: scenario.instanceDiscovery } : {}),
    ...(scenario.azureRegion !== undefined ? { azureRegion: scenario.azureRegion } : {}),
    tokenCache: cache,
    interpreter,
  })

/** The MsalError a call rejects with (an assertion failure if it resolves). */
export const rejection = async (promise: Promise<unknown>): Promise<MsalError> => {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof MsalError, `expected an MsalError, got ${String(error)}`)
    return error
  }
  assert.fail('expected the call to fail')
}

const fromProvider = (result: TokenResult): TokenResult => {
  assert.equal(result.tokenSource, 'identity_provider')
  assert.equal(result.expiresIn, 3599)
  assert.deepEqual(result.scopes, SCOPES)
  return result
}

/** Two scopes from the provider, then the first again from the cache: whatever discovery a kind needs happens once. */
const twoTokensThenCache = async ({ app, cache }: ScenarioContext): Promise<void> => {
  const first = fromProvider(await app.acquireTokenForClient(SCOPES))
  assert.equal((await app.acquireTokenForClient(['api://other-api/.default'])).tokenSource, 'identity_provider')
  const again = await app.acquireTokenForClient(SCOPES)
  assert.equal(again.tokenSource, 'cache')
  assert.equal(again.accessToken, first.accessToken)
  assert.equal(cache.accessTokenCount, 2)
}

/** Nothing was cached: a failed call leaves no trace. */
const assertCacheEmpty = (cache: TokenCache): void => assert.equal(cache.accessTokenCount, 0)

export const scenarios: readonly Scenario[] = [
  {
    name: 'cold',
    description: 'a cold cache: one token request (no discovery for a known Microsoft host)',
    play: async ({ app, cache }) => {
      fromProvider(await app.acquireTokenForClient(SCOPES))
      assert.equal(cache.accessTokenCount, 1)
    },
  },
  {
    name: 'warm',
    description: 'the second call is served from the cache',
    play: async ({ app, advance }) => {
      const first = fromProvider(await app.acquireTokenForClient(SCOPES))
      advance(60_000)
      const second = await app.acquireTokenForClient(SCOPES)
      assert.equal(second.tokenSource, 'cache')
      assert.equal(second.accessToken, first.accessToken)
      assert.equal(second.expiresIn, 3599 - 60)
    },
  },
  {
    name: 'expired',
    description: 'a token with under 300 s left counts as expired and is replaced (refresh reason 3)',
    play: async ({ app, advance }) => {
      const first = fromProvider(await app.acquireTokenForClient(SCOPES))
      advance((3599 - 299) * 1000)
      const second = fromProvider(await app.acquireTokenForClient(SCOPES))
      assert.notEqual(second.accessToken, first.accessToken)
    },
  },
  {
    name: 'aging-refresh',
    description: 'past refresh_on, the token is refreshed (refresh reason 4)',
    refreshInSeconds: 1800,
    play: async ({ app, advance }) => {
      const first = fromProvider(await app.acquireTokenForClient(SCOPES))
      assert.equal(first.refreshOn, first.expiresOn - 3599 + 1800)
      advance(1801_000)
      const second = fromProvider(await app.acquireTokenForClient(SCOPES))
      assert.notEqual(second.accessToken, first.accessToken)
    },
  },
  {
    name: 'aging-fallback',
    description: 'past refresh_on, a failed refresh falls back to the cached token',
    refreshInSeconds: 1800,
    // The first token request succeeds; the refresh meets a 503.
    arrange: (idp) => idp.injectFault(faults.serverError(503), { path: '/oauth2/v2.0/token', skip: 1 }),
    play: async ({ app, advance, cache }) => {
      const first = fromProvider(await app.acquireTokenForClient(SCOPES))
      advance(1801_000)
      const second = await app.acquireTokenForClient(SCOPES)
      assert.equal(second.tokenSource, 'cache')
      assert.equal(second.accessToken, first.accessToken)
      assert.equal(cache.accessTokenCount, 1)
    },
  },
  {
    name: 'server-error',
    description: "a wrong secret: Entra's invalid_client error, every field kept, nothing cached",
    clientSecret: 'wrong-secret',
    play: async ({ app, cache }) => {
      const error = await rejection(app.acquireTokenForClient(SCOPES))
      assert.equal(error.kind, 'ServerError')
      assert.equal(error.error, 'invalid_client')
      assert.equal(error.status, 401)
      assert.deepEqual(error.errorCodes, [7000215])
      assert.match(error.errorDescription ?? '', /^AADSTS7000215: Invalid client secret provided/)
      assert.match(error.correlationId ?? '', /^[0-9a-f-]{36}$/)
      assert.match(error.traceId ?? '', /^[0-9a-f-]{36}$/)
      assert.match(error.timestamp ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/)
      assertCacheEmpty(cache)
    },
  },
  {
    name: 'throttled',
    description: '429 with Retry-After: a ThrottledError; the identical request is then held back for those seconds without the network, a different scope goes through',
    arrange: (idp) => idp.injectFault(faults.throttled(7), { path: '/oauth2/v2.0/token' }),
    play: async ({ app, cache, advance }) => {
      const error = await rejection(app.acquireTokenForClient(SCOPES))
      assert.equal(error.kind, 'ThrottledError')
      assert.equal(error.status, 429)
      assert.equal(error.retryAfterMs, 7000)
      assert.equal(error.error, 'too_many_requests')
      assertCacheEmpty(cache)
      advance(5000)
      const held = await rejection(app.acquireTokenForClient(SCOPES))
      assert.equal(held.kind, 'ThrottledError')
      assert.equal(held.retryAfterMs, 2000)
      const other = await app.acquireTokenForClient(['api://other-api/.default'])
      assert.equal(other.tokenSource, 'identity_provider')
      advance(2000)
      fromProvider(await app.acquireTokenForClient(SCOPES))
    },
  },
  {
    name: 'bad-request-held',
    description: 'a plain 400 holds back the identical request for 60 s (answered from the throttle cache), not a different one',
    clientSecret: 'wrong-secret',
    arrange: (idp) => idp.injectFault(faults.answer(400, JSON.stringify({ error: 'invalid_request', error_codes: [900144] })), { path: '/oauth2/v2.0/token' }),
    play: async ({ app, advance }) => {
      const first = await rejection(app.acquireTokenForClient(SCOPES))
      assert.equal(first.error, 'invalid_request')
      advance(30_000)
      const held = await rejection(app.acquireTokenForClient(SCOPES))
      assert.equal(held.error, 'invalid_request')
      assert.equal(isMsalError(held, 'ServerError') && held.status, 400)
      advance(31_000)
      const again = await rejection(app.acquireTokenForClient(SCOPES))
      assert.equal(again.error, 'invalid_client')
    },
  },
  {
    name: 'malformed-response',
    description: 'a 200 whose JSON is cut off: an InvalidResponseError, nothing cached',
    arrange: (idp) => idp.injectFault(faults.malformedJson(), { path: '/oauth2/v2.0/token' }),
    play: async ({ app, cache }) => {
      const error = await rejection(app.acquireTokenForClient(SCOPES))
      assert.equal(error.kind, 'InvalidResponseError')
      assert.equal(error.status, 200)
      assert.match(error.message, /expected a JSON object/)
      assertCacheEmpty(cache)
    },
  },
  {
    name: 'html-error-page',
    description: 'a non-JSON 500 page from a gateway: an InvalidResponseError that keeps the status',
    arrange: (idp) => idp.injectFault(faults.htmlErrorPage(500), { path: '/oauth2/v2.0/token' }),
    play: async ({ app, cache }) => {
      const error = await rejection(app.acquireTokenForClient(SCOPES))
      assert.equal(error.kind, 'InvalidResponseError')
      assert.equal(error.status, 500)
      assert.match(error.message, /text\/html/)
      assert.match(error.bodyExcerpt ?? '', /<!DOCTYPE html>/)
      assertCacheEmpty(cache)
    },
  },
  {
    name: 'connection-retry',
    description: 'a refused connection is retried once, then succeeds',
    arrange: (idp) => idp.injectFault(faults.connectionError(), { path: '/oauth2/v2.0/token' }),
    play: async ({ app }) => {
      fromProvider(await app.acquireTokenForClient(SCOPES))
    },
  },
  {
    name: 'connection-failed',
    description: 'a connection refused twice: a NetworkError carrying the correlation id, nothing cached',
    arrange: (idp) => idp.injectFault(faults.connectionError(), { path: '/oauth2/v2.0/token', times: 2 }),
    play: async ({ app, cache }) => {
      const error = await rejection(app.acquireTokenForClient(SCOPES))
      assert.equal(error.kind, 'NetworkError')
      assert.match(error.correlationId ?? '', /^[0-9a-f-]{36}$/)
      assertCacheEmpty(cache)
    },
  },
  {
    name: 'timeout',
    description: 'no answer in time: a TimeoutError, not retried, nothing cached',
    arrange: (idp) => idp.injectFault(faults.timeout(), { path: '/oauth2/v2.0/token' }),
    play: async ({ app, cache }) => {
      const error = await rejection(app.acquireTokenForClient(SCOPES))
      assert.equal(error.kind, 'TimeoutError')
      assertCacheEmpty(cache)
    },
  },
  {
    name: 'invalid-instance',
    description: 'an authority on a host Microsoft does not vouch for: invalid_instance is a configuration error, nothing else is asked',
    authority: `https://login.contoso.example/${TENANT}`,
    play: async ({ app, cache }) => {
      const error = await rejection(app.acquireTokenForClient(SCOPES))
      assert.equal(error.kind, 'ConfigurationError')
      assert.equal(error.field, 'authority')
      assert.match(error.message, /invalid_instance: Microsoft does not know the authority https:\/\/login\.contoso\.example\/contoso\.onmicrosoft\.com/)
      assert.match(error.message, /instanceDiscovery: false/)
      assertCacheEmpty(cache)
    },
  },
  {
    name: 'tenant-discovery',
    description: 'a private cloud the developer vouches for (instanceDiscovery: false): tenant discovery once (kept in the http cache), then token requests',
    authority: `https://login.contoso.example/${TENANT}`,
    instanceDiscovery: false,
    play: async ({ app }) => {
      fromProvider(await app.acquireTokenForClient(SCOPES))
      const other = await app.acquireTokenForClient(['api://other-api/.default'])
      assert.equal(other.tokenSource, 'identity_provider')
    },
  },
  {
    name: 'instance-discovery-vouched',
    description: 'a private cloud Microsoft vouches for: instance discovery, then tenant discovery where it points, each once; then token requests',
    authority: `https://${PRIVATE_CLOUD}/${TENANT}`,
    knownInstances: [PRIVATE_CLOUD],
    play: twoTokensThenCache,
  },
  {
    name: 'b2c',
    description: 'Azure AD B2C: the user flow\'s OpenID configuration (policy in any case) once, then its token endpoint',
    authority: `https://contoso.b2clogin.com/${TENANT}/B2C_1_SignIn`,
    play: twoTokensThenCache,
  },
  {
    name: 'adfs',
    description: 'AD FS: /adfs/.well-known/openid-configuration (no /v2.0) once, then /adfs/oauth2/token',
    authority: 'https://adfs.contoso.com/adfs',
    play: twoTokensThenCache,
  },
  {
    name: 'ciam',
    description: 'CIAM without a path: the {sub}.onmicrosoft.com tenant\'s configuration once, then the token endpoint it names (by tenant id)',
    authority: 'https://contoso.ciamlogin.com',
    play: async (ctx) => {
      await twoTokensThenCache(ctx)
      assert.deepEqual(
        ctx.cache.find('AccessToken').map((token) => [token.environment, token.realm]),
        [['contoso.ciamlogin.com', TENANT], ['contoso.ciamlogin.com', TENANT]],
      )
    },
  },
  {
    name: 'oidc',
    description: 'an OpenID Connect provider (oidcAuthority): {url}/.well-known/openid-configuration once, no instance discovery',
    oidcAuthority: 'https://id.example/tenant-x',
    play: twoTokensThenCache,
  },
  {
    name: 'regional-named',
    description: 'azureRegion "westus2": the token request goes to westus2.login.microsoft.com, the token is filed under the central host',
    azureRegion: 'westus2',
    play: async (ctx) => {
      await twoTokensThenCache(ctx)
      assert.deepEqual(new Set(ctx.cache.find('AccessToken').map((token) => token.environment)), new Set(['login.microsoftonline.com']))
    },
  },
  {
    name: 'regional-detected-imds',
    description: 'azureRegion true, no REGION_NAME: the IMDS probe (once per application) names the region',
    azureRegion: true,
    imdsRegion: 'westeurope',
    play: twoTokensThenCache,
  },
  {
    name: 'claims-challenge',
    description: 'a claims challenge skips a valid cached token (refresh reason 1) and carries the client capabilities',
    clientCapabilities: ['CP1'],
    play: async ({ app }) => {
      const first = fromProvider(await app.acquireTokenForClient(SCOPES))
      const challenged = fromProvider(
        await app.acquireTokenForClient(SCOPES, { claimsChallenge: '{"access_token":{"nbf":{"essential":true,"value":"1767225600"}}}' }),
      )
      assert.notEqual(challenged.accessToken, first.accessToken)
    },
  },
]
