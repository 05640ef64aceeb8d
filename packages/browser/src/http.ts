import type { HttpClient, HttpFailure, HttpOutcome, HttpRequest } from '@msal-ts/core/spa'
import { timerDelay } from './timers.js'
import { DEFAULT_MAX_RESPONSE_BYTES } from './limits.js'

export type { HttpClient }

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded;charset=utf-8'

export { DEFAULT_MAX_RESPONSE_BYTES }

/** What a request may take, and until when. */
export interface HttpLimits {
  /** Milliseconds from the start of the request to the end of its body; undefined for none (an injected client keeps its own). */
  readonly timeoutMs: number | undefined
  /** Bytes of body accepted, counted after decompression. */
  readonly maxResponseBytes: number
}

const messageOf = (value: unknown): string | undefined =>
  typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string'
    ? (value as { message: string }).message
    : undefined

const codeOf = (value: unknown): unknown => (typeof value === 'object' && value !== null ? (value as { code?: unknown }).code : undefined)

/** "fetch failed: connect ECONNREFUSED 127.0.0.1:1". Duck-typed: errors may come from another realm. */
const describeError = (error: unknown): string => {
  const message = messageOf(error) ?? String(error)
  const cause = messageOf((error as { cause?: unknown } | undefined)?.cause)
  return cause !== undefined ? `${message}: ${cause}` : message
}

/** undici's answer to a response whose headers exceed its limit: a response, not a lost connection. */
const isHeadersOverflow = (error: unknown): boolean =>
  codeOf(error) === 'UND_ERR_HEADERS_OVERFLOW' || codeOf((error as { cause?: unknown } | undefined)?.cause) === 'UND_ERR_HEADERS_OVERFLOW'

/** The stream reader fetch's Response body gives (structural: no DOM library needed). */
interface BodyReader {
  read(): Promise<{ readonly done: boolean; readonly value?: Uint8Array | undefined }>
  cancel(reason?: unknown): Promise<void>
}
type StreamingResponse = Awaited<ReturnType<HttpClient>> & { readonly body?: { getReader(): BodyReader } | null }

type Expired = { readonly expired: true }
const EXPIRED: Expired = { expired: true }
const isExpired = (value: unknown): value is Expired => value === EXPIRED

/** The request's deadline: a promise that settles when it passes (before the request is aborted), and whether it has. */
interface Deadline {
  readonly expired: Promise<Expired>
  passed: boolean
}

const bodyFailure = (status: number, message: string): HttpFailure => ({ _tag: 'HttpFailure', kind: 'body', status, message })
const unreadBody = (status: number, error: unknown): HttpFailure => bodyFailure(status, `the response body could not be read to its end (${describeError(error)})`)
const tooLarge = (status: number, limit: number): HttpFailure =>
  bodyFailure(status, `the response body is larger than ${limit} bytes (maxResponseBytes), counted after decompression`)

/** Decodes one chunk strictly (or the end, with no chunk); undefined when it is not UTF-8. */
const decodeStrictly = (decoder: TextDecoder, chunk?: Uint8Array): string | undefined => {
  try {
    return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true })
  } catch {
    return undefined
  }
}

/**
 * Reads a body chunk by chunk, decoding strictly as UTF-8 and counting decompressed bytes: it
 * stops (and cancels the stream) as soon as the limit is passed or the deadline comes, so a
 * huge, endless or compressed-bomb body costs at most the limit in memory.
 */
const readLimited = async (reader: BodyReader, status: number, limits: HttpLimits, deadline: Deadline): Promise<string | HttpFailure | Expired> => {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  const parts: string[] = []
  let bytes = 0
  const stop = (answer: HttpFailure | Expired): HttpFailure | Expired => {
    reader.cancel().catch(() => undefined)
    return answer
  }
  const notUtf8 = bodyFailure(status, 'the response body is not valid UTF-8')
  for (;;) {
    let chunk: Awaited<ReturnType<BodyReader['read']>> | Expired
    try {
      chunk = await Promise.race([reader.read(), deadline.expired])
    } catch (error) {
      return stop(deadline.passed ? EXPIRED : unreadBody(status, error))
    }
    if (isExpired(chunk)) return stop(chunk)
    if (chunk.done) break
    if (chunk.value === undefined) continue
    bytes += chunk.value.byteLength
    if (bytes > limits.maxResponseBytes) return stop(tooLarge(status, limits.maxResponseBytes))
    const text = decodeStrictly(decoder, chunk.value)
    if (text === undefined) return stop(notUtf8)
    parts.push(text)
  }
  const rest = decodeStrictly(decoder)
  if (rest === undefined) return notUtf8
  parts.push(rest)
  return parts.join('')
}

