/**
 * A TypeScript application using the published packages as a user would, from their packed
 * tarballs (scripts/published-packages/check.mjs). It is compiled with moduleResolution node16,
 * bundler and node10, strict and with skipLibCheck false, and then run on Node against the fake
 * identity provider. Lines marked @ts-expect-error must fail to compile: they prove the
 * declarations resolved to real types (a declaration that degrades to `any` accepts them).
 *
 * To cover new public API: use it in `main` (it runs) or, for a line that must not compile, in
 * `mustNotCompile` (never called). A new subpath export (e.g. '@msal-ts/browser/redirect')
 * needs an import here; the check fails until there is one, and node10 needs `typesVersions` in
 * that package's package.json to find it.
 *
 * No top-level await and no import.meta: this file also compiles as CommonJS (node10).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBrowserInterpreter, ConfidentialClientApplication as WebConfidentialClientApplication } from '@msal-ts/browser'
import { proofOfPossession } from '@msal-ts/browser/pop'
import { performHttp } from '@msal-ts/browser/http'
import { silentFromCache } from '@msal-ts/core/spa'
import { silentAfterMiss } from '@msal-ts/core/spa-flows'
import { decodeConfidentialClientConfig, isMsalError, run, type Interpret, type Program } from '@msal-ts/core'
import { now } from '@msal-ts/core/protocol'
import {
  ConfidentialClientApplication,
  FilePersistence,
  ManagedIdentityClient,
  ManagedIdentityError,
  MsalError,
  PopAuthScheme,
  SystemAssignedManagedIdentity,
  UserAssignedManagedIdentity,
  ThrottledError,
  PublicClientApplication,
  SerializableTokenCache,
  TokenCache,
  type Account,
  type ConfidentialClientApplicationOptions,
  type TokenResult,
} from '@msal-ts/node'
import { AppServiceEmulation, createTestInterpreter, FakeIdentityProvider, fixedClock, PopResourceServer, record, replay } from '@msal-ts/testing'

const TENANT = 'contoso.onmicrosoft.com'
const DAEMON = { clientId: 'consumer-daemon', clientSecret: 'consumer-secret' }
const DESKTOP = { clientId: 'consumer-desktop', redirectUris: ['http://localhost'] }
const USER = { username: 'ada@contoso.onmicrosoft.com' }
const SCOPES = ['api://consumer/.default']

const check = (condition: boolean, what: string): void => {
  if (!condition) throw new Error(`consumer: ${what}`)
}

/** The fields a caller reads, with the types it reads them as. */
const describeResult = (result: TokenResult): string => {
  const token: string = result.accessToken
  const expiresOn: number = result.expiresOn
  const username: string | undefined = result.account?.username
  return `${result.tokenSource} token of ${token.length} characters until ${expiresOn}${username === undefined ? '' : ` for ${username}`}`
}

/** A core Program, run by an interpreter of the caller's choice. */
function* secondsSinceEpoch(): Program<number> {
  const ms = yield* now()
  return Math.floor(ms / 1000)
}

async function daemon(base: string, cacheDir: string): Promise<void> {
  const options: ConfidentialClientApplicationOptions = {
    clientId: DAEMON.clientId,
    clientCredential: DAEMON.clientSecret,
    authority: `${base}/${TENANT}`,
    tokenCache: new SerializableTokenCache({ persistence: new FilePersistence(join(cacheDir, 'cache.json')) }),
  }
  const app = new ConfidentialClientApplication(options)
  const first = await app.acquireTokenForClient(SCOPES)
  const second = await app.acquireTokenForClient(SCOPES)
  check(first.tokenSource === 'identity_provider' && second.tokenSource === 'cache', 'the second app token comes from the cache')
  console.log(`daemon: ${describeResult(first)}, then ${describeResult(second)}`)
  // MSAL Python's names for timeout (seconds), proxies and verify; the cache's find with `now`.
  const ported = new ConfidentialClientApplication({ ...options, tokenCache: new TokenCache(), timeout: 2, proxies: {}, verify: true })
  check((await ported.acquireTokenForClient(SCOPES)).tokenSource === 'identity_provider', 'MSAL Python\'s timeout: 2 (seconds) waits for the fake')
  check(ported.tokenCache.find('AccessToken', { now: 0 }).length === 1 && ported.tokenCache.find('AccessToken', { now: 4_000_000_000 }).length === 0, 'find skips (and removes) tokens expired at `now`')
  const url: string = await app.getAuthorizationRequestUrl(['User.Read'], { responseType: 'code', authority: `${base}/${TENANT}` })
  check(new URL(url).searchParams.get('response_type') === 'code', 'getAuthorizationRequestUrl takes responseType and authority')

  const wrongSecret = new ConfidentialClientApplication({ ...options, clientCredential: 'not-the-secret', tokenCache: new TokenCache() })
  try {
    await wrongSecret.acquireTokenForClient(SCOPES)
    check(false, 'a wrong secret is refused')
  } catch (error) {
    if (!(error instanceof MsalError)) throw error
    const kind: string = error.kind
    // Narrowing by kind gives the kind's own fields their types.
    const waitMs: number | undefined = error instanceof ThrottledError ? error.retryAfterMs : isMsalError(error, 'ServerError') ? error.status : undefined
    check(waitMs === 401 || waitMs === 400, `a wrong secret's status is read after narrowing (${String(waitMs)})`)
    check(kind === 'ServerError' && error.error === 'invalid_client', `a wrong secret is a ServerError invalid_client, not ${kind} ${error.error}`)
    console.log(`daemon: a wrong secret is an MsalError of kind ${kind} (${error.error})`)
  }
}

