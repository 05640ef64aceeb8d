import { environmentAliases } from '../authority/aliases.js'
import type { RegionState } from '../authority/region.js'
import type { IdTokenClaims } from '../cache/accountOf.js'
import type { IdTokenEntity } from '../cache/schema.js'
import type { TokenCache } from '../cache/tokenCache.js'
import { oboBucketPrefix, prepareBucket, type AccessTokenBucket } from '../cache/tokenStore.js'
import type { HttpCache } from '../http/httpCache.js'
import { emptyTelemetry, type PlatformInfo, type TelemetryBuffer } from '../http/telemetry.js'
import type { ClientConfig } from './config.js'

/**
 * Everything a flow needs about the application: its configuration, who is calling, and the
 * in-memory state that outlives one call (token cache, http cache, telemetry buffer).
 * Flows read and update this state; they never perform I/O.
 */
export interface ClientContext {
  readonly config: ClientConfig
  readonly platform: PlatformInfo
  readonly tokenCache: TokenCache
  readonly httpCache: HttpCache
  readonly telemetry: { current: TelemetryBuffer }
  /** The authority's host, then its aliases: where cached tokens may be filed. */
  readonly environments: readonly string[]
  /**
   * Where this app's own tokens live, one bucket per environment, keys computed once (every
   * call looks there).
   */
  readonly appTokenBuckets: readonly AccessTokenBucket[]
  /** Region detection's result, found once per application. */
  readonly region: RegionState
  /**
   * Tenant ids learned from ID tokens, by the tenant name (a domain) an authority used: user
   * tokens are filed under the id, so a silent call through a domain-named authority finds them.
   */
  readonly tenantIds: Map<string, string>
  /** Silent lookups' prepared buckets, per account (see flows/silent.ts). */
  readonly silentBuckets: Map<string, readonly AccessTokenBucket[]>
  /** ID tokens' claims, decoded once per cache entry (entries are replaced, never mutated). */
  readonly decodedIdTokens: WeakMap<IdTokenEntity, IdTokenClaims | undefined>
  /** The certificate's last signed assertion per token endpoint, reused for up to 540 s (as MSAL). */
  readonly assertions: Map<string, { readonly assertion: string; readonly mintedAtSec: number }>
  /** On-behalf-of buckets' keys but for the assertion hash, per environment (see flows/onBehalfOf.ts). */
  readonly oboBucketPrefixes: readonly string[]
  /** Token endpoints that refused a reused assertion: they get a fresh one every time. */
  readonly assertionReuseRefused: Set<string>
}

export interface ClientContextInput {
  readonly config: ClientConfig
  readonly platform: PlatformInfo
  readonly tokenCache: TokenCache
  readonly httpCache: HttpCache
}

/** A context for one application, with the values derived from its configuration. */
export const createClientContext = (input: ClientContextInput): ClientContext => {
  const environments = environmentAliases(input.config.authority.host)
  return {
    ...input,
    telemetry: { current: emptyTelemetry },
    region: {},
    tenantIds: new Map(),
    silentBuckets: new Map(),
    decodedIdTokens: new WeakMap(),
    assertions: new Map(),
    oboBucketPrefixes: environments.map((environment) => oboBucketPrefix(input.config.clientId, environment)),
    assertionReuseRefused: new Set(),
    environments,
    appTokenBuckets: environments.map((environment) =>
      prepareBucket({ clientId: input.config.clientId, environment, realm: input.config.authority.tenant, homeAccountId: null }),
    ),
  }
}
