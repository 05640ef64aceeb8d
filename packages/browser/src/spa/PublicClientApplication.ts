import {
  aFunction,
  AppShell,
  checkMethodOptions,
  checkOptions,
  APP_RULES,
  authResponseIn,
  clientConfigOf,
  closePopup,
  flightKey,
  flowKey,
  is,
  isPromiseLike,
  networkError,
  oneOf,
  openPopup,
  openSignInPopup,
  redirectPending,
  releaseInteraction,
  run,
  selectAccounts,
  silentFromCache,
  SingleFlight,
  throwIfLeft,
  type Account,
  type BrowserEnv,
  type ClientApplicationOptions,
  type KnownOptions,
  type LogoutRequest,
  type MsalError,
  type OptionRules,
  type Outcome,
  type Program,
  type SpaBindingFor,
  type SpaRequest,
  type TokenResult,
  type either,
} from '@msal-ts/core/spa'
import type * as FlowsModule from './flows.js'
import { handleRedirectBridge } from '../redirect.js'
import { webPlatform } from '../platform.js'
import { webInterpreterFor } from '../webInterpreter.js'
import { SHARED_EVENTS, type EventCallback, type EventMessage, type EventName, type EventType, type InteractionType, type Operation } from './events.js'
import { browserPlatform } from './platform.js'
import { WebStorageCache, type CacheEncryption, type CacheLocation } from './storageCache.js'
import { withPopKeys } from '../popKeys.js'
import type { SpaKeyBinding } from './keyBinding.js'
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
    | 'maxResponseBytes'
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
  /**
   * Encrypts the token cache's entries in Web Storage: pass `sessionCacheEncryption` (from
   * `@msal-ts/browser`). Off by default. Its key lives for the browser session, so after the
   * browser restarts the stored tokens cannot be read and the user signs in again (as with
   * msal-browser, where it is always on); see `sessionCacheEncryption`. While the stored entries
   * are decrypted (milliseconds after the page loads), every method waits; the synchronous
   * getAllAccounts, getAccount and getActiveAccount see the stored accounts once that is done
   * (once `await app.initialize()` or `await app.handleRedirectPromise()` resolves). Call the
   * popup methods after that too, so the popup still opens in the click's task.
   */
  readonly cacheEncryption?: CacheEncryption | undefined
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
  /**
   * Proof-of-possession tokens and SSH certificates: `proofOfPossession` from
   * @msal-ts/browser/pop. With it, requests take msal-browser's `authenticationScheme: 'pop'`
   * (`resourceRequestMethod`, `resourceRequestUri`, `shrNonce`) and `'ssh-cert'` (`sshJwk`,
   * `sshKid`); without it (and its code in the bundle), such a request is a ConfigurationError.
   */
  readonly proofOfPossession?: SpaKeyBinding | undefined
}

const positiveMs = (what: string) => ({ check: is(`a positive number of milliseconds (${what})`, (u) => typeof u === 'number' && Number.isFinite(u) && u > 0 && u <= 2_147_483_647) })
const anAbsoluteUrl = { check: is('an absolute URL', (u) => typeof u === 'string' && URL.canParse(u)) }

const BROWSER_RULES: OptionRules<BrowserApplicationOptions> = {
  ...APP_RULES,
  redirectUri: anAbsoluteUrl,
  postLogoutRedirectUri: anAbsoluteUrl,
  cacheLocation: { check: oneOf(['sessionStorage', 'localStorage', 'memory']) },
  cacheEncryption: { check: aFunction('sessionCacheEncryption (from @msal-ts/browser)') },
  responseMode: { check: oneOf(['fragment', 'query']) },
  interactionTimeoutMs: positiveMs('interactions'),
  popupTimeoutMs: positiveMs('popups'),
  iframeTimeoutMs: positiveMs('the hidden iframe'),
  silentIframe: { check: oneOf(['fallback', 'never']) },
  popupFallback: { check: oneOf(['redirect', 'none']) },
  proofOfPossession: {
    check: is('proofOfPossession from @msal-ts/browser/pop', (u) => typeof (u as SpaKeyBinding | undefined)?.bindingFor === 'function'),
  },
}

/** msal-browser's nested options (the error names which), and what to write instead. */
const FLAT = 'msal-ts takes msal-browser\'s nested options at the top level: { clientId, authority, redirectUri, cacheLocation, ... }'
const UNSUPPORTED: Readonly<Record<string, string>> = {
  auth: FLAT,
  cache: FLAT,
  system: FLAT,
  tokenCache: 'a browser app keeps its tokens in Web Storage: choose with cacheLocation',
}

