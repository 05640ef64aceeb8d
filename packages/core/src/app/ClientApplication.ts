import * as E from '#fp-ts/Either'
import type { CacheAccessContext } from '../cache/persistence.js'
import { selectAccounts, type Account } from '../cache/selectors.js'
import type { TokenCache } from '../cache/tokenCache.js'
import { log, type Program } from '../effects/program.js'
import { run, type Interpret } from '../effects/run.js'
import { SingleFlight } from '../effects/singleFlight.js'
import { errorSummary, isMsalError, type MsalError, type MsalErrorKind } from '../errors.js'
import {
  acquireTokenByAuthCodeFlow,
  acquireTokenByAuthorizationCode,
  getAuthorizationRequestUrl,
  initiateAuthCodeFlow,
  type AuthCodeFlow,
  type AuthCodeRedemptionOptions,
  type AuthorizationCodeOptions,
  type AuthorizationRequestOptions,
} from '../flows/authCode.js'
import { runningInCloudShell } from '../flows/cloudShell.js'
import { acquireTokenByRefreshToken } from '../flows/refreshToken.js'
import { acquireTokenSilentWithError, type SilentAccount, type SilentOptions } from '../flows/silent.js'
import { acquireTokenByUsernamePassword, type UsernamePasswordOptions } from '../flows/usernamePassword.js'
import type { HttpCache } from '../http/httpCache.js'
import type { PlatformInfo } from '../http/telemetry.js'
import type { TokenResult } from '../result.js'
import { withAppState } from './applyStateChange.js'
import type { ClientConfig } from './config.js'
import { createClientContext, type ClientContext } from './context.js'
import { flightKey, settle, settled } from './settle.js'
import { withPersistence } from './withPersistence.js'

/** What a runtime gives the application shell: how effects are performed, and who is calling. */
export interface AppRuntime {
  /** Performs every effect but Commit (the shell applies those): the runtime's interpreter with the application's credential. */
  readonly interpret: Interpret
  /** Sent as x-client-sku, x-client-ver and x-client-os. */
  readonly platform: PlatformInfo
  readonly tokenCache: TokenCache
  readonly httpCache: HttpCache
}

export type Outcome<A = TokenResult> = E.Either<MsalError, A>

/** acquireTokenSilent answers "nothing usable" for these: the app should sign the user in. */
const NEEDS_SIGN_IN: ReadonlySet<MsalErrorKind> = new Set<MsalErrorKind>(['ServerError', 'ThrottledError'])

/**
 * What MSAL Python's application classes share, on every runtime: configuration, the cache, the
 * sign-in flows, silent acquisition and account management. Every method returns a Promise that
 * rejects with an MsalError. A runtime's classes extend this with a runtime (see AppRuntime).
 */
export abstract class ClientApplication {
  /** The application (client) id. */
  readonly clientId: string
  /** The authority URL in canonical form. */
  readonly authority: string
  /** Where this application's tokens are kept. */
  readonly tokenCache: TokenCache
  /** Where discovery answers and throttling decisions are kept. */
  readonly httpCache: HttpCache
  protected readonly ctx: ClientContext
  /** The runtime's interpreter, with this application's state applied from its flows' commits. */
  protected readonly interpret: Interpret
  private readonly silentFlights = new SingleFlight<Outcome<TokenResult | undefined>>()

  protected constructor(config: ClientConfig, runtime: AppRuntime) {
    this.clientId = config.clientId
    this.authority = config.authority.url
    this.tokenCache = runtime.tokenCache
    this.httpCache = runtime.httpCache
    this.ctx = createClientContext({ config, platform: runtime.platform, tokenCache: runtime.tokenCache, httpCache: runtime.httpCache })
    this.interpret = withAppState(this.ctx, runtime.interpret)
  }

  /**
   * Starts a sign-in through the browser (MSAL Python's initiate_auth_code_flow): keep the
   * returned flow in the user's session and send the user to `flow.authUri`.
   */
  initiateAuthCodeFlow(scopes: readonly string[], options: AuthorizationRequestOptions = {}): Promise<AuthCodeFlow> {
    return this.execute(() => initiateAuthCodeFlow(this.ctx, scopes, options))
  }

  /**
   * Completes a sign-in (MSAL Python's acquire_token_by_auth_code_flow): `authResponse` is the
   * redirect's query or form parameters as an object. A response that does not belong to the
   * flow (state mismatch) rejects with a UsageError; the user declining rejects with an
   * AuthorizationError. The tokens and account land in the cache.
   */
  acquireTokenByAuthCodeFlow(flow: AuthCodeFlow, authResponse: Readonly<Record<string, unknown>>, options: AuthCodeRedemptionOptions = {}): Promise<TokenResult> {
    return this.userOperation(() => acquireTokenByAuthCodeFlow(this.ctx, flow, authResponse, options))
  }

  /** MSAL Python's get_authorization_request_url. Prefer initiateAuthCodeFlow (PKCE, state and nonce checked for you). */
  getAuthorizationRequestUrl(scopes: readonly string[], options: AuthorizationRequestOptions & { readonly nonce?: string | undefined } = {}): Promise<string> {
    return this.execute(() => getAuthorizationRequestUrl(this.ctx, scopes, options))
  }

