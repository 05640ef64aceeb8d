/**
 * The web app (front end): signs users in with the auth code flow (PKCE, state and nonce checked
 * for you) and calls the to-do API with the user's access token. Plain `node:http`, no framework.
 *
 *   GET  /          signed in: the user's name and a link to /call-api; else a "Sign in" link
 *   GET  /login     initiateAuthCodeFlow, keeps the flow in the session, redirects to the identity provider
 *   GET  /redirect  the redirect URI: acquireTokenByAuthCodeFlow(flow, query), keeps the account id in the session
 *   POST /redirect  the same, for response_mode=form_post
 *   GET  /call-api  acquireTokenSilent for the API's scope, then GET {api}/todos with the token
 *   GET  /logout    forgets the session and the user's tokens
 *
 * `/` and `/call-api` answer JSON to `Accept: application/json` (what run.mjs asks for) and HTML
 * otherwise (what a browser gets).
 *
 * Sessions live in memory, keyed by an HttpOnly cookie; a real app keeps them in a store shared
 * by its instances (and its token cache too: see the README's "The token cache" section).
 */
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import { ConfidentialClientApplication, MsalError } from '@msal-ts/node'

const COOKIE = 'webapp_sid'

const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])

const page = (title, body) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
  `<body style="font-family: system-ui, sans-serif; max-width: 50rem; margin: 2rem auto">${body}</body></html>`

const send = (res, status, contentType, body, headers = {}) => {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers })
  res.end(body)
}
const html = (res, status, body, headers) => send(res, status, 'text/html; charset=utf-8', body, headers)
const json = (res, status, body, headers) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(body, null, 2), headers)
const redirect = (res, location, headers = {}) => {
  res.writeHead(302, { location, 'cache-control': 'no-store', ...headers })
  res.end()
}

const cookieOf = (req, name) =>
  (req.headers.cookie ?? '')
    .split(';')
    .map((part) => part.trim().split('='))
    .find(([key]) => key === name)?.[1]

const readForm = async (req) => {
  let body = ''
  for await (const chunk of req) body += chunk
  return Object.fromEntries(new URLSearchParams(body))
}

/**
 * Starts the web app on 127.0.0.1 (port 0: any free port).
 * - `authority`, `clientId`, `clientCredential`: the web app's app registration (a secret, or a
 *   certificate: `{ privateKey, thumbprintSha256 }`)
 * - `apiUrl`: the to-do API's base URL; `apiScope`: the scope the app asks for it
 * Returns `{ url, redirectUri, app, close() }`.
 */