const randomId = (): string => crypto.randomUUID()

/** Every field of a request: a misspelt one is refused, not ignored. */
const SPA_REQUEST_FIELDS: KnownOptions<SpaRequest> = {
  scopes: true,
  account: true,
  prompt: true,
  loginHint: true,
  domainHint: true,
  claims: true,
  maxAge: true,
  extraScopesToConsent: true,
  redirectUri: true,
  forceRefresh: true,
  redirectStartPage: true,
  authenticationScheme: true,
  resourceRequestMethod: true,
  resourceRequestUri: true,
  shrNonce: true,
  shrClaims: true,
  sshJwk: true,
  sshKid: true,
}

/** msal-browser request fields msal-ts does not take, with what to do instead. */
const REFUSED_REQUEST_FIELDS: Readonly<Record<string, string>> = {
  authority: 'the authority is the application\'s: create one PublicClientApplication per authority',
  cacheLookupPolicy: 'forceRefresh: true skips the cached access token',
  correlationId: 'msal-ts makes one per call (the result\'s correlationId)',
}

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

const plainCache: CacheEncryption = (storage, prefix) => new WebStorageCache(storage, prefix)

type Pending = Outcome | Promise<Outcome>

/** The sign-in, refresh and sign-out programs (./flows.ts), which a page loads when it first needs one. */
type Flows = typeof FlowsModule

/** The flows' chunk did not load (a network failure, or a deployment that did not serve every chunk the bundler wrote). */
const flowsNotLoaded = (cause: unknown): MsalError =>
  networkError(
    window.location.origin,
    `msal-ts's sign-in and refresh code (a chunk of this app's bundle, loaded on first use) did not load: ${cause instanceof Error ? cause.message : String(cause)}. Serve every file the bundler wrote beside the app's script`,
  )

/**
 * A single-page application in the browser: msal-browser's PublicClientApplication, on the
 * msal-ts shell. Usable as soon as it is constructed (no initialize()). Tokens live in memory,
 * written through to Web Storage one entry per key; flows are core's, split at the page load;
 * the browser's own work (navigation, popups, iframes, storage, locks, channels) is the
 * platform's. Methods reject with an MsalError.
 */