async function desktop(idp: FakeIdentityProvider, base: string): Promise<void> {
  const app = new PublicClientApplication({ clientId: DESKTOP.clientId, authority: `${base}/organizations` })
  // The fake plays the system browser: it signs the user in and posts the response to the app's loopback server.
  const signedIn = await app.acquireTokenInteractive(['User.Read'], { openBrowser: idp.openBrowser, timeout: 30 })
  const [account]: Account[] = await app.getAccounts({ username: USER.username })
  const silent = await app.acquireTokenSilent(['User.Read'], account)
  check(silent?.tokenSource === 'cache' && silent.account?.username === USER.username, 'the signed-in user is served from the cache')
  console.log(`desktop: ${describeResult(signedIn)}, then ${silent === undefined ? 'nothing' : describeResult(silent)}`)
  // A proof-of-possession token for one resource request, signed with the app's own key, which the testing kit's resource accepts.
  const resource = new PopResourceServer({ jwks: () => idp.jwks() })
  const url = 'https://orders.contoso.example/v1/orders'
  const pop = await app.acquireTokenSilent(['User.Read'], account, { authScheme: new PopAuthScheme(PopAuthScheme.HTTP_GET, url, resource.issueNonce()) })
  const verdict = await resource.verify({ method: 'GET', url, authorization: `PoP ${pop?.accessToken ?? ''}` })
  check(app.isPopSupported() && pop?.tokenType === 'pop' && verdict.ok, `a PoP token is accepted by the resource (${verdict.ok ? 'ok' : verdict.reason})`)
  // The single-page app's PoP code checks msal-browser's fields (run here on Node: no key is made).
  const ssh = proofOfPossession.bindingFor({ scopes: ['x/.default'], authenticationScheme: 'ssh-cert', sshKid: 'key1' })
  check(ssh._tag === 'Left' && ssh.left.kind === 'UsageError', 'an SSH request without sshJwk is a UsageError')
  // The SPA's internal subpaths resolve (its first chunk and its lazy one), and the HTTP client's own.
  check(typeof silentFromCache === 'function' && typeof silentAfterMiss === 'function', 'the SPA subpaths of @msal-ts/core load')
  const answered = await performHttp(() => Promise.resolve(new Response('{"ok":true}', { status: 200 })), { method: 'GET', url: 'https://api.contoso.example/', headers: {} }, 1000)
  check(answered._tag === 'HttpResponse' && answered.status === 200, '@msal-ts/browser/http performs a request')
  console.log('desktop: a PoP token signed for GET orders, accepted by the resource')
}

/** What a test of the app does: record a flow against the in-process fake on virtual time, then replay it. */
async function recordAndReplay(idp: FakeIdentityProvider): Promise<void> {
  const clock = fixedClock()
  const recorder = record(createTestInterpreter({ http: idp.http, clock }).interpret)
  const options = { clientId: DAEMON.clientId, clientCredential: DAEMON.clientSecret, authority: `https://login.microsoftonline.com/${TENANT}` }
  const recorded = await new ConfidentialClientApplication({ ...options, interpreter: recorder.interpret }).acquireTokenForClient(SCOPES)
  const replayer = replay(recorder.transcript('client credentials'))
  const replayed = await new ConfidentialClientApplication({ ...options, interpreter: replayer.interpret }).acquireTokenForClient(SCOPES)
  replayer.assertComplete()
  check(replayed.accessToken === recorded.accessToken && recorded.expiresOn === clock.now() / 1000 + recorded.expiresIn, 'the replay gives the recorded token, on virtual time')
  console.log(`testing: replayed the recorded ${describeResult(replayed)}`)
}

