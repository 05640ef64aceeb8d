import type { TokenCache } from '../cache/tokenCache.js'
import { prepareBucket, type AccessTokenBucket } from '../cache/tokenStore.js'
import type { HttpCache } from '../http/httpCache.js'
import type { PlatformInfo } from '../http/telemetry.js'
import type { ManagedIdentityId } from './identity.js'

/**
 * Where managed identity tokens are cached: MSAL Python files them under the realm
 * `managed_identity` and, since 1.35, the environment `localhost` (1.34 used the machine's fully
 * qualified domain name, whose lookup could take seconds).
 */
export const MANAGED_IDENTITY_ENVIRONMENT = 'localhost'
export const MANAGED_IDENTITY_REALM = 'managed_identity'

/** A managed identity client's validated configuration. */
export interface ManagedIdentityConfig {
  /** The checked identity whose tokens are asked for. */
  readonly identity: ManagedIdentityId
  /** Sent to Service Fabric as `xms_cc` (MSAL Python's client_capabilities), e.g. ["CP1"]. */
  readonly clientCapabilities: readonly string[]
  /** Retry transient failures (MSAL for Node's policies); false: one request per call, as MSAL Python. */
  readonly retries: boolean
}

/** What a managed identity flow reads: its configuration, who is calling, the caches, and values derived once. */
export interface ManagedIdentityContext {
  /** The managed identity client's validated configuration. */
  readonly config: ManagedIdentityConfig
  /** `os` is the platform (Node's platform name): Azure Arc's files depend on it. */
  readonly platform: PlatformInfo
  /** The token cache; tokens are filed under environment "localhost" and realm "managed_identity", as MSAL Python files them. */
  readonly tokenCache: TokenCache
  /** Where throttling decisions are kept. */
  readonly httpCache: HttpCache
  /** The identity's cache bucket, its key computed once (every call looks there). */
  readonly buckets: readonly AccessTokenBucket[]
}

export interface ManagedIdentityContextInput {
  readonly config: ManagedIdentityConfig
  readonly platform: PlatformInfo
  readonly tokenCache: TokenCache
  readonly httpCache: HttpCache
}

export const createManagedIdentityContext = (input: ManagedIdentityContextInput): ManagedIdentityContext => ({
  ...input,
  buckets: [
    prepareBucket({
      clientId: input.config.identity.cacheClientId,
      environment: MANAGED_IDENTITY_ENVIRONMENT,
      realm: MANAGED_IDENTITY_REALM,
      homeAccountId: null,
    }),
  ],
})
