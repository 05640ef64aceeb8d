import * as E from '../util/either.js'
import * as t from '../util/decoder.js'
import type { ClientContext } from '../app/context.js'
import { parseAuthority, type Authority } from '../authority/authority.js'
import type { AuthorityBuilder } from '../authority/builder.js'
import type { AuthorityEndpoints } from '../authority/endpoints.js'
import { resolveEndpoints } from '../authority/resolveEndpoints.js'
import { decodeClientInfo } from '../cache/accountOf.js'
import { now, type Program } from '../effects/program.js'
import { usageError, type MsalError, type UsageError } from '../errors.js'
import { authorizationError, withCorrelationId } from '../wireErrors.js'
import { ApiId, libraryHeaders, RefreshReason } from '../http/telemetry.js'
import { buildAuthorizationUrl, isResponseType } from '../protocol/authorizationUrl.js'
import { mergeClaimsAndCapabilities } from '../protocol/claims.js'
import { createPkce, hashedNonce, randomValue } from '../protocol/pkce.js'
import { decorateScopes } from '../protocol/scopeDecoration.js'
import { buildAuthorizationCodeRequest } from '../protocol/userGrants.js'
import type { TokenResult } from '../result.js'
import { decodeOr } from '../util/decode.js'
import { newCorrelationId } from './correlation.js'
import { logError } from './logging.js'
import { userEndpoints } from './userEndpoints.js'
import { redeemUserToken, requestHeaders } from './userTokens.js'
import { withTokenBinding, type TokenBindingOptions } from '../pop/tokenBinding.js'
import { withPreparedBinding, type BoundRequest, type PrepareBinding } from '../pop/binding.js'

/** How the authorization server hands the code back to the redirect URI (OAuth 2.0 Multiple Response Type Encoding Practices; Form Post Response Mode). */
export type ResponseMode = 'query' | 'fragment' | 'form_post'

/** MSAL Python's `Prompt` values. */
export const Prompt = {
  NONE: 'none',
  LOGIN: 'login',
  CONSENT: 'consent',
  SELECT_ACCOUNT: 'select_account',
  CREATE: 'create',
} as const
export type Prompt = (typeof Prompt)[keyof typeof Prompt]

/** What an authorization request may carry besides the scopes. */
export interface AuthorizationRequestOptions {
  /** redirect_uri (RFC 6749 §3.1.2): an absolute URL registered for the app, where the response comes back. */
  readonly redirectUri?: string | undefined
  /** state (RFC 6749 §4.1.1, §10.12): echoed in the response to tie it to this request; initiateAuthCodeFlow makes one (32 random bytes, base64url) when unset. */
  readonly state?: string | undefined
  /** prompt (OpenID Connect Core 1.0 §3.1.2.1, plus Entra's "create"): `Prompt`'s values. */
  readonly prompt?: string | undefined
  /** login_hint (OpenID Connect Core 1.0 §3.1.2.1): the user's sign-in name, to prefill; also routes the request (X-AnchorMailbox). */
  readonly loginHint?: string | undefined
  /** domain_hint (Entra): "consumers", "organizations" or a tenant's domain, to skip the home realm discovery page. */
  readonly domainHint?: string | undefined
  /** A claims challenge from a resource's WWW-Authenticate, a JSON object; sent as `claims` (OpenID Connect Core 1.0 §5.5) with the client capabilities. */
  readonly claimsChallenge?: string | undefined
  /** Seconds since the user last signed in that are still acceptable; the ID token's auth_time is checked. */
  readonly maxAge?: number | undefined
  /** response_mode (OAuth 2.0 Multiple Response Type Encoding Practices §2.1): how the code comes back; the server's default when unset. */
  readonly responseMode?: ResponseMode | undefined
  /** Scopes of other resources the user consents to now (Entra's extra_scopes_to_consent). */
  readonly extraScopesToConsent?: readonly string[] | undefined
}

/**
 * MSAL Python's auth code flow dict, as plain JSON: keep it in the user's session, send the user
 * to `authUri`, and hand it back with the redirect's parameters. Everything in it but `authUri`
 * and `state` is for acquireTokenByAuthCodeFlow; the verifier and nonce never leave the server.
 */
