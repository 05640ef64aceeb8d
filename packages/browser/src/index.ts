/**
 * @msal-ts/browser: msal-ts for web-platform runtimes (browsers, Cloudflare Workers, Deno, Bun):
 * the web interpreter (fetch, WebCrypto, timers), which the Node package builds on, and a
 * ConfidentialClientApplication for server-side code on those runtimes. The SPA class follows.
 */
export { createWebInterpreter, createBrowserInterpreter, DEFAULT_TIMEOUT_MS, type WebInterpreterOptions } from './webInterpreter.js'
export { performHttp, type HttpClient } from './http.js'
export { isLogged, type Logger } from './logger.js'
export { VERSION, webPlatform } from './platform.js'
export { ConfidentialClientApplication, type ConfidentialClientApplicationOptions } from './app/ConfidentialClientApplication.js'
export type { WebRuntimeOptions } from './app/options.js'
export { parseWebClientCredential, type WebClientCredentialOption, type WebCredential } from './credentials/clientCredential.js'
export { withClientCredential, type CredentialHolder, type SigningKey } from './credentials/credentialInterpreter.js'
export { readPkcs8RsaKey, type Pkcs8RsaKey } from './credentials/pkcs8.js'
export {
  MsalException as MsalError,
  TokenCache,
  SerializableTokenCache,
  HttpCache,
  AuthorityBuilder,
  type Account,
  type ClientAssertionCallback,
  type ClientCredentialsOptions,
  type SilentAccount,
  type SilentOptions,
  type TokenResult,
  type LogLevel,
  type MsalError as MsalErrorDetail,
} from '@msal-ts/core'
