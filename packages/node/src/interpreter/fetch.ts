import type { HttpClient } from '@msal-ts/browser'

/**
 * The fetch to use: the one the application injected, else the runtime's global fetch, else
 * cross-fetch (for runtimes without one). cross-fetch loads only when needed.
 */
export const resolveFetch = async (
  injected: HttpClient | undefined,
  runtime: { readonly fetch?: unknown } = globalThis,
): Promise<HttpClient> => {
  if (injected !== undefined) return injected
  if (typeof runtime.fetch === 'function') return runtime.fetch as HttpClient
  const crossFetch = await import('cross-fetch')
  return crossFetch.default as unknown as HttpClient
}
