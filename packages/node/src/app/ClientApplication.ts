import * as E from '#fp-ts/Either'
import {
  acquireTokenByAuthCodeFlow,
  acquireTokenByAuthorizationCode,
  acquireTokenByRefreshToken,
  acquireTokenByUsernamePassword,
  acquireTokenSilentWithError,
  createClientContext,
  getAuthorizationRequestUrl,
  HttpCache,
  initiateAuthCodeFlow,
  MsalException,
  removeAccount,
  run,
  selectAccounts,
  SingleFlight,
  type Account,
  type AuthCodeFlow,
  type AuthCodeRedemptionOptions,
  type AuthorityBuilder,
  type AuthorizationCodeOptions,
  type AuthorizationRequestOptions,
  type CacheAccessContext,
  type ClientConfig,
  type ClientContext,
  type Interpret,
  type MsalError,
  type Program,
  type SilentAccount,
  type SilentOptions,
  type TokenCache,
  type TokenResult,
  type UsernamePasswordOptions,
} from '@msal-ts/core'
import { TokenCache as NodeTokenCache } from '../cache/tokenCaches.js'
import { withPersistence } from '../cache/withPersistence.js'
import { createNodeInterpreter } from '../interpreter/nodeInterpreter.js'
import { nodePlatform } from '../platform.js'
import { decodeNodeRuntimeOptions, type NodeRuntimeOptions } from './options.js'

/** The options both application classes take (MSAL Python's ClientApplication keyword arguments). */
export interface ClientApplicationOptions extends NodeRuntimeOptions {
  /** The application (client) id from its registration. */
  readonly clientId: string
  /**
   * An Entra, B2C, CIAM or ADFS authority URL (or an AuthorityBuilder). Default
   * https://login.microsoftonline.com/common.
   */
  readonly authority?: string | AuthorityBuilder | undefined
  /** Any OpenID Connect provider instead of `authority`: its configuration is at `{oidcAuthority}/.well-known/openid-configuration`. */
  readonly oidcAuthority?: string | undefined
  /** false: you vouch for the authority; Microsoft is not asked (MSAL Python's validate_authority). Default true. */
  readonly validateAuthority?: boolean | undefined
  /** false: never ask Microsoft's instance discovery; a string: ask that endpoint. Default true. */
  readonly instanceDiscovery?: boolean | string | undefined
  /** Capabilities the client declares (e.g. "CP1" for continuous access evaluation), sent as claims. */
  readonly clientCapabilities?: readonly string[] | undefined
  /**
   * Scopes not to add to user sign-ins (MSAL adds openid, profile and offline_access); e.g.
   * ["offline_access"] for an app that must not receive refresh tokens. openid cannot be excluded.
   */
  readonly excludeScopes?: readonly string[] | undefined
  readonly appName?: string | undefined
  readonly appVersion?: string | undefined
}

export type Outcome = E.Either<MsalError, TokenResult>

/** Resolves a flow's Either the Promise way: a copy of the result, or a rejection with an MsalError. */
export const settle = <A>(outcome: E.Either<MsalError, A>): Promise<A> =>
  E.isRight(outcome) ? Promise.resolve(copy(outcome.right)) : Promise.reject(new MsalException(outcome.left))

const copy = <A>(value: A): A => (typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : value)

export const throwIfLeft = <A>(value: E.Either<MsalError, A>): A => {
  if (E.isLeft(value)) throw new MsalException(value.left)
  return value.right
}

/** Which calls are identical, for sharing one request. Total over any input: bad input is the flow's to report. */
export const flightKey = (...parts: readonly unknown[]): string =>
  parts
    .map((part) =>
      Array.isArray(part)
        ? part.map((item) => (typeof item === 'string' ? item : '\u0001')).join('\u0000')
        : typeof part === 'string' || typeof part === 'boolean'
          ? String(part)
          : '\u0002',
    )
    .join('\u0003')

/** acquireTokenSilent answers "nothing usable" for these: the app should sign the user in. */
const NEEDS_SIGN_IN = new Set<MsalError['_tag']>(['ServerError', 'ThrottledError'])

/**
 * What MSAL Python's two application classes share: configuration, the cache, the sign-in
 * flows, silent acquisition and account management. Every method returns a Promise that
 * rejects with an MsalError.
 */
export abstract class ClientApplication {
  readonly clientId: string
  /** The authority URL in canonical form. */
  readonly authority: string
  readonly tokenCache: TokenCache
  readonly httpCache: HttpCache
  protected readonly ctx: ClientContext
  protected readonly interpret: Interpret
  protected readonly runtime: NodeRuntimeOptions
  private readonly silentFlights = new SingleFlight<E.Either<MsalError, TokenResult | undefined>>()

