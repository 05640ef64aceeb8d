/**
 * MSAL Python's ConfidentialClientApplication for web-platform runtimes (Cloudflare Workers,
 * Deno, Bun, browsers): fetch and WebCrypto only. Temporary: composed here from core's flows
 * until the runtime-neutral application shell lands in core, when it becomes a thin subclass
 * of that shell with the same public API.
 */
import * as E from '#fp-ts/Either'
import {
  acquireTokenByRefreshToken,
  acquireTokenForClient,
  acquireTokenSilentWithError,
  configurationError,
  createClientContext,
  decodeConfidentialClientConfig,
  HttpCache,
  MsalException,
  run,
  selectAccounts,
  TokenCache,
  type Account,
  type AuthorityBuilder,
  type ClientContext,
  type ClientCredentialsOptions,
  type Interpret,
  type MsalError,
  type Program,
  type SilentAccount,
  type SilentOptions,
  type TokenResult,
} from '@msal-ts/core'
import { parseWebClientCredential, type WebClientCredentialOption } from '../credentials/clientCredential.js'
import { withClientCredential } from '../credentials/credentialInterpreter.js'
import { webPlatform } from '../platform.js'
import { createBrowserInterpreter } from '../webInterpreter.js'
import { decodeWebRuntimeOptions, type WebRuntimeOptions } from './options.js'

export interface ConfidentialClientApplicationOptions extends WebRuntimeOptions {
  /** The application (client) id from its registration. */
  readonly clientId: string
  /** How the app proves who it is: a client secret, a certificate (PKCS#8 PEM key) or an assertion. See WebClientCredentialOption. */
  readonly clientCredential: WebClientCredentialOption
  /** An Entra, B2C, CIAM or ADFS authority URL (or an AuthorityBuilder). Default https://login.microsoftonline.com/common. */
  readonly authority?: string | AuthorityBuilder | undefined
  /** Any OpenID Connect provider instead of `authority`: its configuration is at `{oidcAuthority}/.well-known/openid-configuration`. */
  readonly oidcAuthority?: string | undefined
  /** false: you vouch for the authority; Microsoft is not asked (MSAL Python's validate_authority). Default true. */
  readonly validateAuthority?: boolean | undefined
  /** false: never ask Microsoft's instance discovery; a string: ask that endpoint. Default true. */
  readonly instanceDiscovery?: boolean | string | undefined
  /** Send client-credential requests to this Azure region ("westus2"). Web runtimes cannot detect one. */
  readonly azureRegion?: string | false | undefined
  /** Capabilities the client declares (e.g. "CP1" for continuous access evaluation), sent as claims. */
  readonly clientCapabilities?: readonly string[] | undefined
  /** Scopes not to add to user sign-ins (MSAL adds openid, profile and offline_access); never openid. */
  readonly excludeScopes?: readonly string[] | undefined
  /** Claims added to (and overriding) every client assertion the certificate signs (MSAL Python's client_claims). */
  readonly clientClaims?: Readonly<Record<string, unknown>> | undefined
  readonly appName?: string | undefined
  readonly appVersion?: string | undefined
}

const throwIfLeft = <A>(value: E.Either<MsalError, A>): A => {
  if (E.isLeft(value)) throw new MsalException(value.left)
  return value.right
}

const settle = <A>(outcome: E.Either<MsalError, A>): Promise<A> =>
  E.isRight(outcome) ? Promise.resolve(outcome.right) : Promise.reject(new MsalException(outcome.left))

/** acquireTokenSilent answers "nothing usable" for these: the app should sign the user in. */
const NEEDS_SIGN_IN = new Set<MsalError['_tag']>(['ServerError', 'ThrottledError'])

/** Epoch seconds from the system clock, for `TokenCache.add()` without a `now`. */
const systemClock = (): number => Math.floor(Date.now() / 1000)

/**
 * A server-side application (a worker, an edge function, a web app's back end) that holds a
 * credential, on any runtime with fetch and WebCrypto. Methods return Promises that reject with
 * an MsalError; the constructor throws one (kind ConfigurationError) naming a bad option.
 */
