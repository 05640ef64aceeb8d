import type { HttpRequest } from '@msal-ts/core/spa'

/** Headers a cross-origin request may carry without a CORS preflight (Fetch §2.2.2, CORS-safelisted request-headers). */
const SAFELISTED = new Set(['accept', 'accept-language', 'content-language', 'content-type'])

/**
 * A request a browser can send without a CORS preflight: the library's headers (SKU, version,
 * telemetry, correlation id) move to the URL's query, as msal-browser sends them; routing hints
 * (X-AnchorMailbox) are dropped. The form body keeps its safelisted content type.
 */
export const corsSafeRequest = (request: HttpRequest): HttpRequest => {
  const moved = new URLSearchParams()
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase()
    if (SAFELISTED.has(lower)) headers[name] = value
    else if (lower.startsWith('x-client-') || lower.startsWith('x-app-') || lower === 'client-request-id' || lower === 'x-ms-lib-capability') moved.set(name, value)
  }
  const query = moved.toString()
  return query === '' ? { ...request, headers } : { ...request, headers, url: `${request.url}${request.url.includes('?') ? '&' : '?'}${query}` }
}

