/**
 * The example's servers, on loopback, three origins:
 *
 *   browser ── http://localhost:A   the single-page app (its page, the bridge page, the bundles)
 *          ├── http://127.0.0.1:B   the fake identity provider (sign-in page, tokens, sign-out)
 *          └── http://127.0.0.1:C   the protected API (GET /me, Bearer token)
 *
 * `startSpaExample()` starts them; run.mjs serves them for you (./dev spa) or drives them in
 * headless Chromium (check.mjs, ./dev spa --check).
 */
import { FakeIdentityProvider } from '@msal-ts/testing'
import { API_SCOPE, startApi } from './api.mjs'
import { bundlePages, startSite } from './site.mjs'

/** The tenant the app is registered in (any name works with the fake). */
export const TENANT = 'contoso.onmicrosoft.com'
/** The app registration's Application (client) ID: a public client, no secret. */
export const CLIENT_ID = '5d0c3b6e-2f4a-4b8c-9e1d-7a6b5c4d3e2f'
/**
 * The fake's users and their passwords, typed on its sign-in page. They exist only in this
 * example's fake identity provider.
 */
export const USERS = [
  { username: 'alice@contoso.onmicrosoft.com', displayName: 'Alice Smith', password: 'alice-example-password' },
  { username: 'bob@contoso.onmicrosoft.com', displayName: 'Bob Jones', password: 'bob-example-password' },
]

/**
 * Starts the identity provider, the API and the app's site on loopback.
 * - `port`: the app's port (default: any free one)
 * - `plugins`: esbuild plugins for the page bundles (see bundlePages)
 * Returns `{ idp, authority, api, site, bundle, close() }`.
 */
export async function startSpaExample({ port = 0, plugins = [] } = {}) {
  // Plays Entra: a sign-in page (username and password), a session cookie for single sign-on,
  // CORS on its token and discovery endpoints, and redirect URIs registered as "Single-page
  // application" (a loopback URI matches any port, as in Entra).
  const idp = new FakeIdentityProvider({ signInPage: true, interactiveUser: USERS[0].username })
    .registerApp({ clientId: CLIENT_ID, spaRedirectUris: ['http://localhost/redirect.html', 'http://localhost/'] })
  for (const user of USERS) idp.registerUser(user)

  const started = []
  const close = async () => {
    for (const server of started.reverse()) await server.close()
  }
  try {
    const bundle = await bundlePages({ plugins })
    const authority = `${await idp.listen()}/${TENANT}`
    started.push(idp)
    let config
    const site = await startSite({ bundle, port, config: () => config })
    started.push(site)
    const api = await startApi({ authority, appOrigin: site.origin })
    started.push(api)
    config = { clientId: CLIENT_ID, authority, apiUrl: api.url, apiScope: API_SCOPE }
    return { idp, authority, api, site, bundle, close }
  } catch (error) {
    await close()
    throw error
  }
}