export class ConfidentialClientApplication {
  readonly clientId: string
  /** The authority URL in canonical form. */
  readonly authority: string
  readonly tokenCache: TokenCache
  readonly httpCache: HttpCache
  private readonly ctx: ClientContext
  private readonly interpret: Interpret

  constructor(options: ConfidentialClientApplicationOptions) {
    const credential = throwIfLeft(parseWebClientCredential((options as { clientCredential?: unknown } | undefined)?.clientCredential))
    if ((options as { azureRegion?: unknown }).azureRegion === true) {
      throw new MsalException(configurationError('azureRegion', 'web runtimes cannot detect the region (no environment variables, no instance metadata service): name it, e.g. "westus2"'))
    }
    const config = throwIfLeft(decodeConfidentialClientConfig({ ...options, clientCredential: credential.credential }))
    const runtime = throwIfLeft(decodeWebRuntimeOptions(options))
    this.clientId = config.clientId
    this.authority = config.authority.url
    this.tokenCache = runtime.tokenCache ?? new TokenCache({ clock: systemClock })
    this.httpCache = runtime.httpCache ?? new HttpCache()
    this.ctx = createClientContext({ config, platform: webPlatform(), tokenCache: this.tokenCache, httpCache: this.httpCache })
    const httpClient = runtime.httpClient
    const interpret =
      runtime.interpreter ??
      createBrowserInterpreter({
        fetch: httpClient !== undefined ? () => httpClient : undefined,
        timeoutMs: runtime.timeout,
        logger: runtime.logger,
        logLevel: runtime.logLevel,
        enablePiiLog: runtime.enablePiiLog,
      })
    this.interpret = withClientCredential(interpret, credential)
  }

  /** The app's own token for `scopes` (e.g. ["https://graph.microsoft.com/.default"]): from the cache when a usable one is there, else from the identity provider. */
  acquireTokenForClient(scopes: readonly string[], options: ClientCredentialsOptions = {}): Promise<TokenResult> {
    return this.execute(() => acquireTokenForClient(this.ctx, scopes, options))
  }

  /** MSAL Python's acquire_token_by_refresh_token: redeems a refresh token obtained elsewhere; the tokens and account land in the cache. */
  acquireTokenByRefreshToken(refreshToken: string, scopes: readonly string[]): Promise<TokenResult> {
    return this.execute(() => acquireTokenByRefreshToken(this.ctx, refreshToken, scopes))
  }

  /** The accounts signed in to this app's authority, one per home account; `username` filters case-insensitively. */
  getAccounts(options: { readonly username?: string | undefined } = {}): Promise<Account[]> {
    try {
      return Promise.resolve(selectAccounts(this.tokenCache, this.ctx.environments, options))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * A token for the account from the cache, else by redeeming its refresh token
   * (MSAL Python's acquire_token_silent_with_error). Undefined when the cache holds nothing for
   * the account; rejects with the identity provider's error when the refresh failed.
   */
  acquireTokenSilentWithError(scopes: readonly string[], account: SilentAccount | undefined, options: SilentOptions = {}): Promise<TokenResult | undefined> {
    return this.execute(() => acquireTokenSilentWithError(this.ctx, scopes, account, options))
  }

  /** As acquireTokenSilentWithError, but a refresh the identity provider refused resolves undefined: sign the user in again. */
  acquireTokenSilent(scopes: readonly string[], account: SilentAccount | undefined, options: SilentOptions = {}): Promise<TokenResult | undefined> {
    return this.execute(function* (this: ConfidentialClientApplication) {
      const outcome = yield* acquireTokenSilentWithError(this.ctx, scopes, account, options)
      return E.isLeft(outcome) && NEEDS_SIGN_IN.has(outcome.left._tag) ? E.right(undefined) : outcome
    }.bind(this))
  }

  /** Runs a flow with this application's interpreter, synchronously when every effect answered at once (a cache hit). */
  private execute<A>(program: () => Program<E.Either<MsalError, A>>): Promise<A> {
    try {
      const outcome = run(program(), this.interpret)
      return outcome instanceof Promise ? outcome.then(settle) : settle(outcome)
    } catch (error) {
      return Promise.reject(error)
    }
  }
}