export class PublicClientApplication extends AppShell {
  readonly #env: BrowserEnv
  readonly #callbacks = new Map<string, EventCallback>()
  readonly #silentFlights = new SingleFlight<Outcome>()
  readonly #cache: WebStorageCache
  /** Tabs hear each other's events (localStorage mode: they share the cache). */
  readonly #events: BroadcastChannel | undefined
  readonly #popupFallback: boolean
  /** How msal-browser's PoP and SSH request fields are readied (proofOfPossession's), for the flows. */
  readonly #bindingFor: SpaBindingFor | undefined
  /** Where the active account's id is kept: beside the tokens (nowhere in memory mode). */
  readonly #activeStore: Storage | undefined
  /** The active account's home id, read from storage once and kept in step with it, so a cache hit reads no storage. */
  #activeId: string | null
  #redirectOutcome: Promise<TokenResult | null> | undefined
  /** The flows' chunk, loading or loaded (undefined again after a failed load, so the next call retries). */
  #flowsLoading: Promise<Flows> | undefined

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
    const storage = storageFor(location)
    const prefix = `msal-ts.${config.clientId}.`
    const cache = (checked.cacheEncryption ?? plainCache)(storage, prefix)
    const channel = `msal-ts.events.${config.clientId}`
    const shared = location === 'localStorage'
    const keys = checked.proofOfPossession
    const inner = checked.interpreter ?? webInterpreterFor(checked)
    super(config, {
      interpret: browserPlatform(keys === undefined || checked.interpreter !== undefined ? inner : withPopKeys(inner, keys.popKeys(config.clientId)), { syncCache: () => cache.reload(), channel, sharedKeys: shared ? prefix : undefined }),
      platform: webPlatform(),
      tokenCache: cache,
      httpCache: checked.httpCache ?? new StoredHttpCache(storage, `${prefix}http`),
    })
    this.#cache = cache
    this.#bindingFor = keys?.bindingFor
    const here = `${window.location.origin}${window.location.pathname}`
    this.#env = {
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
    this.#popupFallback = checked.popupFallback === 'redirect'
    this.#activeStore = storage
    this.#activeId = this.#storedActiveId()
    // Back from the identity provider's page by the back button, the page may be this very
    // document, restored from the back/forward cache: no page load runs handleRedirectPromise,
    // so the sign-in this tab started is over here.
    window.addEventListener('pageshow', (event) => {
      if (event.persisted) void run(releaseInteraction(this.#env), this.interpret)
    })
    // Tabs share tokens only through localStorage: then they hear each other's changes.
    this.#events = shared && typeof BroadcastChannel === 'function' ? new BroadcastChannel(channel) : undefined
    if (shared) {
      window.addEventListener('storage', (event) => {
        if (event.storageArea !== localStorage) return
        if (event.key === this.#activeKey || event.key === null) this.#activeId = event.newValue
        cache.applyStorageEvent(event.key, event.newValue)
      })
      if (this.#events !== undefined) this.#events.onmessage = (event) => this.#fromOtherTab(event.data as EventMessage)
    }
  }

  /**
   * For msal-browser code that calls it: nothing needs it. It resolves at once, or, with
   * `cacheEncryption`, once the stored entries are decrypted.
   */
  initialize(): Promise<void> {
    return this.#whenLoaded(() => undefined)
  }

  /** Runs `start` now, or once an encrypted cache has read its entries: the one wait every method has (none without cacheEncryption). */
  #whenLoaded<T>(start: () => T | Promise<T>): Promise<T> {
    const loading = this.#cache.loading
    try {
      return loading === undefined ? Promise.resolve(start()) : loading.then(start)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  // ---- Events ----

  /** Calls `callback` for every event (msal-browser's EventType names); answers its id. */
  addEventCallback(callback: EventCallback): string {
    const id = randomId()
    this.#callbacks.set(id, callback)
    return id
  }

  removeEventCallback(id: string): void {
    this.#callbacks.delete(id)
  }

  #emit(name: EventName, interactionType: InteractionType | null, payload: EventMessage['payload'] = null, error: MsalError | null = null): void {
    const message: EventMessage = { eventType: `msal:${name}` as EventType, interactionType, payload, error, timestamp: Date.now() }
    this.#notify(message)
    if (SHARED_EVENTS.has(name)) this.#events?.postMessage({ ...message, error: null })
  }

  #notify(message: EventMessage): void {
    for (const callback of this.#callbacks.values()) {
      try {
        callback(message)
      } catch {
        // One app callback's bug does not stop the others, or the operation.
      }
    }
  }

  #fromOtherTab(message: EventMessage): void {
    // Storage events may not have arrived yet: read what the other tab wrote before telling the app.
    const tell = (): void => {
      // The message names the new active account: the other tab's storage write may reach this tab after it.
      this.#activeId = message.eventType === 'msal:activeAccountChanged' ? ((message.payload as Account | null)?.homeAccountId ?? null) : this.#storedActiveId()
      this.#notify({ ...message, fromOtherTab: true })
    }
    const reading = this.#cache.reload()
    if (reading === undefined) tell()
    else void reading.then(tell)
  }

  // ---- Accounts ----

  /** Every account signed in to this app's authority (msal-browser's; MSAL Python's getAccounts is the Promise form). */
  getAllAccounts(filter: Partial<Pick<Account, 'homeAccountId' | 'username' | 'localAccountId'>> = {}): Account[] {
    const { homeAccountId, localAccountId, username } = filter
    return selectAccounts(this.tokenCache, this.ctx.environments, { username }).filter(
      (account) => (homeAccountId === undefined || account.homeAccountId === homeAccountId) && (localAccountId === undefined || account.localAccountId === localAccountId),
    )
  }

  /** The first account that matches the filter, or null. */
  getAccount(filter: Partial<Pick<Account, 'homeAccountId' | 'username' | 'localAccountId'>>): Account | null {
    return this.getAllAccounts(filter)[0] ?? null
  }

  override getAccounts(options?: { readonly username?: string | undefined }): Promise<Account[]> {
    return this.#whenLoaded(() => super.getAccounts(options))
  }

  /** Removes the account's tokens from this browser (MSAL Python's remove_account): ACCOUNT_REMOVED, and no longer the active account. */
  override removeAccount(account: Pick<Account, 'homeAccountId' | 'environment'>): Promise<void> {
    return this.#whenLoaded(() => {
      const removed = this.getAllAccounts().filter((known) => known.homeAccountId === account.homeAccountId && known.environment === account.environment)
      return super.removeAccount(account).then(() => removed.forEach((known) => this.#forgotten(known)))
    })
  }

  get #activeKey(): string {
    return `${this.#env.keyPrefix}active`
  }

