import { either as E } from '@msal-ts/core/protocol'
import {
  acquireTokenPopupFlow,
  acquireTokenSilentFlow,
  AppShell,
  beginRedirect,
  checkOptions,
  APP_RULES,
  authResponseIn,
  clientConfigOf,
  completeRedirect,
  flightKey,
  flowKey,
  is,
  logoutFlow,
  oneOf,
  releaseInteraction,
  run,
  selectAccounts,
  SingleFlight,
  ssoSilentFlow,
  throwIfLeft,
  type Account,
  type BrowserEnv,
  type ClientApplicationOptions,
  type LogoutRequest,
  type MsalError,
  type OptionRules,
  type Program,
  type SpaRequest,
  type TokenResult,
} from '@msal-ts/core'
import { handleRedirectBridge } from '../redirect.js'
import { webPlatform } from '../platform.js'
import { createBrowserInterpreter } from '../webInterpreter.js'
import { EventType, SHARED_EVENTS, type EventCallback, type EventMessage, type InteractionType } from './events.js'
import { browserPlatform } from './platform.js'
import { WebStorageCache, type CacheLocation } from './storageCache.js'
import { StoredHttpCache } from './storedHttpCache.js'

/**
 * A browser app's options: MSAL Python's flat names where msal-ts has them, msal-browser's for
 * what only a browser has. An unknown option is a ConfigurationError naming it.
 */
export interface BrowserApplicationOptions
  extends Pick<
    ClientApplicationOptions,
    | 'clientId'
    | 'authority'
    | 'oidcAuthority'
    | 'validateAuthority'
    | 'instanceDiscovery'
    | 'clientCapabilities'
    | 'excludeScopes'
    | 'appName'
    | 'appVersion'
    | 'httpCache'
    | 'httpClient'
    | 'timeout'
    | 'logger'
    | 'logLevel'
    | 'enablePiiLog'
    | 'interpreter'
  > {
  /** Where the identity provider sends responses: a page of this app registered as a "Single-page application" redirect URI. Default: the current page (origin and path). */
  readonly redirectUri?: string | undefined
  /** Where logout returns to. Default: the redirect URI. */
  readonly postLogoutRedirectUri?: string | undefined
  /** Where tokens (one storage key per entry) and discovery answers are kept: "sessionStorage" (default; this tab), "localStorage" (every tab, across restarts) or "memory" (this page only). */
  readonly cacheLocation?: CacheLocation | undefined
  /** How responses come back on the redirect URI: "fragment" (default: kept out of servers' logs) or "query". */
  readonly responseMode?: 'fragment' | 'query' | undefined
  /** An interaction flag older than this no longer blocks a new sign-in, in milliseconds. Default 600 000. */
  readonly interactionTimeoutMs?: number | undefined
  /** How long a popup may take, in milliseconds. Default 300 000. */
  readonly popupTimeoutMs?: number | undefined
  /** How long the hidden iframe may take, in milliseconds. Default 10 000. */
  readonly iframeTimeoutMs?: number | undefined
  /** "never": acquireTokenSilent does not fall back to a hidden iframe (prompt=none). Default "fallback". */
  readonly silentIframe?: 'fallback' | 'never' | undefined
  /** "redirect": a blocked popup falls back to a full-page redirect instead of a PopupBlockedError. */
  readonly popupFallback?: 'redirect' | 'none' | undefined
}

const positiveMs = (what: string) => ({ check: is(`a positive number of milliseconds (${what})`, (u) => typeof u === 'number' && Number.isFinite(u) && u > 0 && u <= 2_147_483_647) })

