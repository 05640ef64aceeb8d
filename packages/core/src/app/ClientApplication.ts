import * as E from '../util/either.js'
import { run } from '../effects/run.js'
import { SingleFlight } from '../effects/singleFlight.js'
import type { MsalErrorKind } from '../errors.js'
import {
  acquireTokenByAuthCodeFlow,
  acquireTokenByAuthorizationCode,
  getAuthorizationRequestUrl,
  initiateAuthCodeFlow,
  type AuthCodeFlow,
  type AuthCodeRedemptionOptions,
  type AuthorizationCodeOptions,
  type AuthorizationRequestOptions,
  type AuthorizationRequestUrlOptions,
} from '../flows/authCode.js'
import type { ClientAuthenticator } from '../flows/clientAuthenticator.js'
import { cloudShellSilentToken, runningInCloudShell } from '../flows/cloudShell.js'
import { acquireTokenByRefreshToken, type RefreshTokenOptions } from '../flows/refreshToken.js'
import { familyRefresh } from '../flows/family.js'
import { regionTolerantDiscovery } from '../flows/regionFallback.js'
import { acquireTokenSilentWithError, type SilentAccount, type SilentOptions } from '../flows/silent.js'
import { acquireTokenByUsernamePassword, type UsernamePasswordOptions } from '../flows/usernamePassword.js'
import type { TokenCache } from '../cache/tokenCache.js'
import type { TokenResult } from '../result.js'
import { conceal } from '../util/printable.js'
import { AppShell, type AppRuntime, type Outcome } from './AppShell.js'
import type { CacheAccessContext } from '../cache/persistence.js'
import { log, type Program } from '../effects/program.js'
import { isMsalError } from '../errors.js'
import { errorSummary } from '../wireErrors.js'
import type { Interpret } from '../effects/run.js'
import { withPersistence } from './withPersistence.js'
import type { ClientConfig } from './config.js'
import { checkMethodOptions, type KnownOptions } from './methodOptions.js'
import { runAlone, runsAlone } from './runAlone.js'
import { bindingFlightKey, flightKey, settleBuilt, settled } from './settle.js'
import { selectAccounts, type Account } from '../cache/selectors.js'

export type { AppRuntime, Outcome } from './AppShell.js'

/** The runtime of MSAL Python's application classes: their cache is a TokenCache (add, find, search). */
export type ClientAppRuntime = AppRuntime & { readonly tokenCache: TokenCache }

const AUTHORIZATION_REQUEST_OPTIONS: KnownOptions<AuthorizationRequestOptions> = {
  redirectUri: true,
  state: true,
  prompt: true,
  loginHint: true,
  domainHint: true,
  claimsChallenge: true,
  maxAge: true,
  responseMode: true,
  extraScopesToConsent: true,
}
const AUTHORIZATION_REQUEST_URL_OPTIONS: KnownOptions<AuthorizationRequestUrlOptions> = Object.assign({}, AUTHORIZATION_REQUEST_OPTIONS, { nonce: true, responseType: true, authority: true } as const)
const AUTH_CODE_REDEMPTION_OPTIONS: KnownOptions<AuthCodeRedemptionOptions> = { scopes: true, authScheme: true, data: true }
const AUTHORIZATION_CODE_OPTIONS: KnownOptions<AuthorizationCodeOptions> = { redirectUri: true, nonce: true, claimsChallenge: true, codeVerifier: true, authScheme: true, data: true }
const USERNAME_PASSWORD_OPTIONS: KnownOptions<UsernamePasswordOptions> = { claimsChallenge: true, authScheme: true, data: true }
const SILENT_OPTIONS: KnownOptions<SilentOptions> = { forceRefresh: true, claimsChallenge: true, authScheme: true, data: true }
const REFRESH_TOKEN_OPTIONS: KnownOptions<RefreshTokenOptions> = { data: true }

/** MSAL Python's acquire_token_by_refresh_token takes `data` but not auth_scheme. */
const REFRESH_TOKEN_REFUSED = {
  authScheme: "MSAL Python's acquire_token_by_refresh_token takes no auth_scheme: migrate the refresh token first, then ask acquireTokenSilent for a PoP token",
}
const GET_ACCOUNTS_OPTIONS: KnownOptions<{ username?: string }> = { username: true }

/** What MSAL Python's acquire_token_silent takes but does not act on. */
const SILENT_REFUSED = {
  authority:
    "MSAL Python's acquire_token_silent ignores its authority argument (\"We haven't decided how/if this method will accept authority parameter\"); make an application for that authority instead",
}