export async function startWebApp({ authority, clientId, clientCredential, apiUrl, apiScope, responseMode = 'query', port = 0 }) {
  const app = new ConfidentialClientApplication({ clientId, clientCredential, authority })
  /** Session id → { flow?, homeAccountId? } */
  const sessions = new Map()
  let redirectUri // known once the server listens

  const sessionOf = (req) => {
    const sid = cookieOf(req, COOKIE)
    return sid !== undefined && sessions.has(sid) ? { sid, session: sessions.get(sid) } : undefined
  }
  /** A new session (a new id: never reuse one across a sign-in), and the cookie that names it. */
  const newSession = (session) => {
    const sid = randomBytes(32).toString('base64url')
    sessions.set(sid, session)
    // SameSite=Lax: the cookie comes back on the identity provider's redirect (a top-level GET).
    // With response_mode=form_post the response is a cross-site POST, which needs SameSite=None; Secure (https).
    return { 'set-cookie': `${COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax` }
  }
  const signedInAccount = async (req) => {
    const homeAccountId = sessionOf(req)?.session.homeAccountId
    if (homeAccountId === undefined) return undefined
    return (await app.getAccounts()).find((account) => account.homeAccountId === homeAccountId)
  }
  const wantsJson = (req) => (req.headers.accept ?? '').includes('application/json')

  const routes = {
    'GET /': async (req, res) => {
      const account = await signedInAccount(req)
      if (wantsJson(req)) return json(res, 200, account === undefined ? { signedIn: false } : { signedIn: true, name: account.name, username: account.username })
      html(res, 200, page('msal-ts web app', account === undefined
        ? '<h1>msal-ts web app</h1><p>You are not signed in.</p><p><a href="/login">Sign in</a></p>'
        : `<h1>msal-ts web app</h1><p>Signed in as <b id="user">${escapeHtml(account.name ?? account.username)}</b> (${escapeHtml(account.username)}).</p>` +
          '<p><a href="/call-api">Call the to-do API</a> · <a href="/logout">Sign out</a></p>'))
    },

    'GET /login': async (req, res) => {
      // Scopes are the API's; MSAL adds openid, profile and offline_access itself.
      const flow = await app.initiateAuthCodeFlow([apiScope], { redirectUri, responseMode })
      // The flow (PKCE verifier, state, nonce) stays server-side, in the session: plain JSON.
      const existing = sessionOf(req)
      if (existing !== undefined) {
        existing.session.flow = flow
        return redirect(res, flow.authUri)
      }
      redirect(res, flow.authUri, newSession({ flow }))
    },

    'GET /redirect': (req, res) => completeSignIn(req, res, Object.fromEntries(new URL(req.url, redirectUri).searchParams)),
    'POST /redirect': async (req, res) => completeSignIn(req, res, await readForm(req)),

    'GET /call-api': async (req, res) => {
      const account = await signedInAccount(req)
      if (account === undefined) return redirect(res, '/login')
      // From the cache while the token is good; else redeemed with the refresh token.
      const token = await app.acquireTokenSilent([apiScope], account)
      if (token === undefined) return redirect(res, '/login') // nothing usable cached: sign in again
      const response = await fetch(`${apiUrl}/todos`, { headers: { authorization: `Bearer ${token.accessToken}` } })
      const answer = { webAppToken: { tokenSource: token.tokenSource }, api: { status: response.status, body: await response.json() } }
      if (wantsJson(req)) return json(res, 200, answer)
      html(res, 200, page('to-do API', `<h1>The to-do API answered ${response.status}</h1>` +
        `<pre>${escapeHtml(JSON.stringify(answer, null, 2))}</pre><p><a href="/call-api">Call it again</a> · <a href="/">Home</a></p>`))
    },

    'GET /logout': async (req, res) => {
      const current = sessionOf(req)
      const account = await signedInAccount(req)
      if (account !== undefined) await app.removeAccount(account)
      if (current !== undefined) sessions.delete(current.sid)
      // Entra would also be told, so that the user leaves their single sign-on session there too:
      // redirect to {authority}/oauth2/v2.0/logout?post_logout_redirect_uri=... (the fake does not serve it).
      redirect(res, '/', { 'set-cookie': `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` })
    },
  }

  const completeSignIn = async (req, res, params) => {
    const current = sessionOf(req)
    const flow = current?.session.flow
    if (flow === undefined) return html(res, 400, page('Sign-in failed', '<p>No sign-in in progress in this session. <a href="/login">Sign in</a></p>'))
    let result
    try {
      result = await app.acquireTokenByAuthCodeFlow(flow, params)
    } catch (error) {
      if (!(error instanceof MsalError)) throw error
      // AuthorizationError: the user declined; UsageError: another state (a forged or replayed redirect); ...
      return html(res, 401, page('Sign-in failed', `<h1>Sign-in failed</h1><p>${escapeHtml(error.kind)}: ${escapeHtml(error.errorDescription ?? error.message)}</p><p><a href="/">Home</a></p>`))
    }
    // Keep only the account's id: its tokens are in the app's token cache.
    sessions.delete(current.sid)
    redirect(res, '/', newSession({ homeAccountId: result.account.homeAccountId }))
  }

  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost')
    const route = routes[`${req.method} ${pathname}`] ?? ((_, response) => html(response, 404, page('Not found', '<p>Not found. <a href="/">Home</a></p>')))
    Promise.resolve(route(req, res)).catch((error) => {
      console.error('web app:', error)
      if (!res.headersSent) html(res, 500, page('Error', `<p>${escapeHtml(error?.message ?? error)}</p>`))
    })
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  const url = `http://127.0.0.1:${server.address().port}`
  redirectUri = `${url}/redirect`
  return {
    url,
    redirectUri,
    app,
    close: () => new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}