const BROWSER_RULES: OptionRules<BrowserApplicationOptions> = {
  clientId: APP_RULES.clientId,
  authority: APP_RULES.authority,
  oidcAuthority: APP_RULES.oidcAuthority,
  validateAuthority: APP_RULES.validateAuthority,
  instanceDiscovery: APP_RULES.instanceDiscovery,
  clientCapabilities: APP_RULES.clientCapabilities,
  excludeScopes: APP_RULES.excludeScopes,
  appName: APP_RULES.appName,
  appVersion: APP_RULES.appVersion,
  httpCache: APP_RULES.httpCache,
  httpClient: APP_RULES.httpClient,
  timeout: APP_RULES.timeout,
  logger: APP_RULES.logger,
  logLevel: APP_RULES.logLevel,
  enablePiiLog: APP_RULES.enablePiiLog,
  interpreter: APP_RULES.interpreter,
  redirectUri: { check: is('an absolute URL', (u) => typeof u === 'string' && URL.canParse(u)) },
  postLogoutRedirectUri: { check: is('an absolute URL', (u) => typeof u === 'string' && URL.canParse(u)) },
  cacheLocation: { check: oneOf(['sessionStorage', 'localStorage', 'memory']) },
  responseMode: { check: oneOf(['fragment', 'query']) },
  interactionTimeoutMs: positiveMs('interactions'),
  popupTimeoutMs: positiveMs('popups'),
  iframeTimeoutMs: positiveMs('the hidden iframe'),
  silentIframe: { check: oneOf(['fallback', 'never']) },
  popupFallback: { check: oneOf(['redirect', 'none']) },
}

/** msal-browser's nested options, and what to write instead. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  auth: "msal-ts takes flat options: { clientId, authority, redirectUri, ... }, not msal-browser's { auth: { ... } }",
  cache: "msal-ts takes flat options: cacheLocation goes at the top level, not in msal-browser's { cache: { ... } }",
  system: "msal-ts takes flat options: logger, logLevel, popupTimeoutMs and iframeTimeoutMs go at the top level, not in msal-browser's { system: { ... } }",
  tokenCache: 'a browser app keeps its tokens in Web Storage: choose with cacheLocation',
}

const randomId = (): string => crypto.randomUUID()

/** The tab's id: kept in sessionStorage, which is the tab's own. */
const tabIdOf = (): string => {
  try {
    const known = sessionStorage.getItem('msal-ts.tab')
    if (known !== null) return known
    const id = randomId()
    sessionStorage.setItem('msal-ts.tab', id)
    return id
  } catch {
    return randomId()
  }
}

const storageFor = (location: CacheLocation): Storage | undefined => {
  try {
    return location === 'localStorage' ? localStorage : location === 'sessionStorage' ? sessionStorage : undefined
  } catch {
    return undefined
  }
}

/**
 * A single-page application in the browser: msal-browser's PublicClientApplication, on the
 * msal-ts shell. Usable as soon as it is constructed (no initialize()). Tokens live in memory,
 * written through to Web Storage one entry per key; flows are core's, split at the page load;
 * the browser's own work (navigation, popups, iframes, storage, locks, channels) is the
 * platform's. Methods reject with an MsalError.
 */
export class PublicClientApplication extends AppShell {
  private readonly env: BrowserEnv
  private readonly callbacks = new Map<string, EventCallback>()
  private readonly silentFlights = new SingleFlight<E.Either<MsalError, TokenResult>>()
  private readonly storageCache: WebStorageCache
  private readonly shared: boolean
  private readonly events: BroadcastChannel | undefined
  /** Where the active account's id is kept: beside the tokens (nowhere in memory mode). */
  private readonly activeStore: Storage | undefined
  /** The active account's home id, read from storage once and kept in step with it, so a cache hit reads no storage. */
  private activeId: string | null
  private redirectOutcome: Promise<TokenResult | null> | undefined

