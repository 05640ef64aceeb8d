/**
 * @msal-ts/core/spa: what @msal-ts/browser's single-page app needs before a page has done
 * anything (its shell, options, cache, a silent call's cache look, the popup's first step), and
 * nothing more. Internal to msal-ts: it may change in any release.
 *
 * Why a barrel of its own: a bundler that splits code (esbuild, as bench/spa measures) puts a
 * module in the page's first chunk when any barrel that chunk imports re-exports it, used or
 * not. The sign-in and refresh code (./spa-flows) stays out of the first chunk only if no barrel
 * the first chunk reaches names it, so this one never may.
 */
export { AppShell, type Outcome } from './app/AppShell.js'
export { clientConfigOf } from './app/config.js'
export { checkMethodOptions, type KnownOptions } from './app/methodOptions.js'
export { APP_RULES, checkOptions, requestTimeoutMsOf, type ClientApplicationOptions, type HttpClient, type Logger, type OptionRules } from './app/options.js'
export { flightKey, throwIfLeft } from './app/settle.js'
export { AuthorityBuilder } from './authority/builder.js'
export type { CacheChange, CachePut } from './cache/change.js'
export { CREDENTIAL_TYPES, type CredentialType } from './cache/schema.js'
export { selectAccounts, type Account } from './cache/selectors.js'
export { SerializableTokenCache } from './cache/serializableTokenCache.js'
export { decodeEntry } from './cache/serialization.js'
export { TokenCache } from './cache/tokenCache.js'
export { TokenStore } from './cache/tokenStore.js'
export type { ClientAssertionCallback } from './credentials/credentialForms.js'
export type {
  AssertionOutcome,
  AuthResponseOutcome,
  Effect,
  HttpFailure,
  HttpOutcome,
  HttpRequest,
  HttpResponse,
  LogLevel,
  PopKeyOutcome,
  PopPublicJwk,
  StorageArea,
} from './effects/effect.js'
export { describeLayer } from './effects/layers.js'
export type { Program } from './effects/program.js'
export { isPromiseLike, run, type Interpret } from './effects/run.js'
export { SingleFlight } from './effects/singleFlight.js'
export {
  InteractionInProgressError,
  InteractionRequiredError,
  isMsalError,
  MsalError,
  networkError,
  PopupBlockedError,
  type InteractionRequiredReason,
  type MsalErrorKind,
} from './errors.js'
export { authResponseIn } from './flows/browser/authResponse.js'
export { flowKey, type BrowserEnv } from './flows/browser/env.js'
export { releaseInteraction } from './flows/browser/interaction.js'
export type { LogoutRequest } from './flows/browser/logout.js'
export { closePopup, openPopup, openSignInPopup, type OpenedPopup } from './flows/browser/openPopup.js'
export { redirectPending } from './flows/browser/redirectPending.js'
export type { SpaRequest } from './flows/browser/request.js'
export { silentFromCache } from './flows/browser/silentCache.js'
export type { ClientCredentialsOptions } from './flows/clientCredentials.js'
export type { SilentAccount, SilentOptions } from './flows/silentCache.js'
export { HttpCache } from './http/httpCache.js'
export type { PlatformInfo } from './http/telemetry.js'
export type { PrepareBinding, SpaBindingFor } from './pop/binding.js'
export { PopAuthScheme } from './pop/popAuthScheme.js'
export { spaPreparerOf } from './pop/spaBinding.js'
export type { TokenResult } from './result.js'
export { base64UrlToBytes, bytesToBase64Url, utf8Decode } from './util/base64url.js'
export { aFunction, is, oneOf } from './util/check.js'
export * as either from './util/either.js'
