/**
 * @msal-ts/core/protocol: the sans-I/O building blocks under the flows, for those who write
 * their own flows, interpreters or identity-provider fakes (as `@msal-ts/testing` does). Each
 * is a pure function: builders return request descriptions, processors take responses and
 * return an Either, reducers return cache changes.
 */

// ---- Effect constructors, for writing Programs ----
export { http, now, randomBytes, sha256, sleep, readEnv, readFile, fileExists, log, pure, signJwt, clientAssertion, popKey, signPop, commit } from './effects/program.js'

// ---- Authorities and discovery ----
export { builtInEndpoints, entraEndpoints, openIdConfigurationUrl, type AuthorityEndpoints } from './authority/endpoints.js'
export { processOpenIdConfiguration } from './authority/openIdConfiguration.js'
export { resolveEndpoints, type AuthorityContext, type InstanceDiscoveryStep } from './authority/resolveEndpoints.js'
export {
  needsInstanceDiscovery,
  buildInstanceDiscoveryRequest,
  processInstanceDiscovery,
  discoverInstance,
  DEFAULT_INSTANCE_DISCOVERY_ENDPOINT,
  type AuthorityValidation,
  type InstanceDiscovery,
} from './authority/instanceDiscovery.js'
export { resolveRegion, detectRegion, regionalEndpoints, regionalHost, isValidRegion, IMDS_LOCATION_URL, IMDS_PROBE_TIMEOUT_MS, type RegionSetting } from './authority/region.js'
export { KNOWN_MICROSOFT_HOSTS, isKnownMicrosoftHost } from './authority/knownHosts.js'
export { environmentAliases, preferredNetwork, preferredCache, CLOUD_ALIAS_GROUPS, type CloudAliasGroup } from './authority/aliases.js'

// ---- Requests and responses ----
export { validateScopes, scopesToTarget, targetToScopes } from './protocol/scopes.js'
export { mergeClaimsAndCapabilities } from './protocol/claims.js'
export { decorateScopes, undecoratedScopes, validateExcludeScopes, RESERVED_SCOPES } from './protocol/scopeDecoration.js'
export { createPkce, randomValue, hashedNonce, type Pkce } from './protocol/pkce.js'
export { validateIdToken, ID_TOKEN_SKEW_SECONDS, type IdTokenExpectations, type CheckedIdToken } from './protocol/idToken.js'
export { buildAuthorizationUrl, isResponseType, type AuthorizationRequest } from './protocol/authorizationUrl.js'
export {
  buildAuthorizationCodeRequest,
  buildRefreshTokenRequest,
  buildPasswordRequest,
  buildSamlBearerRequest,
  buildOnBehalfOfRequest,
  buildUserFicRequest,
  type UserGrantBase,
} from './protocol/userGrants.js'
export { assertionAuth, JWT_BEARER_ASSERTION_TYPE, NO_CLIENT_AUTH, SECRET_FORM_FIELDS, secretAuth, withClientAuth, type ClientAuth } from './protocol/clientAuth.js'
export { ASSERTION_LIFETIME_SECONDS, ASSERTION_REUSE_SECONDS, buildAssertionClaims, buildAssertionHeader } from './protocol/clientAssertion.js'
export { clientAuthFor, sendAuthenticated } from './flows/clientAuthentication.js'
export { extractCertificates, notAPrivateKeyProblem, notACertificateProblem, signingKeyProblem, MIN_RSA_MODULUS_BITS } from './credentials/pem.js'
export { hexThumbprintToBase64Url } from './credentials/thumbprints.js'
export { buildClientCredentialsRequest, type ClientCredentialsRequestInput } from './protocol/clientCredentials.js'
export { checkPopAuthScheme, resourceUrlProblem } from './pop/popAuthScheme.js'
export { reqCnfOf, shrUrlParts, shrHeader, shrClaims, type ShrUrlParts, type ShrClaimsInput } from './pop/signedHttpRequest.js'
export {
  bindingOf,
  checkKeyBoundData,
  prepareBinding,
  preparerOf,
  checkPopResponse,
  presentPop,
  withTokenBinding,
  type TokenBinding,
} from './pop/tokenBinding.js'
export { withPreparedBinding, keyBindingNotConfigured, type BoundRequest, type PrepareBinding } from './pop/binding.js'
export { spaBindingOf, spaPreparerOf } from './pop/spaBinding.js'
export { processTokenResponse, processJsonResponse, TokenSuccessResponse, TokenErrorResponse, MAX_LIFETIME_SECONDS, MAX_EPOCH_SECONDS, type ResponseContext } from './protocol/tokenResponse.js'
export {
  buildDeviceAuthorizationRequest,
  buildDeviceCodeTokenRequest,
  processDeviceAuthorizationResponse,
  isPollAgainError,
  DEVICE_CODE_GRANT_TYPE,
  DEFAULT_POLL_INTERVAL_SECONDS,
  DEFAULT_DEVICE_CODE_LIFETIME_SECONDS,
  SLOW_DOWN_SECONDS,
  MAX_POLL_INTERVAL_SECONDS,
  pollIntervalSeconds,
  type DeviceAuthorization,
} from './protocol/deviceCode.js'
export { validateAuthorizationOptions } from './flows/authCode.js'
export { redeemUserToken, requestHeaders, anchorMailboxFor, defaultRetryAfterMs, type UserTokenRedemption } from './flows/userTokens.js'
export { userEndpoints } from './flows/userEndpoints.js'
export { newCorrelationId } from './flows/correlation.js'
export { logError } from './flows/logging.js'
export { resultFromCache } from './result.js'
export { resultFromResponse } from './responseResult.js'

