import { randomBytes as nodeRandomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { bytesToBase64Url, type HttpOutcome, type HttpRequest } from '@msal-ts/core'
import { takeFault, type Fault, type FaultRule } from '../faults.js'
import type { RandomSource } from '../random.js'
import { clientCredentialsGrant } from './clientCredentialsGrant.js'
import { entraError, JSON_HEADERS, type ErrorContext } from './entraErrors.js'
import { isMultiTenantAlias, tenantIdOf } from './ids.js'
import { TokenSigner } from './tokens.js'
import type { IdpAnswer, IdpRequest, RecordedRequest, RegisteredApp } from './types.js'

export interface FakeIdentityProviderOptions {
  /** Epoch milliseconds; default the real clock. Share a FixedClock's `now` for virtual time. */
  readonly clock?: () => number
  /** Randomness for ids in tokens and errors; default crypto. */
  readonly random?: RandomSource
  /** Access token lifetime; Entra's app tokens live 3599 s by default. */
  readonly tokenLifetimeSeconds?: number
  /** When set, token responses carry `refresh_in` (Entra does for long-lived tokens). */
  readonly refreshInSeconds?: number
  /** When set, only these tenants exist; others get AADSTS90002. Default: every tenant exists. */
  readonly tenants?: readonly string[]
}

export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

const uuidFrom = (bytes: Uint8Array): string => {
  const hex = Buffer.from(bytes).toString('hex').padEnd(32, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

const ROUTES = {
  discovery: /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/,
  keys: /^\/([^/]+)\/discovery\/v2\.0\/keys$/,
  token: /^\/([^/]+)\/oauth2\/v2\.0\/token$/,
}

const notFound = (): IdpAnswer => ({
  kind: 'response',
  status: 404,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: '<!DOCTYPE html><html><head><title>404 - Not Found</title></head><body>The page you requested was not found.</body></html>',
})

/**
 * A fake Microsoft identity platform: Entra's wire protocol for tenant discovery and the
 * client-credentials grant, with Entra's response and error shapes. One implementation, three
 * faces: `http` (answers Http effects directly), `fetch` (an `httpClient` for applications)
 * and `listen()` (a real HTTP server on 127.0.0.1).
 */
export class FakeIdentityProvider {
  private readonly apps = new Map<string, RegisteredApp>()
  private readonly faultRules: FaultRule[] = []
  private readonly recorded: RecordedRequest[] = []
  private readonly signer = new TokenSigner()
  private readonly clock: () => number
  private readonly random: RandomSource
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()

  constructor(private readonly options: FakeIdentityProviderOptions = {}) {
    this.clock = options.clock ?? Date.now
    this.random = options.random ?? ((length) => new Uint8Array(nodeRandomBytes(length)))
  }

  /** Registers an application (a client id and, for confidential clients, its secret). */
  registerApp(app: RegisteredApp): this {
    this.apps.set(app.clientId.toLowerCase(), app)
    return this
  }

  /** Every request received, oldest first. */
  get requests(): readonly RecordedRequest[] {
    return this.recorded
  }

  /** Token endpoint requests only. */
  get tokenRequests(): readonly RecordedRequest[] {
    return this.recorded.filter((request) => ROUTES.token.test(request.path))
  }

  clearRequests(): void {
    this.recorded.length = 0
  }

  /**
   * Makes `times` requests (default 1) whose path matches fail as the fault says, after letting
   * `skip` matching requests (default 0) through.
   */
  injectFault(fault: Fault, options: { path?: string | RegExp; times?: number; skip?: number } = {}): this {
    this.faultRules.push({ fault, path: options.path, skip: options.skip ?? 0, remaining: options.times ?? 1 })
    return this
  }

  clearFaults(): void {
    this.faultRules.length = 0
  }

  /** The public signing keys, as the JWKS endpoint serves them. */
  jwks(): Promise<{ keys: object[] }> {
    return this.signer.jwks()
  }

  /** Decides the answer to one request. Every face goes through here. */
  async handle(request: IdpRequest): Promise<IdpAnswer> {
    const nowMs = this.clock()
    this.recorded.push({
      method: request.method,
      url: request.url.toString(),
      path: request.url.pathname,
      headers: request.headers,
      form: request.form,
      at: nowMs,
    })
    const fault = takeFault(this.faultRules, request.url.pathname)
    if (fault !== undefined) return fault.kind === 'answer' ? { ...fault, kind: 'response' } : fault

    const ctx: ErrorContext = {
      origin: request.url.origin,
      correlationId: request.headers['client-request-id'] ?? uuidFrom(this.random(16)),
      traceId: uuidFrom(this.random(16)),
      nowMs,
    }
    const path = request.url.pathname
    const [route, match] = (Object.entries(ROUTES) as Array<[keyof typeof ROUTES, RegExp]>)
      .map(([name, pattern]) => [name, pattern.exec(path)] as const)
      .find(([, m]) => m !== null) ?? [undefined, null]
    if (route === undefined || match === null) return notFound()
    const tenant = decodeURIComponent(match[1]!)
    if (this.options.tenants !== undefined && !isMultiTenantAlias(tenant) && !this.options.tenants.includes(tenant)) {
      return entraError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`, ctx)
    }
    switch (route) {
      case 'discovery':
        return request.method === 'GET' ? this.json(this.openIdConfiguration(request.url.origin, tenant)) : notFound()
      case 'keys':
        return request.method === 'GET' ? this.json(await this.signer.jwks()) : notFound()
      case 'token':
        if (request.method !== 'POST') return notFound()
        return this.token(request, tenant, ctx)
    }
  }

  private token(request: IdpRequest, tenant: string, ctx: ErrorContext): Promise<IdpAnswer> | IdpAnswer {
    const grantType = request.form['grant_type']
    if (grantType === 'client_credentials') {
      return clientCredentialsGrant(request, {
        ...ctx,
        tenant,
        apps: this.apps,
        signer: this.signer,
        tokenLifetimeSeconds: this.options.tokenLifetimeSeconds ?? 3599,
        refreshInSeconds: this.options.refreshInSeconds,
        randomId: () => bytesToBase64Url(this.random(16)),
      })
    }
    return entraError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType ?? ''}'.`, ctx)
  }

  private json(body: unknown): IdpAnswer {
    return { kind: 'response', status: 200, headers: JSON_HEADERS, body: JSON.stringify(body) }
  }

  /** Tenant discovery's document, with endpoints on whatever origin the request used. */
  openIdConfiguration(origin: string, tenant: string): Record<string, unknown> {
    const base = `${origin}/${tenant}`
    const tid = isMultiTenantAlias(tenant) ? '{tenantid}' : tenantIdOf(tenant)
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${origin}/${tid}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${origin}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    }
  }

  // ---- Face 1: Http effects, answered directly (used with createTestInterpreter) ----

  /** Answers an Http effect. A timeout fault answers at once with a timeout failure (virtual time). */
  readonly http = async (request: HttpRequest): Promise<HttpOutcome> => {
    const answer = await this.handle({
      method: request.method,
      url: new URL(request.url),
      headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value])),
      form: request.form ?? {},
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

  // ---- Face 2: a fetch function (an application's httpClient) ----

  /** A fetch-compatible function served in-process, whatever the URL's host. */
  readonly fetch: FetchFunction = async (input, init = {}) => {
    const request = new Request(input, init)
    const headers: Record<string, string> = {}
    request.headers.forEach((value, name) => {
      headers[name] = value
    })
    const answer = await this.handle({
      method: request.method,
      url: new URL(request.url),
      headers,
      form: parseForm(headers['content-type'], await request.text()),
    })
    switch (answer.kind) {
      case 'response':
        return new Response(answer.body, { status: answer.status, headers: answer.headers })
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

  // ---- Face 3: a real HTTP server on loopback ----

  /** Starts serving on 127.0.0.1 (port 0 picks a free one). Returns the base URL. */
  async listen(port = 0): Promise<string> {
    if (this.server !== undefined) throw new Error('FakeIdentityProvider is already listening')
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

  /** The loopback server's base URL, e.g. http://127.0.0.1:53121 */
  get url(): string {
    const address = this.server?.address()
    if (address == null || typeof address === 'string') throw new Error('FakeIdentityProvider is not listening')
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
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value ?? '']),
    )
    let answer: IdpAnswer
    try {
      answer = await this.handle({
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', this.url),
        headers,
        form: parseForm(headers['content-type'], Buffer.concat(chunks).toString('utf8')),
      })
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

const parseForm = (contentType: string | undefined, body: string): Record<string, string> =>
  contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded') === true
    ? Object.fromEntries(new URLSearchParams(body))
    : {}
