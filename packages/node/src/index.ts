/**
 * @msal-ts/node: the Microsoft Authentication Library for Node, as a functional core with a
 * Node interpreter. Names follow MSAL Python's, in camelCase.
 */
export { ConfidentialClientApplication, type ConfidentialClientApplicationOptions } from './app/ConfidentialClientApplication.js'
export type { ClientAssertionCallback, ClientCredentialOption } from './credentials/clientCredential.js'
export { PublicClientApplication, type PublicClientApplicationOptions, type DeviceFlowRedemptionOptions } from './app/PublicClientApplication.js'
export { ClientApplication, type ClientApplicationOptions } from './app/ClientApplication.js'
export type { AcquireTokenInteractiveOptions } from './interactive/interactive.js'
export { openSystemBrowser, browserCommand, type OpenBrowser, type BrowserCommand } from './interactive/browserOpener.js'
export { DEFAULT_SUCCESS_TEMPLATE, DEFAULT_ERROR_TEMPLATE } from './interactive/pages.js'
export type { NodeRuntimeOptions } from './app/options.js'
export { createNodeInterpreter, type NodeInterpreterOptions } from './interpreter/nodeInterpreter.js'
export { resolveFetch } from './interpreter/fetch.js'
export { resolveWebCrypto } from './interpreter/webcrypto.js'
export { performHttp, DEFAULT_TIMEOUT_MS, type HttpClient, type Logger } from '@msal-ts/browser'
export { nodePlatform, VERSION } from './platform.js'
export { TokenCache, SerializableTokenCache } from './cache/tokenCaches.js'
export { FilePersistence, type FilePersistenceOptions } from './cache/filePersistence.js'
export type { CacheEncryptionKey } from './cache/cacheEncryption.js'
export { RedisPersistence, DEFAULT_KEY_PREFIX, type RedisPersistenceOptions } from './cache/redisPersistence.js'
export type { RedisLikeClient, RedisScriptOptions } from './cache/redisClient.js'
export { defaultPartition, type Partitioner } from './cache/cachePartitions.js'
export {
  MsalException as MsalError,
  IdTokenError,
  HttpCache,
  AuthorityBuilder,
  AZURE_PUBLIC,
  AZURE_CHINA,
  AZURE_US_GOVERNMENT,
  type Account,
  type CachePersistence,
  type CacheAccessContext,
  type TokenCacheEvent,
  type CredentialType,
  type TokenResult,
  type ClientCredentialsOptions,
  type OnBehalfOfOptions,
  type UserFederatedIdentityCredentialOptions,
  Prompt,
  type AuthCodeFlow,
  type AuthorizationRequestOptions,
  type AuthCodeRedemptionOptions,
  type AuthorizationCodeOptions,
  type SilentOptions,
  type SilentAccount,
  type DeviceFlow,
  type DeviceFlowOptions,
  type LogLevel,
  type MsalError as MsalErrorDetail,
  type Interpret,
  type Program,
} from '@msal-ts/core'