export interface AuthCodeFlow {
  /** The authorization URL (RFC 6749 §4.1.1) to send the user to. */
  readonly authUri: string
  /** state (RFC 6749 §4.1.1): the redirect must carry the same, or it is refused as forged. */
  readonly state: string
  /** redirect_uri (RFC 6749 §4.1.3), sent again with the code as the authorization request did. */
  readonly redirectUri?: string | undefined
  /** The decorated scopes asked for. */
  readonly scopes: readonly string[]
  /** The PKCE code_verifier (RFC 7636 §4.1): 43 characters (32 random bytes, base64url), sent with the code. */
  readonly codeVerifier: string
  /** The raw nonce; its SHA-256 (hex) went to the server. */
  readonly nonce: string
  /** The claims challenge the authorization request carried, sent again with the code. */
  readonly claimsChallenge?: string | undefined
  /** max_age in seconds (OpenID Connect Core 1.0 §3.1.2.1): the ID token's auth_time is checked against it. */
  readonly maxAge?: number | undefined
  /** The response_mode asked for (OAuth 2.0 Multiple Response Type Encoding Practices §2.1). */
  readonly responseMode?: ResponseMode | undefined
}

const optional = <A>(codec: t.Decoder<A>) => t.union([codec, t.undefinedValue])

/** The shape a flow must have when it comes back from a session store (which may have tampered with it). */
const AuthCodeFlowCodec = t.intersection([
  t.type({
    authUri: t.string,
    state: t.string,
    scopes: t.array(t.string),
    codeVerifier: t.string,
    nonce: t.string,
  }),
  t.partial({
    redirectUri: optional(t.string),
    claimsChallenge: optional(t.string),
    maxAge: optional(t.number),
    responseMode: optional(t.string),
  }),
])

const RESPONSE_MODES = new Set<string>(['query', 'fragment', 'form_post'])

/** Checks the options an authorization request shares; each problem names its option. */
export const validateAuthorizationOptions = (options: AuthorizationRequestOptions): E.Either<UsageError, AuthorizationRequestOptions> => {
  if (options.maxAge !== undefined && !(Number.isInteger(options.maxAge) && options.maxAge >= 0)) {
    return E.left(usageError('maxAge', `expected a whole number of seconds (0 or more), got ${String(options.maxAge)}`))
  }
  if (options.responseMode !== undefined && !RESPONSE_MODES.has(options.responseMode)) {
    return E.left(usageError('responseMode', `expected "query", "fragment" or "form_post", got ${JSON.stringify(options.responseMode)}`))
  }
  if (options.redirectUri !== undefined && !isAbsoluteUrl(options.redirectUri)) {
    return E.left(usageError('redirectUri', `expected an absolute URL such as http://localhost:3000/redirect, got ${JSON.stringify(options.redirectUri)}`))
  }
  for (const name of ['state', 'prompt', 'loginHint', 'domainHint'] as const) {
    const value = options[name]
    if (value !== undefined && typeof value !== 'string') return E.left(usageError(name, `expected a string, got ${typeof value}`))
  }
  return E.right(options)
}

const isAbsoluteUrl = (value: unknown): boolean => {
  if (typeof value !== 'string') return false
  try {
    return new URL(value).protocol !== ''
  } catch {
    return false
  }
}

interface PreparedAuthorizationRequest {
  readonly scopes: readonly string[]
  readonly claims: string | undefined
  readonly authorizationEndpoint: string
}

/** Where an authorization request goes: the application's authority's endpoints, or another authority's. */
type EndpointsLookup = (correlationId: string, nowMs: number) => Program<E.Either<MsalError, AuthorityEndpoints>>

/**
 * What both ways of building an authorization URL check and look up first; `endpoints` finds the
 * authorization endpoint (the application's own, unless getAuthorizationRequestUrl names another
 * authority, which only it bundles).
 */
