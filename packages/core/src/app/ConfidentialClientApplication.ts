import * as E from '../util/either.js'
import { run } from '../effects/run.js'
import { SingleFlight } from '../effects/singleFlight.js'
import { acquireTokenForClient, removeTokensForClient, type ClientCredentialsOptions } from '../flows/clientCredentials.js'
import { CONFIDENTIAL_CLIENT } from '../flows/clientAuthentication.js'
import { acquireTokenOnBehalfOf, hashUserAssertion, keptAssertion, type OnBehalfOfOptions } from '../flows/onBehalfOf.js'
import {
  acquireTokenByUserFederatedIdentityCredential,
  type UserFederatedIdentityCredentialOptions,
} from '../flows/userFederatedIdentityCredential.js'
import type { TokenResult } from '../result.js'
import { conceal } from '../util/printable.js'
import { ClientApplication, type ClientAppRuntime, type Outcome } from './ClientApplication.js'
import type { ConfidentialClientConfig } from './config.js'
import { checkMethodOptions, type KnownOptions } from './methodOptions.js'
import { runsAlone, settleAlone } from './runAlone.js'
import { bindingFlightKey, flightKey, settled } from './settle.js'

const CLIENT_CREDENTIALS_OPTIONS: KnownOptions<ClientCredentialsOptions> = { claimsChallenge: true, fmiPath: true, data: true }
const ON_BEHALF_OF_OPTIONS: KnownOptions<OnBehalfOfOptions> = { claimsChallenge: true }
const USER_FIC_OPTIONS: KnownOptions<UserFederatedIdentityCredentialOptions> = { username: true, userObjectId: true, claimsChallenge: true }

/** MSAL Python's acquire_token_for_client refuses these (ValueError), and so does msal-ts. */
const CLIENT_CREDENTIALS_REFUSED = {
  forceRefresh:
    'acquireTokenForClient does not take forceRefresh, as MSAL Python\'s acquire_token_for_client refuses force_refresh ("Historically, this method does not support force_refresh behavior"): ' +
    'a cached app token is served until it nears expiry or its refresh_on; to get a new one, pass a claimsChallenge or call removeTokensForClient() first',
}

/** Which client-credentials calls are identical (see flightKey). */
const clientFlightKey = (scopes: readonly string[], options: ClientCredentialsOptions): string => flightKey(scopes, options.claimsChallenge, options.fmiPath, ...bindingFlightKey({ data: options.data }))

/** Which on-behalf-of calls are identical: same assertion, scopes and claims challenge. */
const oboFlightKey = (userAssertionHash: string | undefined, scopes: readonly string[], options: OnBehalfOfOptions): string =>
  flightKey(userAssertionHash, scopes, options.claimsChallenge)

/**
 * A server-side application (daemon, web app, web API) that holds a credential: MSAL Python's
 * ConfidentialClientApplication, on any runtime. Methods return Promises and reject with an
 * MsalError.
 */
export class ConfidentialClientApplication extends ClientApplication {
  private readonly clientFlights = new SingleFlight<Outcome>()
  private readonly oboFlights = new SingleFlight<Outcome>()

  constructor(config: ConfidentialClientConfig, runtime: ClientAppRuntime) {
    super(config, runtime, CONFIDENTIAL_CLIENT)
    conceal(this, ['clientFlights', 'oboFlights'])
  }

  /**
   * The app's own token for `scopes` (e.g. ["https://graph.microsoft.com/.default"]): from the
   * cache when a usable one is there, else from the identity provider. Identical concurrent
   * calls share one request. `fmiPath` asks for a Federated Managed Identity token of that path
   * (cached apart from other paths').
   */
  acquireTokenForClient(scopes: readonly string[], options?: ClientCredentialsOptions): Promise<TokenResult> {
    const checked = checkMethodOptions<ClientCredentialsOptions>('acquireTokenForClient', options, CLIENT_CREDENTIALS_OPTIONS, CLIENT_CREDENTIALS_REFUSED)
    if (E.isLeft(checked)) return Promise.reject(checked.left)
    const flights = this.clientFlights
    const program = acquireTokenForClient(this.ctx, scopes, checked.right)
    if (runsAlone(this.tokenCache, flights)) return settleAlone(flights, program, this.interpret, clientFlightKey, scopes, checked.right, undefined)
    return settled(() => flights.do(() => clientFlightKey(scopes, checked.right), () => this.persisted(() => this.appCacheContext, () => run(program, this.interpret))))
  }