/** A client whose response has no body stream: its text, checked against the limit afterwards. */
const readWhole = async (response: StreamingResponse, limits: HttpLimits, deadline: Deadline): Promise<string | HttpFailure | Expired> => {
  try {
    const text = await Promise.race([response.text(), deadline.expired])
    if (isExpired(text)) return text
    // Characters, not bytes: a UTF-8 byte count would need the encoding work again.
    return text.length > limits.maxResponseBytes ? tooLarge(response.status, limits.maxResponseBytes) : text
  } catch (error) {
    return deadline.passed ? EXPIRED : unreadBody(response.status, error)
  }
}

/**
 * Performs an Http effect with fetch. Redirects are not followed (token endpoints do not
 * redirect; following one could carry a secret elsewhere), so a redirect surfaces as an invalid
 * response. The timeout covers the whole exchange, body included, even with a client that
 * ignores its AbortSignal; the body is read up to `maxResponseBytes` (after decompression).
 * Failures and timeouts come back as values, never as exceptions.
 */
export const performHttp = async (client: HttpClient, request: HttpRequest, limitsOrTimeoutMs: HttpLimits | number | undefined): Promise<HttpOutcome> => {
  const limits: HttpLimits =
    typeof limitsOrTimeoutMs === 'object' ? limitsOrTimeoutMs : { timeoutMs: limitsOrTimeoutMs, maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES }
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline: Deadline = {
    passed: false,
    // No timeout (an injected client keeps its own): a deadline that never comes.
    expired: new Promise<Expired>((resolve) => {
      if (limits.timeoutMs === undefined) return
      timer = setTimeout(() => {
        // Settled first, aborted after: whatever the abort makes fail, the deadline is what is reported.
        deadline.passed = true
        resolve(EXPIRED)
        controller.abort()
      }, timerDelay(limits.timeoutMs))
    }),
  }
  const timedOut: HttpFailure = { _tag: 'HttpFailure', kind: 'timeout', message: `no response within ${limits.timeoutMs} ms (the timeout covers the whole body)` }
  try {
    const form = request.form !== undefined ? new URLSearchParams(request.form as Record<string, string>).toString() : undefined
    const body = form ?? request.body
    const pending = client(request.url, {
      method: request.method,
      headers: form !== undefined ? { ...request.headers, 'content-type': FORM_CONTENT_TYPE } : { ...request.headers },
      ...(body !== undefined ? { body } : {}),
      signal: controller.signal,
      redirect: 'manual',
    }) as Promise<StreamingResponse>
    pending.catch(() => undefined) // a client that ignores the signal may reject after the deadline
    const response = await Promise.race([pending, deadline.expired])
    if (isExpired(response)) return timedOut
    const stream = response.body
    const text =
      stream !== undefined && stream !== null && typeof stream.getReader === 'function'
        ? await readLimited(stream.getReader(), response.status, limits, deadline)
        : await readWhole(response, limits, deadline)
    if (isExpired(text)) return timedOut
    if (typeof text !== 'string') return text
    const headers: Record<string, string> = {}
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value
    })
    return { _tag: 'HttpResponse', status: response.status, headers, body: text }
  } catch (error) {
    if (deadline.passed) return timedOut
    if (isHeadersOverflow(error)) return bodyFailure(0, 'the response headers are larger than the HTTP client accepts')
    return { _tag: 'HttpFailure', kind: 'connection', message: describeError(error) }
  } finally {
    clearTimeout(timer)
  }
}