function* prepareAuthorizationRequest(
  ctx: ClientContext,
  scopesInput: readonly string[],
  options: AuthorizationRequestOptions,
  endpoints: EndpointsLookup = (correlationId, nowMs) => userEndpoints(ctx, correlationId, nowMs),
): Program<E.Either<MsalError, PreparedAuthorizationRequest>> {
  const scopes = decorateScopes(scopesInput, ctx.config.excludeScopes)
  if (E.isLeft(scopes)) return scopes
  const checked = validateAuthorizationOptions(options)
  if (E.isLeft(checked)) return checked
  const claims = mergeClaimsAndCapabilities(ctx.config.clientCapabilities, options.claimsChallenge)
  if (E.isLeft(claims)) return claims
  const correlationId = yield* newCorrelationId()
  const found = yield* endpoints(correlationId, yield* now())
  if (E.isLeft(found)) return E.left(withCorrelationId(found.left, correlationId))
  return E.right({ scopes: scopes.right, claims: claims.right, authorizationEndpoint: found.right.authorizationEndpoint })
}

/** Another authority's endpoints, validated and discovered as the application's own would be; its refusal is the caller's argument's. */
function* endpointsOf(ctx: ClientContext, authority: Authority, correlationId: string, nowMs: number): Program<E.Either<MsalError, AuthorityEndpoints>> {
  const headers = { ...libraryHeaders(ctx.platform, ctx.config.appName, ctx.config.appVersion), 'client-request-id': correlationId }
  const found = yield* resolveEndpoints({ authority, validation: ctx.config.validation, httpCache: ctx.httpCache, instanceDiscovery: ctx.instanceDiscovery }, headers, nowMs)
  return E.isLeft(found) && found.left.kind === 'ConfigurationError' ? E.left(usageError('authority', found.left.message.replace(/^authority: /, ''))) : found
}

/** The `authority` argument of getAuthorizationRequestUrl: a URL or an AuthorityBuilder, parsed as the constructor parses one. */
const authorityArgument = (value: unknown): E.Either<UsageError, Authority> => {
  const parsed = parseAuthority(typeof value === 'object' && value !== null ? String(value) : value, 'authority')
  return E.isLeft(parsed) ? E.left(usageError('authority', parsed.left.message.replace(/^authority: /, ''))) : parsed
}

/**
 * MSAL Python's `initiate_auth_code_flow`: a fresh PKCE pair (S256), state and nonce, and the URL
 * that sends the user to sign in. Costs no request when the authority's endpoints are built in.
 */
export function* initiateAuthCodeFlow(
  ctx: ClientContext,
  scopesInput: readonly string[],
  options: AuthorizationRequestOptions = {},
): Program<E.Either<MsalError, AuthCodeFlow>> {
  const prepared = yield* prepareAuthorizationRequest(ctx, scopesInput, options)
  if (E.isLeft(prepared)) return prepared
  const { scopes, claims, authorizationEndpoint } = prepared.right
  const pkce = yield* createPkce()
  const state = options.state ?? (yield* randomValue())
  const nonce = yield* randomValue()
  const authUri = buildAuthorizationUrl(authorizationEndpoint, {
    clientId: ctx.config.clientId,
    redirectUri: options.redirectUri,
    scopes,
    state,
    nonce: yield* hashedNonce(nonce),
    codeChallenge: pkce.challenge,
    responseMode: options.responseMode,
    prompt: options.prompt,
    loginHint: options.loginHint,
    domainHint: options.domainHint,
    claims,
    maxAge: options.maxAge,
    extraScopesToConsent: options.extraScopesToConsent,
    // MSAL Python's routing hint for a known user (_ClientWithCcsRoutingInfo.initiate_auth_code_flow).
    anchorMailbox: options.loginHint !== undefined && options.loginHint !== '' ? `UPN:${options.loginHint}` : undefined,
  })
  return E.right({
    authUri,
    state,
    ...(options.redirectUri !== undefined ? { redirectUri: options.redirectUri } : {}),
    scopes,
    codeVerifier: pkce.verifier,
    nonce,
    ...(options.claimsChallenge !== undefined ? { claimsChallenge: options.claimsChallenge } : {}),
    ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
    ...(options.responseMode !== undefined ? { responseMode: options.responseMode } : {}),
  })
}

