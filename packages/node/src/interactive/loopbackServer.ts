import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { cancelledError, timeoutError, usageError, withFields, type MsalError } from '@msal-ts/core'
import { timerDelay } from '@msal-ts/browser'
import { finalPage, notice, redirectTo, welcomePage, type Page, type PageTemplates } from './pages.js'

/** Where the identity provider sends the browser back: an http URI on this machine. */
export interface RedirectTarget {
  /** As the redirect URI writes it: localhost or 127.0.0.1 (the server listens on 127.0.0.1 for both). */
  readonly hostname: string
  /** 0: any free port. */
  readonly port: number
  /** The redirect URI's path and query as written ('' for none, as in http://localhost:1234). */
  readonly rest: string
  /** The option that chose the port, for errors. */
  readonly portOption: 'port' | 'redirectUri'
}

export interface AwaitResponseOptions {
  /** The flow's state: a response carrying any other is ignored. */
  readonly state: string
  readonly responseMode: 'query' | 'form_post'
  readonly templates: PageTemplates
  /** Milliseconds; undefined waits until aborted. */
  readonly timeoutMs?: number | undefined
  readonly signal?: AbortSignal | undefined
  /** Told about every request that did not end the sign-in (wrong path, state, method...). */
  readonly onIgnored?: ((reason: string) => void) | undefined
  /**
   * What the start address (`startUri`) shows while waiting: MSAL Python's welcome page when a
   * template is given, else a redirect to the sign-in page. So a browser opened there, by hand
   * too, goes on to sign in.
   */
  readonly start?: { readonly authUri: string; readonly welcomeTemplate?: string | undefined } | undefined
}

/** The authorization response's parameters, each present once. */
export type AuthResponse = Readonly<Record<string, string>>

const MAX_BODY_BYTES = 64 * 1024
/** How long closing waits for answers still being written before it cuts the connections. */
const CLOSE_GRACE_MS = 2_000
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1'])
/**
 * The loopback interface only (RFC 8252 §8.3), as MSAL Python; browsers that try ::1 first for
 * localhost fall back to it. Entra does not accept [::1] in redirect URIs.
 */
const LISTEN_HOST = '127.0.0.1'

interface Waiter {
  readonly options: AwaitResponseOptions
  readonly resolve: (response: AuthResponse) => void
  readonly reject: (error: unknown) => void
  readonly cleanup: () => void
}

type Phase = { readonly kind: 'idle' } | { readonly kind: 'waiting'; readonly waiter: Waiter } | { readonly kind: 'done' }

/**
 * The local HTTP server a native app's sign-in comes back to (RFC 8252 §7.3): it listens on the
 * loopback interface only, takes the authorization response on the redirect URI's path (a GET
 * query, or a POST form for response_mode=form_post), answers every other path 404 and ignores
 * responses that do not carry the flow's state, so a forged request cannot end the sign-in.
 */
export class LoopbackServer {
  readonly port: number
  /** The redirect URI to send, with the port the server got. */
  readonly redirectUri: string
  /**
   * The server's start address, http://<host>:<port>/ (MSAL Python's welcome_uri): it shows the
   * welcome page, or sends the browser on to the sign-in page.
   */
  readonly startUri: string
  private readonly path: string
  private phase: Phase = { kind: 'idle' }
  private readonly inFlight = new Set<Promise<void>>()
  private closing: Promise<void> | undefined

