/**
 * @msal-ts/core: the pure protocol core. No I/O and no globals: flows are Programs that
 * describe the effects they need, a runtime's interpreter performs them, and the application
 * shell (the classes every runtime extends) turns them into Promises.
 *
 * The building blocks below the flows (grant builders, response processors, cache reducers and
 * selectors, WS-Trust) are in `@msal-ts/core/protocol`.
 */

// ---- Effects: what a flow asks for, and how a runtime answers ----
export type {
  AssertionOutcome,
  Effect,
  EffectOf,
  EffectResults,
  EffectTag,
  FileOutcome,
  HttpFailure,
  HttpOutcome,
  HttpRequest,
  HttpResponse,
  LogLevel,
  PopKeyOutcome,
  PopPublicJwk,
} from './effects/effect.js'
export { perform, type Program } from './effects/program.js'
export { isPromiseLike, run, runToPromise, type Interpret } from './effects/run.js'
export { answererOf, describeLayer, type LayerDescription } from './effects/layers.js'

// ---- Errors ----
export { ArcPlatformNotSupportedError, AuthorizationError, CacheError, CancelledError, ConfigurationError, IdTokenError, InvalidResponseError, isMsalError, ManagedIdentityError, MsalError, NetworkError, ServerError, ThrottledError, TimeoutError, UsageError, InteractionRequiredError, InteractionInProgressError, PopupBlockedError, cacheError, configurationError, networkError, usageError, withFields, type MsalErrorKind, type InteractionRequiredReason, type WireErrorFields } from './errors.js'
export { interactionRequiredError, arcPlatformNotSupportedError, authorizationError, cancelledError, errorSummary, invalidResponseError, managedIdentityError, serverError, throttledError, timeoutError } from './wireErrors.js'

// ---- The application shell, for every runtime ----
export { AppShell, type AppRuntime, type AppAbilities, type Outcome } from './app/AppShell.js'
export { ClientApplication, type ClientAppRuntime } from './app/ClientApplication.js'
export { ConfidentialClientApplication } from './app/ConfidentialClientApplication.js'
export { PublicClientApplication, type PublicAppRuntime, type DeviceFlowRedemptionOptions } from './app/PublicClientApplication.js'
export {
  APP_RULES,
  DEFAULT_TIMEOUT_SECONDS,
  MAX_TIMEOUT_SECONDS,
  checkOptions,
  requestTimeoutMsOf,
  type ClientApplicationOptions,
  type ConfidentialOptions,
  type HttpClient,
  type Logger,
  type OptionRule,
  type OptionRules,
} from './app/options.js'
export { clientConfigOf, confidentialClientConfigOf, type ClientConfig, type ConfidentialClientConfig } from './app/config.js'
export { CLIENT_APPLICATION_RULES, CONFIDENTIAL_RULES, UNSUPPORTED_OPTIONS } from './app/clientOptions.js'
export { decodeConfidentialClientConfig, decodePublicClientConfig, describedCredential, PUBLIC_CLIENT_UNSUPPORTED } from './app/decodeConfig.js'
export { checkMethodOptions, type KnownOptions } from './app/methodOptions.js'
export { createClientContext, initialAppState, type AppState, type ClientContext, type ClientContextInput, type KeptAssertion } from './app/context.js'
export { applyStateChange, runFlow, withAppState } from './app/applyStateChange.js'
export type { StateChange } from './app/stateChange.js'
export { PUBLIC_CLIENT, type ClientAuthenticator, type ClientAuthentication, type AuthenticatedExchange } from './flows/clientAuthenticator.js'
export { CONFIDENTIAL_CLIENT } from './flows/clientAuthentication.js'
export { settle, settled, throwIfLeft, flightKey } from './app/settle.js'
export { withPersistence, type PersistenceHooks } from './app/withPersistence.js'
export { SingleFlight } from './effects/singleFlight.js'
export { ManagedIdentityClient } from './app/ManagedIdentityClient.js'
export { SystemAssignedManagedIdentity, UserAssignedManagedIdentity, managedIdentityConfigOf } from './app/managedIdentityForms.js'
export { MANAGED_IDENTITY_RULES, MANAGED_IDENTITY_UNSUPPORTED, type ManagedIdentityClientOptions } from './app/managedIdentityOptions.js'
export type { ManagedIdentity, ManagedIdentityIdType, UserAssignedManagedIdentityIds } from './managedIdentity/identity.js'
export { ManagedIdentitySource } from './managedIdentity/sources.js'
export { type Check, is, nonEmptyString, aBoolean, aString, aFunction, anObject, anInstanceOf, arrayOf, either, oneOf, anything } from './util/check.js'
export { describeValue } from './util/decode.js'

// ---- Authorities ----
export { AuthorityBuilder, AZURE_PUBLIC, AZURE_CHINA, AZURE_US_GOVERNMENT } from './authority/builder.js'
export { DEFAULT_AUTHORITY, parseAuthority, parseOidcAuthority, type Authority, type AuthorityKind } from './authority/authority.js'
export { isLoopbackHostname } from './authority/knownHosts.js'