  /**
   * MSAL Python's acquire_token_on_behalf_of: a web API trades the token it was called with
   * (`userAssertion`) for a token to a downstream API, for the same user. Cached under a hash of
   * the assertion: the same assertion is answered from the cache, another one never is.
   * Identical concurrent calls share one request.
   */
  acquireTokenOnBehalfOf(userAssertion: string, scopes: readonly string[], options?: OnBehalfOfOptions): Promise<TokenResult> {
    const checked = checkMethodOptions<OnBehalfOfOptions>('acquireTokenOnBehalfOf', options, ON_BEHALF_OF_OPTIONS)
    if (E.isLeft(checked)) return Promise.reject(checked.left)
    let hash: string | Promise<string> | undefined
    try {
      // Hashed first, once per distinct assertion: the persistence needs it to load the partition.
      hash = typeof userAssertion === 'string' ? this.assertionHash(userAssertion) : undefined
    } catch (error) {
      return Promise.reject(error)
    }
    return hash instanceof Promise
      ? hash.then((known) => this.onBehalfOf(userAssertion, scopes, checked.right, known))
      : this.onBehalfOf(userAssertion, scopes, checked.right, hash)
  }

  private onBehalfOf(userAssertion: string, scopes: readonly string[], options: OnBehalfOfOptions, userAssertionHash: string | undefined): Promise<TokenResult> {
    const flights = this.oboFlights
    const program = acquireTokenOnBehalfOf(this.ctx, userAssertion, scopes, options, userAssertionHash)
    if (runsAlone(this.tokenCache, flights)) return settleAlone(flights, program, this.interpret, oboFlightKey, userAssertionHash, scopes, options)
    return settled(() =>
      flights.do(
        () => oboFlightKey(userAssertionHash, scopes, options),
        () => this.persisted(() => Object.assign(this.appCacheContext, { userAssertionHash }), () => run(program, this.interpret)),
      ),
    )
  }

  /** The assertion's hash (core's hashUserAssertion), remembered with the assertion's buckets (see flows/onBehalfOf.ts). */
  private assertionHash(assertion: string): string | Promise<string> {
    const known = this.ctx.memo.oboAssertions.get(assertion)
    if (known !== undefined) return known.hash
    const remember = (hash: string): string => keptAssertion(this.ctx, assertion, hash).hash
    const hash = run(hashUserAssertion(assertion), this.interpret)
    return hash instanceof Promise ? hash.then(remember) : remember(hash)
  }

  /**
   * MSAL Python's acquire_token_by_user_federated_identity_credential: an agent trades its
   * federated identity credential (`assertion`) for a token of the user named by `username`
   * (UPN) or `userObjectId`. The tokens are filed with the user's account.
   */
  acquireTokenByUserFederatedIdentityCredential(scopes: readonly string[], assertion: string, options: UserFederatedIdentityCredentialOptions): Promise<TokenResult> {
    return this.withOptions('acquireTokenByUserFederatedIdentityCredential', options, USER_FIC_OPTIONS, (checked) =>
      this.userOperation(() => acquireTokenByUserFederatedIdentityCredential(this.ctx, scopes, assertion, checked)),
    )
  }

  /**
   * Forgets every token this app acquired for itself (MSAL Python's remove_tokens_for_client).
   * With a persisted cache, resolves once the removal is stored.
   */
  removeTokensForClient(): Promise<void> {
    return this.cacheOperation(
      () => this.appCacheContext,
      () => {
        run(removeTokensForClient(this.ctx), this.interpret)
      },
    )
  }
}
