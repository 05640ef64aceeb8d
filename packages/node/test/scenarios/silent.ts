/**
 * Silent-acquisition scenarios: one per branch of BEHAVIOUR.md's "Silent acquisition" and
 * "Family refresh tokens". Each runs once against the FakeIdentityProvider to record a transcript
 * (pnpm fixtures:record) and in every test run against that transcript, with the same assertions.
 */
import assert from 'node:assert/strict'
import type { TokenCache} from '@msal-ts/node';
import { PublicClientApplication, type Account, type Interpret, type TokenResult } from '@msal-ts/node'
import { faults, type FakeIdentityProvider } from '@msal-ts/testing'
import { rejection } from './clientCredentials.js'

/** An app of Microsoft's family of client ids (FOCI). */
export const CLIENT_ID = '2a3b4c5d-6e7f-4081-9293-a4b5c6d7e8f9'
/** Another app of the family. */
export const SIBLING_ID = '3b4c5d6e-7f80-4192-a3a4-b5c6d7e8f9a0'
/** An app outside the family. */
export const STRANGER_ID = '4c5d6e7f-8091-42a3-b4b5-c6d7e8f9a0b1'
export const USERNAME = 'megan@contoso.onmicrosoft.com'
export const PASSWORD = 'fixture-password'
export const AUTHORITY = 'https://login.microsoftonline.com/organizations'
const SCOPES = ['https://graph.microsoft.com/User.Read']
const TOKEN_PATH = '/oauth2/v2.0/token'

export interface SilentScenarioContext {
  /** A public client app on the shared cache (default: the family app, at AUTHORITY). */
  readonly app: (clientId?: string, authority?: string) => PublicClientApplication
  readonly cache: TokenCache
  /** Moves the recording's virtual clock; a no-op when replaying (the transcript holds the time). */
  readonly advance: (ms: number) => void
}

export interface SilentScenario {
  readonly name: string
  readonly description: string
  /** Provider settings and faults, applied only when recording. */
  readonly refreshInSeconds?: number
  readonly arrange?: (idp: FakeIdentityProvider) => void
  readonly play: (ctx: SilentScenarioContext) => Promise<void>
}

export const newSilentApp = (interpreter: Interpret, cache: TokenCache, clientId = CLIENT_ID, authority = AUTHORITY): PublicClientApplication =>
  new PublicClientApplication({ clientId, authority, tokenCache: cache, interpreter })

/** The scenario context's `app`, in the shape every fixture suite shares (see piiLogging.test.ts). */
export const newApp = (_: SilentScenario, interpreter: Interpret, cache: TokenCache): SilentScenarioContext['app'] => (clientId, authority) =>
  newSilentApp(interpreter, cache, clientId, authority)

/** Registers what every scenario needs: the three apps and the user. */
export const arrangeSilentWorld = (idp: FakeIdentityProvider): void => {
  idp
    .registerApp({ clientId: CLIENT_ID, familyId: '1' })
    .registerApp({ clientId: SIBLING_ID, familyId: '1' })
    .registerApp({ clientId: STRANGER_ID })
    .registerUser({ username: USERNAME, password: PASSWORD })
}

const signIn = async (app: PublicClientApplication): Promise<TokenResult & { account: Account }> => {
  const result = await app.acquireTokenByUsernamePassword(USERNAME, PASSWORD, SCOPES)
  assert.equal(result.tokenSource, 'identity_provider')
  assert.ok(result.account !== undefined, 'a sign-in names its account')
  return result as TokenResult & { account: Account }
}

const fromProvider = (result: TokenResult | undefined): TokenResult => {
  assert.ok(result !== undefined, 'expected a token')
  assert.equal(result.tokenSource, 'identity_provider')
  return result
}

const fromCache = (result: TokenResult | undefined, accessToken: string): TokenResult => {
  assert.ok(result !== undefined, 'expected a token')
  assert.equal(result.tokenSource, 'cache')
  assert.equal(result.accessToken, accessToken)
  return result
}

/** An access token lives 3599 s; under 300 s left counts as expired. */
const INTO_EXPIRY_MARGIN_MS = (3599 - 299) * 1000

