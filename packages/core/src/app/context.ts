import { environmentAliases } from '../authority/aliases.js'
import type { AccessTokenEntity } from '../cache/schema.js'
import type { KeptHit } from '../cache/keptHit.js'
import type { SilentAccount } from '../flows/silentCache.js'
import type { FamilyRefresh } from '../flows/family.js'
import { oboBucketPrefix, prepareBucket, type AccessTokenBucket, type TokenStore } from '../cache/tokenStore.js'
import type { HttpCache } from '../http/httpCache.js'
import { emptyTelemetry, type PlatformInfo, type TelemetryBuffer } from '../http/telemetry.js'
import type { ClientConfig } from './config.js'
import type * as E from '../util/either.js'
import type { Program } from '../effects/program.js'
import type { MsalError } from '../errors.js'
import type { TokenResult } from '../result.js'
import type { InstanceDiscoveryStep } from '../authority/resolveEndpoints.js'
import type { ClientAuthenticator } from '../flows/clientAuthenticator.js'

/** A signed client assertion kept for reuse. */
export interface KeptAssertion {
  /** The signed client assertion, a compact JWT (RFC 7523 §2.2). */
  readonly assertion: string
  /** When it was signed, in epoch seconds. */
  readonly mintedAtSec: number
}

/**
 * What an application learned and keeps between calls. Flows read it; only `applyStateChange`
 * changes it, from the StateChange values flows commit.
 */
export interface AppState {
  /** Telemetry not yet reported to the identity provider. */
  readonly telemetry: TelemetryBuffer
  /**
   * Tenant ids learned from ID tokens, by the tenant name (a domain, lower-cased) an authority
   * used: user tokens are filed under the id, so a silent call through a domain-named authority
   * finds them.
   */
  readonly tenantIds: ReadonlyMap<string, string>
  /** The certificate's last signed assertion per token endpoint, reused for up to 540 s (as MSAL). */
  readonly assertions: ReadonlyMap<string, KeptAssertion>
  /** Token endpoints that refused a reused assertion: they get a fresh one every time. */
  readonly assertionReuseRefused: ReadonlySet<string>
  /** Region detection's result: a region, null for none, undefined before the first detection. */
  readonly detectedRegion: string | null | undefined
  /** Instance discovery could not be reached with a region configured: the authority is validated without it (MSAL Python's fallback). */
  readonly instanceDiscoverySkipped: boolean
}

/**
 * Values derived from the cache and kept to make hits cheap; recomputed at will, so they are not
 * state (a lost memo costs time, never correctness).
 */
export interface ContextMemo {
  /** Silent lookups' prepared buckets, by home account id (see flows/silent.ts). Bounded. */
  readonly silentBuckets: Map<string, KeptBuckets>
  /** Client-credential lookups' prepared buckets, FMI cache key and last hit, by fmi_path (see flows/clientCredentials.ts). Bounded. */
  readonly fmiPaths: Map<string, FmiPathMemo>
  /**
   * On-behalf-of: each incoming assertion's hash and prepared buckets, by the assertion itself (a
   * bearer token: the context is concealed from printing). One map, so a hit probes one cold table
   * (see flows/onBehalfOf.ts). Bounded, oldest forgotten first.
   */
  readonly oboAssertions: Map<string, OboAssertionMemo>
}

/** What an app keeps for an incoming on-behalf-of assertion. */
export interface OboAssertionMemo {
  /** The assertion's hash (hashUserAssertion: MSAL for Node's user_assertion_hash), computed once. */
  readonly hash: string
  /** The buckets its tokens are filed in, one per environment, made on its first lookup. */
  buckets: readonly AccessTokenBucket[] | undefined
}

/** An account's silent buckets, and what they were made for. */
export interface KeptBuckets {
  /** The account's realm (getAccounts' `realm`) they were made with. */
  readonly realm: string | undefined
  /** The tenant id learned for the authority's tenant name then (see AppState.tenantIds). */
  readonly learned: string | undefined
  /** Whether they were made for a look in the cache alone or for a call that may go to the network (see flows/silent.ts). */
  readonly reach: 'cache' | 'network'
  readonly buckets: readonly AccessTokenBucket[]
}

/**
 * What an app keeps for an FMI path: its buckets, one per environment, each with the path's cache
 * key (MSAL Python's ext_cache_key, a hash of the path), and the token its last cache hit found
 * (a KeptHit: a path's calls ask for the same scopes, so a hit reads this object and the token).
 */
export interface FmiPathMemo extends KeptHit {
  readonly buckets: readonly AccessTokenBucket[]
  /** MSAL Python's ext_cache_key for the path. */
  readonly extCacheKey: string
}

/** How many entries each memo keeps before it starts over (a memo only saves time; losing it costs none of correctness). */
export const MEMO_LIMIT = 1024

