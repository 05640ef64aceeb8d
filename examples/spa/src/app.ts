/**
 * The example single-page app: @msal-ts/browser's PublicClientApplication signs the user in by
 * redirect or by popup, gets access tokens silently, calls a protected API with them, and signs
 * out. Bundled by esbuild into /app.js.
 */
import { InteractionRequiredError, PublicClientApplication, type TokenResult } from '@msal-ts/browser'
import { spaConfig } from './config.js'
import * as view from './view.js'

const config = spaConfig()
/** What the app asks for: the API's permission (MSAL adds openid, profile and offline_access). */
const scopes = [config.apiScope]

// Usable at once: there is no initialize() to await.
const msal = new PublicClientApplication({
  clientId: config.clientId,
  authority: config.authority,
  // The fake identity provider is not a Microsoft host, so Microsoft is not asked to vouch for
  // it. Against Entra (https://login.microsoftonline.com/<tenant>), leave this out.
  validateAuthority: false,
  // The bridge page, registered in the app registration as a "Single-page application" redirect URI.
  redirectUri: `${location.origin}/redirect.html`,
  postLogoutRedirectUri: `${location.origin}/`,
  // cacheLocation: 'sessionStorage' is the default: tokens last as long as this tab.
})
msal.addEventCallback(view.logEvent)

/** Shows who is signed in (the active account) and enables the buttons that make sense. */
const render = (): void => {
  const account = msal.getActiveAccount()
  view.showAccount(account)
  view.setState(account === null ? 'signed-out' : 'signed-in')
}

/** After a sign-in: its account becomes the one silent calls use. */
const signedIn = (how: string, result: TokenResult): void => {
  msal.setActiveAccount(result.account ?? null)
  view.showToken(result)
  view.said(`${how}: signed in as ${result.account?.username ?? '?'} (token from ${result.tokenSource})`)
  render()
}

/** Runs a button's operation: the page is busy until it settles, then shows who is signed in. */
const act = (what: string, operation: () => Promise<void>): void => {
  view.setState('busy')
  operation()
    .catch((error: unknown) => view.failed(what, error))
    .finally(render)
}

/**
 * A token for the API without the user: from memory, else the refresh token, else a hidden
 * iframe. When none of those can (no account, the 24-hour refresh token is over, the provider's
 * session is gone), the user signs in again by redirect, and the token arrives through
 * handleRedirectPromise() on the way back; undefined meanwhile.
 */
const tokenForApi = async (forceRefresh = false): Promise<TokenResult | undefined> => {
  try {
    return await msal.acquireTokenSilent({ scopes, forceRefresh })
  } catch (error) {
    if (!(error instanceof InteractionRequiredError)) throw error
    view.said(`acquireTokenSilent: interaction required (${error.reason}); signing in again by redirect`)
    await msal.acquireTokenRedirect({ scopes })
    return undefined
  }
}

/** Calls the API with the access token as a bearer token. */
const callApi = async (): Promise<void> => {
  const token = await tokenForApi()
  if (token === undefined) return
  view.showToken(token)
  const response = await fetch(`${config.apiUrl}/me`, { headers: { authorization: `Bearer ${token.accessToken}` } })
  view.showApi(response.status, await response.json())
  view.said(`called the API with a token from ${token.tokenSource}: it answered ${response.status}`)
}

const onClick = (id: string, handler: () => void): void => document.getElementById(id)?.addEventListener('click', handler)

// Popups: loginPopup and logoutPopup are called in the click's own task (no await before them),
// so the browser's popup blocker lets the window open.
onClick('login-redirect', () => act('loginRedirect', () => msal.loginRedirect({ scopes })))
onClick('login-popup', () => act('loginPopup', () => msal.loginPopup({ scopes }).then((result) => signedIn('loginPopup', result))))
onClick('call-api', () => act('calling the API', callApi))
onClick('refresh', () =>
  act('acquireTokenSilent', async () => {
    const token = await tokenForApi(true)
    if (token === undefined) return
    view.showToken(token)
    view.said(`acquireTokenSilent({ forceRefresh: true }): a new token from ${token.tokenSource}`)
  }),
)
onClick('logout-redirect', () => act('logoutRedirect', () => msal.logoutRedirect()))
onClick('logout-popup', () =>
  act('logoutPopup', async () => {
    // The popup comes back to the bridge page, which hands over and closes.
    await msal.logoutPopup({ postLogoutRedirectUri: `${location.origin}/redirect.html` })
    view.showToken(null)
    view.showApi(null, undefined)
    view.said('logoutPopup: signed out')
  }),
)

// Every page load: a sign-in that came back by redirect is redeemed here (null when there is none).
view.setState('starting')
msal.handleRedirectPromise().then(
  (result) => {
    if (result !== null) signedIn('loginRedirect', result)
    else if (msal.getActiveAccount() === null && msal.getAllAccounts().length > 0) msal.setActiveAccount(msal.getAllAccounts()[0]!)
    render()
  },
  (error: unknown) => {
    view.failed('handleRedirectPromise', error)
    render()
  },
)