export const scenarios: readonly SilentScenario[] = [
  {
    name: 'cache-hit',
    description: 'a fresh access token is served from the cache: no request',
    play: async ({ app }) => {
      const signedIn = await signIn(app())
      const result = fromCache(await app().acquireTokenSilent(SCOPES, signedIn.account), signedIn.accessToken)
      assert.deepEqual(result.account, signedIn.account)
      assert.equal(result.idToken, signedIn.idToken)
    },
  },
  {
    name: 'nothing-cached',
    description: 'no account, or an account with nothing cached: undefined, no request',
    play: async ({ app }) => {
      assert.equal(await app().acquireTokenSilent(SCOPES, undefined), undefined)
      assert.equal(await app().acquireTokenSilentWithError(SCOPES, { homeAccountId: 'uid.utid', environment: 'login.microsoftonline.com' }), undefined)
    },
  },
  {
    name: 'expired-refresh',
    description: 'under 300 s left: the refresh token is redeemed (telemetry reason 3, X-AnchorMailbox), the new token cached',
    play: async ({ app, advance }) => {
      const signedIn = await signIn(app())
      advance(INTO_EXPIRY_MARGIN_MS)
      const refreshed = fromProvider(await app().acquireTokenSilent(SCOPES, signedIn.account))
      assert.notEqual(refreshed.accessToken, signedIn.accessToken)
      assert.equal(refreshed.account?.homeAccountId, signedIn.account.homeAccountId)
      fromCache(await app().acquireTokenSilent(SCOPES, signedIn.account), refreshed.accessToken)
    },
  },
  {
    name: 'aging-refresh',
    description: 'past refresh_on: refreshed before it expires (telemetry reason 4)',
    refreshInSeconds: 1800,
    play: async ({ app, advance }) => {
      const signedIn = await signIn(app())
      assert.ok(signedIn.refreshOn !== undefined, 'the response carried refresh_in')
      advance(1801_000)
      const refreshed = fromProvider(await app().acquireTokenSilent(SCOPES, signedIn.account))
      assert.notEqual(refreshed.accessToken, signedIn.accessToken)
    },
  },
  {
    name: 'aging-server-error-fallback',
    description: 'past refresh_on, the identity provider fails the refresh: the cached token is returned',
    refreshInSeconds: 1800,
    arrange: (idp) => idp.injectFault(faults.serverError(503), { path: TOKEN_PATH, skip: 1 }),
    play: async ({ app, advance }) => {
      const signedIn = await signIn(app())
      advance(1801_000)
      fromCache(await app().acquireTokenSilentWithError(SCOPES, signedIn.account), signedIn.accessToken)
    },
  },
  {
    name: 'aging-network-fallback',
    description: 'past refresh_on, the network fails: the cached token is returned',
    refreshInSeconds: 1800,
    arrange: (idp) => idp.injectFault(faults.connectionError(), { path: TOKEN_PATH, skip: 1, times: 10 }),
    play: async ({ app, advance }) => {
      const signedIn = await signIn(app())
      advance(1801_000)
      fromCache(await app().acquireTokenSilentWithError(SCOPES, signedIn.account), signedIn.accessToken)
    },
  },
  {
    name: 'expiring-network-fallback',
    description: 'inside the expiry margin but not expired, the network fails: the still-valid token beats an error',
    arrange: (idp) => idp.injectFault(faults.connectionError(), { path: TOKEN_PATH, skip: 1, times: 10 }),
    play: async ({ app, advance }) => {
      const signedIn = await signIn(app())
      advance(INTO_EXPIRY_MARGIN_MS)
      fromCache(await app().acquireTokenSilentWithError(SCOPES, signedIn.account), signedIn.accessToken)
    },
  },
  {
    name: 'network-failure',
    description: 'expired and the network fails: a NetworkError (acquireTokenSilent rejects too: the app cannot act on undefined)',
    arrange: (idp) => idp.injectFault(faults.connectionError(), { path: TOKEN_PATH, skip: 1, times: 10 }),
    play: async ({ app, advance }) => {
      const signedIn = await signIn(app())
      advance(3600_000)
      assert.equal((await rejection(app().acquireTokenSilentWithError(SCOPES, signedIn.account))).kind, 'NetworkError')
      assert.equal((await rejection(app().acquireTokenSilent(SCOPES, signedIn.account))).kind, 'NetworkError')
    },
  },
  {
    name: 'force-refresh',
    description: 'forceRefresh skips a fresh token (telemetry reason 1)',
    play: async ({ app }) => {
      const signedIn = await signIn(app())
      const forced = fromProvider(await app().acquireTokenSilent(SCOPES, signedIn.account, { forceRefresh: true }))
      assert.notEqual(forced.accessToken, signedIn.accessToken)
    },
  },
  {
    name: 'claims-challenge',
    description: 'a claims challenge skips the cache and is sent with the client capabilities merged in',
    play: async ({ app }) => {
      const signedIn = await signIn(app())
      const challenge = '{"access_token":{"nbf":{"essential":true,"value":"1767225600"}}}'
      fromProvider(await app().acquireTokenSilent(SCOPES, signedIn.account, { claimsChallenge: challenge }))
    },
  },
  {
    name: 'refresh-refused',
    description: "a revoked refresh token: acquireTokenSilentWithError rejects with Entra's error, acquireTokenSilent resolves undefined",
    arrange: (idp) =>
      idp.injectFault(
        faults.answer(
          400,
          JSON.stringify({
            error: 'invalid_grant',
            error_description: 'AADSTS50173: The provided grant has expired due to it being revoked.',
            error_codes: [50173],
            suberror: 'bad_token',
          }),
        ),
        { path: TOKEN_PATH, skip: 1, times: 2 },
      ),
    play: async ({ app }) => {
      const signedIn = await signIn(app())
      const error = await rejection(app().acquireTokenSilentWithError(SCOPES, signedIn.account, { forceRefresh: true }))
      assert.equal(error.kind, 'ServerError')
      assert.equal(error.error, 'invalid_grant')
      assert.deepEqual(error.errorCodes, [50173])
      // bad_token is one of the suberrors an app cannot act on: classification "".
      assert.equal(error.suberror, 'bad_token')
      assert.equal(error.classification, '')
      assert.equal(await app().acquireTokenSilent(SCOPES, signedIn.account, { forceRefresh: true }), undefined)
    },
  },
  {
    name: 'interaction-required',
    description: 'a refresh needing the user (basic_action): the classification tells the app what to do',
    arrange: (idp) =>
      idp.injectFault(
        faults.answer(400, JSON.stringify({ error: 'interaction_required', error_description: 'AADSTS50076: MFA required.', error_codes: [50076], suberror: 'basic_action' })),
        { path: TOKEN_PATH, skip: 1 },
      ),
    play: async ({ app }) => {
      const signedIn = await signIn(app())
      const error = await rejection(app().acquireTokenSilentWithError(SCOPES, signedIn.account, { forceRefresh: true }))
      assert.equal(error.classification, 'basic_action')
    },
  },
  {
    name: 'foci-new-app',
    description: "an app with no app metadata signs in silently with its family sibling's refresh token",
    play: async ({ app }) => {
      const signedIn = await signIn(app(SIBLING_ID))
      const result = fromProvider(await app(CLIENT_ID).acquireTokenSilent(SCOPES, signedIn.account))
      assert.equal(result.account?.homeAccountId, signedIn.account.homeAccountId)
      // It is in the family now: its own calls find its own tokens.
      fromCache(await app(CLIENT_ID).acquireTokenSilent(SCOPES, signedIn.account), result.accessToken)
    },
  },
  {
    name: 'foci-client-mismatch',
    description: 'an app outside the family tries the family token once, stops at client_mismatch, and has nothing',
    play: async ({ app }) => {
      const signedIn = await signIn(app(SIBLING_ID))
      assert.equal(await app(STRANGER_ID).acquireTokenSilentWithError(SCOPES, signedIn.account), undefined)
      assert.equal(await app(STRANGER_ID).acquireTokenSilent(SCOPES, signedIn.account), undefined)
    },
  },
  {
    name: 'foci-family-first',
    description: 'an app known to be in the family redeems the family token first, then its own when that fails',
    arrange: (idp) =>
      idp.injectFault(faults.answer(400, JSON.stringify({ error: 'invalid_grant', error_description: 'AADSTS700082: expired', error_codes: [700082] })), {
        path: TOKEN_PATH,
        skip: 2,
      }),
    play: async ({ app, advance }) => {
      // Both apps signed in: each has its own refresh token, both of the family.
      const own = await signIn(app(CLIENT_ID))
      await signIn(app(SIBLING_ID))
      advance(3600_000)
      // The newest family token (the sibling's) is refused; the app's own then works.
      fromProvider(await app(CLIENT_ID).acquireTokenSilent(SCOPES, own.account))
    },
  },
  {
    name: 'alias-retry',
    description: "tokens filed under an alias (login.windows.net, as MSAL for Node files them): found there and refreshed at the alias's host",
    play: async ({ app, advance }) => {
      const signedIn = await signIn(app(CLIENT_ID, 'https://login.windows.net/organizations'))
      assert.equal(signedIn.account.environment, 'login.windows.net')
      const onMainHost = app(CLIENT_ID, AUTHORITY)
      fromCache(await onMainHost.acquireTokenSilent(SCOPES, signedIn.account), signedIn.accessToken)
      advance(3600_000)
      const refreshed = fromProvider(await onMainHost.acquireTokenSilent(SCOPES, signedIn.account))
      assert.equal(refreshed.account?.environment, 'login.windows.net')
    },
  },
]
