/**
 * The redirect URI's page (/redirect.html): msal-ts's bridge. It hands the identity provider's
 * response back to the app and does nothing else: in a popup it posts the response on a
 * BroadcastChannel and closes; after a full-page redirect it keeps the response in
 * sessionStorage and returns to the page the user was on, whose handleRedirectPromise() redeems
 * it. It weighs a few hundred bytes, so the redirect URI loads fast and can be served without
 * a Cross-Origin-Opener-Policy.
 */
import { handleRedirectBridge } from '@msal-ts/browser/redirect'

handleRedirectBridge()
