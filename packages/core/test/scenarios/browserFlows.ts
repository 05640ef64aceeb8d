/**
 * The browser flows' scenarios (core's programs for single-page apps, split at the page load):
 * each runs once in Node against the FakeIdentityProvider with a scripted browser tab to record a
 * transcript (pnpm fixtures:record), and in every test run against that transcript, with no
 * browser and no provider, under the same assertions.
 */
import assert from 'node:assert/strict'
import * as E from '#fp-ts/Either'
import {
  acquireTokenPopupFlow,
  acquireTokenSilentFlow,
  beginRedirect,
  completeRedirect,
  createClientContext,
  decodePublicClientConfig,
  HttpCache,
  logoutFlow,
  runFlow,
  ssoSilentFlow,
  TokenCache,
  type Account,
  type BrowserEnv,
  type ClientContext,
  type Interpret,
  type MsalError,
  type Program,
  type SpaRequest,
  type TokenResult,
} from '@msal-ts/core'
import { authResponseFrom, createTestInterpreter, FakeIdentityProvider, fixedClock, landingOf, record, scriptedBrowser, seededRandom, type Transcript } from '@msal-ts/testing'

export const CLIENT_ID = 'aaaaaaaa-5555-4000-8000-0000000000b2'
export const AUTHORITY = 'https://login.microsoftonline.com/contoso.onmicrosoft.com'
export const USERNAME = 'alice@contoso.onmicrosoft.com'
/** The app's page, also its redirect URI (registered as a single-page application's). */
export const APP_PAGE = 'http://localhost:3000/'
const SCOPES = ['User.Read']
const HOUR_MS = 3_600_000

/** What the browser flows are told of the page and the app's options. */
export const ENV: BrowserEnv = {
  tabId: 'tab-1',
  keyPrefix: `msal-ts.${CLIENT_ID}.`,
  redirectUri: APP_PAGE,
  postLogoutRedirectUri: `${APP_PAGE}signed-out`,
  responseMode: 'fragment',
  interactionTimeoutMs: 600_000,
  popupTimeoutMs: 300_000,
  iframeTimeoutMs: 10_000,
  silentIframe: true,
}

/** A client context for the app (a public client: no credential, no instance discovery). */
export const newContext = (): ClientContext => {
  const config = decodePublicClientConfig({ clientId: CLIENT_ID, authority: AUTHORITY })
  if (E.isLeft(config)) throw config.left
  return createClientContext({ config: config.right, platform: { sku: 'msal.ts.browser', version: '0.0.0', os: 'web' }, tokenCache: new TokenCache(), httpCache: new HttpCache() })
}

/**
 * What a scenario does with the page, recording or replaying: run a program to its end; run one
 * until it sends the page away (a replay answers that navigation as the recording left it, and
 * the program ends); follow that navigation to the identity provider and back to the app (only
 * when recording: the replay's next program finds the page there); move the virtual clock.
 */
export interface BrowserWorld {
  readonly ctx: ClientContext
  run<A>(program: Program<A>): Promise<A>
  untilNavigation(program: Program<unknown>): Promise<void>
  followNavigation(): Promise<void>
  advance(ms: number): void
}

export interface BrowserScenario {
  readonly name: string
  readonly description: string
  /** The page's address when the scenario starts (default: the app's page). */
  readonly startUrl?: string
  /** The browser refuses popups. */
  readonly popupsBlocked?: boolean
  /** What a popup or iframe brings back: the provider's answer (default), or the user closing the popup. */
  readonly popup?: 'provider' | 'closed'
  /** The browser sends the hidden iframe no cookie (third-party cookies blocked): the provider knows no session there. */
  readonly thirdPartyCookies?: 'blocked'
  /** Provider settings (its imaginary browser's sessions), applied only when recording. */
  readonly arrange?: (idp: FakeIdentityProvider) => void
  readonly play: (world: BrowserWorld) => Promise<void>
}

