/**
 * CORS (the Fetch standard's HTTP-side protocol), so that code running in a browser page of
 * another origin can call the fake's discovery and token endpoints, as it calls Entra's. Only the
 * headers MSAL sends are allowed: a library that starts sending another one fails the preflight
 * here as it would against a strict server.
 */
import type { IdpAnswer, IdpRequest } from './types.js'

/** Request headers a page may send cross-origin (lower case): what MSAL libraries send to discovery and token endpoints. */
export const CORS_ALLOWED_HEADERS: readonly string[] = [
  'authorization',
  'client-request-id',
  'content-type',
  'return-client-request-id',
  'x-anchormailbox',
  'x-app-name',
  'x-app-ver',
  'x-client-current-telemetry',
  'x-client-last-telemetry',
  'x-client-os',
  'x-client-sku',
  'x-client-ver',
  'x-ms-lib-capability',
]

/** Response headers a page may read beyond the safelisted ones: throttling needs Retry-After. */
const EXPOSED_HEADERS = 'retry-after, client-request-id, x-ms-request-id'

/** How long a browser may keep a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE_SECONDS = 600

/** Whether a request is a CORS preflight (an OPTIONS with Origin and Access-Control-Request-Method). */
export const isPreflight = (request: IdpRequest): boolean =>
  request.method === 'OPTIONS' && request.headers['origin'] !== undefined && request.headers['access-control-request-method'] !== undefined

/**
 * The answer to a preflight for an endpoint that takes `methods`: 204 with the origin echoed, the
 * methods and the allowed headers. A method or header outside them gets no grant, so the browser
 * refuses the actual request.
 */
export const preflightAnswer = (request: IdpRequest, methods: readonly string[]): IdpAnswer => {
  const origin = request.headers['origin']!
  const method = request.headers['access-control-request-method']!.toUpperCase()
  const asked = (request.headers['access-control-request-headers'] ?? '').split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '')
  const granted = methods.includes(method) && asked.every((name) => CORS_ALLOWED_HEADERS.includes(name))
  return {
    kind: 'response',
    status: 204,
    headers: granted
      ? {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': methods.join(', '),
          'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(', '),
          'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
          vary: 'Origin',
        }
      : { vary: 'Origin' },
    body: '',
  }
}

/** An answer to a cross-origin request (one with `Origin`), readable by that origin. Others are left as they are. */
export const withCorsHeaders = (answer: IdpAnswer, origin: string | undefined): IdpAnswer =>
  origin === undefined || answer.kind !== 'response'
    ? answer
    : { ...answer, headers: { ...answer.headers, 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED_HEADERS, vary: 'Origin' } }
