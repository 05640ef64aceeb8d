import * as E from '../util/either.js'
import type { ClientContext } from '../app/context.js'
import { http, log, now, randomBytes, type Program } from '../effects/program.js'
import type { HttpRequest } from '../effects/effect.js'
import { usageError, type MsalError } from '../errors.js'
import { withCorrelationId } from '../wireErrors.js'
import { withoutSecretsSentIn } from '../http/scrub.js'
import { transportError } from '../http/send.js'
import { ApiId, RefreshReason } from '../http/telemetry.js'
import { buildPasswordRequest, buildSamlBearerRequest, type UserGrantBase } from '../protocol/userGrants.js'
import { processMexResponse, type WsTrustEndpoint } from '../protocol/wsTrust/mex.js'
import { WS_TRUST_ACTION, type WsTrustVersion } from '../protocol/wsTrust/namespaces.js'
import { buildWsTrustRequest } from '../protocol/wsTrust/request.js'
import { processWsTrustResponse, type WsTrustToken } from '../protocol/wsTrust/response.js'
import { buildSamlBearerGrantParams } from '../protocol/wsTrust/samlBearer.js'
import { buildUserRealmRequest, processUserRealmResponse, type UserRealm } from '../protocol/wsTrust/userRealm.js'
import type { TokenResult } from '../result.js'
import { originOf, redactUrl } from '../util/redact.js'
import { uuidFromBytes } from '../util/uuid.js'
import { logError } from './logging.js'
import { startUserGrant, userTokenEndpoint } from './userGrantStart.js'
import { redeemUserToken, requestHeaders } from './userTokens.js'
import { withTokenBinding, type TokenBindingOptions } from '../pop/tokenBinding.js'
import type { BoundRequest } from '../pop/binding.js'

export interface UsernamePasswordOptions extends TokenBindingOptions {
  /** A claims challenge from a resource's WWW-Authenticate, a JSON object; sent as `claims` (OpenID Connect Core 1.0 §5.5) with the client capabilities. */
  readonly claimsChallenge?: string | undefined
}

/**
 * MSAL Python's `acquire_token_by_username_password` (ROPC). For an Entra authority, user realm
 * discovery first tells a managed user (the password grant) from a federated one: the password
 * then goes to the domain's federation server over WS-Trust (the endpoint read from its MEX),
 * and the SAML assertion it issues is traded for tokens (the SAML bearer grant). Other
 * authorities (ADFS, B2C, CIAM, OIDC) take the password grant directly.
 */
export function* acquireTokenByUsernamePassword(
  ctx: ClientContext,
  username: unknown,
  password: unknown,
  scopesInput: readonly string[],
  options: UsernamePasswordOptions = {},
): Program<E.Either<MsalError, TokenResult>> {
  return yield* withTokenBinding(options, (bound) => byPassword(ctx, username, password, scopesInput, options, bound))
}

function* byPassword(
  ctx: ClientContext,
  username: unknown,
  password: unknown,
  scopesInput: readonly string[],
  options: UsernamePasswordOptions,
  bound: BoundRequest | undefined,
): Program<E.Either<MsalError, TokenResult>> {
  if (typeof username !== 'string' || username.trim() === '') return E.left(usageError('username', 'expected the user\'s sign-in name (e.g. alice@contoso.com)'))
  if (typeof password !== 'string' || password === '') return E.left(usageError('password', 'expected the user\'s password as a non-empty string'))
  const start = yield* startUserGrant(ctx, scopesInput, options.claimsChallenge)
  if (E.isLeft(start)) return start
  const { scopes, claims, correlationId, nowMs } = start.right
  const tokenEndpoint = yield* userTokenEndpoint(ctx, start.right)
  if (E.isLeft(tokenEndpoint)) return tokenEndpoint

  const headers = requestHeaders(ctx, ApiId.acquireTokenByUsernamePassword, RefreshReason.notSilent, correlationId, { 'X-AnchorMailbox': `upn:${username}` })
  const base: UserGrantBase = {
    tokenEndpoint: tokenEndpoint.right,
    clientId: ctx.config.clientId,
    scopes,
    claims,
    headers,
  }
  const request = yield* passwordTokenRequest(ctx, base, username, password, nowMs)
  if (E.isLeft(request)) {
    yield* logError('info', `acquireTokenByUsernamePassword failed (correlation id ${correlationId})`, request.left)
    return E.left(withCorrelationId(request.left, correlationId))
  }
  const result = yield* redeemUserToken(ctx, {
    request: request.right.request,
    api: ApiId.acquireTokenByUsernamePassword,
    correlationId,
    nowMs,
    scopes,
    grantType: 'password',
    environment: ctx.config.authority.host,
    username,
    bound,
  })
  if (E.isLeft(result)) yield* logError('info', `acquireTokenByUsernamePassword (${request.right.kind}) failed (correlation id ${correlationId})`, result.left)
  return result
}

type PasswordTokenRequest = { readonly kind: 'managed' | 'federated'; readonly request: HttpRequest }