// ---- Managed identity: each source's request and answer, Azure Arc's key-file rule, retry tables ----
export {
  ManagedIdentitySource,
  ENVIRONMENT_VARIABLES,
  sourceOf,
  detectSource,
  arcAgentPath,
  type SourceEnvironment,
  type DetectedSource,
  type EnvironmentVariable,
} from './managedIdentity/sources.js'
export {
  buildManagedIdentityRequest,
  endpointFrom,
  SOURCE_SPECS,
  IMDS_TOKEN_PATH,
  DEFAULT_IMDS_HOST,
  DEFAULT_ARC_ENDPOINT,
  CLOUD_SHELL_ENDPOINT,
  type ManagedIdentityRequestInput,
  type BuiltRequest,
  type Caller,
} from './managedIdentity/requests.js'
export {
  processManagedIdentityResponse,
  normaliseToken,
  SERVICE_FABRIC_ERRORS,
  PROACTIVE_REFRESH_THRESHOLD_SECONDS,
  DEFAULT_MANAGED_IDENTITY_RETRY_AFTER_MS,
  type ManagedIdentityAnswer,
} from './managedIdentity/responses.js'
export { parseExpiresOn, parseSeconds } from './managedIdentity/expiresOn.js'
export { arcChallengePath, arcKeyFilePath, arcKeyFolder, arcSecretOf, confirmArcIdentity, ARC_KEY_FILE_MAX_BYTES } from './managedIdentity/arc.js'
export { retryDelayMs, IMDS_RETRY_POLICY, DEFAULT_RETRY_POLICY, NO_RETRY_POLICY, RETRY_POLICIES, type RetryPolicy } from './managedIdentity/retry.js'
export { sendManagedIdentityRequest, MAX_RETRY_WAIT_MS } from './managedIdentity/send.js'
export { parseManagedIdentity, SYSTEM_ASSIGNED_CACHE_CLIENT_ID, type ManagedIdentityId } from './managedIdentity/identity.js'
export { createManagedIdentityContext, MANAGED_IDENTITY_ENVIRONMENT, MANAGED_IDENTITY_REALM, type ManagedIdentityContext, type ManagedIdentityConfig } from './managedIdentity/context.js'
export { resourceOf, managedIdentitySource } from './flows/managedIdentity.js'

// ---- Cloud Shell's user tokens (MSAL Python's PublicClientApplication in Azure Cloud Shell) ----
export {
  buildCloudShellRequest,
  processCloudShellResponse,
  scopeToResource,
  isCloudShell,
  CLOUD_SHELL_TOKEN_ENDPOINT,
  CLOUD_SHELL_VARIABLE,
  type CloudShellTokens,
} from './protocol/cloudShell.js'
export { runningInCloudShell, CLOUD_SHELL_AUTHORITY_TYPE } from './flows/cloudShell.js'
export { familyRefresh, type FamilyRefresh } from './flows/family.js'
export { regionTolerantDiscovery } from './flows/regionFallback.js'