/** Registers the app (its single-page application redirect URIs, any port on localhost) and the user. */
export const arrangeBrowserWorld = (idp: FakeIdentityProvider): void => {
  idp.registerApp({ clientId: CLIENT_ID, spaRedirectUris: ['http://localhost/', 'http://localhost/signed-out'] }).registerUser({ username: USERNAME })
}

const request = (extra: Partial<SpaRequest> = {}): SpaRequest => ({ scopes: SCOPES, loginHint: USERNAME, ...extra })

const signedIn = (outcome: E.Either<MsalError, TokenResult | undefined>): TokenResult & { account: Account } => {
  if (E.isLeft(outcome)) assert.fail(`expected a token, got ${outcome.left.kind}: ${outcome.left.message}`)
  const result = outcome.right
  assert.ok(result !== undefined, 'expected a token')
  assert.equal(result.tokenSource, 'identity_provider')
  assert.equal(result.account?.username, USERNAME)
  return result as TokenResult & { account: Account }
}

const refused = (outcome: E.Either<MsalError, unknown>, kind: MsalError['kind']): MsalError => {
  assert.ok(E.isLeft(outcome), `expected a ${kind}, got a result`)
  assert.equal(outcome.left.kind, kind, outcome.left.message)
  return outcome.left
}

const signInByPopup = async (world: BrowserWorld): Promise<TokenResult & { account: Account }> =>
  signedIn(await world.run(acquireTokenPopupFlow(world.ctx, ENV, request())))

export const scenarios: readonly BrowserScenario[] = [
  {
    name: 'redirect-sign-in',
    description: 'loginRedirect: the flow stored under its state, the page sent away; the next page load redeems the response and returns to the page',
    startUrl: `${APP_PAGE}?tab=2#/dashboard`,
    play: async (world) => {
      await world.untilNavigation(beginRedirect(world.ctx, ENV, request()))
      await world.followNavigation()
      signedIn(await world.run(completeRedirect(world.ctx, ENV)))
    },
  },
  {
    name: 'redirect-forged-response',
    description: 'a page load with a response whose state names no stored flow: UsageError, no request',
    startUrl: `${APP_PAGE}#code=forged&state=unknown-state&session_state=x`,
    play: async (world) => {
      refused(await world.run(completeRedirect(world.ctx, ENV)), 'UsageError')
    },
  },
  {
    name: 'redirect-interaction-in-progress',
    description: 'a second loginRedirect while the first is under way: InteractionInProgressError; the next page load without a response clears the flag',
    play: async (world) => {
      await world.untilNavigation(beginRedirect(world.ctx, ENV, request()))
      const busy = refused(await world.run(beginRedirect(world.ctx, ENV, request())), 'InteractionInProgressError')
      assert.equal((busy as MsalError & { interaction: string }).interaction, 'redirect')
      assert.deepEqual(await world.run(completeRedirect(world.ctx, ENV)), E.right(undefined))
      await world.untilNavigation(beginRedirect(world.ctx, ENV, request()))
    },
  },
  {
    name: 'popup-sign-in',
    description: 'loginPopup: the popup opened first, sent to the provider; its response redeemed',
    play: async (world) => {
      await signInByPopup(world)
    },
  },
  {
    name: 'popup-blocked',
    description: 'the browser refuses the popup: PopupBlockedError at once, no request',
    popupsBlocked: true,
    play: async (world) => {
      refused(await world.run(acquireTokenPopupFlow(world.ctx, ENV, request())), 'PopupBlockedError')
    },
  },
  {
    name: 'popup-closed',
    description: 'the user closes the popup: CancelledError, the interaction released',
    popup: 'closed',
    play: async (world) => {
      refused(await world.run(acquireTokenPopupFlow(world.ctx, ENV, request())), 'CancelledError')
    },
  },
  {
    name: 'silent-cache-hit',
    description: 'acquireTokenSilent after a sign-in: from the cache, no lock, no request',
    play: async (world) => {
      const { account, accessToken } = await signInByPopup(world)
      const hit = await world.run(acquireTokenSilentFlow(world.ctx, ENV, { scopes: SCOPES, account }))
      assert.ok(E.isRight(hit) && hit.right.tokenSource === 'cache' && hit.right.accessToken === accessToken)
    },
  },
  {
    name: 'silent-refresh',
    description: 'acquireTokenSilent after the access token expired: the refresh token, under the tab-shared lock, storage re-read first',
    play: async (world) => {
      const { account } = await signInByPopup(world)
      world.advance(HOUR_MS)
      signedIn(await world.run(acquireTokenSilentFlow(world.ctx, ENV, { scopes: SCOPES, account })))
    },
  },
  {
    name: 'silent-refresh-token-expired',
    description: "acquireTokenSilent after the SPA refresh token's 24 hours: no token request; the iframe (third-party cookies blocked) gets login_required; InteractionRequiredError refresh_token_expired",
    thirdPartyCookies: 'blocked',
    play: async (world) => {
      const { account } = await signInByPopup(world)
      world.advance(24 * HOUR_MS)
      const error = refused(await world.run(acquireTokenSilentFlow(world.ctx, ENV, { scopes: SCOPES, account })), 'InteractionRequiredError')
      assert.equal((error as MsalError & { reason: string }).reason, 'refresh_token_expired')
      assert.equal(error.classification, '')
    },
  },
  {
    name: 'sso-silent',
    description: "ssoSilent: a hidden iframe with prompt=none signs in with the provider's session",
    arrange: (idp) => void idp.signInToBrowser(USERNAME),
    play: async (world) => {
      signedIn(await world.run(ssoSilentFlow(world.ctx, ENV, request())))
    },
  },
  {
    name: 'logout-redirect',
    description: "logoutRedirect: the page sent to the end-session endpoint with post_logout_redirect_uri and logout_hint",
    play: async (world) => {
      const { account } = await signInByPopup(world)
      await world.untilNavigation(logoutFlow(world.ctx, ENV, { account }, 'redirect'))
    },
  },
]