  #storedActiveId(): string | null {
    try {
      return this.#activeStore?.getItem(this.#activeKey) ?? null
    } catch {
      return null
    }
  }

  /** The account calls use when none is given (kept with the tokens, so tabs that share them agree). */
  getActiveAccount(): Account | null {
    return this.#activeId === null ? null : this.getAccount({ homeAccountId: this.#activeId })
  }

  setActiveAccount(account: Account | null): void {
    const id = (this.#activeId = account?.homeAccountId ?? null)
    try {
      if (id === null) this.#activeStore?.removeItem(this.#activeKey)
      else this.#activeStore?.setItem(this.#activeKey, id)
    } catch {
      // A full or refused storage keeps the choice in this page.
    }
    this.#emit('activeAccountChanged', null, account)
  }

  /** Forgets every token and account of this app in this browser (no identity provider sign-out). */
  clearCache(): Promise<void> {
    return this.#whenLoaded(() => this.getAllAccounts().forEach((account) => this.#forget(account)))
  }

  #forget(account: Account): void {
    this.forgetAccount(account)
    this.#forgotten(account)
  }

  /** After an account's entries are gone: it is no longer active, and the app hears of it. */
  #forgotten(account: Account): void {
    if (this.#activeId === account.homeAccountId) this.setActiveAccount(null)
    this.#emit('accountRemoved', null, account)
  }

  // ---- Running flows ----

  /** The flows' chunk, loaded on first use (one load per page); a failed load is a NetworkError. */
  #flows(): Promise<Flows> {
    return (this.#flowsLoading ??= import('./flows.js').catch((cause: unknown) => {
      this.#flowsLoading = undefined
      throw flowsNotLoaded(cause)
    }))
  }

  /**
   * Runs the program `make` builds from the loaded flows. A failed load is its outcome (Left), after
   * `cleanup` (a popup already open is closed).
   */
  #runLoaded<A>(make: (flows: Flows) => Program<either.Either<MsalError, A>>, cleanup?: Program<unknown>): Promise<either.Either<MsalError, A>> {
    return this.#flows().then(
      (flows) => run(make(flows), this.interpret),
      (error: MsalError) => Promise.resolve(cleanup === undefined ? undefined : run(cleanup, this.interpret)).then(() => ({ _tag: 'Left' as const, left: error })),
    )
  }

  /**
   * Settles a flow's outcome as `operation`'s success or failure event (the start event is the
   * caller's); ACCOUNT_ADDED first for an account that was not signed in before the flow ran.
   */
  #settle(outcome: Pending, operation: Operation, interaction: InteractionType, accountsBefore?: ReadonlySet<string>): Promise<TokenResult> {
    return Promise.resolve(outcome).then((settled) => {
      if (settled._tag === 'Left') {
        this.#emit(`${operation}Failure`, interaction, null, settled.left)
        throw settled.left
      }
      const { account } = settled.right
      if (account !== undefined && accountsBefore !== undefined && !accountsBefore.has(account.homeAccountId)) this.#emit('accountAdded', interaction, account)
      this.#emit(`${operation}Success`, interaction, settled.right)
      return { ...settled.right }
    })
  }

  /** Starts `operation` (its start event), runs the flow `outcome` starts and settles it, noting the accounts signed in before. */
  #operate(operation: Operation, interaction: InteractionType, outcome: () => Pending): Promise<TokenResult> {
    this.#emit(`${operation}Start`, interaction)
    const before = this.#accountIds()
    return this.#settle(outcome(), operation, interaction, before)
  }

  /** The home ids of the accounts signed in now, to tell which account a flow added. */
  #accountIds(): ReadonlySet<string> {
    return new Set(this.getAllAccounts().map((account) => account.homeAccountId))
  }

  /** The request checked (an unknown field is a UsageError naming it, not silently ignored), with the active account by default. */
  #request(request: Partial<SpaRequest> = {}): SpaRequest {
    throwIfLeft(checkMethodOptions<SpaRequest>('the request', request, SPA_REQUEST_FIELDS, REFUSED_REQUEST_FIELDS))
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
    return (this.#redirectOutcome ??= this.#whenLoaded(() => this.#completeRedirect()))
  }

  #completeRedirect(): Promise<TokenResult | null> {
    // A response whose flow this tab did not store is a popup's or an iframe's (a popup cut off
    // by COOP has no opener to tell it apart): hand it over as the bridge page does. A popup then
    // closes; a tab that is neither goes on to refuse it (a forged or replayed response).
    const state = authResponseIn(window.location.href)?.params['state']
    if (state !== undefined && !this.#startedHere(state) && handleRedirectBridge() && (window.closed || window.parent !== window)) return Promise.resolve(null)
    this.#emit('handleRedirectStart', 'redirect')
    const done = (): void => this.#emit('handleRedirectEnd', 'redirect')
    const before = this.#accountIds()
    // A page load with no response to redeem (most of them) loads no sign-in code.
    return Promise.resolve(run(redirectPending(this.#env), this.interpret))
      .then((pending) => (pending ? this.#runLoaded((flows) => flows.completeRedirect(this.ctx, this.#env, this.#bindingFor)) : undefined))
      .then((outcome) => (outcome === undefined || (outcome._tag === 'Right' && outcome.right === undefined) ? null : this.#settle(outcome as Outcome, 'login', 'redirect', before)))
      .finally(done)
  }

  /** Whether this tab stored the flow a response's state names (a full-page redirect it started). */
  #startedHere(state: string): boolean {
    try {
      return sessionStorage.getItem(flowKey(this.#env, state)) !== null
    } catch {
      return false
    }
  }

  /** Signs the user in by sending this page to the identity provider; the result comes back through handleRedirectPromise(). */
  loginRedirect(request: Partial<SpaRequest> = {}): Promise<void> {
    return this.#redirect(request, 'login')
  }

  /** A token by a full-page redirect (after an InteractionRequiredError); the result comes back through handleRedirectPromise(). */
  acquireTokenRedirect(request: SpaRequest): Promise<void> {
    return this.#redirect(request, 'acquireToken')
  }

  #redirect(request: Partial<SpaRequest>, operation: Operation): Promise<void> {
    return this.#whenLoaded(() => {
      const checked = this.#request(request)
      this.#emit(`${operation}Start`, 'redirect')
      // The page unloads on success: only a failure settles.
      return this.#runLoaded((flows) => flows.beginRedirect(this.ctx, this.#env, checked, this.#bindingFor)).then((outcome) => {
        if (outcome._tag === 'Left') {
          this.#emit(`${operation}Failure`, 'redirect', null, outcome.left)
          throw outcome.left
        }
      })
    })
  }

  // ---- Popup ----

  /** Signs the user in through a popup. Call it from a user action (a click): popup blockers allow only those. */
  loginPopup(request: Partial<SpaRequest> = {}): Promise<TokenResult> {
    return this.#popup(request, 'login')
  }

  /** A token through a popup (after an InteractionRequiredError). Call it from a user action. */
  acquireTokenPopup(request: SpaRequest): Promise<TokenResult> {
    return this.#popup(request, 'acquireToken')
  }

  #popup(given: Partial<SpaRequest>, operation: Operation): Promise<TokenResult> {
    // Run at once, not after an await: the popup opens in the caller's task.
    return this.#whenLoaded(() =>
      {
        const request = this.#request(given)
        return this.#operate(operation, 'popup', () => this.#popupOutcome(request))
      },
    )
  }

  /**
   * The popup flow: the popup opens now, in the caller's task (the browser platform answers
   * OpenPopup at once), then the rest of the flow loads and runs in it. A blocked popup begins a
   * full-page redirect instead when popupFallback is "redirect".
   */
  #popupOutcome(request: SpaRequest): Promise<Outcome> {
    return Promise.resolve(run(openSignInPopup(request, this.#bindingFor), this.interpret)).then((opened): Pending => {
      if (opened._tag === 'Right') return this.#runLoaded((flows) => flows.acquireTokenInPopup(this.ctx, this.#env, request, opened.right), closePopup(opened.right.popup))
      if (opened.left.kind === 'PopupBlockedError' && this.#popupFallback) return this.#runLoaded((flows) => flows.beginRedirect(this.ctx, this.#env, request, this.#bindingFor)) as Promise<Outcome>
      return opened
    })
  }

  // ---- Silent ----

  /**
   * A token without the user: from memory (no storage read on a hit), else the refresh token
   * (one refresh across tabs), else a hidden iframe with prompt=none; else an
   * InteractionRequiredError saying why. Identical concurrent calls share one request.
   */
  acquireTokenSilent(request: Partial<SpaRequest> & Pick<SpaRequest, 'scopes'>): Promise<TokenResult> {
    return this.#whenLoaded(() => {
      const full = this.#request(request)
      const outcome = this.#silentFlights.do(
        // A key-bound call's result is its own (signed for its request): shared only with the same binding.
        () => flightKey(full.account?.homeAccountId, full.scopes, full.forceRefresh === true, full.claims, full.authenticationScheme && JSON.stringify({ ...full, account: undefined })),
        () => this.#silentOutcome(full),
      )
      // A cache hit raises no events: it is the hot path.
      if (!(outcome instanceof Promise) && outcome._tag === 'Right' && outcome.right.tokenSource === 'cache') return { ...outcome.right }
      this.#emit('acquireTokenStart', 'silent')
      return this.#settle(outcome, 'acquireToken', 'silent')
    })
  }

  /** The cache's answer (at once, no code loaded), else the rest of acquireTokenSilent (refresh, iframe), loaded then. */
  #silentOutcome(request: SpaRequest): Pending {
    const cached = run(silentFromCache(this.ctx, request, this.#bindingFor), this.interpret)
    return isPromiseLike(cached) ? Promise.resolve(cached).then((first) => this.#afterCacheLook(request, first)) : this.#afterCacheLook(request, cached)
  }

  /** The cache's answer, or (a miss) the rest of acquireTokenSilent, loaded then. */
  #afterCacheLook(request: SpaRequest, cached: either.Either<MsalError, TokenResult | undefined>): Pending {
    return cached._tag === 'Left' || cached.right !== undefined ? (cached as Outcome) : this.#runLoaded((flows) => flows.silentAfterMiss(this.ctx, this.#env, request, this.#bindingFor))
  }

  /**
   * Whether this app gets proof-of-possession tokens (MSAL Python's is_pop_supported): true when
   * it was given `proofOfPossession` (from @msal-ts/browser/pop). Ask with
   * `authenticationScheme: 'pop'`, `resourceRequestMethod` and `resourceRequestUri` (and the
   * resource's `shrNonce`); the key is the app's, non-extractable, kept in IndexedDB.
   */
  isPopSupported(): boolean {
    return this.#bindingFor !== undefined
  }

  /** Signs the user in with the identity provider's session, in a hidden iframe (prompt=none). */
  ssoSilent(request: Partial<SpaRequest> = {}): Promise<TokenResult> {
    return this.#whenLoaded(() => {
      const checked = this.#request(request)
      return this.#operate('ssoSilent', 'silent', () => this.#runLoaded((flows) => flows.ssoSilentFlow(this.ctx, this.#env, checked, this.#bindingFor)))
    })
  }

  // ---- Logout ----

  /**
   * Signs the account out (the one given, else the active account, else every account): its
   * entries leave this browser (and every tab that shares them), then the identity provider's
   * session ends by a full-page redirect.
   */
  logoutRedirect(request: LogoutRequest = {}): Promise<void> {
    return this.#logout(request, 'redirect')
  }

  /** As logoutRedirect, with the identity provider's page in a popup. */
  logoutPopup(request: LogoutRequest = {}): Promise<void> {
    return this.#logout(request, 'popup')
  }

  #logout(request: LogoutRequest, via: 'redirect' | 'popup'): Promise<void> {
    return this.#whenLoaded(() => {
      // The account named, else the active one, else every account (as msal-browser): a logout
      // never leaves tokens behind. The provider is told whom to sign out when that is one account.
      const named = request.account ?? this.getActiveAccount() ?? undefined
      const leaving = named !== undefined ? [named] : this.getAllAccounts()
      const account = leaving.length === 1 ? leaving[0] : undefined
      this.#emit('logoutStart', via)
      // The popup opens at once, in the caller's task; the local sign-out follows before anything
      // is awaited, so every tab forgets the account whatever the identity provider does.
      const popup = via === 'popup' ? run(openPopup(), this.interpret) : undefined
      for (const gone of leaving) this.#forget(gone)
      const outcome = Promise.resolve(popup).then((opened) =>
        this.#runLoaded((flows) => flows.logoutWith(this.ctx, this.#env, { ...request, account }, via, opened), opened === undefined ? undefined : closePopup(opened)),
      )
      this.#emit('logoutSuccess', via, account ?? null)
      return Promise.resolve(outcome).then((settled) => {
        if (settled._tag === 'Left') {
          this.#emit('logoutFailure', via, null, settled.left)
          throw settled.left
        }
      })
    })
  }
}
