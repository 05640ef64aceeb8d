import type { HttpClient, HttpOutcome, HttpRequest } from '@msal-ts/core'

export type { HttpClient }

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded;charset=utf-8'

const messageOf = (value: unknown): string | undefined =>
  typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string'
    ? (value as { message: string }).message
    : undefined

/** "fetch failed: connect ECONNREFUSED 127.0.0.1:1". Duck-typed: errors may come from another realm. */
const describeError = (error: unknown): string => {
  const message = messageOf(error) ?? String(error)
  const cause = messageOf((error as { cause?: unknown } | undefined)?.cause)
  return cause !== undefined ? `${message}: ${cause}` : message
}

/**
 * Performs an Http effect with fetch. Redirects are not followed (token endpoints do not
 * redirect; following one could carry a secret elsewhere), so a redirect surfaces as an invalid
 * response. Failures and timeouts come back as values, never as exceptions.
 */
export const performHttp = async (client: HttpClient, request: HttpRequest, timeoutMs: number | undefined): Promise<HttpOutcome> => {
  const controller = new AbortController()
  let timedOut = false
  // Undefined: no timer (an injected client keeps its own timeouts).
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true
          controller.abort()
        }, timeoutMs)
  try {
    const form = request.form !== undefined ? new URLSearchParams(request.form as Record<string, string>).toString() : undefined
    const body = form ?? request.body
    const response = await client(request.url, {
      method: request.method,
      headers: form !== undefined ? { ...request.headers, 'content-type': FORM_CONTENT_TYPE } : { ...request.headers },
      ...(body !== undefined ? { body } : {}),
      signal: controller.signal,
      redirect: 'manual',
    })
    const text = await response.text()
    const headers: Record<string, string> = {}
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value
    })
    return { _tag: 'HttpResponse', status: response.status, headers, body: text }
  } catch (error) {
    return timedOut
      ? { _tag: 'HttpFailure', kind: 'timeout', message: `no response within ${timeoutMs} ms` }
      : { _tag: 'HttpFailure', kind: 'connection', message: describeError(error) }
  } finally {
    clearTimeout(timer)
  }
}