/** A scenario's world on an interpreter that needs nothing else (a replay). */
export const replayWorld = (interpret: Interpret): BrowserWorld => {
  const ctx = newContext()
  const run = <A>(program: Program<A>): Promise<A> => Promise.resolve(runFlow(ctx, program, interpret))
  return {
    ctx,
    run,
    untilNavigation: async (program) => void (await run(program)),
    followNavigation: () => Promise.resolve(),
    advance: () => undefined,
  }
}

/**
 * Plays a scenario live: the FakeIdentityProvider in process, a scripted browser tab for the
 * page, virtual time and seeded randomness (so a recording is the same every time, given the
 * provider's signing key). Answers the transcript.
 */
export const recordScenario = async (scenario: BrowserScenario, signingKeyPem: string): Promise<Transcript> => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ signingKeyPem, clock: clock.now, random: seededRandom(1000) })
  arrangeBrowserWorld(idp)
  scenario.arrange?.(idp)
  const browser = scriptedBrowser({
    inner: createTestInterpreter({ http: idp.http, clock, random: seededRandom(7) }).interpret,
    url: scenario.startUrl ?? APP_PAGE,
    popupsBlocked: scenario.popupsBlocked,
    respond: async (url, shownIn) => {
      if (scenario.popup === 'closed') return { _tag: 'WindowClosed' }
      // No cookie reaches the provider from the iframe: it knows nobody there.
      if (shownIn === 'iframe' && scenario.thirdPartyCookies === 'blocked') idp.clearBrowserSessions()
      return authResponseFrom(await idp.authorize(url))
    },
  })
  const recorder = record(browser.interpret)
  const ctx = newContext()
  const run = <A>(program: Program<A>): Promise<A> => Promise.resolve(runFlow(ctx, program, recorder.interpret))
  await scenario.play({
    ctx,
    run,
    untilNavigation: async (program) => {
      const navigated = browser.nextNavigation()
      // The page unloads: the program never resumes.
      void run(program)
      await navigated
    },
    followNavigation: async () => browser.load(landingOf(await idp.authorize(browser.navigations.at(-1)!))),
    advance: clock.advance,
  })
  return recorder.transcript(`browser: ${scenario.description}`)
}