/**
 * Everything a flow needs about the application: its configuration, who is calling, the caches it
 * reads, and the state it keeps between calls. Flows read this; they change it only by
 * committing StateChange values, and never perform I/O.
 */
export interface ClientContext {
  /** The application's validated configuration. */
  readonly config: ClientConfig
  /** Who is calling: sent as x-client-sku, x-client-ver and x-client-os. */
  readonly platform: PlatformInfo
  /** The unified token cache the application reads and (by committed operations) writes. */
  readonly tokenCache: TokenStore
  /** Discovery answers and throttling decisions, with their expiry. */
  readonly httpCache: HttpCache
  /** What the application learned between calls; changed only by `applyStateChange`. */
  readonly state: AppState
  /** Values derived from the cache to make hits cheap; never state. */
  readonly memo: ContextMemo
  /** How the application authenticates itself at the token endpoint; undefined for a public client (not at all: see authenticatorOf). */
  readonly clientAuthentication: ClientAuthenticator | undefined
  /** How an Entra host MSAL does not know is validated (absent: such a host is a ConfigurationError). */
  readonly instanceDiscovery?: InstanceDiscoveryStep | undefined
  /** How a Cloud Shell account gets a token (MSAL Python's classes; absent in a browser app). */
  readonly cloudShellTokens?: CloudShellTokens | undefined
  /** The family-of-client-ids rules of a silent refresh (MSAL Python's classes; absent in a browser app: its own refresh tokens only). */
  readonly familyRefresh?: FamilyRefresh | undefined
  /** The authority's host, then its aliases: where cached tokens may be filed. */
  readonly environments: readonly string[]
  /**
   * Where this app's own tokens live, one bucket per environment, keys computed once (every
   * call looks there).
   */
  readonly appTokenBuckets: readonly AccessTokenBucket[]
  /** On-behalf-of buckets' keys but for the assertion hash, per environment (see flows/onBehalfOf.ts). */
  readonly oboBucketPrefixes: readonly string[]
}

export interface ClientContextInput {
  /** The application's validated configuration. */
  readonly config: ClientConfig
  /** Who is calling: sent as x-client-sku, x-client-ver and x-client-os. */
  readonly platform: PlatformInfo
  /** The unified token cache the application uses. */
  readonly tokenCache: TokenStore
  /** Where discovery answers and throttling decisions are kept. */
  readonly httpCache: HttpCache
  /** Default: a public client's (no authentication). Confidential clients pass theirs. */
  readonly clientAuthentication?: ClientAuthenticator | undefined
  /** Instance discovery (discoverInstance, or regionTolerantDiscovery); MSAL Python's classes pass it, a browser app does not. */
  readonly instanceDiscovery?: InstanceDiscoveryStep | undefined
  /** Cloud Shell's tokens for its accounts; MSAL Python's classes pass them. */
  readonly cloudShellTokens?: CloudShellTokens | undefined
  /** Refresh tokens shared by Microsoft's family of client ids (familyRefresh); MSAL Python's classes pass them. */
  readonly familyRefresh?: FamilyRefresh | undefined
}

/**
 * A silent call's answer for a Cloud Shell account (see flows/cloudShell.ts: Cloud Shell is asked
 * again; `aging` is the cached token past its refresh_on returned if that fails), injected so a
 * browser bundle leaves it out.
 */
export type CloudShellTokens = (
  ctx: ClientContext,
  scopes: readonly string[],
  account: SilentAccount,
  aging: AccessTokenEntity | undefined,
  correlationId: string,
  nowSec: number,
) => Program<E.Either<MsalError, TokenResult>>

/** An application's state before its first call. */
export const initialAppState = (): AppState => ({
  telemetry: emptyTelemetry,
  tenantIds: new Map(),
  assertions: new Map(),
  assertionReuseRefused: new Set(),
  detectedRegion: undefined,
  instanceDiscoverySkipped: false,
})

/** A context for one application, with the values derived from its configuration. */
export const createClientContext = (input: ClientContextInput): ClientContext => {
  const environments = environmentAliases(input.config.authority.host)
  return {
    config: input.config,
    platform: input.platform,
    tokenCache: input.tokenCache,
    httpCache: input.httpCache,
    state: initialAppState(),
    memo: { silentBuckets: new Map(), fmiPaths: new Map(), oboAssertions: new Map() },
    clientAuthentication: input.clientAuthentication,
    instanceDiscovery: input.instanceDiscovery,
    cloudShellTokens: input.cloudShellTokens,
    familyRefresh: input.familyRefresh,
    environments,
    oboBucketPrefixes: environments.map((environment) => oboBucketPrefix(input.config.clientId, environment)),
    appTokenBuckets: environments.map((environment) =>
      prepareBucket({ clientId: input.config.clientId, environment, realm: input.config.authority.tenant, homeAccountId: null }),
    ),
  }
}
