import * as E from '../util/either.js'
import type { CacheAccessContext } from '../cache/persistence.js'
import { selectAccounts, type Account } from '../cache/selectors.js'
import type { TokenStore } from '../cache/tokenStore.js'
import { log, type Program } from '../effects/program.js'
import { run, type Interpret } from '../effects/run.js'
import { errorSummary, isMsalError, type MsalError } from '../errors.js'
import type { ClientAuthenticator } from '../flows/clientAuthenticator.js'
import type { InstanceDiscoveryStep } from '../authority/resolveEndpoints.js'
import type { CloudShellTokens } from './context.js'
import type { HttpCache } from '../http/httpCache.js'
import type { PlatformInfo } from '../http/telemetry.js'
import type { TokenResult } from '../result.js'
import { withAppState } from './applyStateChange.js'
import type { ClientConfig } from './config.js'
import { createClientContext, type ClientContext } from './context.js'
import { conceal, DENO_INSPECT, NODE_INSPECT, printed } from '../util/printable.js'
import { settled } from './settle.js'
import { withPersistence } from './withPersistence.js'

/** What a runtime gives the application shell: how effects are performed, and who is calling. */
export interface AppRuntime {
  /** Performs every effect but Commit (the shell applies those): the runtime's interpreter with the application's credential. */
  readonly interpret: Interpret
  /** Sent as x-client-sku, x-client-ver and x-client-os. */
  readonly platform: PlatformInfo
  readonly tokenCache: TokenStore
  readonly httpCache: HttpCache
}

export type Outcome<A = TokenResult> = E.Either<MsalError, A>

/** How each credential form prints: its kind, never its value. */
const CREDENTIAL_NAMES = {
  ClientSecret: 'a client secret',
  ClientAssertion: 'a client assertion',
  ClientAssertionCallback: 'a client assertion callback',
  Certificate: 'a certificate',
} as const

/** Protocol parts an application class brings that not every application needs (injected, so a browser bundle leaves them out). */
export interface AppAbilities {
  /** A confidential client's authentication (default: a public client's, none). */
  readonly clientAuthentication?: ClientAuthenticator | undefined
  /** Instance discovery, for Entra hosts MSAL does not know. */
  readonly instanceDiscovery?: InstanceDiscoveryStep | undefined
  /** Cloud Shell's tokens for its accounts. */
  readonly cloudShellTokens?: CloudShellTokens | undefined
}

/**
 * The application shell every application class stands on, whatever its verbs (MSAL Python's,
 * msal-browser's, managed identity's): the context and its state, flows run with their commits
 * applied, persistence around an operation, results settled as Promises, accounts.
 */
export abstract class AppShell {
  /** The application (client) id. */
  readonly clientId: string
  /** The authority URL in canonical form. */
  readonly authority: string
  /** Where this application's tokens are kept. */
  readonly tokenCache: TokenStore
  /** Where discovery answers and throttling decisions are kept. */
  readonly httpCache: HttpCache
  protected readonly ctx: ClientContext
  /** The runtime's interpreter, with this application's state applied from its flows' commits. */
  protected readonly interpret: Interpret

  protected constructor(config: ClientConfig, runtime: AppRuntime, abilities: AppAbilities = {}) {
    this.clientId = config.clientId
    this.authority = config.authority.url
    this.tokenCache = runtime.tokenCache
    this.httpCache = runtime.httpCache
    this.ctx = createClientContext(Object.assign({ config, platform: runtime.platform, tokenCache: runtime.tokenCache, httpCache: runtime.httpCache }, abilities))
    this.interpret = withAppState(this.ctx, runtime.interpret)
    // The context holds the credential: out of Object.keys, spreads and devtools' default view.
    conceal(this, ['ctx', 'interpret'])
  }

  /**
   * What the application prints as (JSON.stringify, console.log, util.inspect): who it is and
   * how it authenticates, never the credential, the cache's tokens or anything it keeps.
   */
  toJSON(): { readonly clientId: string; readonly authority: string; readonly credential?: string } {
    const credential = this.ctx.config.credential
    const printed: { clientId: string; authority: string; credential?: string } = { clientId: this.clientId, authority: this.authority }
    if (credential !== undefined) printed.credential = CREDENTIAL_NAMES[credential._tag]
    return printed
  }

  [NODE_INSPECT](_depth: number, options: unknown, inspect: unknown): string {
    return printed(this.constructor.name, this.toJSON(), options, inspect)
  }

  [DENO_INSPECT](inspect: unknown, options: unknown): string {
    return printed(this.constructor.name, this.toJSON(), options, inspect)
  }

  /**
   * The accounts signed in to this app's authority (its host, else the first alias that has
   * any), one per home account; `username` filters case-insensitively. MSAL Python's get_accounts.
   */
  getAccounts(options: { readonly username?: string | undefined } = {}): Promise<Account[]> {
    // It changes nothing itself: failing to store earlier calls' changes is logged, not its failure.
    return this.cacheOperation(() => this.appCacheContext, () => selectAccounts(this.tokenCache, this.ctx.environments, options), { storeFailureIsLogged: true })
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
}
