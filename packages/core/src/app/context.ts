import type { AccessTokenBucket } from '../cache/tokenCache.js'
import { prepareBucket, type TokenCache } from '../cache/tokenCache.js'
import type { HttpCache } from '../http/httpCache.js'
import { emptyTelemetry, type PlatformInfo, type TelemetryBuffer } from '../http/telemetry.js'
import type { ConfidentialClientConfig } from './config.js'

/**
 * Everything a flow needs about the application: its configuration, who is calling, and the
 * in-memory state that outlives one call (token cache, http cache, telemetry buffer).
 * Flows read and update this state; they never perform I/O.
 */
export interface ClientContext {
  readonly config: ConfidentialClientConfig
  readonly platform: PlatformInfo
  readonly tokenCache: TokenCache
  readonly httpCache: HttpCache
  readonly telemetry: { current: TelemetryBuffer }
  /** Where this app's own tokens live in the cache, key computed once (every call looks there). */
  readonly appTokenBucket: AccessTokenBucket
}

export interface ClientContextInput {
  readonly config: ConfidentialClientConfig
  readonly platform: PlatformInfo
  readonly tokenCache: TokenCache
  readonly httpCache: HttpCache
}

/** A context for one application, with the values derived from its configuration. */
export const createClientContext = (input: ClientContextInput): ClientContext => ({
  ...input,
  telemetry: { current: emptyTelemetry },
  appTokenBucket: prepareBucket({
    clientId: input.config.clientId,
    environment: input.config.authority.host,
    realm: input.config.authority.tenant,
    homeAccountId: null,
  }),
})