  /** msal-browser's way of making one; the constructor's result is usable as well. */
  static create(options: BrowserApplicationOptions): Promise<PublicClientApplication> {
    try {
      return Promise.resolve(new PublicClientApplication(options))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** @throws MsalError (kind ConfigurationError) naming the option that is wrong. */
  constructor(options: BrowserApplicationOptions) {
    const checked = throwIfLeft(checkOptions<BrowserApplicationOptions>(options, BROWSER_RULES, '{ clientId, authority, redirectUri }', UNSUPPORTED))
    const config = throwIfLeft(clientConfigOf(checked))
    const location = checked.cacheLocation ?? 'sessionStorage'
    const prefix = `msal-ts.${config.clientId}.`
    const cache = new WebStorageCache(storageFor(location), prefix)
    const channel = `msal-ts.events.${config.clientId}`
    const { httpClient } = checked
    const inner =
      checked.interpreter ??
      createBrowserInterpreter({
        fetch: httpClient !== undefined ? () => httpClient : undefined,
        timeoutMs: checked.timeout,
        logger: checked.logger,
        logLevel: checked.logLevel,
        enablePiiLog: checked.enablePiiLog,
      })
    super(config, {
      interpret: browserPlatform(inner, { syncCache: () => cache.reload(), channel, sharedKeys: location === 'localStorage' ? prefix : undefined }),
      platform: webPlatform(),
      tokenCache: cache,
      httpCache: checked.httpCache ?? new StoredHttpCache(storageFor(location), `${prefix}http`),
    })
    this.storageCache = cache
    const here = `${window.location.origin}${window.location.pathname}`
    this.env = {
      tabId: tabIdOf(),
      keyPrefix: prefix,
      redirectUri: checked.redirectUri ?? here,
      postLogoutRedirectUri: checked.postLogoutRedirectUri ?? checked.redirectUri ?? here,
      responseMode: checked.responseMode ?? 'fragment',
      interactionTimeoutMs: checked.interactionTimeoutMs ?? 600_000,
      popupTimeoutMs: checked.popupTimeoutMs ?? 300_000,
      iframeTimeoutMs: checked.iframeTimeoutMs ?? 10_000,
      silentIframe: checked.silentIframe !== 'never',
    }
    this.popupFallback = checked.popupFallback === 'redirect'
    this.activeStore = storageFor(location)
    this.activeId = this.storedActiveId()
    // Back from the identity provider's page by the back button, the page may be this very
    // document, restored from the back/forward cache: no page load runs handleRedirectPromise,
    // so the sign-in this tab started is over here.
    window.addEventListener('pageshow', (event) => {
      if (event.persisted) void run(releaseInteraction(this.env), this.interpret)
    })
    // Tabs share tokens only through localStorage: then they hear each other's changes.
    this.shared = location === 'localStorage'
    this.events = this.shared && typeof BroadcastChannel === 'function' ? new BroadcastChannel(channel) : undefined
    if (this.shared) {
      window.addEventListener('storage', (event) => {
        if (event.storageArea !== localStorage) return
        if (event.key === this.activeKey || event.key === null) this.activeId = event.newValue
        this.storageCache.applyStorageEvent(event.key, event.newValue)
      })
      if (this.events !== undefined) this.events.onmessage = (event) => this.fromOtherTab(event.data as EventMessage)
    }
  }

  private readonly popupFallback: boolean

  /** For msal-browser code that calls it: there is nothing to wait for. */
  initialize(): Promise<void> {
    return Promise.resolve()
  }

  // ---- Events ----

  /** Calls `callback` for every event (msal-browser's EventType names); answers its id. */
  addEventCallback(callback: EventCallback): string {
    const id = randomId()
    this.callbacks.set(id, callback)
    return id
  }

  removeEventCallback(id: string): void {
    this.callbacks.delete(id)
  }

  private emit(eventType: EventType, interactionType: InteractionType | null, payload: EventMessage['payload'] = null, error: MsalError | null = null): void {
    const message: EventMessage = { eventType, interactionType, payload, error, timestamp: Date.now() }
    this.notify(message)
    if (this.events !== undefined && SHARED_EVENTS.has(eventType)) this.events.postMessage({ ...message, error: null })
  }

  private notify(message: EventMessage): void {
    for (const callback of this.callbacks.values()) {
      try {
        callback(message)
      } catch {
        // One app callback's bug does not stop the others, or the operation.
      }
    }
  }

  private fromOtherTab(message: EventMessage): void {
    // Storage events may not have arrived yet: read what the other tab wrote before telling the app.
    this.storageCache.reload()
    this.activeId = this.storedActiveId()
    this.notify({ ...message, fromOtherTab: true })
  }

  // ---- Accounts ----

  /** Every account signed in to this app's authority (msal-browser's; MSAL Python's getAccounts is the Promise form). */
  getAllAccounts(filter: Partial<Pick<Account, 'homeAccountId' | 'username' | 'localAccountId'>> = {}): Account[] {
    return selectAccounts(this.tokenCache, this.ctx.environments, {}).filter(
      (account) =>
        (filter.homeAccountId === undefined || account.homeAccountId === filter.homeAccountId) &&
        (filter.localAccountId === undefined || account.localAccountId === filter.localAccountId) &&
        (filter.username === undefined || account.username.toLowerCase() === filter.username.toLowerCase()),
    )
  }

  /** The first account that matches the filter, or null. */
  getAccount(filter: Partial<Pick<Account, 'homeAccountId' | 'username' | 'localAccountId'>>): Account | null {
    return this.getAllAccounts(filter)[0] ?? null
  }

  private get activeKey(): string {
    return `${this.env.keyPrefix}active`
  }

  private storedActiveId(): string | null {
    try {
      return this.activeStore?.getItem(this.activeKey) ?? null
    } catch {
      return null
    }
  }

  /** The account calls use when none is given (kept with the tokens, so tabs that share them agree). */
  getActiveAccount(): Account | null {
    return this.activeId === null ? null : this.getAccount({ homeAccountId: this.activeId })
  }

  setActiveAccount(account: Account | null): void {
    this.activeId = account?.homeAccountId ?? null
    try {
      if (this.activeId === null) this.activeStore?.removeItem(this.activeKey)
      else this.activeStore?.setItem(this.activeKey, this.activeId)
    } catch {
      // A full or refused storage keeps the choice in this page.
    }
    this.emit(EventType.ACTIVE_ACCOUNT_CHANGED, null, account)
  }

  /** Forgets every token and account of this app in this browser (no identity provider sign-out). */
  clearCache(): Promise<void> {
    for (const account of this.getAllAccounts()) this.forget(account)
    return Promise.resolve()
  }

  private forget(account: Account): void {
    this.tokenCache.perform({ _tag: 'RemoveAccount', clientId: this.clientId, account: { homeAccountId: account.homeAccountId, environment: account.environment } })
    if (this.activeId === account.homeAccountId) this.setActiveAccount(null)
    this.emit(EventType.ACCOUNT_REMOVED, null, account)
  }

  /** The home ids of the accounts signed in now, to tell which account a flow added. */
  private accountIds(): ReadonlySet<string> {
    return new Set(this.getAllAccounts().map((account) => account.homeAccountId))
  }

  // ---- Running flows ----

  /** Runs a flow, its outcome as a Promise, with start / success / failure events. */
  private operate(program: Program<E.Either<MsalError, TokenResult>>, events: readonly [EventType, EventType, EventType], interaction: InteractionType): Promise<TokenResult> {
    this.emit(events[0], interaction)
    try {
      const before = this.accountIds()
      return this.finish(run(program, this.interpret), events, interaction, before)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** Settles a flow's outcome with its success or failure event; ACCOUNT_ADDED first for an account not among `accountsBefore`. */
  private finish(
    outcome: E.Either<MsalError, TokenResult> | Promise<E.Either<MsalError, TokenResult>>,
    [, success, failure]: readonly [EventType, EventType, EventType],
    interaction: InteractionType,
    accountsBefore?: ReadonlySet<string>,
  ): Promise<TokenResult> {
    return Promise.resolve(outcome).then((settled) => {
      if (E.isLeft(settled)) {
        this.emit(failure, interaction, null, settled.left)
        return Promise.reject(settled.left)
      }
      const { account } = settled.right
      if (account !== undefined && accountsBefore !== undefined && !accountsBefore.has(account.homeAccountId)) this.emit(EventType.ACCOUNT_ADDED, interaction, account)
      this.emit(success, interaction, settled.right)
      return { ...settled.right }
    })
  }

  private request(request: Partial<SpaRequest> = {}): SpaRequest {
    return { scopes: [], ...request, account: request.account ?? this.getActiveAccount() ?? undefined }
  }

  // ---- Redirect ----

  /**
   * The result of a sign-in that came back to this page by redirect, once per page load (every
   * call shares one promise): null when the page holds no response. Only the response's own
   * parameters are removed from the URL; the user is returned to the page they were on. In a
   * popup or iframe, it hands the response to the page that waits for it instead.
   */
  handleRedirectPromise(): Promise<TokenResult | null> {
    this.redirectOutcome ??= this.completeRedirect()
    return this.redirectOutcome
  }

  private completeRedirect(): Promise<TokenResult | null> {
    // A response whose flow this tab did not store is a popup's or an iframe's (a popup cut off
    // by COOP has no opener to tell it apart): hand it over as the bridge page does. A popup then
    // closes; a tab that is neither goes on to refuse it (a forged or replayed response).
    const state = authResponseIn(window.location.href)?.params['state']
    if (state !== undefined && !this.startedHere(state) && handleRedirectBridge() && (window.closed || window.parent !== window)) return Promise.resolve(null)
    this.emit(EventType.HANDLE_REDIRECT_START, 'redirect')
    const done = (): void => this.emit(EventType.HANDLE_REDIRECT_END, 'redirect')
    const before = this.accountIds()
    return Promise.resolve(run(completeRedirect(this.ctx, this.env), this.interpret)).then(
      (outcome) => {
        if (E.isRight(outcome) && outcome.right === undefined) {
          done()
          return null
        }
        return this.finish(outcome as E.Either<MsalError, TokenResult>, [EventType.LOGIN_START, EventType.LOGIN_SUCCESS, EventType.LOGIN_FAILURE], 'redirect', before).finally(done)
      },
      (error: unknown) => {
        done()
        throw error
      },
    )
  }

  /** Whether this tab stored the flow a response's state names (a full-page redirect it started). */
  private startedHere(state: string): boolean {
    try {
      return sessionStorage.getItem(flowKey(this.env, state)) !== null
    } catch {
      return false
    }
  }

  /** Signs the user in by sending this page to the identity provider; the result comes back through handleRedirectPromise(). */
  loginRedirect(request: Partial<SpaRequest> = {}): Promise<void> {
    return this.redirect(this.request(request), EventType.LOGIN_START, EventType.LOGIN_FAILURE)
  }

  /** A token by a full-page redirect (after an InteractionRequiredError); the result comes back through handleRedirectPromise(). */
  acquireTokenRedirect(request: SpaRequest): Promise<void> {
    return this.redirect(this.request(request), EventType.ACQUIRE_TOKEN_START, EventType.ACQUIRE_TOKEN_FAILURE)
  }

  private redirect(request: SpaRequest, start: EventType, failure: EventType): Promise<void> {
    this.emit(start, 'redirect')
    return Promise.resolve(run(beginRedirect(this.ctx, this.env, request), this.interpret)).then((outcome) => {
      if (E.isLeft(outcome)) {
        this.emit(failure, 'redirect', null, outcome.left)
        throw outcome.left
      }
    })
  }

  // ---- Popup ----

  /** Signs the user in through a popup. Call it from a user action (a click): popup blockers allow only those. */
  loginPopup(request: Partial<SpaRequest> = {}): Promise<TokenResult> {
    return this.popup(this.request(request), [EventType.LOGIN_START, EventType.LOGIN_SUCCESS, EventType.LOGIN_FAILURE])
  }

  /** A token through a popup (after an InteractionRequiredError). Call it from a user action. */
  acquireTokenPopup(request: SpaRequest): Promise<TokenResult> {
    return this.popup(this.request(request), [EventType.ACQUIRE_TOKEN_START, EventType.ACQUIRE_TOKEN_SUCCESS, EventType.ACQUIRE_TOKEN_FAILURE])
  }

  private popup(request: SpaRequest, events: readonly [EventType, EventType, EventType]): Promise<TokenResult> {
    this.emit(events[0], 'popup')
    // Run at once, not after an await: the popup opens in the caller's task.
    const before = this.accountIds()
    const outcome = run(acquireTokenPopupFlow(this.ctx, this.env, request), this.interpret)
    const fallBack = (settled: E.Either<MsalError, TokenResult>): E.Either<MsalError, TokenResult> | Promise<E.Either<MsalError, TokenResult>> =>
      E.isLeft(settled) && settled.left.kind === 'PopupBlockedError' && this.popupFallback
        ? Promise.resolve(run(beginRedirect(this.ctx, this.env, request), this.interpret)).then((begun) => begun as E.Either<MsalError, TokenResult>)
        : settled
    return this.finish(outcome instanceof Promise ? outcome.then(fallBack) : fallBack(outcome), events, 'popup', before)
  }

  // ---- Silent ----

  /**
   * A token without the user: from memory (no storage read on a hit), else the refresh token
   * (one refresh across tabs), else a hidden iframe with prompt=none; else an
   * InteractionRequiredError saying why. Identical concurrent calls share one request.
   */
  acquireTokenSilent(request: Partial<SpaRequest> & Pick<SpaRequest, 'scopes'>): Promise<TokenResult> {
    const full = this.request(request)
    const events = [EventType.ACQUIRE_TOKEN_START, EventType.ACQUIRE_TOKEN_SUCCESS, EventType.ACQUIRE_TOKEN_FAILURE] as const
    const outcome = this.silentFlights.do(
      () => flightKey(full.account?.homeAccountId, full.scopes, full.forceRefresh === true, full.claims),
      () => run(acquireTokenSilentFlow(this.ctx, this.env, full), this.interpret),
    )
    // A cache hit raises no events: it is the hot path.
    if (!(outcome instanceof Promise) && E.isRight(outcome) && outcome.right.tokenSource === 'cache') return Promise.resolve({ ...outcome.right })
    this.emit(events[0], 'silent')
    return this.finish(outcome, events, 'silent')
  }

  /** Signs the user in with the identity provider's session, in a hidden iframe (prompt=none). */
  ssoSilent(request: Partial<SpaRequest> = {}): Promise<TokenResult> {
    return this.operate(ssoSilentFlow(this.ctx, this.env, this.request(request)), [EventType.SSO_SILENT_START, EventType.SSO_SILENT_SUCCESS, EventType.SSO_SILENT_FAILURE], 'silent')
  }

  // ---- Logout ----

  /**
   * Signs the account out (the one given, else the active account, else every account): its
   * entries leave this browser (and every tab that shares them), then the identity provider's
   * session ends by a full-page redirect.
   */
  logoutRedirect(request: LogoutRequest = {}): Promise<void> {
    return this.logout(request, 'redirect')
  }

  /** As logoutRedirect, with the identity provider's page in a popup. */
  logoutPopup(request: LogoutRequest = {}): Promise<void> {
    return this.logout(request, 'popup')
  }

  private logout(request: LogoutRequest, via: 'redirect' | 'popup'): Promise<void> {
    // The account named, else the active one, else every account (as msal-browser): a logout
    // never leaves tokens behind. The provider is told whom to sign out when that is one account.
    const named = request.account ?? this.getActiveAccount() ?? undefined
    const leaving = named !== undefined ? [named] : this.getAllAccounts()
    const account = leaving.length === 1 ? leaving[0] : undefined
    this.emit(EventType.LOGOUT_START, via)
    // The flow runs at once (a popup opens in the caller's task); the local sign-out follows
    // before anything the flow awaits, so every tab forgets the account whatever the identity
    // provider does.
    const outcome = run(logoutFlow(this.ctx, this.env, { ...request, account }, via), this.interpret)
    for (const gone of leaving) this.forget(gone)
    this.emit(EventType.LOGOUT_SUCCESS, via, account ?? null)
    return Promise.resolve(outcome).then((settled) => {
      if (E.isLeft(settled)) {
        this.emit(EventType.LOGOUT_FAILURE, via, null, settled.left)
        throw settled.left
      }
    })
  }
}

