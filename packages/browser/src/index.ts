/**
 * @msal-ts/browser: msal-ts for browsers. For now the web-platform interpreter (fetch,
 * WebCrypto, timers), which the Node package builds on; the SPA application class follows.
 */
export { createWebInterpreter, createBrowserInterpreter, DEFAULT_TIMEOUT_MS, type WebInterpreterOptions } from './webInterpreter.js'
export { performHttp, type HttpClient } from './http.js'
export type { WebCrypto } from './webCrypto.js'
export { isLogged, type Logger } from './logger.js'
