import * as E from '../util/either.js'
import type { CacheAccessContext } from '../cache/persistence.js'
import { CACHE_OPERATION_TAGS, type CacheOperation } from '../cache/operations.js'
import type { TokenCache } from '../cache/tokenCache.js'
import type { Effect } from '../effects/effect.js'
import { log } from '../effects/program.js'
import { answererOf } from '../effects/layers.js'
import { run, type Interpret } from '../effects/run.js'
import { SingleFlight } from '../effects/singleFlight.js'
import { isMsalError } from '../errors.js'
import { errorSummary } from '../wireErrors.js'
import { acquireTokenForManagedIdentity, managedIdentitySource, type ManagedIdentityTokenOptions } from '../flows/managedIdentity.js'
import type { HttpCache } from '../http/httpCache.js'
import { createManagedIdentityContext, MANAGED_IDENTITY_ENVIRONMENT, MANAGED_IDENTITY_REALM, type ManagedIdentityConfig, type ManagedIdentityContext } from '../managedIdentity/context.js'
import { systemAssignedManagedIdentity, type ManagedIdentity } from '../managedIdentity/identity.js'
import type { ManagedIdentitySource } from '../managedIdentity/sources.js'
import type { TokenResult } from '../result.js'
import type { ClientAppRuntime, Outcome } from './ClientApplication.js'
import { runsAlone, settleAlone } from './runAlone.js'
import { flightKey, settled } from './settle.js'
import { withPersistence, type PersistenceHooks } from './withPersistence.js'

/** An interpreter that files the flows' cache operations in `cache` and hands every other effect to `inner`. */
const withTokenCache = (cache: TokenCache, inner: Interpret): Interpret => {
  // A hit's time and correlation id straight from the layer that answers them (see withAppState).
  const now = answererOf(inner, 'Now')
  const randomBytes = answererOf(inner, 'RandomBytes')
  return (effect: Effect) => {
    switch (effect._tag) {
      case 'Commit':
        // Managed identity flows commit only cache operations (no telemetry goes to a source).
        if (CACHE_OPERATION_TAGS.has(effect.change._tag)) cache.perform(effect.change as CacheOperation)
        return undefined
      case 'Now':
        return now(effect)
      case 'RandomBytes':
        return randomBytes(effect)
      default:
        return inner(effect)
    }
  }
}

/** Which managed identity calls are identical (see flightKey). */
const miFlightKey = (options: ManagedIdentityTokenOptions | undefined): string => flightKey(options?.resource, options?.claimsChallenge)

/**
 * MSAL Python's ManagedIdentityClient, on any runtime: tokens for the identity Azure gave the
 * host (a VM, App Service, Functions, Automation, Machine Learning, Service Fabric, an Arc
 * server, Cloud Shell), with no secret. The source is the one the environment names at each
 * call. Methods return Promises and reject with an MsalError.
 */
export class ManagedIdentityClient {
  /** The identity, in MSAL Python's dict form. */
  readonly managedIdentity: ManagedIdentity
  /** Where its tokens are kept. */
  readonly tokenCache: TokenCache
  /** Where throttling decisions are kept. */
  readonly httpCache: HttpCache
  protected readonly ctx: ManagedIdentityContext
  /** The runtime's interpreter, with the flows' cache operations applied. */
  protected readonly interpret: Interpret
  private readonly flights = new SingleFlight<Outcome>()
  /** The persistence's view of this identity's tokens (one partition), made once: a cache hit allocates none of this. */
  private readonly contextOf: () => CacheAccessContext
  private readonly storeHooks: PersistenceHooks<Outcome> = { onStoreFailure: (error) => this.logStoreFailure(error) }

  constructor(config: ManagedIdentityConfig, runtime: ClientAppRuntime) {
    const { identity } = config
    this.managedIdentity =
      identity.idType === 'SystemAssigned' ? systemAssignedManagedIdentity() : { ManagedIdentityIdType: identity.idType, Id: identity.id }
    this.tokenCache = runtime.tokenCache
    this.httpCache = runtime.httpCache
    this.ctx = createManagedIdentityContext({ config, platform: runtime.platform, tokenCache: runtime.tokenCache, httpCache: runtime.httpCache })
    this.interpret = withTokenCache(runtime.tokenCache, runtime.interpret)
    const cacheContext: CacheAccessContext = { clientId: identity.cacheClientId ?? '', environment: MANAGED_IDENTITY_ENVIRONMENT, realm: MANAGED_IDENTITY_REALM }
    this.contextOf = () => cacheContext
  }

  /**
   * A token of the identity for `resource` (MSAL Python's acquire_token_for_client): from the
   * cache when one has 300 s left (one past its refresh_on is refreshed, and returned if that
   * fails), else from the source. `claimsChallenge` skips the cache. Identical concurrent calls
   * share one request. Rejects with a UsageError for a bad resource, a ManagedIdentityError when
   * the environment or the source's challenge is wrong, a ServerError or ThrottledError in the
   * source's words, a NetworkError or TimeoutError.
   */
  acquireTokenForClient(options: ManagedIdentityTokenOptions): Promise<TokenResult> {
    const flights = this.flights
    const program = acquireTokenForManagedIdentity(this.ctx, options)
    if (runsAlone(this.tokenCache, flights)) return settleAlone(flights, program, this.interpret, miFlightKey, options, undefined, undefined)
    return settled(() => flights.do(() => miFlightKey(options), () => withPersistence(this.tokenCache, this.contextOf, () => run(program, this.interpret), this.storeHooks)))
  }

  /**
   * MSAL Python's get_managed_identity_source(): which source the environment names now, one of
   * ManagedIdentitySource's values (DEFAULT_TO_VM when none of the others).
   */
  getManagedIdentitySource(): Promise<ManagedIdentitySource> {
    return settled(() => {
      const source = run(managedIdentitySource(this.ctx), this.interpret)
      return source instanceof Promise ? source.then((s) => E.right(s)) : E.right(source)
    })
  }

  private logStoreFailure(error: unknown): void | Promise<void> {
    const summary = isMsalError(error) ? errorSummary(error) : 'an error'
    const logged = run(log('warning', `the token cache could not be stored (${summary}); the token is returned and the change is kept for the next store`), this.interpret)
    return logged instanceof Promise ? logged.then(() => undefined) : undefined
  }
}