// ---- The token cache's schema, keys, reducers and selectors ----
export {
  AccessTokenEntity as AccessTokenCodec,
  RefreshTokenEntity as RefreshTokenCodec,
  IdTokenEntity as IdTokenCodec,
  AccountEntity as AccountCodec,
  AppMetadataEntity as AppMetadataCodec,
  EpochSecondsString,
  isAccessTokenEntity,
  userAssertionHashOf,
} from './cache/schema.js'
export { accessTokenKey, refreshTokenKey, idTokenKey, accountKey, appMetadataKey, canonicalKey, keyFor } from './cache/keys.js'
export { KeptKeys } from './cache/keptKeys.js'
export { noChange, isEmptyChange } from './cache/change.js'
export { reduceCacheOperation, type FileResponse } from './cache/operations.js'
export { TokenStore } from './cache/tokenStore.js'
export { reduceTokenResponse, fileTokenResponse, accessTokenEntityOf, ACCOUNT_SOURCES, type TokenResponseEvent } from './cache/filing.js'
export { removeClientTokens, removeRefreshToken, removeAccount, type AccountToRemove } from './cache/reducers.js'
export {
  selectAccessToken,
  selectAccessTokenIn,
  selectRefreshTokens,
  selectAppMetadata,
  selectIdToken,
  accountOf,
  EXPIRY_MARGIN_SECONDS,
  type AccessTokenQuery,
  type AccessTokenLookup,
  type RefreshTokenQuery,
} from './cache/selectors.js'
export { decodeIdTokenClaims, decodeClientInfo, homeAccountIdOf, type ClientInfo } from './cache/accountOf.js'
export { tokenResponseEventOf } from './cache/events.js'
export { searchCache } from './cache/search.js'
export { parseCache, decodeEntry, MAX_CACHE_DEPTH, MAX_CACHE_TEXT_LENGTH, tooLong as tooLongCacheText, type ParsedCache } from './cache/serialization.js'

// ---- HTTP policy ----
export { HTTP_CACHE_FORMAT, getRequestKey } from './http/httpCache.js'
export { sendThrottled, throttleKeysOf, throttleDecision, DEFAULT_RETRY_AFTER_MS, type ThrottleKeys } from './http/throttling.js'
export { sendWithRetry, transportError } from './http/send.js'
export { cachedGet, DISCOVERY_TTL_MS } from './http/cachedGet.js'
export { parseRetryAfter, MAX_RETRY_AFTER_MS } from './http/retryAfter.js'
export {
  ApiId,
  RefreshReason,
  libraryHeaders,
  telemetryHeaders,
  recordCacheHit,
  recordServerAnswer,
  emptyTelemetry,
  type TelemetryBuffer,
} from './http/telemetry.js'

// ---- Errors' details and text ----
export { isTransportError } from './errors.js'
export { classifySuberror, withCorrelationId, idTokenError } from './wireErrors.js'
export { redactUrl, redactUrlsIn, redactSecretsIn, originOf, REDACTED_USERNAME, REDACTED_SECRET } from './util/redact.js'
export { decodeOr, formatProblem, parseJson, type Problem } from './util/decode.js'
export * as decoders from './util/decoder.js'
export { refined, NonEmptyString, functionType, instanceOf, PositiveNumber } from './util/codecs.js'

// ---- fp-ts's Either, its constructors and guards without fp-ts's runtime ----
export * as either from './util/either.js'

// ---- Encodings ----
export { bytesToBase64Url, base64UrlToBytes, utf8Encode, utf8Decode, bytesToHex } from './util/base64url.js'
export { uuidFromBytes } from './util/uuid.js'
export { parseHttpDate } from './util/httpDate.js'

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
export { NODE_INSPECT, DENO_INSPECT, printed, conceal } from './util/printable.js'
export { secretsSentIn, scrubSecrets, withoutSecrets, withoutSecretsSentIn, MIN_SCRUBBED_LENGTH } from './http/scrub.js'
