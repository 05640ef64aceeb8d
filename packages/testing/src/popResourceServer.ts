import { randomUUID } from 'node:crypto'
import { calculateJwkThumbprint, compactVerify, createLocalJWKSet, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose'
import { LoopbackServer } from './serving.js'
import type { IdpAnswer, IdpRequest } from './fakeIdp/types.js'

/**
 * A resource (an API) that takes proof-of-possession tokens, for testing an app's PoP calls end
 * to end: it checks a signed HTTP request (draft-ietf-oauth-signed-http-request-03, as
 * msal-browser and msal-ts sign it) the way a resource does, and answers 401 with a
 * `WWW-Authenticate: PoP nonce="..."` challenge otherwise, as Entra-protected resources do.
 *
 * A request passes when, in this order:
 * 1. it carries `Authorization: PoP <signed request>`, a JWS with `typ: "pop"`, `alg: "RS256"`;
 * 2. its signature verifies against the public key it confirms (`cnf.jwk`, RFC 7800);
 * 3. its header's `kid` is base64url of `{"kid": <that key's RFC 7638 thumbprint>}`;
 * 4. its access token (`at`) is the identity provider's (signature against its JWKS, not
 *    expired, `aud` as configured) and bound to that same key (`cnf.kid`);
 * 5. `m`, `u` and `p` are the request's method, host[:port] and path (`q`, when signed, its
 *    query): compared as msal-browser signs them, case-insensitively and with or without a
 *    trailing "/";
 * 6. `nonce` is one this server issued, at most `nonceLifetimeSeconds` ago;
 * 7. `ts` is within `maxSkewSeconds` of now.
 */
export interface PopResourceServerOptions {
  /** Whose access tokens are accepted: the identity provider's JWKS (a FakeIdentityProvider's `jwks()`). */
  readonly jwks: () => Promise<{ readonly keys: readonly object[] }>
  /** The resource's clock, epoch milliseconds (share the identity provider's). Default Date.now. */
  readonly clock?: (() => number) | undefined
  /** How far a signed request's `ts` may be from now, in seconds. Default 300. */
  readonly maxSkewSeconds?: number | undefined
  /** How long a nonce this server issued is accepted, in seconds. Default 300. */
  readonly nonceLifetimeSeconds?: number | undefined
  /** The access token's required `aud` (the resource's id). Default: any. */
  readonly audience?: string | undefined
  /** Origins a browser may call it from (CORS), e.g. a single-page app's; '*' any. Default none. */
  readonly allowedOrigins?: readonly string[] | '*' | undefined
}

/** A request to the resource, as the verification sees it. */
export interface PopResourceRequest {
  /** The HTTP method, as sent (compared with the signed `m`, upper-cased). */
  readonly method: string
  /** The absolute URL the request was sent to. */
  readonly url: string
  /** The Authorization header's value, if any. */
  readonly authorization?: string | undefined
}

/** The verification's outcome: the access token's claims and the signed request's, or what failed. */
export type PopVerdict =
  | {
      readonly ok: true
      /** The access token's claims (`at`, verified against the identity provider's keys). */
      readonly tokenClaims: Readonly<Record<string, unknown>>
      /** The signed request's claims (`at`, `ts`, `m`, `u`, `nonce`, `p`, `q`, `cnf`...). */
      readonly requestClaims: Readonly<Record<string, unknown>>
      /** The key's RFC 7638 thumbprint: the token's `cnf.kid`. */
      readonly kid: string
    }
  | {
      readonly ok: false
      /** Which check failed, in words (also the 401's error_description). */
      readonly reason: string
    }

/** A request the server received, with its verdict. */
export interface PopResourceCall {
  /** The request's HTTP method. */
  readonly method: string
  /** The absolute URL the request was sent to. */
  readonly url: string
  /** What the resource decided: accepted, or refused and why. */
  readonly verdict: PopVerdict
}

class Refused extends Error {}

const refuse = (reason: string): never => {
  throw new Refused(reason)
}

const objectOf = (value: unknown, what: string): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : refuse(`${what} is not a JSON object`)

const jsonOf = (base64url: string, what: string): Record<string, unknown> => {
  try {
    return objectOf(JSON.parse(Buffer.from(base64url, 'base64url').toString('utf8')), what)
  } catch (error) {
    if (error instanceof Refused) throw error
    return refuse(`${what} is not base64url JSON`)
  }
}

/** A path as msal-browser signs it: lower-case, one trailing "/" ignored. */
const pathForm = (path: string): string => {
  const lower = path.toLowerCase()
  return lower.length > 1 && lower.endsWith('/') ? lower.slice(0, -1) : lower
}

/** host[:port] with the scheme's default port left out, lower-case. */
const hostForm = (host: string, protocol: string): string => {
  try {
    return new URL(`${protocol}//${host}`).host.toLowerCase()
  } catch {
    return host.toLowerCase()
  }
}

/** Checks signed HTTP requests; `listen()` serves them over HTTP on 127.0.0.1. */
export class PopResourceServer {
  private readonly nonces = new Map<string, number>()
  private readonly received: PopResourceCall[] = []
  private readonly server = new LoopbackServer((request) => this.handle(request))

  constructor(private readonly options: PopResourceServerOptions) {}

  private now(): number {
    return (this.options.clock ?? Date.now)()
  }

  /** A new nonce, as the resource's 401 challenge carries it. */
  issueNonce(): string {
    const nonce = randomUUID()
    this.nonces.set(nonce, this.now())
    return nonce
  }

  /** The requests served over HTTP, in order, with their verdicts. */
  get calls(): readonly PopResourceCall[] {
    return this.received
  }

  /** Verifies a request's PoP authorization (see the class comment for what is checked, in order). */
  async verify(request: PopResourceRequest): Promise<PopVerdict> {
    try {
      return await this.check(request)
    } catch (error) {
      if (error instanceof Refused) return { ok: false, reason: error.message }
      return { ok: false, reason: `the signed request does not verify (${error instanceof Error ? error.message : String(error)})` }
    }
  }

  private async check(request: PopResourceRequest): Promise<PopVerdict> {
    const match = /^pop\s+(\S+)$/i.exec(request.authorization ?? '')
    if (match === null) return refuse('no Authorization: PoP header')
    const shr = match[1]!
    const header = decodeProtectedHeader(shr)
    if (header.typ !== 'pop' || header.alg !== 'RS256') return refuse(`the signed request's header is not typ pop, alg RS256 (typ ${String(header.typ)}, alg ${String(header.alg)})`)
    const parts = shr.split('.')
    if (parts.length !== 3) return refuse('the signed request is not a compact JWS')
    const claims = jsonOf(parts[1]!, 'the signed request')
    const jwk = objectOf(objectOf(claims['cnf'], 'cnf')['jwk'], 'cnf.jwk') as JWK
    if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') return refuse('cnf.jwk is not an RSA public key')
    const { alg: _alg, ...publicKey } = jwk
    await compactVerify(shr, await importJWK({ ...publicKey, alg: 'RS256' }, 'RS256'), { algorithms: ['RS256'] })
    const kid = await calculateJwkThumbprint({ kty: jwk.kty, n: jwk.n, e: jwk.e }, 'sha256')
    if (typeof header.kid !== 'string' || jsonOf(header.kid, "the header's kid")['kid'] !== kid) return refuse("the header's kid does not name the key in cnf.jwk")

    const at = typeof claims['at'] === 'string' ? claims['at'] : refuse('the signed request carries no access token (at)')
    const keys = createLocalJWKSet((await this.options.jwks()) as { keys: JWK[] })
    const verified = await jwtVerify(at, keys, {
      algorithms: ['RS256'],
      currentDate: new Date(this.now()),
      ...(this.options.audience !== undefined ? { audience: this.options.audience } : {}),
    }).catch((error: unknown) => refuse(`the access token is not accepted (${error instanceof Error ? error.message : String(error)})`))
    const tokenClaims = verified.payload as Record<string, unknown>
    const boundTo = (tokenClaims['cnf'] as { kid?: unknown } | undefined)?.kid
    if (boundTo !== kid) return refuse(typeof boundTo === 'string' ? "the access token is bound (cnf.kid) to another key than the request's" : 'the access token is not bound to a key (no cnf.kid): a bearer token')

    const url = new URL(request.url)
    if (claims['m'] !== request.method.toUpperCase()) return refuse(`m is ${JSON.stringify(claims['m'])}, the request's method ${request.method}`)
    if (typeof claims['u'] !== 'string' || hostForm(claims['u'], url.protocol) !== url.host.toLowerCase()) return refuse(`u is ${JSON.stringify(claims['u'])}, the request's host ${url.host}`)
    if (typeof claims['p'] !== 'string' || pathForm(claims['p']) !== pathForm(url.pathname)) return refuse(`p is ${JSON.stringify(claims['p'])}, the request's path ${url.pathname}`)
    if (claims['q'] !== undefined) {
      const signed = Array.isArray(claims['q']) ? claims['q'][1] : undefined
      if (typeof signed !== 'string' || signed.toLowerCase() !== url.search.slice(1).toLowerCase()) return refuse(`q signs ${JSON.stringify(signed)}, the request's query ${url.search.slice(1)}`)
    }
    const nowMs = this.now()
    const issued = typeof claims['nonce'] === 'string' ? this.nonces.get(claims['nonce']) : undefined
    if (issued === undefined) return refuse('the nonce is not one this resource issued')
    if (nowMs - issued > (this.options.nonceLifetimeSeconds ?? 300) * 1000) return refuse('the nonce has expired')
    const ts = claims['ts']
    if (typeof ts !== 'number' || Math.abs(nowMs / 1000 - ts) > (this.options.maxSkewSeconds ?? 300)) return refuse(`ts ${String(ts)} is not within ${this.options.maxSkewSeconds ?? 300} s of now`)
    return { ok: true, tokenClaims, requestClaims: claims, kid }
  }

  private corsHeaders(origin: string | undefined): Record<string, string> {
    const allowed = this.options.allowedOrigins
    if (origin === undefined || allowed === undefined || (allowed !== '*' && !allowed.includes(origin))) return {}
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-headers': 'authorization',
      'access-control-allow-methods': 'GET, POST, PUT, DELETE, PATCH',
      'access-control-expose-headers': 'www-authenticate',
      vary: 'origin',
    }
  }

  private async handle(request: IdpRequest): Promise<IdpAnswer> {
    const cors = this.corsHeaders(request.headers['origin'])
    if (request.method === 'OPTIONS') return { kind: 'response', status: 204, headers: cors, body: '' }
    const url = request.url.href
    const verdict = await this.verify({ method: request.method, url, authorization: request.headers['authorization'] })
    this.received.push({ method: request.method, url, verdict })
    const json = { 'content-type': 'application/json', ...cors }
    if (verdict.ok) return { kind: 'response', status: 200, headers: json, body: JSON.stringify({ ok: true, oid: verdict.tokenClaims['oid'] ?? null, kid: verdict.kid }) }
    const challenge = `PoP nonce="${this.issueNonce()}"${request.headers['authorization'] === undefined ? '' : `, error="invalid_token", error_description="${verdict.reason.replace(/["\\]/g, "'")}"`}`
    return { kind: 'response', status: 401, headers: { ...json, 'www-authenticate': challenge }, body: JSON.stringify({ ok: false, reason: verdict.reason }) }
  }

  /** Serves over HTTP on 127.0.0.1 (port 0: any free one). Answers the base URL. */
  listen(port = 0): Promise<string> {
    return this.server.listen(port)
  }

  /** The base URL, e.g. http://127.0.0.1:53121 */
  get url(): string {
    return this.server.url
  }

  close(): Promise<void> {
    return this.server.close()
  }
}
