import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { HttpOutcome, HttpRequest } from '@msal-ts/core'
import type { FetchFunction } from './fakeIdp/loopbackFetch.js'
import type { IdpAnswer, IdpRequest } from './fakeIdp/types.js'

/** Decides the answer to one request, whichever face it came through. */
export type RequestHandler = (request: IdpRequest) => IdpAnswer | Promise<IdpAnswer>

export const parseForm = (contentType: string | undefined, body: string): Record<string, string> =>
  contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded') === true ? Object.fromEntries(new URLSearchParams(body)) : {}

/** Face 1: an Http effect, answered directly (with createTestInterpreter). A timeout fault answers at once (virtual time). */
export const answerHttpEffect = async (handle: RequestHandler, request: HttpRequest): Promise<HttpOutcome> => {
  const answer = await handle({
    method: request.method,
    url: new URL(request.url),
    headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value])),
    form: request.form ?? {},
    body: request.body,
  })
  switch (answer.kind) {
    case 'response':
      return { _tag: 'HttpResponse', status: answer.status, headers: answer.headers, body: answer.body }
    case 'connection-error':
      return { _tag: 'HttpFailure', kind: 'connection', message: 'connect ECONNREFUSED (injected fault)' }
    case 'timeout':
      return { _tag: 'HttpFailure', kind: 'timeout', message: 'no response (injected fault)' }
  }
}

/** Face 2: a fetch-compatible function served in process, whatever the URL's host. */
export const fetchServedBy =
  (handle: RequestHandler): FetchFunction =>
  async (input, init = {}) => {
    const request = new Request(input, init)
    const headers: Record<string, string> = {}
    request.headers.forEach((value, name) => {
      headers[name] = value
    })
    const body = await request.text()
    const answer = await handle({ method: request.method, url: new URL(request.url), headers, form: parseForm(headers['content-type'], body), body })
    switch (answer.kind) {
      case 'response':
        return new Response(answer.status === 204 || answer.status === 304 ? null : answer.body, { status: answer.status, headers: answer.headers })
      case 'connection-error':
        throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED (injected fault)') })
      case 'timeout':
        return new Promise<Response>((_, reject) => {
          const signal = init.signal
          if (signal == null) return // no signal: hang, as a dead server would
          const abort = () => reject(signal.reason ?? new DOMException('The operation was aborted.', 'AbortError'))
          if (signal.aborted) abort()
          else signal.addEventListener('abort', abort, { once: true })
        })
    }
  }

/**
 * Face 3: a real HTTP server on 127.0.0.1. `origin` names the origin a request was meant for
 * (from X-Forwarded-Host, as loopbackFetch sends it), so answers can carry it.
 */
export class LoopbackServer {
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()

  constructor(private readonly handle: RequestHandler) {}

  /** Starts serving (port 0 picks a free one). Returns the base URL. */
  async listen(port = 0): Promise<string> {
    if (this.server !== undefined) throw new Error('already listening')
    const server = createServer((req, res) => void this.serve(req, res))
    server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    })
    this.server = server
    return this.url
  }

  get listening(): boolean {
    return this.server !== undefined
  }

  /** The base URL, e.g. http://127.0.0.1:53121 */
  get url(): string {
    const address = this.server?.address()
    if (address == null || typeof address === 'string') throw new Error('not listening')
    return `http://127.0.0.1:${address.port}`
  }

  /** Stops the server, dropping any connection a timeout fault is holding open. */
  async close(): Promise<void> {
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]))
    const body = Buffer.concat(chunks).toString('utf8')
    let answer: IdpAnswer
    try {
      answer = await this.handle({ method: req.method ?? 'GET', url: new URL(req.url ?? '/', forwardedOrigin(headers) ?? this.url), headers, form: parseForm(headers['content-type'], body), body })
    } catch (error) {
      answer = { kind: 'response', status: 500, headers: { 'content-type': 'text/plain' }, body: String(error) }
    }
    switch (answer.kind) {
      case 'response':
        res.writeHead(answer.status, answer.headers)
        res.end(answer.body)
        return
      case 'connection-error':
        req.socket.destroy()
        return
      case 'timeout':
        return // hold the connection open; close() or the client ends it
    }
  }
}

/**
 * The origin a client asked for, when something in front of the server says so (a TLS proxy, or
 * loopbackFetch tunnelling https://login.microsoftonline.com to the loopback server).
 */
export const forwardedOrigin = (headers: Readonly<Record<string, string>>): string | undefined => {
  const host = headers['x-forwarded-host']
  if (host === undefined || host === '') return undefined
  return `${headers['x-forwarded-proto'] ?? 'http'}://${host}`
}
