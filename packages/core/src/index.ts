/**
 * @msal-ts/core: the pure protocol core. No I/O and no globals: flows are Programs that
 * describe the effects they need, and a runtime's interpreter performs them.
 */
export type { Effect, EffectResults, EffectTag, EffectOf, HttpRequest, HttpResponse, HttpFailure, HttpOutcome, LogLevel, AssertionOutcome } from './effects/effect.js'
export { perform, http, now, randomBytes, sha256, sleep, readEnv, log, pure, signJwt, clientAssertion, type Program } from './effects/program.js'
export { run, runToPromise, type Interpret } from './effects/run.js'
export { SingleFlight } from './effects/singleFlight.js'

export * from './errors.js'
export { MsalException, IdTokenError } from './exception.js'

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
export { decorateScopes, undecoratedScopes, validateExcludeScopes, RESERVED_SCOPES } from './protocol/scopeDecoration.js'
export { createPkce, randomValue, hashedNonce, type Pkce } from './protocol/pkce.js'
export { validateIdToken, ID_TOKEN_SKEW_SECONDS, type IdTokenExpectations, type CheckedIdToken } from './protocol/idToken.js'
export { buildAuthorizationUrl, type AuthorizationRequest } from './protocol/authorizationUrl.js'
export { buildAuthorizationCodeRequest, buildRefreshTokenRequest, buildPasswordRequest, buildSamlBearerRequest, buildOnBehalfOfRequest, buildUserFicRequest, type UserGrantBase } from './protocol/userGrants.js'
export {
  assertionAuth,
  JWT_BEARER_ASSERTION_TYPE,
  NO_CLIENT_AUTH,
  SECRET_FORM_FIELDS,
  secretAuth,
  withClientAuth,
  type ClientAuth,
  type ClientCredential,
} from './protocol/clientAuth.js'
export { ASSERTION_LIFETIME_SECONDS, ASSERTION_REUSE_SECONDS, buildAssertionClaims, buildAssertionHeader } from './protocol/clientAssertion.js'
export { clientAuthFor, sendAuthenticated, type ClientAuthentication } from './flows/clientAuthentication.js'
export {
  parseCredentialForm,
  type ClientAssertionCallback,
  type CredentialForm,
  type CredentialReader,
  type CredentialText,
} from './credentials/credentialForms.js'
export { extractCertificates, notAPrivateKeyProblem, notACertificateProblem, signingKeyProblem, MIN_RSA_MODULUS_BITS } from './credentials/pem.js'
export { hexThumbprintToBase64Url } from './credentials/thumbprints.js'
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
  userAssertionHashOf,
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
  accountOf,
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

export {
  decodeConfidentialClientConfig,
  decodePublicClientConfig,
  toConfigurationError,
  type ClientConfig,
  type ConfidentialClientConfig,
} from './app/config.js'
export { createClientContext, type ClientContext, type ClientContextInput } from './app/context.js'
export { acquireTokenForClient, removeTokensForClient, type ClientCredentialsOptions } from './flows/clientCredentials.js'
export {
  initiateAuthCodeFlow,
  acquireTokenByAuthCodeFlow,
  getAuthorizationRequestUrl,
  acquireTokenByAuthorizationCode,
  validateAuthorizationOptions,
  Prompt,
  type AuthCodeFlow,
  type AuthorizationRequestOptions,
  type AuthCodeRedemptionOptions,
  type AuthorizationCodeOptions,
  type ResponseMode,
} from './flows/authCode.js'
export { acquireTokenByRefreshToken } from './flows/refreshToken.js'
export {
  initiateDeviceFlow,
  acquireTokenByDeviceFlow,
  type DeviceFlow,
  type DeviceFlowOptions,
  type DeviceFlowRedemptionOptions,
  type AbortSignalLike,
} from './flows/deviceCode.js'
export {
  buildDeviceAuthorizationRequest,
  buildDeviceCodeTokenRequest,
  processDeviceAuthorizationResponse,
  isPollAgainError,
  DEVICE_CODE_GRANT_TYPE,
  DEFAULT_POLL_INTERVAL_SECONDS,
  DEFAULT_DEVICE_CODE_LIFETIME_SECONDS,
  SLOW_DOWN_SECONDS,
  type DeviceAuthorization,
} from './protocol/deviceCode.js'
export { acquireTokenByUsernamePassword, type UsernamePasswordOptions } from './flows/usernamePassword.js'
export { acquireTokenSilentWithError, type SilentOptions, type SilentAccount } from './flows/silent.js'
export { redeemUserToken, requestHeaders, anchorMailboxFor, defaultRetryAfterMs, type UserTokenRedemption } from './flows/userTokens.js'
export { userEndpoints } from './flows/userEndpoints.js'
export { newCorrelationId } from './flows/correlation.js'
export { logError } from './flows/logging.js'
export { resultFromCache, resultFromResponse, type TokenResult } from './result.js'

export { bytesToBase64Url, base64UrlToBytes, utf8Encode, utf8Decode, bytesToHex } from './util/base64url.js'
export { uuidFromBytes } from './util/uuid.js'
export { parseHttpDate } from './util/httpDate.js'
export { decodeOr, firstProblem, formatProblem, describeValue, parseJson, type Problem } from './util/decode.js'
export { redactUrl, redactUrlsIn, redactSecretsIn, originOf, REDACTED_USERNAME, REDACTED_SECRET } from './util/redact.js'
export { refined, NonEmptyString, functionType, instanceOf, PositiveNumber } from './util/codecs.js'

// ---- Federated users of the username/password flow: user realm, MEX, WS-Trust, SAML bearer ----
export {
  buildUserRealmRequest,
  processUserRealmResponse,
  parseMex,
  processMexResponse,
  mexUsernamePasswordEndpoints,
  buildWsTrustRequest,
  buildWsTrustRequestBody,
  wsuTimestamp,
  WS_TRUST_REQUEST_LIFETIME_MS,
  parseWsTrustResponse,
  processWsTrustResponse,
  buildSamlBearerGrantParams,
  encodeSamlAssertion,
  samlBearerGrantType,
  SAML11_BEARER_GRANT_TYPE,
  SAML2_BEARER_GRANT_TYPE,
  SAML11_TOKEN_TYPE,
  SAML20_TOKEN_TYPE,
  WS_TRUST_ACTION,
  MICROSOFT_ONLINE_AUDIENCE,
  NS as WS_TRUST_NAMESPACES,
  parseXml,
  escapeXml,
  isNamed,
  childNamed,
  select,
  selectAll,
  descendantsNamed,
  attributeOf,
  resolveQName,
  MAX_XML_DEPTH,
  type AccountType,
  type UserRealm,
  type WsTrustEndpoint,
  type WsTrustVersion,
  type WsTrustRequest,
  type WsTrustRequestInput,
  type WsTrustToken,
  type WsTrustFault,
  type WsTrustProblem,
  type SamlTokenType,
  type SamlBearerGrantType,
  type XmlElement,
  type XmlAttribute,
  type XmlName,
} from './protocol/wsTrust/index.js'
export { acquireTokenOnBehalfOf, hashUserAssertion, type OnBehalfOfOptions } from './flows/onBehalfOf.js'
export {
  acquireTokenByUserFederatedIdentityCredential,
  type UserFederatedIdentityCredentialOptions,
} from './flows/userFederatedIdentityCredential.js'
