/**
 * The protected API the single-page app calls: GET /me answers who the caller's access token
 * says they are. A browser calls it from another origin with an Authorization header, so it
 * answers CORS (the preflight and the request) for the app's origin only.
 *
 * It validates the bearer token as any OpenID Connect resource server does: the signature
 * against the keys (JWKS) the authority's discovery document names, the issuer, the audience
 * (this API), the lifetime, and the delegated permission. Otherwise 401 with WWW-Authenticate
 * (RFC 6750).
 */
import { createServer } from 'node:http'
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose'

/** The API's application ID URI (in Entra: "Expose an API"); the fake names an API by it, and it is the tokens' `aud`. */
export const API_AUDIENCE = 'api://spa-example-api'
/** The permission the API requires (delegated, so in the token's `scp`). */
export const API_PERMISSION = 'Profile.Read'
/** The scope the app asks for. */
export const API_SCOPE = `${API_AUDIENCE}/${API_PERMISSION}`

const cors = (origin) => ({ 'access-control-allow-origin': origin, vary: 'Origin' })

/**
 * Starts the API on 127.0.0.1 (port 0: any free port).
 * - `authority`: the tenant's authority; its discovery document names the issuer and the keys
 * - `appOrigin`: the single-page app's origin, the only one CORS lets call it
 * Returns `{ url, requests, close() }`; `requests` lists what it received: `{ method, path, origin, status }`.
 */
export async function startApi({ authority, appOrigin, port = 0 }) {
  const discovery = await fetch(`${authority}/v2.0/.well-known/openid-configuration`)
  if (!discovery.ok) throw new Error(`api: tenant discovery failed: ${discovery.status}`)
  const { issuer, jwks_uri: jwksUri } = await discovery.json()
  // jose fetches the keys once and again when a token names a key it does not know (a rollover).
  const keys = createRemoteJWKSet(new URL(jwksUri))
  const requests = []

  /** The token's claims, or why it is refused. */
  const validate = async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, { issuer, audience: API_AUDIENCE, algorithms: ['RS256'], clockTolerance: 60 })
      const granted = typeof payload.scp === 'string' ? payload.scp.split(' ') : []
      return granted.includes(API_PERMISSION) ? { claims: payload } : { refused: `the token does not grant ${API_PERMISSION}` }
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return { refused: `${error.code}: ${error.message}` }
      throw error
    }
  }

  const answer = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers })
    res.end(JSON.stringify(body))
  }

  const me = async (req, res, allowed) => {
    const [scheme, token] = (req.headers.authorization ?? '').split(' ')
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      return answer(res, 401, { error: 'invalid_token', error_description: 'a bearer token is required' }, { ...allowed, 'www-authenticate': 'Bearer' })
    }
    const checked = await validate(token)
    if (checked.refused !== undefined) {
      const description = checked.refused.replace(/["\\\r\n]/g, '')
      return answer(res, 401, { error: 'invalid_token', error_description: description }, { ...allowed, 'www-authenticate': `Bearer error="invalid_token", error_description="${description}"` })
    }
    const { name, preferred_username: username, oid, tid, scp, aud, iss, exp } = checked.claims
    answer(res, 200, { message: `Hello, ${name ?? username}`, caller: { name, username, oid, tid }, token: { aud, scp, iss, expiresAt: new Date(exp * 1000).toISOString() } }, allowed)
  }

  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost')
    const origin = req.headers.origin
    // Only the app's pages may read the answers (and send the Authorization header).
    const allowed = origin === appOrigin ? cors(origin) : {}
    res.on('finish', () => requests.push({ method: req.method, path: pathname, origin, status: res.statusCode }))
    if (pathname !== '/me') return answer(res, 404, { error: 'not_found' }, allowed)
    if (req.method === 'OPTIONS') {
      res.writeHead(204, origin === appOrigin ? { ...allowed, 'access-control-allow-methods': 'GET', 'access-control-allow-headers': 'authorization', 'access-control-max-age': '600' } : {})
      return res.end()
    }
    if (req.method !== 'GET') return answer(res, 405, { error: 'method_not_allowed' }, { ...allowed, allow: 'GET, OPTIONS' })
    me(req, res, allowed).catch((error) => {
      console.error('api:', error)
      if (!res.headersSent) answer(res, 500, { error: 'internal_error' }, allowed)
    })
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