// ---- The token cache ----
export { TokenCache, type TokenCacheOptions } from './cache/tokenCache.js'
export { SerializableTokenCache, type SerializableTokenCacheOptions, type EntryFilter } from './cache/serializableTokenCache.js'
export type { CachePersistence, CacheAccessContext } from './cache/persistence.js'
export { defaultPartition, contextOfEntry, entryBelongsTo, type Partitioner } from './cache/partitions.js'
export type { CacheOperation } from './cache/operations.js'
export type { CacheChange, CachePut, CacheDelete } from './cache/change.js'
export type { TokenCacheEvent } from './cache/events.js'
export type { SearchOptions } from './cache/search.js'
export type { Account } from './cache/selectors.js'
export type { IdTokenClaims } from './cache/accountOf.js'
export {
  CREDENTIAL_TYPES,
  type AccessTokenEntity,
  type AccountEntity,
  type AppMetadataEntity,
  type CredentialType,
  type EntityOf,
  type IdTokenEntity,
  type RefreshTokenEntity,
} from './cache/schema.js'

// ---- HTTP policy the runtimes configure ----
export { HttpCache, DEFAULT_HTTP_CACHE_CAPACITY, type HttpCacheEntry } from './http/httpCache.js'
export type { PlatformInfo } from './http/telemetry.js'

// ---- Client credentials (descriptions only: keys stay with the runtime's interpreter) ----
export type { ClientCredential } from './protocol/clientAuth.js'
export {
  parseCredentialForm,
  type ClientAssertionCallback,
  type CredentialForm,
  type CredentialReader,
  type CredentialText,
} from './credentials/credentialForms.js'

// ---- Every flow as a Program, for those who want the Either (run them with runFlow) ----
export { acquireTokenForClient, removeTokensForClient, type ClientCredentialsOptions } from './flows/clientCredentials.js'
export {
  initiateAuthCodeFlow,
  acquireTokenByAuthCodeFlow,
  getAuthorizationRequestUrl,
  acquireTokenByAuthorizationCode,
  Prompt,
  type AuthCodeFlow,
  type AuthorizationRequestOptions,
  type AuthorizationRequestUrlOptions,
  type AuthCodeRedemptionOptions,
  type AuthorizationCodeOptions,
  type ResponseMode,
} from './flows/authCode.js'
export { acquireTokenByRefreshToken, type RefreshTokenOptions } from './flows/refreshToken.js'
export { initiateDeviceFlow, acquireTokenByDeviceFlow, type DeviceFlow, type DeviceFlowOptions, type AbortSignalLike } from './flows/deviceCode.js'
export { acquireTokenByUsernamePassword, type UsernamePasswordOptions } from './flows/usernamePassword.js'
export { acquireTokenSilentWithError, type SilentOptions, type SilentAccount } from './flows/silent.js'
export { acquireTokenOnBehalfOf, hashUserAssertion, type OnBehalfOfOptions } from './flows/onBehalfOf.js'
export { acquireTokenByUserFederatedIdentityCredential, type UserFederatedIdentityCredentialOptions } from './flows/userFederatedIdentityCredential.js'
export { acquireTokenForManagedIdentity, type ManagedIdentityTokenOptions } from './flows/managedIdentity.js'
export { acquireTokenByCloudShell, acquireTokenInteractiveInCloudShell } from './flows/cloudShell.js'
export { selectAccounts } from './cache/selectors.js'
export type { TokenResult } from './result.js'

// ---- Key-bound tokens: proof-of-possession (signed HTTP requests) and SSH certificates ----
export { PopAuthScheme, type PopRequest } from './pop/popAuthScheme.js'
export type { KeyBoundTokenData, TokenBindingOptions } from './pop/tokenBinding.js'
export { keyBindingNotConfigured, type BoundRequest, type PrepareBinding, type SpaBindingFor } from './pop/binding.js'

// ---- Browser flows, split at the page load (the SPA's; they yield the browser effects) ----
export type { BrowserEnv } from './flows/browser/env.js'
export { flowKey, RESPONSE_STASH_KEY } from './flows/browser/env.js'
export { asksForKeyBinding, type SpaRequest } from './flows/browser/request.js'
export { authResponseIn } from './flows/browser/authResponse.js'
export { releaseInteraction, type InteractionFlag } from './flows/browser/interaction.js'
export { isLive } from './flows/browser/claimInteraction.js'
export { beginRedirect, completeRedirect, type StoredFlow } from './flows/browser/redirect.js'
export { redirectPending } from './flows/browser/redirectPending.js'
export { closePopup, openPopup, openSignInPopup, type OpenedPopup } from './flows/browser/openPopup.js'
export { acquireTokenPopupFlow, acquireTokenInPopup } from './flows/browser/popup.js'
export { ssoSilentFlow } from './flows/browser/iframe.js'
export { silentFromCache } from './flows/browser/silentCache.js'
export { acquireTokenSilentFlow, silentAfterMiss } from './flows/browser/silent.js'
export { logoutFlow, logoutWith, type LogoutRequest } from './flows/browser/logout.js'
export type { StorageArea, AuthResponseOutcome } from './effects/effect.js'