/** How each credential form prints: its kind, never its value. */
const CREDENTIAL_NAMES = {
  ClientSecret: 'a client secret',
  ClientAssertion: 'a client assertion',
  ClientAssertionCallback: 'a client assertion callback',
  Certificate: 'a certificate',
} as const

/** acquireTokenSilent answers "nothing usable" for these: the app should sign the user in. */
const NEEDS_SIGN_IN: ReadonlySet<MsalErrorKind> = new Set<MsalErrorKind>(['ServerError', 'ThrottledError'])

/** acquireTokenSilent's answer: a refresh the identity provider refused is "nothing usable" (undefined); results are built per call. */
const silentAnswer = (outcome: Outcome<TokenResult | undefined>): Promise<TokenResult | undefined> =>
  E.isLeft(outcome) && NEEDS_SIGN_IN.has(outcome.left.kind) ? Promise.resolve(undefined) : settleBuilt(outcome)

const homeAccountIdOf = (account: SilentAccount | undefined): string | undefined => (typeof account?.homeAccountId === 'string' ? account.homeAccountId : undefined)

/** Which silent calls are identical (see flightKey). */
const silentFlightKey = (account: SilentAccount | undefined, scopes: readonly string[], options: SilentOptions): string =>
  flightKey(homeAccountIdOf(account), account?.environment, scopes, options.forceRefresh === true, options.claimsChallenge, ...bindingFlightKey(options))

/**
 * What MSAL Python's application classes share, on every runtime: configuration, the cache (a
 * TokenCache, whose persistence runs around every operation), the sign-in flows, silent
 * acquisition and account management. Every method returns a Promise that
 * rejects with an MsalError. A runtime's classes extend this with a runtime (see AppRuntime).
 */
export abstract class ClientApplication extends AppShell {
  /** MSAL Python's TokenCache (or SerializableTokenCache): where this application's tokens are kept. */
  declare readonly tokenCache: TokenCache
  private readonly silentFlights = new SingleFlight<Outcome<TokenResult | undefined>>()

  protected constructor(config: ClientConfig, runtime: ClientAppRuntime, clientAuthentication?: ClientAuthenticator) {
    super(config, runtime, { clientAuthentication, instanceDiscovery: regionTolerantDiscovery, cloudShellTokens: cloudShellSilentToken, familyRefresh })
    // The flights hold results with tokens.
    conceal(this, ['silentFlights'])
  }

  /** What the application prints as: who it is and how it authenticates (the credential's kind, never its value). */
  override toJSON(): { readonly clientId: string; readonly authority: string; readonly credential?: string } {
    const credential = this.ctx.config.credential
    return { ...super.toJSON(), ...(credential !== undefined ? { credential: CREDENTIAL_NAMES[credential._tag] } : {}) }
  }

  /**
   * Starts a sign-in through the browser (MSAL Python's initiate_auth_code_flow): keep the
   * returned flow in the user's session and send the user to `flow.authUri`.
   */
  initiateAuthCodeFlow(scopes: readonly string[], options: AuthorizationRequestOptions = {}): Promise<AuthCodeFlow> {
    return this.withOptions('initiateAuthCodeFlow', options, AUTHORIZATION_REQUEST_OPTIONS, (checked) => this.execute(() => initiateAuthCodeFlow(this.ctx, scopes, checked)))
  }

  /**
   * Completes a sign-in (MSAL Python's acquire_token_by_auth_code_flow): `authResponse` is the
   * redirect's query or form parameters as an object. A response that does not belong to the
   * flow (state mismatch) rejects with a UsageError; the user declining rejects with an
   * AuthorizationError. The tokens and account land in the cache.
   */
  acquireTokenByAuthCodeFlow(flow: AuthCodeFlow, authResponse: Readonly<Record<string, unknown>>, options: AuthCodeRedemptionOptions = {}): Promise<TokenResult> {
    return this.withOptions('acquireTokenByAuthCodeFlow', options, AUTH_CODE_REDEMPTION_OPTIONS, (checked) =>
      this.userOperation(() => acquireTokenByAuthCodeFlow(this.ctx, flow, authResponse, checked)),
    )
  }

  /**
   * MSAL Python's get_authorization_request_url, with its `responseType` (default "code") and
   * `authority` override; a value it cannot use rejects with a UsageError naming it. Prefer
   * initiateAuthCodeFlow (PKCE, state and nonce checked for you).
   */
  getAuthorizationRequestUrl(scopes: readonly string[], options: AuthorizationRequestUrlOptions = {}): Promise<string> {
    return this.withOptions('getAuthorizationRequestUrl', options, AUTHORIZATION_REQUEST_URL_OPTIONS, (checked) => this.execute(() => getAuthorizationRequestUrl(this.ctx, scopes, checked)))
  }