/** The redirect's parameters, as a web framework hands them over: a plain object of strings. */
const authResponseFields = (input: unknown): E.Either<UsageError, Readonly<Record<string, string>>> => {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return E.left(usageError('authResponse', 'expected the redirect\'s query or form parameters as an object, e.g. { code, state }'))
  }
  const fields: Record<string, string> = {}
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    if (value === undefined) continue
    // A repeated parameter (?state=a&state=b) is how a forged redirect smuggles a second value in.
    if (typeof value !== 'string') return E.left(usageError('authResponse', `parameter ${name} must be a single string, got ${Array.isArray(value) ? 'several values' : typeof value}`))
    fields[name] = value
  }
  return E.right(fields)
}

export interface AuthCodeRedemptionOptions extends TokenBindingOptions {
  /** A subset of the flow's scopes, for a token of one of the resources the user consented to. */
  readonly scopes?: readonly string[] | undefined
}

/**
 * MSAL Python's `acquire_token_by_auth_code_flow`: checks that the redirect belongs to the flow
 * (state; a mismatch is a usage error, as it is likely a forged request), turns an error redirect
 * into an AuthorizationError, and redeems the code with the PKCE verifier, checking the ID
 * token's nonce and auth_time. The cache is untouched unless tokens come back.
 */
export function* acquireTokenByAuthCodeFlow(
  ctx: ClientContext,
  flowInput: unknown,
  authResponseInput: unknown,
  options: AuthCodeRedemptionOptions = {},
  /** Telemetry's name for the calling API: interactive sign-ins report their own. */
  api: ApiId = ApiId.acquireTokenByAuthorizationCode,
): Program<E.Either<MsalError, TokenResult>> {
  return yield* withTokenBinding(options, (bound) => redeemFlow(ctx, flowInput, authResponseInput, options, api, bound))
}

/** acquireTokenByAuthCodeFlow with a binding already checked and readied (msal-browser's request fields say it). */
export function* redeemAuthCodeFlow(
  ctx: ClientContext,
  flowInput: unknown,
  authResponseInput: unknown,
  api: ApiId,
  prepare: PrepareBinding | undefined,
): Program<E.Either<MsalError, TokenResult>> {
  if (prepare === undefined) return yield* redeemFlow(ctx, flowInput, authResponseInput, {}, api, undefined)
  return yield* withPreparedBinding(prepare, (bound) => redeemFlow(ctx, flowInput, authResponseInput, {}, api, bound))
}

function* redeemFlow(
  ctx: ClientContext,
  flowInput: unknown,
  authResponseInput: unknown,
  options: AuthCodeRedemptionOptions,
  api: ApiId,
  bound: BoundRequest | undefined,
): Program<E.Either<MsalError, TokenResult>> {
  const flow = decodeOr(AuthCodeFlowCodec, flowInput, (_, problem) =>
    usageError('authCodeFlow', `not a flow from initiateAuthCodeFlow (${problem.path || 'flow'}: ${problem.message})`),
  )
  if (E.isLeft(flow)) return flow
  const response = authResponseFields(authResponseInput)
  if (E.isLeft(response)) return response
  const { state, code, error } = response.right
  if (flow.right.state === '') return E.left(usageError('authCodeFlow', 'the flow has no state'))
  if (state !== flow.right.state) {
    return E.left(usageError('authResponse', 'state mismatch: this redirect is not the flow\'s (a forged or replayed response?)'))
  }
  let scopes: readonly string[] = flow.right.scopes
  if (options.scopes !== undefined) {
    const asked = decorateScopes(options.scopes, ctx.config.excludeScopes)
    if (E.isLeft(asked)) return asked
    const granted = new Set(flow.right.scopes)
    const extra = asked.right.filter((scope) => !granted.has(scope))
    if (extra.length > 0) return E.left(usageError('scopes', `must be a subset of the flow's scopes (${flow.right.scopes.join(' ')}); ${extra.join(' ')} was not asked for`))
    scopes = asked.right
  }
  if (code === undefined || code === '') {
    if (error !== undefined && error !== '') {
      return E.left(
        authorizationError({
          error,
          ...(response.right['error_description'] !== undefined ? { errorDescription: response.right['error_description'] } : {}),
          ...(response.right['error_uri'] !== undefined ? { errorUri: response.right['error_uri'] } : {}),
          ...(response.right['suberror'] !== undefined ? { suberror: response.right['suberror'] } : {}),
        }),
      )
    }
    return E.left(usageError('authResponse', 'the redirect carries neither a code nor an error'))
  }
  const nonce = yield* hashedNonce(flow.right.nonce)
  return yield* redeemCode(ctx, {
    code,
    scopes,
    redirectUri: flow.right.redirectUri,
    codeVerifier: flow.right.codeVerifier,
    claimsChallenge: flow.right.claimsChallenge,
    expect: { nonce, maxAge: flow.right.maxAge },
    api,
    routing: anchorFromClientInfo(response.right['client_info']),
    bound,
  })
}

