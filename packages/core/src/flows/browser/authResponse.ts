/** The parameters an authorization response puts on the redirect URI (RFC 6749 §4.1.2, §4.1.2.1; OIDC; Entra). */
const RESPONSE_PARAMS = new Set(['code', 'state', 'error', 'error_description', 'error_uri', 'error_subcode', 'suberror', 'session_state', 'client_info', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'iss', 'correlation_id', 'trace_id', 'timestamp'])

/** Whether parameters are an authorization response (they name a state and a code or an error). */
const isResponse = (params: URLSearchParams): boolean => params.has('state') && (params.has('code') || params.has('error'))

/** Parameters that are not the response's, kept in the same order; "" when none are left. */
const remaining = (params: URLSearchParams): string => {
  const kept = new URLSearchParams()
  params.forEach((value, name) => {
    if (!RESPONSE_PARAMS.has(name)) kept.append(name, value)
  })
  return kept.toString()
}

/**
 * The authorization response in a page's URL, from its query or its fragment, and the URL with
 * only the response's parameters removed: other query parameters and hash routes
 * ("#/dashboard") survive. Undefined when the URL holds no response.
 */
export const authResponseIn = (url: string): { readonly params: Record<string, string>; readonly cleanUrl: string } | undefined => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  const query = new URLSearchParams(parsed.search)
  const hash = parsed.hash.startsWith('#') ? parsed.hash.slice(1) : parsed.hash
  const fragment = new URLSearchParams(hash.includes('=') && !hash.startsWith('/') ? hash : '')
  const where = isResponse(query) ? query : isResponse(fragment) ? fragment : undefined
  if (where === undefined) return undefined
  const params: Record<string, string> = {}
  where.forEach((value, name) => {
    if (RESPONSE_PARAMS.has(name)) params[name] = value
  })
  if (where === query) {
    const rest = remaining(query)
    parsed.search = rest === '' ? '' : `?${rest}`
  } else {
    const rest = remaining(fragment)
    parsed.hash = rest === '' ? '' : `#${rest}`
  }
  return { params, cleanUrl: parsed.toString() }
}