  private constructor(
    private readonly server: Server,
    target: RedirectTarget,
    port: number,
  ) {
    this.port = port
    this.redirectUri = `http://${target.hostname}:${port}${target.rest}`
    this.startUri = `http://${target.hostname}:${port}/`
    this.path = new URL(this.redirectUri).pathname
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.track(req, res))
  }

  /** Listens on the target's port (0: any free one). A port that is taken is a UsageError naming it. */
  static start(target: RedirectTarget): Promise<LoopbackServer> {
    const server = createServer()
    return new Promise((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException): void => reject(listenError(error, target))
      server.once('error', failed)
      server.listen({ host: LISTEN_HOST, port: target.port }, () => {
        server.off('error', failed)
        // A failing connection must not crash the process; the sign-in goes on.
        server.on('error', () => undefined)
        const address = server.address()
        resolve(new LoopbackServer(server, target, typeof address === 'object' && address !== null ? address.port : target.port))
      })
    })
  }

  /**
   * Waits for the authorization response: the first request on the redirect path that carries a
   * code or an error and the flow's state. Its browser gets the success or error page. Rejects
   * with a TimeoutError after `timeoutMs`, a CancelledError when `signal` aborts.
   */
  awaitResponse(options: AwaitResponseOptions): Promise<AuthResponse> {
    if (this.phase.kind !== 'idle') return Promise.reject(new Error('LoopbackServer: awaitResponse may be called once'))
    return new Promise<AuthResponse>((resolve, reject) => {
      const { signal, timeoutMs } = options
      const onAbort = (): void => this.fail(abortedError(signal!))
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(
              () =>
                this.fail(
                  withFields(timeoutError(this.redirectUri, 'no sign-in response'), {
                    message: `acquireTokenInteractive: no sign-in response arrived at ${this.redirectUri} within ${timeoutMs / 1000} s`,
                  }),
                ),
              timerDelay(timeoutMs),
            )
      const cleanup = (): void => {
        if (timer !== undefined) clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
      }
      this.phase = { kind: 'waiting', waiter: { options, resolve, reject, cleanup } }
      if (signal?.aborted === true) onAbort()
      else signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /**
   * The welcome page's abort link (MSAL Python's abort_uri, `{welcome_uri}?error=abort`), with the
   * flow's state so that it is taken as the flow's answer: the call ends with the "abort" error.
   */
  abortUri(state: string): string {
    return `${this.startUri}?${new URLSearchParams({ error: 'abort', state }).toString()}`
  }

  /**
   * Stops listening at once (the port is free when this resolves), lets answers being written
   * finish (for a moment), then cuts every connection. A pending awaitResponse is cancelled.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown()
    return this.closing
  }

  private async shutDown(): Promise<void> {
    this.fail(cancelledError('acquireTokenInteractive: the sign-in listener was closed'))
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeIdleConnections()
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([Promise.all(this.inFlight), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))])
      clearTimeout(timer)
    }
    this.server.closeAllConnections()
    await closed
  }

  private fail(error: unknown): void {
    if (this.phase.kind !== 'waiting') {
      this.phase = { kind: 'done' }
      return
    }
    const { waiter } = this.phase
    this.phase = { kind: 'done' }
    waiter.cleanup()
    waiter.reject(error)
  }

  private track(req: IncomingMessage, res: ServerResponse): void {
    const answered = new Promise<void>((resolve) => res.once('close', resolve))
    this.inFlight.add(answered)
    void answered.then(() => this.inFlight.delete(answered))
    this.handle(req, res)
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (!this.isOwnHost(req.headers.host)) return this.ignore(res, notice(400, 'Unexpected Host header.'), 'a request for another host')
    const url = new URL(req.url ?? '/', 'http://loopback.invalid')
    const atStart = url.pathname === '/' && req.method === 'GET'
    // The start address: the welcome page (or on to the sign-in page), and the welcome page's abort link.
    if (atStart && !isResponse(singleValued(url.searchParams))) return this.start(res)
    if (url.pathname !== this.path && !(atStart && url.searchParams.get('error') === 'abort')) return send(res, notice(404, 'Not found.'))
    if (req.method === 'GET') return this.consider(res, 'GET', url.searchParams)
    if (req.method !== 'POST') return send(res, notice(405, 'Method not allowed.'), { allow: 'GET, POST' })
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    if (type !== 'application/x-www-form-urlencoded') return this.ignore(res, notice(415, 'Expected a form (application/x-www-form-urlencoded).'), 'a POST that is not a form')
    readBody(req, MAX_BODY_BYTES).then(
      (body) => this.consider(res, 'POST', new URLSearchParams(body)),
      () => this.ignore(res, notice(413, 'Request too large.'), 'a POST too large to be a sign-in response'),
    )
  }

  /** What the start address shows: the welcome page, or a redirect on to the sign-in page. */
  private start(res: ServerResponse): void {
    if (this.phase.kind === 'done') return send(res, notice(410, 'The sign-in is over. You can close this tab.'))
    const start = this.phase.kind === 'waiting' ? this.phase.waiter.options.start : undefined
    if (start === undefined) return send(res, notice(404, 'Not found.'))
    if (start.welcomeTemplate !== undefined) {
      return send(res, welcomePage(start.welcomeTemplate, { auth_uri: start.authUri, abort_uri: this.abortUri((this.phase as { waiter: Waiter }).waiter.options.state) }))
    }
    const page = redirectTo(start.authUri)
    send(res, page, { location: page.location })
  }

  /** Ends the sign-in with this request, or explains to its sender why it does not. */
  private consider(res: ServerResponse, method: 'GET' | 'POST', params: URLSearchParams): void {
    if (this.phase.kind === 'done') return send(res, notice(410, 'The sign-in is over. You can close this tab.'))
    const fields = singleValued(params)
    if (fields === undefined || !isResponse(fields)) {
      return this.ignore(res, notice(400, 'This is not a sign-in response. The application is still waiting for one.'), 'a request that is not an authorization response')
    }
    if (this.phase.kind === 'idle' || fields['state'] !== this.phase.waiter.options.state) {
      return this.ignore(res, notice(400, 'This response does not belong to the sign-in in progress, so it was ignored.'), 'a response with another state')
    }
    const { waiter } = this.phase
    // Errors may come back by GET whatever was asked; a code only the way the application asked for it.
    const expected = waiter.options.responseMode === 'form_post' ? 'POST' : 'GET'
    if (nonEmpty(fields['code']) && method !== expected) {
      return this.ignore(res, notice(400, `The application asked for the response ${expected === 'POST' ? 'as a form post' : 'in the address'}; this one was ignored.`), `a code sent by ${method}`)
    }
    this.phase = { kind: 'done' }
    waiter.cleanup()
    send(res, finalPage(waiter.options.templates, fields))
    waiter.resolve(fields)
  }

  private ignore(res: ServerResponse, page: Page, reason: string): void {
    if (this.phase.kind === 'waiting') this.phase.waiter.options.onIgnored?.(reason)
    send(res, page)
  }

  /** Requests a page of another origin makes after rebinding its name to 127.0.0.1 carry that name. */
  private isOwnHost(host: string | undefined): boolean {
    if (host === undefined) return false
    try {
      const url = new URL(`http://${host}`)
      return LOOPBACK_NAMES.has(url.hostname) && url.port === String(this.port)
    } catch {
      return false
    }
  }
}

const nonEmpty = (value: string | undefined): boolean => value !== undefined && value !== ''

/** An authorization response carries a code or an error (RFC 6749 §4.1.2). */
const isResponse = (fields: Readonly<Record<string, string>> | undefined): boolean => fields !== undefined && (nonEmpty(fields['code']) || nonEmpty(fields['error']))

/** The parameters as a record, or undefined when one repeats (how a forged response smuggles a second value in). */
const singleValued = (params: URLSearchParams): Record<string, string> | undefined => {
  const fields: Record<string, string> = {}
  for (const [name, value] of params) {
    if (Object.hasOwn(fields, name)) return undefined
    fields[name] = value
  }
  return fields
}

/** What the loopback server's pages may do: show themselves with inline styles, nothing more. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const send = (res: ServerResponse, page: Page, headers: Readonly<Record<string, string>> = {}): void => {
  res.writeHead(page.status, {
    'content-type': page.contentType,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // The pages are static: no script, no frame, no form, nothing loaded from elsewhere.
    'content-security-policy': PAGE_CSP,
    'x-frame-options': 'DENY',
    connection: 'close',
    ...headers,
  })
  res.end(page.body)
}

const readBody = (req: IncomingMessage, limit: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.removeAllListeners('data')
        req.resume()
        reject(new Error('too large'))
      } else {
        chunks.push(chunk)
      }
    })
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.once('error', reject)
  })

const describeReason = (reason: unknown): string =>
  reason instanceof Error && reason.name !== 'AbortError' ? ` (${reason.message})` : typeof reason === 'string' && reason !== '' ? ` (${reason})` : ''

/** The CancelledError an aborted sign-in rejects with; the signal's reason is quoted when it says something. */
export const abortedError = (signal: AbortSignal): MsalError =>
  cancelledError(`acquireTokenInteractive: aborted${describeReason(signal.reason)}`)

const listenError = (error: NodeJS.ErrnoException, target: RedirectTarget): unknown => {
  const where = target.portOption === 'redirectUri' ? 'the redirect URI\'s port' : 'port'
  switch (error.code) {
    case 'EADDRINUSE':
      return usageError(target.portOption, `${where} ${target.port} is in use by another program; choose another, or 0 for any free port`)
    case 'EACCES':
      return usageError(target.portOption, `not allowed to listen on ${where} ${target.port}; choose a port above 1023, or 0 for any free port`)
    default:
      return error
  }
}
