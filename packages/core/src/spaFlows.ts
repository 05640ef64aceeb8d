/**
 * @msal-ts/core/spa-flows: a single-page app's sign-in, refresh and sign-out programs, which
 * @msal-ts/browser loads with `import()` when a page first needs one (see ./spa for why they
 * have a barrel of their own). Internal to msal-ts: it may change in any release.
 */
export { beginRedirect, completeRedirect } from './flows/browser/redirect.js'
export { acquireTokenInPopup } from './flows/browser/popup.js'
export { ssoSilentFlow } from './flows/browser/iframe.js'
export { silentAfterMiss } from './flows/browser/silent.js'
export { logoutWith } from './flows/browser/logout.js'
