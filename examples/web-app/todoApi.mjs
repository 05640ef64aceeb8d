/**
 * The to-do API: a web API ("middle tier") that the web app calls with the user's access token.
 *
 * 1. It validates the bearer token: signature against the identity provider's published keys
 *    (JWKS), issuer, audience (this API), lifetime, and the delegated permission `Todo.Read`.
 * 2. It calls a downstream API (Microsoft Graph's User.Read) as the same user, with a token it
 *    gets on the user's behalf: `acquireTokenOnBehalfOf(incomingToken, scopes)`. msal-ts caches
 *    that token under a hash of the incoming token, so the same incoming token is answered from
 *    the cache, and another user's (or the same user's next) token never sees it.
 *
 * The fake identity provider has no Graph to call, so GET /todos answers with what it would have
 * sent Graph: the downstream token's claims and where the token came from (`tokenSource`).
 */
import { createServer } from 'node:http'
import { ConfidentialClientApplication, MsalError } from '@msal-ts/node'
import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify } from 'jose'

/** The permission the web app asks for, and this API requires. */
export const TODO_READ = 'Todo.Read'
/** What the API asks for on the user's behalf. */
export const GRAPH_USER_READ = 'https://graph.microsoft.com/User.Read'

const json = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers })
  res.end(JSON.stringify(body, null, 2))
}

/** RFC 6750's answer to a request without a usable token. */
const unauthorized = (res, description) =>
  json(res, 401, { error: 'invalid_token', error_description: description }, {
    'www-authenticate': `Bearer error="invalid_token", error_description="${description.replace(/["\\]/g, '')}"`,
  })

/**
 * Starts the API on 127.0.0.1 (port 0: any free port).
 * - `authority`: the tenant's authority, e.g. https://login.microsoftonline.com/{tenant id}
 * - `clientId`, `clientCredential`: this API's own app registration (it is a confidential client)
 * Returns `{ url, app, close() }`.
 */
export async function startTodoApi({ authority, clientId, clientCredential, port = 0 }) {
  const app = new ConfidentialClientApplication({ clientId, clientCredential, authority })

  // Token validation, as any OpenID Connect resource server does it: the authority's discovery
  // document names the issuer and the signing keys (jose fetches and caches the JWKS, and fetches
  // it again when a token names a key it does not know, as after a key rollover).
  const discovery = await fetch(`${authority}/v2.0/.well-known/openid-configuration`)
  if (!discovery.ok) throw new Error(`todo-api: tenant discovery failed: ${discovery.status}`)
  const { issuer, jwks_uri: jwksUri } = await discovery.json()
  const keys = createRemoteJWKSet(new URL(jwksUri))
  // Entra's v2.0 access tokens name the API by its client id; v1.0 tokens (and this fake) by its
  // application id URI. Accept both.
  const audience = [clientId, `api://${clientId}`]

  /** The incoming token's claims, or why it is refused. */
  const validate = async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, { issuer, audience, algorithms: ['RS256'], clockTolerance: 60 })
      // A delegated (user) token carries `scp`; an app's own token carries `roles` instead.
      const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : []
      if (!scopes.includes(TODO_READ)) return { refused: `the token does not grant ${TODO_READ}` }
      return { claims: payload }
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return { refused: `${error.code}: ${error.message}` }
      throw error
    }
  }

  const todos = async (req, res) => {
    const [scheme, token] = (req.headers.authorization ?? '').split(' ')
    if (scheme?.toLowerCase() !== 'bearer' || token === undefined || token === '') return unauthorized(res, 'a bearer token is required')
    const checked = await validate(token)
    if (checked.refused !== undefined) return unauthorized(res, checked.refused)
    const caller = checked.claims

    let downstream
    try {
      downstream = await app.acquireTokenOnBehalfOf(token, [GRAPH_USER_READ])
    } catch (error) {
      if (!(error instanceof MsalError)) throw error
      // The user must do something (MFA, consent) that only the front end can ask of them: pass
      // the claims challenge back, so that the web app can send the user to sign in again with it.
      if (error.error === 'interaction_required' || error.claims) {
        return json(res, 401, { error: 'interaction_required', claims: error.claims ?? null }, {
          'www-authenticate': `Bearer error="insufficient_claims", claims="${Buffer.from(error.claims ?? '').toString('base64')}"`,
        })
      }
      return json(res, 502, { error: 'on_behalf_of_failed', kind: error.kind, description: error.errorDescription ?? error.message, correlationId: error.correlationId })
    }
    // Here a real API would call Graph: fetch('https://graph.microsoft.com/v1.0/me', { headers: { authorization: `Bearer ${downstream.accessToken}` } })
    const claims = decodeJwt(downstream.accessToken)
    json(res, 200, {
      caller: { name: caller.name, preferredUsername: caller.preferred_username, oid: caller.oid, scp: caller.scp, aud: caller.aud, azp: caller.azp },
      todos: [
        { id: 1, title: `Read ${caller.name}'s mail`, done: false },
        { id: 2, title: 'Try the on-behalf-of flow', done: true },
      ],
      onBehalfOf: {
        scopes: downstream.scopes,
        tokenSource: downstream.tokenSource,
        expiresIn: downstream.expiresIn,
        claims: { aud: claims.aud, scp: claims.scp, azp: claims.azp, name: claims.name, preferred_username: claims.preferred_username, oid: claims.oid, tid: claims.tid },
      },
    })
  }

  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost')
    const route = req.method === 'GET' && pathname === '/todos' ? todos : (_, response) => json(response, 404, { error: 'not_found' })
    Promise.resolve(route(req, res)).catch((error) => {
      console.error('todo-api:', error)
      if (!res.headersSent) json(res, 500, { error: 'internal_error' })
    })
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  const url = `http://127.0.0.1:${server.address().port}`
  return {
    url,
    app,
    close: () => new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}
