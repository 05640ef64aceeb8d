/**
 * @msal-ts/core: the pure protocol core. No I/O and no globals: flows are Programs that
 * describe the effects they need, and a runtime's interpreter performs them.
 */
export type { Effect, EffectResults, EffectTag, EffectOf, HttpRequest, HttpResponse, HttpFailure, HttpOutcome, LogLevel } from './effects/effect.js'
export { perform, http, now, randomBytes, sha256, sleep, readEnv, log, pure, type Program } from './effects/program.js'
export { run, runToPromise, type Interpret } from './effects/run.js'
export { SingleFlight } from './effects/singleFlight.js'

export * from './errors.js'
export { MsalException } from './exception.js'

export { parseAuthority, parseOidcAuthority, DEFAULT_AUTHORITY, type Authority, type AuthorityKind } from './authority/authority.js'
export { AuthorityBuilder, AZURE_PUBLIC, AZURE_CHINA, AZURE_US_GOVERNMENT } from './authority/builder.js'
export { builtInEndpoints, entraEndpoints, openIdConfigurationUrl, type AuthorityEndpoints } from './authority/endpoints.js'
export { processOpenIdConfiguration } from './authority/openIdConfiguration.js'
export { resolveEndpoints, type AuthorityContext } from './authority/resolveEndpoints.js'
export {
  needsInstanceDiscovery,
  buildInstanceDiscoveryRequest,
  processInstanceDiscovery,
  DEFAULT_INSTANCE_DISCOVERY_ENDPOINT,
  type AuthorityValidation,
  type InstanceDiscovery,
} from './authority/instanceDiscovery.js'
export {
  resolveRegion,
  detectRegion,
  regionalEndpoints,
  regionalHost,
  isValidRegion,
  IMDS_LOCATION_URL,
  IMDS_PROBE_TIMEOUT_MS,
  type RegionSetting,
  type RegionState,
} from './authority/region.js'
export { KNOWN_MICROSOFT_HOSTS, isKnownMicrosoftHost, isLoopbackHostname } from './authority/knownHosts.js'

export { validateScopes, scopesToTarget, targetToScopes } from './protocol/scopes.js'
export { mergeClaimsAndCapabilities } from './protocol/claims.js'
export { clientAuthFields, SECRET_FORM_FIELDS, type ClientCredential } from './protocol/clientAuth.js'
export { buildClientCredentialsRequest, type ClientCredentialsRequestInput } from './protocol/clientCredentials.js'
export {
  processTokenResponse,
  processJsonResponse,
  TokenSuccessResponse,
  TokenErrorResponse,
  type ResponseContext,
} from './protocol/tokenResponse.js'

export { TokenStore, CacheSections, bucketKey, prepareBucket, ownerKey, coversScopes, type IndexedAccessToken, type AccessTokenBucket } from './cache/tokenStore.js'
export { TokenCache, type TokenCacheOptions } from './cache/tokenCache.js'
export { SerializableTokenCache, type SerializableTokenCacheOptions } from './cache/serializableTokenCache.js'
export type { CachePersistence, CacheAccessContext } from './cache/persistence.js'
export { Collection, type Stored } from './cache/collection.js'
export {
  AccessTokenEntity,
  isAccessTokenEntity,
  RefreshTokenEntity,
  IdTokenEntity,
  AccountEntity,
  AppMetadataEntity,
  EpochSecondsString,
  CREDENTIAL_TYPES,
  type CredentialType,
  type EntityOf,
} from './cache/schema.js'
export { accessTokenKey, refreshTokenKey, idTokenKey, accountKey, appMetadataKey, canonicalKey, keyFor } from './cache/keys.js'
export { noChange, isEmptyChange, type CacheChange, type CachePut, type CacheDelete } from './cache/change.js'
export {
  reduceTokenResponse,
  accessTokenEntityOf,
  removeClientTokens,
  removeRefreshToken,
  removeAccount,
  ACCOUNT_SOURCES,
  type TokenResponseEvent,
  type AccountToRemove,
} from './cache/reducers.js'
export {
  selectAccessToken,
  selectAccessTokenIn,
  selectRefreshTokens,
  selectAppMetadata,
  selectIdToken,
  selectAccounts,
  EXPIRY_MARGIN_SECONDS,
  type Account,
  type AccessTokenQuery,
  type AccessTokenLookup,
  type RefreshTokenQuery,
} from './cache/selectors.js'
export { decodeIdTokenClaims, decodeClientInfo, homeAccountIdOf, type IdTokenClaims, type ClientInfo } from './cache/accountOf.js'
export { tokenResponseEventOf, type TokenCacheEvent } from './cache/events.js'
export { searchCache, type SearchOptions } from './cache/search.js'
export { parseCache, type ParsedCache } from './cache/serialization.js'
export { environmentAliases, preferredNetwork, preferredCache, CLOUD_ALIAS_GROUPS, type CloudAliasGroup } from './authority/aliases.js'

export { HttpCache, DEFAULT_HTTP_CACHE_CAPACITY, HTTP_CACHE_FORMAT, getRequestKey, type HttpCacheEntry } from './http/httpCache.js'
export { sendThrottled, throttleKeysOf, throttleDecision, DEFAULT_RETRY_AFTER_MS, type ThrottleKeys } from './http/throttling.js'
export { sendWithRetry, transportError } from './http/send.js'
export { cachedGet, DISCOVERY_TTL_MS } from './http/cachedGet.js'
export { parseRetryAfter } from './http/retryAfter.js'
export {
  ApiId,
  RefreshReason,
  libraryHeaders,
  telemetryHeaders,
  recordCacheHit,
  recordServerAnswer,
  emptyTelemetry,
  type PlatformInfo,
  type TelemetryBuffer,
} from './http/telemetry.js'

export { decodeConfidentialClientConfig, toConfigurationError, type ConfidentialClientConfig } from './app/config.js'
export { createClientContext, type ClientContext, type ClientContextInput } from './app/context.js'
export { acquireTokenForClient, removeTokensForClient, type ClientCredentialsOptions } from './flows/clientCredentials.js'
export { newCorrelationId } from './flows/correlation.js'
export { logError } from './flows/logging.js'
export { resultFromCache, resultFromResponse, type TokenResult } from './result.js'

export { bytesToBase64Url, base64UrlToBytes, utf8Encode, utf8Decode, bytesToHex } from './util/base64url.js'
export { uuidFromBytes } from './util/uuid.js'
export { parseHttpDate } from './util/httpDate.js'
export { decodeOr, firstProblem, formatProblem, describeValue, parseJson, type Problem } from './util/decode.js'
export { redactUrl, redactUrlsIn, redactSecretsIn, originOf, REDACTED_USERNAME, REDACTED_SECRET } from './util/redact.js'
export { refined, NonEmptyString, functionType, instanceOf, PositiveNumber } from './util/codecs.js'
