import * as E from '../util/either.js'
import { selectAccounts, type Account } from '../cache/selectors.js'
import type { TokenStore } from '../cache/tokenStore.js'
import type { Program } from '../effects/program.js'
import { run, type Interpret } from '../effects/run.js'
import type { MsalError } from '../errors.js'
import type { ClientAuthenticator } from '../flows/clientAuthenticator.js'
import type { InstanceDiscoveryStep } from '../authority/resolveEndpoints.js'
import type { CloudShellTokens } from './context.js'
import type { FamilyRefresh } from '../flows/family.js'
import type { HttpCache } from '../http/httpCache.js'
import type { TokenResult } from '../result.js'
import type { PlatformInfo } from '../http/telemetry.js'
import { withAppState } from './applyStateChange.js'
import type { ClientConfig } from './config.js'
import { createClientContext, type ClientContext } from './context.js'
import { conceal, DENO_INSPECT, NODE_INSPECT, printed } from '../util/printable.js'
import { settled } from './settle.js'

/** What a runtime gives the application shell: how effects are performed, and who is calling. */
export interface AppRuntime {
  /** Performs every effect but Commit (the shell applies those): the runtime's interpreter with the application's credential. */
  readonly interpret: Interpret
  /** Sent as x-client-sku, x-client-ver and x-client-os. */
  readonly platform: PlatformInfo
  /** The unified token cache the application reads and writes. */
  readonly tokenCache: TokenStore
  /** Where discovery answers and throttling decisions are kept (MSAL Python's http_cache). */
  readonly httpCache: HttpCache
}

export type Outcome<A = TokenResult> = E.Either<MsalError, A>

/** Protocol parts an application class brings that not every application needs (injected, so a browser bundle leaves them out). */
export interface AppAbilities {
  /** A confidential client's authentication (default: a public client's, none). */
  readonly clientAuthentication?: ClientAuthenticator | undefined
  /** Instance discovery, for Entra hosts MSAL does not know. */
  readonly instanceDiscovery?: InstanceDiscoveryStep | undefined
  /** Cloud Shell's tokens for its accounts. */
  readonly cloudShellTokens?: CloudShellTokens | undefined
  /** The refresh tokens of Microsoft's family of client ids (FOCI), tried in a silent refresh. */
  readonly familyRefresh?: FamilyRefresh | undefined
}

/**
 * The application shell every application class stands on, whatever its verbs (MSAL Python's,
 * msal-browser's): the context and its state, flows run with their commits applied, results
 * settled as Promises, what it prints as. MSAL Python's classes (ClientApplication) add
 * persistence around an operation; a browser app's cache is its own.
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
   * What the application prints as (JSON.stringify, console.log, util.inspect): who it is (and,
   * in a confidential client, how it authenticates), never a credential, the cache's tokens or
   * anything it keeps.
   */
  toJSON(): { readonly clientId: string; readonly authority: string; readonly credential?: string } {
    return { clientId: this.clientId, authority: this.authority }
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
    return settled(() => E.right(selectAccounts(this.tokenCache, this.ctx.environments, options)))
  }

  /**
   * Signs the account out of this app and its family and forgets it: MSAL Python's
   * remove_account. Other apps' refresh tokens stay, so their single sign-on still works.
   */
  removeAccount(account: Pick<Account, 'homeAccountId' | 'environment'>): Promise<void> {
    return settled(() => E.right(this.forgetAccount(account)))
  }

  /** Removes an account's entries from the cache (see removeAccount). */
  protected forgetAccount(account: Pick<Account, 'homeAccountId' | 'environment'>): void {
    this.tokenCache.perform({ _tag: 'RemoveAccount', clientId: this.clientId, account: { homeAccountId: account.homeAccountId, environment: account.environment } })
  }

  /** Runs a flow that touches no cache. */
  protected execute<A>(program: () => Program<Outcome<A>>): Promise<A> {
    return settled(() => run(program(), this.interpret))
  }

}
