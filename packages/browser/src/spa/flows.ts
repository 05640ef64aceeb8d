/**
 * The single-page app's sign-in, refresh and sign-out programs: the part of the app a page loads
 * (with `import()`) only when it first needs one, so a page that answers from its cache loads
 * none of it. PublicClientApplication runs them; the popup is opened before this loads (in the
 * caller's task, for popup blockers), and a page load with no redirect response needs none.
 */
// The HTTP code and the page's effects come with them (the interpreters load them with the first
// effect that needs them: here they are already on their way).
export { performHttp } from '../http.js'
export { corsSafeRequest, performPageEffect } from './pageEffects.js'
export { acquireTokenInPopup, beginRedirect, completeRedirect, logoutWith, silentAfterMiss, ssoSilentFlow } from '@msal-ts/core/spa-flows'