  /** MSAL Python's acquire_token_by_authorization_code: redeems a code obtained some other way. */
  acquireTokenByAuthorizationCode(code: string, scopes: readonly string[], options: AuthorizationCodeOptions = {}): Promise<TokenResult> {
    return this.userOperation(() => acquireTokenByAuthorizationCode(this.ctx, code, scopes, options))
  }

  /** MSAL Python's acquire_token_by_refresh_token: migrates a refresh token from elsewhere (e.g. ADAL) into the cache. */
  acquireTokenByRefreshToken(refreshToken: string, scopes: readonly string[]): Promise<TokenResult> {
    return this.userOperation(() => acquireTokenByRefreshToken(this.ctx, refreshToken, scopes))
  }

  /**
   * MSAL Python's acquire_token_by_username_password (ROPC): managed users by the password grant,
   * federated users through their federation server (user realm discovery, MEX, WS-Trust) and the
   * SAML bearer grant. Deprecated by Microsoft for public clients: prefer the device code flow.
   */
  acquireTokenByUsernamePassword(username: string, password: string, scopes: readonly string[], options: UsernamePasswordOptions = {}): Promise<TokenResult> {
    return this.userOperation(() => acquireTokenByUsernamePassword(this.ctx, username, password, scopes, options))
  }

  /**
   * A token for the account without bothering the user (MSAL Python's
   * acquire_token_silent_with_error): from the cache, else by redeeming a refresh token.
   * Resolves undefined when the cache holds nothing for the account; rejects with the
   * identity provider's error (see `classification`) when the refresh failed. Identical
   * concurrent calls share one request.
   */
  acquireTokenSilentWithError(scopes: readonly string[], account: SilentAccount | undefined, options: SilentOptions = {}): Promise<TokenResult | undefined> {
    return settled(() => this.silent(scopes, account, options))
  }

  /**
   * MSAL Python's acquire_token_silent: as acquireTokenSilentWithError, but a refresh the
   * identity provider refused resolves undefined (sign the user in again). Bad arguments and
   * network failures still reject.
   */
  acquireTokenSilent(scopes: readonly string[], account: SilentAccount | undefined, options: SilentOptions = {}): Promise<TokenResult | undefined> {
    const answer = (outcome: Outcome<TokenResult | undefined>): Promise<TokenResult | undefined> =>
      E.isLeft(outcome) && NEEDS_SIGN_IN.has(outcome.left.kind) ? Promise.resolve(undefined) : settle(outcome)
    try {
      const outcome = this.silent(scopes, account, options)
      return outcome instanceof Promise ? outcome.then(answer) : answer(outcome)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  private silent(scopes: readonly string[], account: SilentAccount | undefined, options: SilentOptions): Outcome<TokenResult | undefined> | Promise<Outcome<TokenResult | undefined>> {
    const homeAccountId = typeof account?.homeAccountId === 'string' ? account.homeAccountId : undefined
    return this.silentFlights.do(
      () => flightKey(homeAccountId, account?.environment, scopes, options.forceRefresh === true, options.claimsChallenge),
      () => this.persisted(() => this.userCacheContext(homeAccountId), () => run(acquireTokenSilentWithError(this.ctx, scopes, account, options), this.interpret)),
    )
  }

  /**
   * The accounts signed in to this app's authority (its host, else the first alias that has
   * any), one per home account; `username` filters case-insensitively. MSAL Python's get_accounts.
   */
  getAccounts(options: { readonly username?: string | undefined } = {}): Promise<Account[]> {
    // Cloud Shell's accounts are listed only inside Cloud Shell (MSAL Python's rule).
    const inCloudShell = run(runningInCloudShell(), this.interpret)
    const select = (withCloudShell: boolean) =>
      this.cacheOperation(() => this.appCacheContext, () => selectAccounts(this.tokenCache, this.ctx.environments, options, withCloudShell))
    return inCloudShell instanceof Promise ? inCloudShell.then(select) : select(inCloudShell)
  }

  /**
   * Signs the account out of this app and its family and forgets it: MSAL Python's
   * remove_account. Other apps' refresh tokens stay, so their single sign-on still works.
   * With a persisted cache, resolves once the removal is stored.
   */
  removeAccount(account: Pick<Account, 'homeAccountId' | 'environment'>): Promise<void> {
    return this.cacheOperation(() => this.userCacheContext(account.homeAccountId), () => {
      this.tokenCache.perform({
        _tag: 'RemoveAccount',
        clientId: this.clientId,
        account: { homeAccountId: account.homeAccountId, environment: account.environment },
      })
    })
  }

  /** MSAL Python's is_pop_supported: proof-of-possession tokens are not supported yet. */
  isPopSupported(): boolean {
    return false
  }

  /** Runs a flow that touches no cache. */
  protected execute<A>(program: () => Program<Outcome<A>>): Promise<A> {
    return settled(() => run(program(), this.interpret))
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
    const message = `the token cache could not be stored (${summary}); the result is returned and the change is kept for the next store`
    const logged = run(log('warning', message), this.interpret)
    return logged instanceof Promise ? logged.then(() => undefined) : undefined
  }

  /** Runs work on the cache between its persistence's hooks; a failure to store fails it. */
  protected cacheOperation<T>(context: () => CacheAccessContext, work: () => T): Promise<T> {
    try {
      return Promise.resolve(withPersistence(this.tokenCache, context, work))
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
}
