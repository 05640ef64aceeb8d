export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

/**
 * A fetch that reaches any host through the fake's loopback server: `https://anyhost/path?q` is
 * sent to `{baseUrl}/path?q` over real HTTP, with `X-Forwarded-Host` and `X-Forwarded-Proto`
 * naming the host and scheme asked for, as a TLS-terminating proxy would. The server honours
 * them, so discovery documents and tokens carry the original origin. Give it to an application
 * as its `httpClient` to run every authority kind over real sockets.
 */
export const loopbackFetch =
  (baseUrl: string, fetchImpl: FetchFunction = globalThis.fetch): FetchFunction =>
  async (input, init) => {
    const request = new Request(input, init)
    const target = new URL(request.url)
    const headers = new Headers(request.headers)
    headers.set('x-forwarded-host', target.host)
    headers.set('x-forwarded-proto', target.protocol.slice(0, -1))
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD'
    return fetchImpl(new URL(`${target.pathname}${target.search}`, baseUrl), {
      method: request.method,
      headers,
      ...(hasBody ? { body: await request.arrayBuffer() } : {}),
      signal: request.signal,
      redirect: 'manual',
    })
  }
