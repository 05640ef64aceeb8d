import type { CacheOperation } from '../cache/operations.js'
import type { ApiId } from '../http/telemetry.js'

/**
 * What a flow changes besides what it returns, as data. Flows yield these (the Commit effect);
 * the application shell applies them, in order, with `applyStateChange`: the token cache's
 * operations through its reducer (and its journal, so a persistence's merge decides them again),
 * the rest into the application's state.
 */
export type StateChange =
  | CacheOperation
  /** A token request went to the identity provider and got an answer: `error` names a failure; none clears the buffer. */
  | { readonly _tag: 'ServerAnswered'; readonly api: ApiId; readonly correlationId: string; readonly error: string | undefined }
  /** A call was answered from the cache (reported in the next request's telemetry). */
  | { readonly _tag: 'CacheHit' }
  /** A domain-named authority's tenant (lower-cased) has this tenant id. */
  | { readonly _tag: 'TenantIdLearned'; readonly tenant: string; readonly tenantId: string }
  /** The certificate signed an assertion for this token endpoint; reused for up to 540 s. `mintedAtSec` in epoch seconds. */
  | { readonly _tag: 'AssertionSigned'; readonly tokenEndpoint: string; readonly assertion: string; readonly mintedAtSec: number }
  /** The token endpoint refused a reused assertion: it gets a fresh one every time from now on. */
  | { readonly _tag: 'AssertionReuseRefused'; readonly tokenEndpoint: string }
  /** Region detection's answer (null: no region), found once per application. */
  | { readonly _tag: 'RegionDetected'; readonly region: string | null }
  /**
   * Instance discovery failed to connect while a region is configured: as MSAL Python, the
   * application validates its authority without it from now on.
   */
  | { readonly _tag: 'InstanceDiscoverySkipped' }
