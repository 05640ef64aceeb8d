import { randomBytes, randomUUID } from 'node:crypto'
import type { HttpOutcome, HttpRequest } from '@msal-ts/core'
import { takeFault, type Fault, type FaultRule } from '../faults.js'
import { loopbackFetch, type FetchFunction } from '../fakeIdp/loopbackFetch.js'
import type { IdpAnswer, IdpRequest } from '../fakeIdp/types.js'
import { answerHttpEffect, fetchServedBy, LoopbackServer } from '../serving.js'

/** An identity an emulated host has: the ids a request may name it by. */
export interface EmulatedIdentity {
  /** The identity's client (application) id: the token's appid; a request may name the identity by it (client_id). */
  readonly clientId: string
  /** The identity's object (principal) id: the token's oid and sub; a request may name the identity by it (object_id). */
  readonly objectId: string
  /** /subscriptions/…/resourceGroups/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name> */
  readonly resourceId: string
}

export interface ManagedIdentityEmulationOptions {
  /** Epoch milliseconds; default the real clock. Pass a test's fixed clock for virtual time. */
  readonly clock?: () => number
  /** How long issued tokens live, in seconds. Default: the source's usual lifetime. */
  readonly tokenLifetimeSeconds?: number
  /** The host's system-assigned identity; null: it has none. Default: a generated one. */
  readonly systemAssigned?: EmulatedIdentity | null
  /** The host's user-assigned identities. Default: one, generated. */
  readonly userAssigned?: readonly EmulatedIdentity[]
  /** The tenant the identities belong to. */
  readonly tenantId?: string
}

/** A request as an emulated source saw it. Header names are lower-case. */
export interface EmulatedRequest {
  /** The HTTP method, upper-case. */
  readonly method: string
  /** The full URL asked, query included. */
  readonly url: string
  /** The URL's path, e.g. "/metadata/identity/oauth2/token". */
  readonly path: string
  /** The query string's parameters. */
  readonly query: Readonly<Record<string, string>>
  /** The request headers (the source's secret header among them). */
  readonly headers: Readonly<Record<string, string>>
  /** The form body's fields (Cloud Shell's POST); empty for a GET. */
  readonly form: Readonly<Record<string, string>>
  /** Epoch milliseconds on the emulation's clock. */
  readonly at: number
}

/** A token an emulated source issued. */
export interface IssuedToken {
  /** The token, JWT-shaped (aud, oid, tid, appid, xms_mirid claims). */
  readonly accessToken: string
  /** The resource it was asked for (its `aud`). */
  readonly resource: string
  /** The identity it was issued to. */
  readonly identity: EmulatedIdentity
  /** When it expires, in epoch seconds. */
  readonly expiresOn: number
}

/** The kind of id a request named a user-assigned identity by. */
export type IdKind = 'clientId' | 'objectId' | 'resourceId'

const uuid = (): string => randomUUID()

/** A generated identity, with ids shaped like Azure's. */
export const generatedIdentity = (name = 'emulated-identity'): EmulatedIdentity => ({
  clientId: uuid(),
  objectId: uuid(),
  resourceId: `/subscriptions/${uuid()}/resourceGroups/emulated/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`,
})

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A JWT-shaped access token (signed by nothing: resources in tests do not verify it). */
export const jwtShapedToken = (claims: Readonly<Record<string, unknown>>): string =>
  `${base64url({ typ: 'JWT', alg: 'RS256', kid: 'emulated' })}.${base64url(claims)}.${randomBytes(32).toString('base64url')}`

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): IdpAnswer => ({
  kind: 'response',
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
})

/**
 * What every emulated managed identity source shares: its identities, the tokens it issues, the
 * requests it saw, injected faults, and the three faces (Http effects for virtual time, a fetch
 * for an application's `httpClient`, a loopback HTTP server). A subclass speaks its source's
 * protocol: endpoint, api-version, headers, id parameters, success and error shapes.
 *
 * Point an application at it with `env` (the variables the source's host sets, naming this
 * emulation's endpoint): the ManagedIdentityClient's `env` option, or process.env for MSAL for Node.
 */
export abstract class ManagedIdentityEmulation {
  /** The source, as getManagedIdentitySource() names it. */
  abstract readonly source: string
  /** Where the endpoint is when not listening (in process the host does not matter). */
  protected abstract readonly defaultOrigin: string
  protected abstract readonly defaultLifetimeSeconds: number

  readonly systemAssigned: EmulatedIdentity | null
  readonly userAssigned: readonly EmulatedIdentity[]
  readonly tenantId: string
  protected readonly clock: () => number
  private readonly recorded: EmulatedRequest[] = []
  private readonly tokens: IssuedToken[] = []
  private readonly faultRules: FaultRule[] = []
  private readonly server = new LoopbackServer((request) => this.handle(request))

