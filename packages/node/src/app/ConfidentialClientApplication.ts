import * as E from '#fp-ts/Either'
import {
  acquireTokenForClient,
  decodeConfidentialClientConfig,
  createClientContext,
  HttpCache,
  MsalException,
  removeAccount,
  removeTokensForClient,
  run,
  selectAccounts,
  SingleFlight,
  type TokenCache,
  type Account,
  type AuthorityBuilder,
  type CacheAccessContext,
  type ClientContext,
  type ClientCredentialsOptions,
  type Interpret,
  type MsalError,
  type TokenResult,
} from '@msal-ts/core'
import { createNodeInterpreter } from '../interpreter/nodeInterpreter.js'
import { TokenCache as NodeTokenCache } from '../cache/tokenCaches.js'
import { withPersistence } from '../cache/withPersistence.js'
import { nodePlatform } from '../platform.js'
import { decodeNodeRuntimeOptions, type NodeRuntimeOptions } from './options.js'

export interface ConfidentialClientApplicationOptions extends NodeRuntimeOptions {
  /** The application (client) id from its registration. */
  readonly clientId: string
  /** The client secret. */
  readonly clientCredential: string
  /**
   * An Entra, B2C, CIAM or ADFS authority URL (or an AuthorityBuilder). Default
   * https://login.microsoftonline.com/common; client credentials want a specific tenant.
   */
  readonly authority?: string | AuthorityBuilder | undefined
  /** Any OpenID Connect provider instead of `authority`: its configuration is at `{oidcAuthority}/.well-known/openid-configuration`. */
  readonly oidcAuthority?: string | undefined
  /** false: you vouch for the authority; Microsoft is not asked (MSAL Python's validate_authority). Default true. */
  readonly validateAuthority?: boolean | undefined
  /** false: never ask Microsoft's instance discovery; a string: ask that endpoint. Default true. */
  readonly instanceDiscovery?: boolean | string | undefined
  /**
   * Send client-credential requests to an Azure region: a region name ("westus2"), true to detect
   * it (REGION_NAME, then the VM's metadata service), false never (even if MSAL_FORCE_REGION is set).
   */
  readonly azureRegion?: string | boolean | undefined
  /** Capabilities the client declares (e.g. "CP1" for continuous access evaluation). */
  readonly clientCapabilities?: readonly string[] | undefined
  readonly appName?: string | undefined
  readonly appVersion?: string | undefined
}

type Outcome = E.Either<MsalError, TokenResult>

/** Which calls are identical. Total over any input: bad scopes are the flow's to report. */
const flightKey = (scopes: unknown, claimsChallenge: unknown): string =>
  `${Array.isArray(scopes) ? scopes.map((s) => (typeof s === 'string' ? s : '\u0001')).join('\u0000') : '\u0002'}\u0003${typeof claimsChallenge === 'string' ? claimsChallenge : ''}`

/** Resolves a flow's Either the Promise way: a copy of the result, or a rejection with an MsalError. */
const settle = (outcome: Outcome): Promise<TokenResult> =>
  E.isRight(outcome) ? Promise.resolve({ ...outcome.right }) : Promise.reject(new MsalException(outcome.left))

const throwIfLeft = <A>(value: E.Either<MsalError, A>): A => {
  if (E.isLeft(value)) throw new MsalException(value.left)
  return value.right
}

/**
 * A server-side application (daemon, web app, web API) that holds a credential: MSAL Python's
 * ConfidentialClientApplication. Methods return Promises and reject with an MsalError.
 */
export class ConfidentialClientApplication {
  readonly clientId: string
  /** The authority URL in canonical form. */
  readonly authority: string
  readonly tokenCache: TokenCache
  readonly httpCache: HttpCache
  private readonly ctx: ClientContext
  private readonly interpret: Interpret
  private readonly inFlight = new SingleFlight<Outcome>()

  /** @throws MsalError (kind ConfigurationError) naming the option that is wrong. */
  constructor(options: ConfidentialClientApplicationOptions) {
    const config = throwIfLeft(decodeConfidentialClientConfig(options))
    const runtime = throwIfLeft(decodeNodeRuntimeOptions(options))
    this.clientId = config.clientId
    this.authority = config.authority.url
    this.tokenCache = runtime.tokenCache ?? new NodeTokenCache()
    this.httpCache = runtime.httpCache ?? new HttpCache()
    this.ctx = createClientContext({ config, platform: nodePlatform(), tokenCache: this.tokenCache, httpCache: this.httpCache })
    this.interpret =
      runtime.interpreter ??
      createNodeInterpreter({
        httpClient: runtime.httpClient,
        proxy: runtime.proxy,
        timeoutMs: runtime.timeout,
        logger: runtime.logger,
        logLevel: runtime.logLevel,
        enablePiiLog: runtime.enablePiiLog,
      })
  }

  /**
   * The app's own token for `scopes` (e.g. ["https://graph.microsoft.com/.default"]): from the
   * cache when a usable one is there, else from the identity provider. Identical concurrent
   * calls share one request.
   */
  acquireTokenForClient(scopes: readonly string[], options: ClientCredentialsOptions = {}): Promise<TokenResult> {
    try {
      const outcome = this.inFlight.do(
        () => flightKey(scopes, options.claimsChallenge),
        () => withPersistence(this.tokenCache, this.appCacheContext, () => run(acquireTokenForClient(this.ctx, scopes, options), this.interpret)),
      )
      return outcome instanceof Promise ? outcome.then(settle) : settle(outcome)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * Forgets every token this app acquired for itself (MSAL Python's remove_tokens_for_client).
   * With a persisted cache, resolves once the removal is stored.
   */
  removeTokensForClient(): Promise<void> {
    return this.cacheOperation(this.appCacheContext, () => removeTokensForClient(this.ctx))
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

  private cacheOperation<T>(context: CacheAccessContext, work: () => T): Promise<T> {
    try {
      return Promise.resolve(withPersistence(this.tokenCache, context, work))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** Where this app's own tokens live, for a persistence that partitions the cache. */
  private get appCacheContext(): CacheAccessContext {
    return { clientId: this.clientId, environment: this.ctx.config.authority.host, realm: this.ctx.config.authority.tenant }
  }
}