  /** MSAL Python's acquire_token_by_authorization_code: redeems a code obtained some other way. */
  acquireTokenByAuthorizationCode(code: string, scopes: readonly string[], options: AuthorizationCodeOptions = {}): Promise<TokenResult> {
    return this.withOptions('acquireTokenByAuthorizationCode', options, AUTHORIZATION_CODE_OPTIONS, (checked) =>
      this.userOperation(() => acquireTokenByAuthorizationCode(this.ctx, code, scopes, checked)),
    )
  }

  /**
   * MSAL Python's acquire_token_by_refresh_token: migrates a refresh token from elsewhere (e.g.
   * ADAL) into the cache. `data` asks for an SSH certificate (see KeyBoundTokenData).
   */
  acquireTokenByRefreshToken(refreshToken: string, scopes: readonly string[], options: RefreshTokenOptions = {}): Promise<TokenResult> {
    return this.withOptions(
      'acquireTokenByRefreshToken',
      options,
      REFRESH_TOKEN_OPTIONS,
      (checked) => this.userOperation(() => acquireTokenByRefreshToken(this.ctx, refreshToken, scopes, checked)),
      REFRESH_TOKEN_REFUSED,
    )
  }

  /**
   * MSAL Python's acquire_token_by_username_password (ROPC): managed users by the password grant,
   * federated users through their federation server (user realm discovery, MEX, WS-Trust) and the
   * SAML bearer grant. Deprecated by Microsoft for public clients: prefer the device code flow.
   */
  acquireTokenByUsernamePassword(username: string, password: string, scopes: readonly string[], options: UsernamePasswordOptions = {}): Promise<TokenResult> {
    return this.withOptions('acquireTokenByUsernamePassword', options, USERNAME_PASSWORD_OPTIONS, (checked) =>
      this.userOperation(() => acquireTokenByUsernamePassword(this.ctx, username, password, scopes, checked)),
    )
  }