/** A daemon on App Service with its managed identity: the emulated source, found through the environment. */
async function managedIdentity(): Promise<void> {
  const appService = new AppServiceEmulation()
  await appService.listen()
  try {
    const mi = new ManagedIdentityClient(SystemAssignedManagedIdentity(), { env: appService.env })
    const first = await mi.acquireTokenForClient({ resource: 'https://vault.azure.net' })
    const second = await mi.acquireTokenForClient({ resource: 'https://vault.azure.net' })
    const source: string = await mi.getManagedIdentitySource()
    check(first.tokenSource === 'identity_provider' && second.tokenSource === 'cache' && source === 'APP_SERVICE', 'the managed identity\'s second token comes from the cache')
    try {
      UserAssignedManagedIdentity({})
      check(false, 'a user-assigned identity needs an id')
    } catch (error) {
      check(error instanceof ManagedIdentityError, 'a missing id is a ManagedIdentityError')
    }
    console.log(`managed identity: ${source}: ${describeResult(first)}, then ${describeResult(second)}`)
  } finally {
    await appService.close()
  }
}

async function coreProgram(): Promise<void> {
  const interpret: Interpret = createBrowserInterpreter()
  const seconds: number = await run(secondsSinceEpoch(), interpret)
  const config = decodeConfidentialClientConfig({ clientId: 'x', clientCredential: 's', authority: `https://login.microsoftonline.com/${TENANT}` })
  const clientId: string = config._tag === 'Right' ? config.right.clientId : config.left.message
  check(seconds > 1_700_000_000 && clientId === 'x', 'a core Program runs on the browser interpreter')
  console.log(`core: a Program run on the browser interpreter read the clock (${seconds} s)`)
}

/** Never called: every line here must fail to compile. */
export function mustNotCompile(result: TokenResult, error: MsalError, config: ReturnType<typeof decodeConfidentialClientConfig>): void {
  // @ts-expect-error accessToken is a string
  const token: number = result.accessToken
  // @ts-expect-error a misspelt result field is not there (no index signature)
  void result.acessToken
  // @ts-expect-error retryAfterMs is a ThrottledError's: narrow first
  void error.retryAfterMs
  // @ts-expect-error an unknown option does not type-check
  void new WebConfidentialClientApplication({ clientId: 'x', clientCredential: 's', tokenCahce: undefined })
  // @ts-expect-error PopAuthScheme takes a method, a URL and a nonce
  void new PopAuthScheme('GET')
  // @ts-expect-error data's keys are camelCase (tokenType, keyId, reqCnf)
  void new PublicClientApplication({ clientId: 'x' }).acquireTokenSilent([], undefined, { data: { token_type: 'ssh-cert', key_id: 'k', req_cnf: '{}' } })
  // @ts-expect-error kind is a union of known error kinds
  const unknownKind = error.kind === 'NoSuchKind'
  // @ts-expect-error an Either must be narrowed before reading `right` (fp-ts's types resolved)
  const right = config.right
  // @ts-expect-error clientId is a string
  const app = new ConfidentialClientApplication({ clientId: 42, clientCredential: 's' })
  // @ts-expect-error scopes are an array of strings
  void app.acquireTokenForClient('api://consumer/.default')
  // @ts-expect-error the timeout is in milliseconds, a number
  createBrowserInterpreter({ timeoutMs: '5s' })
  // @ts-expect-error MSAL Python's proxies has http and https keys only
  void new ConfidentialClientApplication({ clientId: 'x', clientCredential: 's', proxies: { all: 'http://proxy:3128' } })
  // @ts-expect-error onBeforeLaunchingUi is told { ui: 'browser' }
  void new PublicClientApplication({ clientId: 'x' }).acquireTokenInteractive([], { onBeforeLaunchingUi: (info) => void info.uiType })
  // @ts-expect-error a FakeIdentityProvider's app needs a clientId
  new FakeIdentityProvider().registerApp({ clientSecret: 'x' })
  // @ts-expect-error the fixed clock starts at epoch milliseconds
  fixedClock('2026-01-01')
  // @ts-expect-error a managed identity's resource is an options field, not a scope list
  void new ManagedIdentityClient(SystemAssignedManagedIdentity()).acquireTokenForClient(['https://vault.azure.net/.default'])
  // @ts-expect-error the dict form's type is one of four
  void new ManagedIdentityClient({ ManagedIdentityIdType: 'Email', Id: 'x' })
  void [token, unknownKind, right]
}

export async function main(): Promise<void> {
  const idp = new FakeIdentityProvider({ interactiveUser: USER.username })
    .registerApp({ clientId: DAEMON.clientId, clientSecret: DAEMON.clientSecret })
    .registerApp(DESKTOP)
    .registerUser(USER)
  const base = await idp.listen()
  const cacheDir = mkdtempSync(join(tmpdir(), 'msal-ts-consumer-'))
  try {
    await daemon(base, cacheDir)
    await desktop(idp, base)
    await recordAndReplay(idp)
    await managedIdentity()
    await coreProgram()
  } finally {
    await idp.close()
    rmSync(cacheDir, { recursive: true, force: true })
  }
}