/** The token request for this user: the password grant, or (federated users) the SAML bearer grant. */
function* passwordTokenRequest(
  ctx: ClientContext,
  base: UserGrantBase,
  username: string,
  password: string,
  nowMs: number,
): Program<E.Either<MsalError, PasswordTokenRequest>> {
  const managed = E.right<MsalError, PasswordTokenRequest>({ kind: 'managed', request: buildPasswordRequest({ ...base, username, password }) })
  // Only Entra federates domains over WS-Trust; ADFS checks the password itself.
  if (ctx.config.authority.kind !== 'Entra') return managed
  const realm = yield* discoverUserRealm(ctx, base.headers, username, nowMs)
  if (E.isLeft(realm)) return realm
  if (realm.right.accountType !== 'Federated') return managed
  yield* log('info', `acquireTokenByUsernamePassword: the user's domain is federated; asking its federation server (${realm.right.federationProtocol ?? 'WS-Trust'})`)
  const assertion = yield* federatedAssertion(realm.right, base.headers, username, password)
  if (E.isLeft(assertion)) return assertion
  const grant = buildSamlBearerGrantParams(assertion.right)
  return E.right({ kind: 'federated', request: buildSamlBearerRequest({ ...base, grantType: grant.grant_type, assertion: grant.assertion }) })
}

/** User realm discovery at the authority's host (a 404 means the host does not do it: managed). */
function* discoverUserRealm(
  ctx: ClientContext,
  headers: Readonly<Record<string, string>>,
  username: string,
  nowMs: number,
): Program<E.Either<MsalError, UserRealm>> {
  const request = buildUserRealmRequest(ctx.config.authority.host, username, withoutTelemetry(headers), ctx.config.authority.scheme)
  // The URL names the user: only a PII line may show it.
  yield* log('verbose', `acquireTokenByUsernamePassword: user realm discovery at ${originOf(request.url)}`)
  yield* log('verbose', `acquireTokenByUsernamePassword: user realm discovery at ${redactUrl(request.url)}`, true)
  const outcome = yield* http(request)
  if (outcome._tag === 'HttpFailure') return E.left(transportError(request.url, outcome))
  return processUserRealmResponse(outcome, { url: request.url, nowMs, defaultRetryAfterMs: 0 })
}

/**
 * The federation server's SAML assertion for the user: its WS-Trust endpoint from MEX (or, with
 * no MEX, the realm's active auth URL), then the WS-Trust issue request with the password.
 */
function* federatedAssertion(
  realm: UserRealm,
  headers: Readonly<Record<string, string>>,
  username: string,
  password: string,
): Program<E.Either<MsalError, WsTrustToken>> {
  const endpoint = yield* wsTrustEndpointOf(realm, headers)
  if (E.isLeft(endpoint)) return endpoint
  yield* log('verbose', `acquireTokenByUsernamePassword: WS-Trust ${endpoint.right.version} at ${originOf(endpoint.right.address)}`)
  const messageId = uuidFromBytes(yield* randomBytes(16))
  const wsTrust = buildWsTrustRequest(
    { address: endpoint.right.address, version: endpoint.right.version, username, password, appliesTo: realm.cloudAudienceUrn, messageId, createdMs: yield* now() },
    { 'client-request-id': headers['client-request-id'] ?? '' },
  )
  const sent: HttpRequest = { method: 'POST', url: wsTrust.url, headers: wsTrust.headers, body: wsTrust.body }
  const outcome = yield* http(sent)
  // The password went in the SOAP body: no error made from the answer may repeat it.
  if (outcome._tag === 'HttpFailure') return E.left(withoutSecretsSentIn(transportError(wsTrust.url, outcome), sent, [password]))
  return E.mapLeft((error: MsalError) => withoutSecretsSentIn(error, sent, [password]))(processWsTrustResponse(outcome, { url: wsTrust.url }, endpoint.right.version))
}

function* wsTrustEndpointOf(realm: UserRealm, headers: Readonly<Record<string, string>>): Program<E.Either<MsalError, WsTrustEndpoint>> {
  if (realm.federationMetadataUrl !== undefined) {
    const url = realm.federationMetadataUrl
    const outcome = yield* http({ method: 'GET', url, headers: { 'client-request-id': headers['client-request-id'] ?? '' } })
    if (outcome._tag === 'HttpFailure') return E.left(transportError(url, outcome))
    return processMexResponse(outcome, { url })
  }
  const address = realm.federationActiveAuthUrl
  const version = address === undefined ? undefined : versionOfAddress(address)
  if (address === undefined || version === undefined) {
    return E.left(usageError('username', 'the user\'s domain is federated, but its realm names neither federation metadata nor a WS-Trust username endpoint'))
  }
  return E.right({ address, version, action: WS_TRUST_ACTION[version] })
}

/** MSAL Python's rule for an endpoint known only by address: AD FS's paths name the version. */
const versionOfAddress = (address: string): WsTrustVersion | undefined =>
  address.includes('/trust/2005/usernamemixed') ? '2005' : address.includes('/trust/13/usernamemixed') ? '1.3' : undefined

/** User realm discovery is not a token request: no telemetry headers (MSAL Python sends only the correlation id). */
const withoutTelemetry = (headers: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith('x-client-current') && !name.startsWith('x-client-last') && name !== 'X-AnchorMailbox'))