/**
 * MSAL Python's routing hint for a code redemption: "Oid:<uid>@<utid>" from the authorization
 * response's client_info (_ClientWithCcsRoutingInfo.obtain_token_by_auth_code_flow). None when
 * client_info is absent or does not carry both ids.
 */
export const anchorFromClientInfo = (clientInfo: string | undefined): Readonly<Record<string, string>> => {
  if (clientInfo === undefined || clientInfo === '') return {}
  const decoded = decodeClientInfo(clientInfo)
  return E.isRight(decoded) && decoded.right !== undefined ? { 'X-AnchorMailbox': `Oid:${decoded.right.uid}@${decoded.right.utid}` } : {}
}

/** getAuthorizationRequestUrl's options: MSAL Python's get_authorization_request_url keyword arguments. */
export interface AuthorizationRequestUrlOptions extends AuthorizationRequestOptions {
  /** Sent as it is; pass the same to acquireTokenByAuthorizationCode, which checks the ID token's. */
  readonly nonce?: string | undefined
  /**
   * response_type: "code" (the default, the auth code flow), or for the implicit grant, which
   * Microsoft advises against, "token", "id_token" or "id_token token"; "none" alone. Anything
   * else is a UsageError.
   */
  readonly responseType?: string | undefined
  /**
   * Another authority to send the user to (a multi-tenant app signing a user into their
   * tenant): a URL or an AuthorityBuilder, validated as the application's own.
   */
  readonly authority?: string | AuthorityBuilder | undefined
}

/**
 * MSAL Python's `get_authorization_request_url` (prefer initiateAuthCodeFlow: it adds PKCE and
 * checks the response): `responseType` and the `authority` override as MSAL Python takes them.
 */
export function* getAuthorizationRequestUrl(
  ctx: ClientContext,
  scopesInput: readonly string[],
  options: AuthorizationRequestUrlOptions = {},
): Program<E.Either<MsalError, string>> {
  if (options.responseType !== undefined && !isResponseType(options.responseType)) {
    return E.left(
      usageError('responseType', `expected "code" (the default), "token", "id_token", "id_token token", another combination of those, or "none"; got ${JSON.stringify(options.responseType)}`),
    )
  }
  if (options.nonce !== undefined && typeof options.nonce !== 'string') return E.left(usageError('nonce', `expected a string, got ${typeof options.nonce}`))
  const authority = options.authority === undefined ? undefined : authorityArgument(options.authority)
  if (authority !== undefined && E.isLeft(authority)) return authority
  const other = authority?.right
  const prepared = yield* prepareAuthorizationRequest(ctx, scopesInput, options, other === undefined ? undefined : (correlationId, nowMs) => endpointsOf(ctx, other, correlationId, nowMs))
  if (E.isLeft(prepared)) return prepared
  const { scopes, claims, authorizationEndpoint } = prepared.right
  return E.right(
    buildAuthorizationUrl(authorizationEndpoint, {
      clientId: ctx.config.clientId,
      responseType: options.responseType,
      redirectUri: options.redirectUri,
      scopes,
      state: options.state,
      nonce: options.nonce,
      responseMode: options.responseMode,
      prompt: options.prompt,
      loginHint: options.loginHint,
      domainHint: options.domainHint,
      claims,
      maxAge: options.maxAge,
      extraScopesToConsent: options.extraScopesToConsent,
    }),
  )
}

