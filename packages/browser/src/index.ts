/**
 * @msal-ts/browser: msal-ts on the web platform. The web interpreter (fetch, WebCrypto, timers),
 * which the Node package builds on, and a ConfidentialClientApplication for web-platform server
 * runtimes (Cloudflare Workers, Deno, Bun).
 */
export { createWebInterpreter, createBrowserInterpreter, DEFAULT_TIMEOUT_MS, type WebInterpreterOptions } from './webInterpreter.js'
export type { HttpClient, HttpLimits } from './http.js'
export { DEFAULT_MAX_RESPONSE_BYTES } from './limits.js'
export { timerDelay, MAX_TIMER_DELAY_MS } from './timers.js'
export type { WebCrypto } from './webCrypto.js'
export { webPopKeys, withPopKeys, memoryPopKeyStore, type PopKeys, type PopKeyStore, type PopKeyPair, type PopSubtleCrypto } from './popKeys.js'
export { isLogged, type Logger } from './logger.js'
export { abortable, type AbortableOptions } from './abortable.js'
export { VERSION, webPlatform } from './platform.js'
export { ConfidentialClientApplication, type ConfidentialClientApplicationOptions } from './app/ConfidentialClientApplication.js'
export { PublicClientApplication, type BrowserApplicationOptions } from './spa/PublicClientApplication.js'
export { EventType, type EventMessage, type EventCallback, type InteractionType } from './spa/events.js'
export { WebStorageCache, type CacheEncryption, type CacheLocation, type KeyValueStorage, type StoredEntry } from './spa/storageCache.js'
export { sessionCacheEncryption } from './spa/cacheEncryption.js'
export { browserPlatform, type BrowserPlatformOptions } from './spa/platform.js'
export { handleRedirectBridge } from './redirect.js'
export { parseWebClientCredential, type WebClientCredentialOption, type WebCredential } from './credentials/clientCredential.js'
export { withClientCredential, type CredentialHolder, type SigningKey } from './credentials/credentialInterpreter.js'
export { readPkcs8RsaKey, type Pkcs8RsaKey } from './credentials/pkcs8.js'
export {
  MsalError,
  isMsalError,
  TokenCache,
  SerializableTokenCache,
  HttpCache,
  AuthorityBuilder,
  InteractionRequiredError,
  InteractionInProgressError,
  PopupBlockedError,
  PopAuthScheme,
  type InteractionRequiredReason,
  type SpaRequest,
  type LogoutRequest,
  type Account,
  type ClientAssertionCallback,
  type ClientCredentialsOptions,
  type SilentAccount,
  type SilentOptions,
  type TokenResult,
  type LogLevel,
  type MsalErrorKind,
} from '@msal-ts/core/spa'
