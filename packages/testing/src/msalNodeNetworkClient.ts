/**
 * MSAL for Node's `system.networkClient` (its INetworkModule), served by any fetch function:
 * usually a FakeIdentityProvider's `fetch`. Test an application that uses @azure/msal-node
 * against the fake identity provider, or run it beside msal-ts in one benchmark.
 *
 * Typed structurally, so this package needs no dependency on @azure/msal-node.
 */
export interface NetworkRequestOptionsLike {
  readonly headers?: Record<string, string>
  readonly body?: string
}

export interface NetworkResponseLike<T> {
  readonly headers: Record<string, string>
  readonly body: T
  readonly status: number
}

export interface RecordedExchange {
  /** The HTTP method msal-node asked for: GET or POST. */
  readonly method: string
  /** The URL msal-node asked for, query included. */
  readonly url: string
  /** The status, or 'no response' when the request failed. */
  readonly status: number | 'no response'
}

export interface MsalNodeNetworkClient {
  /** msal-node's GET (discovery, metadata): the answer's headers, status and JSON body. */
  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptionsLike): Promise<NetworkResponseLike<T>>
  /** msal-node's POST (token requests): the answer's headers, status and JSON body. */
  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptionsLike): Promise<NetworkResponseLike<T>>
  /** Requests sent so far. */
  readonly count: number
  /** Every request sent so far, oldest first, with its status. */
  readonly exchanges: readonly RecordedExchange[]
}

export interface MsalNodeNetworkClientOptions {
  /** Delay each answer, as a real network would (milliseconds). */
  readonly latencyMs?: number
  /**
   * Builds the error thrown for a failed request ('network_error') or a body that is not JSON
   * ('token_parsing_error'), as msal-node's own HttpClient does; pass msal-node's AuthError to
   * get its exact errors. Default: an Error with an `errorCode`.
   */
  readonly toError?: (errorCode: 'network_error' | 'token_parsing_error', message: string) => Error
}

type FetchLike = (url: string, init: { method: string; headers?: Record<string, string>; body?: string }) => Promise<Response>

const defaultError = (errorCode: string, message: string): Error => Object.assign(new Error(`${errorCode}: ${message}`), { errorCode })

export const msalNodeNetworkClient = (fetch: FetchLike, options: MsalNodeNetworkClientOptions = {}): MsalNodeNetworkClient => {
  const toError = options.toError ?? defaultError
  const exchanges: RecordedExchange[] = []
  const send = async <T>(method: 'GET' | 'POST', url: string, request: NetworkRequestOptionsLike = {}): Promise<NetworkResponseLike<T>> => {
    if (options.latencyMs !== undefined && options.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, options.latencyMs))
    let response: Response
    try {
      response = await fetch(url, { method, ...(request.headers !== undefined ? { headers: request.headers } : {}), ...(method === 'POST' ? { body: request.body ?? '' } : {}) })
    } catch (error) {
      exchanges.push({ method, url, status: 'no response' })
      throw toError('network_error', `Network request failed: ${error instanceof Error ? error.message : String(error)}`)
    }
    exchanges.push({ method, url, status: response.status })
    const headers: Record<string, string> = {}
    response.headers.forEach((value, name) => {
      headers[name] = value
    })
    const text = await response.text()
    let body: T
    try {
      body = JSON.parse(text) as T
    } catch (error) {
      // msal-node's HttpClient refuses a body that is not JSON; an empty object would pass as a token response.
      throw toError('token_parsing_error', `Failed to parse response: ${error instanceof Error ? error.message : String(error)}`)
    }
    return { headers, body, status: response.status }
  }
  return {
    sendGetRequestAsync: (url, request) => send('GET', url, request),
    sendPostRequestAsync: (url, request) => send('POST', url, request),
    get count() {
      return exchanges.length
    },
    exchanges,
  }
}
