import { createHash } from 'node:crypto'
import type * as E from '#fp-ts/Either'
import {
  acquireTokenByUserFederatedIdentityCredential,
  acquireTokenForClient,
  acquireTokenOnBehalfOf,
  decodeConfidentialClientConfig,
  removeTokensForClient,
  run,
  SingleFlight,
  type ClientCredentialsOptions,
  type MsalError,
  type OnBehalfOfOptions,
  type TokenResult,
  type UserFederatedIdentityCredentialOptions,
} from '@msal-ts/core'
import { withPersistence } from '../cache/withPersistence.js'
import { parseClientCredential, type ClientCredentialOption } from '../credentials/clientCredential.js'
import { withCredential } from '../credentials/credentialInterpreter.js'
import { ClientApplication, flightKey, settle, throwIfLeft, type ClientApplicationOptions } from './ClientApplication.js'

export interface ConfidentialClientApplicationOptions extends ClientApplicationOptions {
  /**
   * How the app proves who it is (MSAL Python's client_credential): a client secret, a
   * certificate (PEM key and thumbprint), a PFX file, or a client assertion. See
   * ClientCredentialOption.
   */
  readonly clientCredential: ClientCredentialOption
  /**
   * Claims added to (and overriding) every client assertion the certificate signs, MSAL
   * Python's client_claims. Only with a certificate.
   */
  readonly clientClaims?: Readonly<Record<string, unknown>> | undefined
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
  private readonly oboFlights = new SingleFlight<E.Either<MsalError, TokenResult>>()

  /** @throws MsalError (kind ConfigurationError) naming the option that is wrong: a key that is not one, a wrong passphrase, an unreadable PFX. */
  constructor(options: ConfidentialClientApplicationOptions) {
    const parsed = throwIfLeft(parseClientCredential((options as { clientCredential?: unknown } | undefined)?.clientCredential))
    super(throwIfLeft(decodeConfidentialClientConfig({ ...options, clientCredential: parsed.credential })), options, (interpret) => withCredential(interpret, parsed))
  }

  /**
   * The app's own token for `scopes` (e.g. ["https://graph.microsoft.com/.default"]): from the
   * cache when a usable one is there, else from the identity provider. Identical concurrent
   * calls share one request. `fmiPath` asks for a Federated Managed Identity token of that path
   * (cached apart from other paths').
   */
  acquireTokenForClient(scopes: readonly string[], options: ClientCredentialsOptions = {}): Promise<TokenResult> {
    try {
      const outcome = this.inFlight.do(
        () => flightKey(scopes, options.claimsChallenge, options.fmiPath),
        () => withPersistence(this.tokenCache, this.appCacheContext, () => run(acquireTokenForClient(this.ctx, scopes, options), this.interpret)),
      )
      return outcome instanceof Promise ? outcome.then(settle) : settle(outcome)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * MSAL Python's acquire_token_on_behalf_of: a web API trades the token it was called with
   * (`userAssertion`) for a token to a downstream API, for the same user. Cached under a hash of
   * the assertion: the same assertion is answered from the cache, another one never is.
   * Identical concurrent calls share one request.
   */
  acquireTokenOnBehalfOf(userAssertion: string, scopes: readonly string[], options: OnBehalfOfOptions = {}): Promise<TokenResult> {
    try {
      // Hashed here, once: the persistence needs it first, to load the right partition.
      const userAssertionHash = typeof userAssertion === 'string' ? createHash('sha256').update(userAssertion, 'utf8').digest('base64url') : undefined
      const context = { ...this.appCacheContext, userAssertionHash }
      const outcome = this.oboFlights.do(
        () => flightKey(userAssertionHash, scopes, options.claimsChallenge),
        () => withPersistence(this.tokenCache, context, () => run(acquireTokenOnBehalfOf(this.ctx, userAssertion, scopes, options, userAssertionHash), this.interpret)),
      )
      return outcome instanceof Promise ? outcome.then(settle) : settle(outcome)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * MSAL Python's acquire_token_by_user_federated_identity_credential: an agent trades its
   * federated identity credential (`assertion`) for a token of the user named by `username`
   * (UPN) or `userObjectId`. The tokens are filed with the user's account.
   */
  acquireTokenByUserFederatedIdentityCredential(scopes: readonly string[], assertion: string, options: UserFederatedIdentityCredentialOptions): Promise<TokenResult> {
    return this.userOperation(() => acquireTokenByUserFederatedIdentityCredential(this.ctx, scopes, assertion, options ?? {}))
  }

  /**
   * Forgets every token this app acquired for itself (MSAL Python's remove_tokens_for_client).
   * With a persisted cache, resolves once the removal is stored.
   */
  removeTokensForClient(): Promise<void> {
    return this.cacheOperation(this.appCacheContext, () => removeTokensForClient(this.ctx))
  }
}