  /** `withRuntime` wraps the interpreter (a confidential client adds its credential's signer). */
  protected constructor(config: ClientConfig, options: object, withRuntime: (interpret: Interpret) => Interpret = (interpret) => interpret) {
    const runtime = throwIfLeft(decodeNodeRuntimeOptions(options))
    this.runtime = runtime
    this.clientId = config.clientId
    this.authority = config.authority.url
    this.tokenCache = runtime.tokenCache ?? new NodeTokenCache()
    this.httpCache = runtime.httpCache ?? new HttpCache()
    this.ctx = createClientContext({ config, platform: nodePlatform(), tokenCache: this.tokenCache, httpCache: this.httpCache })
    this.interpret = withRuntime(
      runtime.interpreter ??
        createNodeInterpreter({
          httpClient: runtime.httpClient,
          proxy: runtime.proxy,
          timeoutMs: runtime.timeout,
          logger: runtime.logger,
          logLevel: runtime.logLevel,
          enablePiiLog: runtime.enablePiiLog,
        }),
    )
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
    try {
      const outcome = this.silent(scopes, account, options)
      return outcome instanceof Promise ? outcome.then(settleOptional) : settleOptional(outcome)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * MSAL Python's acquire_token_silent: as acquireTokenSilentWithError, but a refresh the
   * identity provider refused resolves undefined (sign the user in again). Bad arguments and
   * network failures still reject.
   */
  acquireTokenSilent(scopes: readonly string[], account: SilentAccount | undefined, options: SilentOptions = {}): Promise<TokenResult | undefined> {
    const answer = (outcome: E.Either<MsalError, TokenResult | undefined>): Promise<TokenResult | undefined> =>
      E.isLeft(outcome) && NEEDS_SIGN_IN.has(outcome.left._tag) ? Promise.resolve(undefined) : settleOptional(outcome)
    try {
      const outcome = this.silent(scopes, account, options)
      return outcome instanceof Promise ? outcome.then(answer) : answer(outcome)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  private silent(
    scopes: readonly string[],
    account: SilentAccount | undefined,
    options: SilentOptions,
  ): E.Either<MsalError, TokenResult | undefined> | Promise<E.Either<MsalError, TokenResult | undefined>> {
    const homeAccountId = typeof account?.homeAccountId === 'string' ? account.homeAccountId : undefined
    return this.silentFlights.do(
      () => flightKey(homeAccountId, account?.environment, scopes, options.forceRefresh === true, options.claimsChallenge),
      () => withPersistence(this.tokenCache, { ...this.appCacheContext, homeAccountId }, () => run(acquireTokenSilentWithError(this.ctx, scopes, account, options), this.interpret)),
    )
  }

  /**
   * The accounts signed in to this app's authority (its host, else the first alias that has
   * any), one per home account; `username` filters case-insensitively. MSAL Python's get_accounts.
   */
  getAccounts(options: { readonly username?: string | undefined } = {}): Promise<Account[]> {
    return this.cacheOperation(this.appCacheContext, () => selectAccounts(this.tokenCache, this.ctx.environments, options))
  }

  /**
   * Signs the account out of this app and its family and forgets it: MSAL Python's
   * remove_account. Other apps' refresh tokens stay, so their single sign-on still works.
   */
  removeAccount(account: Pick<Account, 'homeAccountId' | 'environment'>): Promise<void> {
    const context = { ...this.appCacheContext, homeAccountId: account.homeAccountId }
    return this.cacheOperation(context, () =>
      this.tokenCache.update((cache) => removeAccount(cache, this.clientId, { homeAccountId: account.homeAccountId, environment: account.environment })),
    )
  }

  /** MSAL Python's is_pop_supported: proof-of-possession tokens need a broker, which Node has not. */
  isPopSupported(): boolean {
    return false
  }

  /** Runs a flow that touches no cache. */
  protected execute<A>(program: () => Program<E.Either<MsalError, A>>): Promise<A> {
    try {
      const outcome = run(program(), this.interpret)
      return outcome instanceof Promise ? outcome.then(settle) : settle(outcome)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * Runs a flow that signs a user in: the persisted cache is loaded first, and what it filed is
   * stored under the account the result names (known only once the tokens are back).
   * `interpret` replaces the application's interpreter for this call (e.g. one an AbortSignal stops).
   */
  protected userOperation(program: () => Program<Outcome>, interpret: Interpret = this.interpret): Promise<TokenResult> {
    try {
      const outcome = withPersistence(this.tokenCache, this.appCacheContext, () => run(program(), interpret), (result) => ({
        ...this.appCacheContext,
        homeAccountId: result !== undefined && E.isRight(result) ? result.right.account?.homeAccountId : undefined,
      }))
      return outcome instanceof Promise ? outcome.then(settle) : settle(outcome)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  protected cacheOperation<T>(context: CacheAccessContext, work: () => T): Promise<T> {
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
}

const settleOptional = (outcome: E.Either<MsalError, TokenResult | undefined>): Promise<TokenResult | undefined> =>
  E.isRight(outcome) ? Promise.resolve(outcome.right === undefined ? undefined : { ...outcome.right }) : Promise.reject(new MsalException(outcome.left))
