/**
 * @msal-ts/node: the Microsoft Authentication Library for Node, as a functional core with a
 * Node interpreter. Names follow MSAL Python's, in camelCase.
 */
export { ConfidentialClientApplication, type ConfidentialClientApplicationOptions } from './app/ConfidentialClientApplication.js'
export type { ClientAssertionCallback, ClientCredentialOption } from './credentials/clientCredential.js'
export { PublicClientApplication, type PublicClientApplicationOptions } from './app/PublicClientApplication.js'
export { ManagedIdentityClient, type ManagedIdentityClientOptions } from './app/ManagedIdentityClient.js'
export type { NodeOptions } from './app/options.js'
export type { AcquireTokenInteractiveOptions } from './interactive/interactive.js'
export {
  openSystemBrowser,
  browserCommand,
  browserCommands,
  browserVariableCommands,
  isWsl,
  systemBrowserEnvironment,
  wslPowerShellCommand,
  type OpenBrowser,
  type BrowserCommand,
  type BrowserEnvironment,
} from './interactive/browserOpener.js'
export { DEFAULT_SUCCESS_TEMPLATE, DEFAULT_ERROR_TEMPLATE } from './interactive/pages.js'
export { createNodeInterpreter, type NodeInterpreterOptions } from './interpreter/nodeInterpreter.js'
export { resolveFetch } from './interpreter/fetch.js'
export { resolveWebCrypto } from './interpreter/webcrypto.js'
export { DEFAULT_TIMEOUT_MS } from '@msal-ts/browser'
export { nodePlatform, VERSION } from './platform.js'
export { TokenCache, SerializableTokenCache } from './cache/tokenCaches.js'
export { FilePersistence, type FilePersistenceOptions } from './cache/filePersistence.js'
export type { CacheEncryptionKey } from './cache/cacheEncryption.js'
export { RedisPersistence, DEFAULT_KEY_PREFIX, type RedisPersistenceOptions } from './cache/redisPersistence.js'
export type { RedisLikeClient, RedisScriptOptions } from './cache/redisClient.js'
export {
  ClientApplication,
  MsalError,
  isMsalError,
  ArcPlatformNotSupportedError,
  AuthorizationError,
  CacheError,
  CancelledError,
  ConfigurationError,
  IdTokenError,
  InvalidResponseError,
  ManagedIdentityError,
  NetworkError,
  ServerError,
  ThrottledError,
  TimeoutError,
  UsageError,
  HttpCache,
  AuthorityBuilder,
  AZURE_PUBLIC,
  AZURE_CHINA,
  AZURE_US_GOVERNMENT,
  Prompt,
  PopAuthScheme,
  type PopRequest,
  type KeyBoundTokenData,
  type TokenBindingOptions,
  type RefreshTokenOptions,
  SystemAssignedManagedIdentity,
  UserAssignedManagedIdentity,
  ManagedIdentitySource,
  type ManagedIdentity,
  type ManagedIdentityIdType,
  type UserAssignedManagedIdentityIds,
  type ManagedIdentityTokenOptions,
  defaultPartition,
  type Partitioner,
  type MsalErrorKind,
  type ClientApplicationOptions,
  type HttpClient,
  type Logger,
  type Account,
  type CachePersistence,
  type CacheAccessContext,
  type TokenCacheEvent,
  type CredentialType,
  type TokenResult,
  type ClientCredentialsOptions,
  type OnBehalfOfOptions,
  type UserFederatedIdentityCredentialOptions,
  type AuthCodeFlow,
  type AuthorizationRequestOptions,
  type AuthorizationRequestUrlOptions,
  type AuthCodeRedemptionOptions,
  type AuthorizationCodeOptions,
  type UsernamePasswordOptions,
  type SilentOptions,
  type SilentAccount,
  type DeviceFlow,
  type DeviceFlowOptions,
  type DeviceFlowRedemptionOptions,
  type LogLevel,
  type Interpret,
  type Program,
} from '@msal-ts/core'
