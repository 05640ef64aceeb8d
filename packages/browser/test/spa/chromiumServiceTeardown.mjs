/** jest's globalTeardown for @msal-ts/browser's tests: closes the SPA tests' shared Chromium (chromiumService.mjs). */
export { teardown as default } from './chromiumService.mjs'