  /**
   * A token for the account without bothering the user (MSAL Python's
   * acquire_token_silent_with_error): from the cache, else by redeeming a refresh token.
   * Resolves undefined when the cache holds nothing for the account; rejects with the
   * identity provider's error (see `classification`) when the refresh failed. Identical
   * concurrent calls share one request.
   */
  acquireTokenSilentWithError(scopes: readonly string[], account: SilentAccount | undefined, options?: SilentOptions): Promise<TokenResult | undefined> {
    const checked = checkMethodOptions<SilentOptions>('acquireTokenSilentWithError', options, SILENT_OPTIONS, SILENT_REFUSED)
    if (E.isLeft(checked)) return Promise.reject(checked.left)
    try {
      const outcome = this.silent(scopes, account, checked.right)
      return outcome instanceof Promise ? outcome.then(settleBuilt) : settleBuilt(outcome)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * MSAL Python's acquire_token_silent: as acquireTokenSilentWithError, but a refresh the
   * identity provider refused resolves undefined (sign the user in again). Bad arguments and
   * network failures still reject.
   */
  acquireTokenSilent(scopes: readonly string[], account: SilentAccount | undefined, options?: SilentOptions): Promise<TokenResult | undefined> {
    const checked = checkMethodOptions<SilentOptions>('acquireTokenSilent', options, SILENT_OPTIONS, SILENT_REFUSED)
    if (E.isLeft(checked)) return Promise.reject(checked.left)
    try {
      const outcome = this.silent(scopes, account, checked.right)
      return outcome instanceof Promise ? outcome.then(silentAnswer) : silentAnswer(outcome)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** A silent call's outcome, run at once when nothing is in flight and nothing persists the cache (every silent hit). */
  private silent(scopes: readonly string[], account: SilentAccount | undefined, options: SilentOptions): Outcome<TokenResult | undefined> | Promise<Outcome<TokenResult | undefined>> {
    const flights = this.silentFlights
    const program = acquireTokenSilentWithError(this.ctx, scopes, account, options)
    if (runsAlone(this.tokenCache, flights)) return runAlone(flights, program, this.interpret, silentFlightKey, account, scopes, options)
    return flights.do(
      () => silentFlightKey(account, scopes, options),
      () => this.persisted(() => this.userCacheContext(homeAccountIdOf(account)), () => run(program, this.interpret)),
    )
  }

  /**
   * MSAL Python's is_pop_supported: true. msal-ts signs proof-of-possession requests itself,
   * with a key of the application's (no broker needed): pass a PopAuthScheme as `authScheme`.
   */
  isPopSupported(): boolean {
    return true
  }

  /**
   * The accounts signed in to this app's authority (its host, else the first alias that has
   * any), one per home account; `username` filters case-insensitively. MSAL Python's get_accounts.
   */
  override getAccounts(options: { readonly username?: string | undefined } = {}): Promise<Account[]> {
    return this.withOptions('getAccounts', options, GET_ACCOUNTS_OPTIONS, (checked) => {
      // Cloud Shell's accounts are listed only inside Cloud Shell (MSAL Python's rule).
      const inCloudShell = run(runningInCloudShell(), this.interpret)
      const select = (withCloudShell: boolean) =>
        // It changes nothing itself: failing to store earlier calls' changes is logged, not its failure.
        this.cacheOperation(() => this.appCacheContext, () => selectAccounts(this.tokenCache, this.ctx.environments, checked, withCloudShell), { storeFailureIsLogged: true })
      return inCloudShell instanceof Promise ? inCloudShell.then(select) : select(inCloudShell)
    })
  }

  /**
   * Signs the account out of this app and its family and forgets it: MSAL Python's
   * remove_account. Other apps' refresh tokens stay, so their single sign-on still works.
   * With a persisted cache, resolves once the removal is stored.
   */
  override removeAccount(account: Pick<Account, 'homeAccountId' | 'environment'>): Promise<void> {
    return this.cacheOperation(() => this.userCacheContext(account.homeAccountId), () => this.forgetAccount(account))
  }

  /**
   * Runs a flow that signs a user in: the persisted cache is loaded first, and what it filed is
   * stored under the account the result names (known only once the tokens are back).
   * `interpret` replaces the application's interpreter for this call (e.g. one an AbortSignal stops).
   */
  protected userOperation(program: () => Program<Outcome>, interpret: Interpret = this.interpret): Promise<TokenResult> {
    return settled(() =>
      this.persisted(() => this.appCacheContext, () => run(program(), interpret), (result) =>
        this.userCacheContext(result !== undefined && E.isRight(result) ? result.right.account?.homeAccountId : undefined),
      ),
    )
  }

  /**
   * An operation on the cache between its persistence's hooks. A token already obtained is
   * returned even if storing it fails (the failure is logged; the change waits for the next
   * store), so one full disk does not fail every later call.
   */
  protected persisted<A>(
    context: () => CacheAccessContext,
    work: () => Outcome<A> | Promise<Outcome<A>>,
    contextAfter?: (result: Outcome<A> | undefined) => CacheAccessContext,
  ): Outcome<A> | Promise<Outcome<A>> {
    return withPersistence(this.tokenCache, context, work, {
      contextAfter,
      onStoreFailure: (error) => this.logStoreFailure(error),
    })
  }

  private logStoreFailure(error: unknown): void | Promise<void> {
    const summary = isMsalError(error) ? errorSummary(error) : 'an error'
    const message = `the token cache could not be stored (${summary}); the call goes on, and the change is kept for the next store`
    const logged = run(log('warning', message), this.interpret)
    return logged instanceof Promise ? logged.then(() => undefined) : undefined
  }

  /**
   * Runs work on the cache between its persistence's hooks. A failure to store fails it (a
   * removal the caller asked for must be stored), unless `storeFailureIsLogged`: work that
   * changes nothing itself is not failed by earlier changes that cannot be stored yet.
   */
  protected cacheOperation<T>(context: () => CacheAccessContext, work: () => T, options: { readonly storeFailureIsLogged?: boolean } = {}): Promise<T> {
    try {
      const onStoreFailure = options.storeFailureIsLogged === true ? (error: unknown) => this.logStoreFailure(error) : undefined
      return Promise.resolve(withPersistence(this.tokenCache, context, work, { onStoreFailure }))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** Where this app's own tokens live, for a persistence that partitions the cache. */
  protected get appCacheContext(): CacheAccessContext {
    return { clientId: this.clientId, environment: this.ctx.config.authority.host, realm: this.ctx.config.authority.tenant }
  }

  /** Where a user's tokens live (the app's context when the account is not known). */
  protected userCacheContext(homeAccountId: string | undefined): CacheAccessContext {
    return { clientId: this.clientId, environment: this.ctx.config.authority.host, realm: this.ctx.config.authority.tenant, homeAccountId }
  }

  /**
   * Runs `call` with the method's options once they are known to be all this method takes: an
   * unknown one (or one of MSAL Python's this method refuses) rejects with a UsageError naming it.
   */
  protected withOptions<T, A>(
    method: string,
    options: T | undefined,
    known: KnownOptions<T>,
    call: (checked: T) => Promise<A>,
    refused?: Readonly<Record<string, string>>,
  ): Promise<A> {
    const checked = checkMethodOptions<T>(method, options, known, refused)
    return E.isLeft(checked) ? Promise.reject(checked.left) : call(checked.right)
  }
}
