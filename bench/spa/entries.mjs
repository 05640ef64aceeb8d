/**
 * The SPA bundles that are measured: each library doing the same job, as an app would import it.
 * Each entry uses what it imports (so nothing is tree-shaken away that an app would keep).
 */
export const ENTRIES = {
  'msal-ts full SPA': `
    import { PublicClientApplication } from '@msal-ts/browser'
    const app = new PublicClientApplication({ clientId: 'c', authority: 'https://login.microsoftonline.com/common' })
    const r = { scopes: ['User.Read'] }
    app.addEventCallback(() => {})
    await app.handleRedirectPromise()
    export const verbs = [app.loginRedirect(r), app.acquireTokenRedirect(r), app.loginPopup(r), app.acquireTokenPopup(r), app.acquireTokenSilent(r),
      app.ssoSilent(r), app.logoutRedirect(), app.logoutPopup(), app.getAllAccounts(), app.getAccount({}), app.getActiveAccount(),
      app.setActiveAccount(null), app.clearCache(), app.getAccounts(), app.removeAccount({ homeAccountId: 'x', environment: 'y' })]`,
  'msal-ts full SPA, cache encryption on': `
    import { PublicClientApplication, sessionCacheEncryption } from '@msal-ts/browser'
    const app = new PublicClientApplication({ clientId: 'c', authority: 'https://login.microsoftonline.com/common', cacheLocation: 'localStorage', cacheEncryption: sessionCacheEncryption })
    const r = { scopes: ['User.Read'] }
    app.addEventCallback(() => {})
    await app.handleRedirectPromise()
    export const verbs = [app.loginRedirect(r), app.acquireTokenRedirect(r), app.loginPopup(r), app.acquireTokenPopup(r), app.acquireTokenSilent(r),
      app.ssoSilent(r), app.logoutRedirect(), app.logoutPopup(), app.getAllAccounts(), app.getAccount({}), app.getActiveAccount(),
      app.setActiveAccount(null), app.clearCache(), app.getAccounts(), app.removeAccount({ homeAccountId: 'x', environment: 'y' })]`,
  'msal-ts redirect + silent': `
    import { PublicClientApplication } from '@msal-ts/browser'
    const app = new PublicClientApplication({ clientId: 'c' })
    const result = await app.handleRedirectPromise()
    if (result === null) await app.loginRedirect({ scopes: ['User.Read'] })
    export const token = await app.acquireTokenSilent({ scopes: ['User.Read'] })`,
  'msal-ts bridge page': `
    import { handleRedirectBridge } from '@msal-ts/browser/redirect'
    handleRedirectBridge()`,
  '@azure/msal-browser 5 PublicClientApplication': `
    import { PublicClientApplication } from '@azure/msal-browser'
    const app = new PublicClientApplication({ auth: { clientId: 'c' } })
    await app.initialize()
    const result = await app.handleRedirectPromise()
    if (result === null) await app.loginRedirect({ scopes: ['User.Read'] })
    export const token = await app.acquireTokenSilent({ scopes: ['User.Read'] })`,
  '@azure/msal-browser 5 redirect bridge': `
    import { broadcastResponseToMainFrame } from '@azure/msal-browser/redirect-bridge'
    broadcastResponseToMainFrame()`,
  'oidc-client-ts UserManager': `
    import { UserManager } from 'oidc-client-ts'
    const manager = new UserManager({ authority: 'https://login.microsoftonline.com/common/v2.0', client_id: 'c', redirect_uri: location.href })
    await manager.signinCallback().catch(() => undefined)
    await manager.signinRedirect()
    export const user = await manager.signinSilent()`,
  '@auth0/auth0-spa-js createAuth0Client': `
    import { createAuth0Client } from '@auth0/auth0-spa-js'
    const client = await createAuth0Client({ domain: 'x.auth0.com', clientId: 'c' })
    await client.handleRedirectCallback().catch(() => undefined)
    await client.loginWithRedirect()
    export const token = await client.getTokenSilently()`,
  'oauth4webapi PKCE + refresh': `
    import * as oauth from 'oauth4webapi'
    const issuer = new URL('https://login.microsoftonline.com/common/v2.0')
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer))
    const client = { client_id: 'c' }
    const verifier = oauth.generateRandomCodeVerifier()
    const challenge = await oauth.calculatePKCECodeChallenge(verifier)
    const params = oauth.validateAuthResponse(as, client, new URL(location.href), oauth.expectNoState)
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, location.href, verifier)
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response)
    export const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token))
    export { challenge }`,
}

/** Modules that belong to confidential clients and must never reach a browser app's bundle. */
export const CONFIDENTIAL_MODULES = [/clientAssertion/, /flows\/clientAuthentication\./, /onBehalfOf/, /wsTrust/, /usernamePassword/, /clientCredentials/, /userFederatedIdentityCredential/, /credentials\//]