  constructor(protected readonly options: ManagedIdentityEmulationOptions = {}) {
    this.clock = options.clock ?? Date.now
    this.systemAssigned = options.systemAssigned === undefined ? generatedIdentity('system') : options.systemAssigned
    this.userAssigned = options.userAssigned ?? [generatedIdentity('user-assigned-1')]
    this.tenantId = options.tenantId ?? uuid()
  }

  /** The environment variables the source's host sets, naming this emulation (its loopback URL once listening). */
  abstract get env(): Record<string, string>

  /** Answers a request the source's way (faults and recording are done for it). */
  protected abstract answer(request: IdpRequest, query: Readonly<Record<string, string>>): IdpAnswer

  /** Every request seen, oldest first. */
  get requests(): readonly EmulatedRequest[] {
    return this.recorded
  }

  /** Every token issued, oldest first. */
  get issued(): readonly IssuedToken[] {
    return this.tokens
  }

  clearRequests(): this {
    this.recorded.length = 0
    return this
  }

  /** Makes the next `times` requests (default 1), after `skip` (default 0), fail as the fault says. */
  injectFault(fault: Fault, options: { times?: number; skip?: number } = {}): this {
    this.faultRules.push({ fault, skip: options.skip ?? 0, remaining: options.times ?? 1 })
    return this
  }

  clearFaults(): this {
    this.faultRules.length = 0
    return this
  }

  /** Decides the answer to one request, whichever face it came through. */
  handle(request: IdpRequest): IdpAnswer {
    const query = Object.fromEntries(request.url.searchParams)
    this.recorded.push({
      method: request.method,
      url: request.url.toString(),
      path: request.url.pathname,
      query,
      headers: request.headers,
      form: request.form,
      at: this.clock(),
    })
    const fault = takeFault(this.faultRules, request.url.pathname)
    if (fault !== undefined) {
      return fault.kind === 'answer' ? { kind: 'response', status: fault.status, headers: fault.headers, body: fault.body } : fault
    }
    return this.answer(request, query)
  }

  /** Face 1: answers an Http effect (with createTestInterpreter: virtual time). */
  readonly http = (request: HttpRequest): Promise<HttpOutcome> => answerHttpEffect((r) => this.handle(r), request)

  /** Face 2: a fetch-compatible function served in process (an application's `httpClient`), whatever the host. */
  readonly fetch: FetchFunction = fetchServedBy((r) => this.handle(r))

  /** Face 3: serves on 127.0.0.1 (port 0 picks a free one); `env` then names this server. Returns the base URL. */
  listen(port = 0): Promise<string> {
    return this.server.listen(port)
  }

  /** A fetch that reaches any host through the loopback server (for endpoints fixed in code, such as Cloud Shell's). */
  readonly tunnelFetch: FetchFunction = (input, init) => loopbackFetch(this.server.url)(input, init)

  /** Stops the loopback server. */
  close(): Promise<void> {
    return this.server.close()
  }

  /** The origin the endpoint is on: the loopback server's once listening, else the source's usual one. */
  get origin(): string {
    return this.server.listening ? this.server.url : this.defaultOrigin
  }

  /** The identity a request names (undefined id: the system-assigned one), or undefined when the host has no such identity. */
  protected identityNamed(kind: IdKind | undefined, id: string | undefined): EmulatedIdentity | undefined {
    if (kind === undefined || id === undefined) return this.systemAssigned ?? undefined
    const all = [...(this.systemAssigned === null ? [] : [this.systemAssigned]), ...this.userAssigned]
    return all.find((identity) => identity[kind].toLowerCase() === id.toLowerCase())
  }

  /** Issues a token of `identity` for `resource`. Times are epoch seconds. */
  protected issue(identity: EmulatedIdentity, resource: string, extraClaims: Readonly<Record<string, unknown>> = {}): IssuedToken & { readonly expiresIn: number; readonly notBefore: number } {
    const now = Math.floor(this.clock() / 1000)
    const expiresIn = this.options.tokenLifetimeSeconds ?? this.defaultLifetimeSeconds
    const accessToken = jwtShapedToken({
      aud: resource,
      iss: `https://sts.windows.net/${this.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + expiresIn,
      appid: identity.clientId,
      oid: identity.objectId,
      sub: identity.objectId,
      tid: this.tenantId,
      idtyp: 'app',
      xms_mirid: identity.resourceId,
      ...extraClaims,
    })
    const token = { accessToken, resource, identity, expiresOn: now + expiresIn }
    this.tokens.push(token)
    return { ...token, expiresIn, notBefore: now }
  }
}

/** The one id parameter a request names an identity by, from `names` (parameter → kind); two is an error. */
export const namedId = (
  query: Readonly<Record<string, string>>,
  names: Readonly<Record<string, IdKind>>,
): { readonly kind?: IdKind; readonly id?: string; readonly problem?: string } => {
  const given = Object.keys(names).filter((name) => query[name] !== undefined && query[name] !== '')
  if (given.length > 1) return { problem: `only one of ${given.join(', ')} may be given` }
  if (given.length === 0) return {}
  return { kind: names[given[0]!], id: query[given[0]!] }
}
