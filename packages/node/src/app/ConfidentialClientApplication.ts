import type * as E from '#fp-ts/Either'
import {
  acquireTokenForClient,
  decodeConfidentialClientConfig,
  removeTokensForClient,
  run,
  SingleFlight,
  type ClientCredentialsOptions,
  type MsalError,
  type TokenResult,
} from '@msal-ts/core'
import { withPersistence } from '../cache/withPersistence.js'
import { ClientApplication, flightKey, settle, throwIfLeft, type ClientApplicationOptions } from './ClientApplication.js'

export interface ConfidentialClientApplicationOptions extends ClientApplicationOptions {
  /** The client secret. */
  readonly clientCredential: string
  /**
   * Send client-credential requests to an Azure region: a region name ("westus2"), true to detect
   * it (REGION_NAME, then the VM's metadata service), false never (even if MSAL_FORCE_REGION is set).
   */
  readonly azureRegion?: string | boolean | undefined
}

/**
 * A server-side application (daemon, web app, web API) that holds a credential: MSAL Python's
 * ConfidentialClientApplication. Methods return Promises and reject with an MsalError.
 */
export class ConfidentialClientApplication extends ClientApplication {
  private readonly inFlight = new SingleFlight<E.Either<MsalError, TokenResult>>()

  /** @throws MsalError (kind ConfigurationError) naming the option that is wrong. */
  constructor(options: ConfidentialClientApplicationOptions) {
    super(throwIfLeft(decodeConfidentialClientConfig(options)), options)
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
}