export interface AuthorizationCodeOptions extends TokenBindingOptions {
  /** redirect_uri (RFC 6749 §4.1.3): the same as the authorization request's, when it had one. */
  readonly redirectUri?: string | undefined
  /** The nonce given to getAuthorizationRequestUrl, checked against the ID token's. */
  readonly nonce?: string | undefined
  /** A claims challenge from a resource's WWW-Authenticate, a JSON object; sent as `claims` (OpenID Connect Core 1.0 §5.5). */
  readonly claimsChallenge?: string | undefined
  /** The PKCE verifier, when the authorization request carried a challenge. */
  readonly codeVerifier?: string | undefined
}

/** MSAL Python's `acquire_token_by_authorization_code`: redeems a code obtained some other way. */
export function* acquireTokenByAuthorizationCode(
  ctx: ClientContext,
  code: unknown,
  scopesInput: readonly string[],
  options: AuthorizationCodeOptions = {},
): Program<E.Either<MsalError, TokenResult>> {
  return yield* withTokenBinding(options, (bound) => redeemGivenCode(ctx, code, scopesInput, options, bound))
}

function* redeemGivenCode(
  ctx: ClientContext,
  code: unknown,
  scopesInput: readonly string[],
  options: AuthorizationCodeOptions,
  bound: BoundRequest | undefined,
): Program<E.Either<MsalError, TokenResult>> {
  if (typeof code !== 'string' || code === '') return E.left(usageError('code', 'expected the authorization code from the redirect'))
  const scopes = decorateScopes(scopesInput, ctx.config.excludeScopes)
  if (E.isLeft(scopes)) return scopes
  return yield* redeemCode(ctx, {
    code,
    scopes: scopes.right,
    redirectUri: options.redirectUri,
    codeVerifier: options.codeVerifier,
    claimsChallenge: options.claimsChallenge,
    expect: { nonce: options.nonce },
    api: ApiId.acquireTokenByAuthorizationCode,
    bound,
  })
}

interface CodeRedemption {
  readonly code: string
  readonly scopes: readonly string[]
  readonly redirectUri: string | undefined
  readonly codeVerifier: string | undefined
  readonly claimsChallenge: string | undefined
  readonly expect: { readonly nonce?: string | undefined; readonly maxAge?: number | undefined }
  readonly api: ApiId
  /** Routing headers (X-AnchorMailbox). */
  readonly routing?: Readonly<Record<string, string>> | undefined
  readonly bound: BoundRequest | undefined
}

/** The authorization_code grant, shared by both ways of redeeming a code. */
function* redeemCode(ctx: ClientContext, r: CodeRedemption): Program<E.Either<MsalError, TokenResult>> {
  const claims = mergeClaimsAndCapabilities(ctx.config.clientCapabilities, r.claimsChallenge)
  if (E.isLeft(claims)) return claims
  const correlationId = yield* newCorrelationId()
  const nowMs = yield* now()
  const endpoints = yield* userEndpoints(ctx, correlationId, nowMs)
  if (E.isLeft(endpoints)) return E.left(withCorrelationId(endpoints.left, correlationId))
  const request = buildAuthorizationCodeRequest({
    tokenEndpoint: endpoints.right.tokenEndpoint,
    clientId: ctx.config.clientId,
    scopes: r.scopes,
    claims: claims.right,
    headers: requestHeaders(ctx, r.api, RefreshReason.notSilent, correlationId, r.routing),
    code: r.code,
    redirectUri: r.redirectUri,
    codeVerifier: r.codeVerifier,
  })
  const result = yield* redeemUserToken(ctx, {
    request,
    api: r.api,
    correlationId,
    nowMs,
    scopes: r.scopes,
    expect: r.expect,
    grantType: 'authorization_code',
    environment: ctx.config.authority.host,
    bound: r.bound,
  })
  if (E.isLeft(result)) yield* logError('info', `acquireTokenByAuthCodeFlow failed (correlation id ${correlationId})`, result.left)
  return result
}
