import * as E from '../util/either.js'
import type { ClientContext } from '../app/context.js'
import { decodeClientInfo, homeAccountIdOf, type IdTokenClaims } from '../cache/accountOf.js'
import { keyFor } from '../cache/keys.js'
import { BY_OWNER, ownerKey } from '../cache/tokenStore.js'
import { fileTokenResponse, grantedTarget, realmOf, type TokenResponseEvent } from '../cache/filing.js'
import { accountOf, type Account } from '../cache/selectors.js'
import type { AccountEntity } from '../cache/schema.js'
import type { HttpRequest } from '../effects/effect.js'
import { commit, log, type Program } from '../effects/program.js'
import type { StateChange } from '../app/stateChange.js'
import { configurationError, type MsalError } from '../errors.js'
import { invalidResponseError, withCorrelationId } from '../wireErrors.js'
import { withoutSecretsSentIn } from '../http/scrub.js'
import { transportError } from '../http/send.js'
import { libraryHeaders, telemetryHeaders, type ApiId, type RefreshReason } from '../http/telemetry.js'
import { DEFAULT_RETRY_AFTER_MS } from '../http/throttling.js'
import { validateIdToken } from '../protocol/idToken.js'
import { targetToScopes } from '../protocol/scopes.js'
import { undecoratedScopes } from '../protocol/scopeDecoration.js'
import { processTokenResponse, type TokenSuccessResponse } from '../protocol/tokenResponse.js'
import type { TokenResult } from '../result.js'
import { resultFromResponse } from '../responseResult.js'
import { originOf, redactUrl } from '../util/redact.js'
import type { BoundRequest } from '../pop/binding.js'
import { authenticatorOf } from './clientAuthenticator.js'

/** How long a throttled request waits when no Retry-After says: public clients wait longer. */
export const defaultRetryAfterMs = (ctx: ClientContext): number =>
  ctx.config.credential === undefined ? DEFAULT_RETRY_AFTER_MS.public : DEFAULT_RETRY_AFTER_MS.confidential

/** Headers for a request of `api`: who is calling, the correlation id, telemetry, optional routing. */
export const requestHeaders = (
  ctx: ClientContext,
  api: ApiId,
  reason: RefreshReason,
  correlationId: string,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> => ({
  ...libraryHeaders(ctx.platform, ctx.config.appName, ctx.config.appVersion),
  ...telemetryHeaders(ctx.state.telemetry, api, reason, correlationId),
  ...extra,
})

/** Routing hint for Entra's gateway: the home account's object id @ tenant (MSAL's X-AnchorMailbox). */
export const anchorMailboxFor = (homeAccountId: string | undefined): Record<string, string> => {
  const [uid, utid] = (homeAccountId ?? '').split('.')
  return uid !== undefined && uid !== '' && utid !== undefined && utid !== '' ? { 'X-AnchorMailbox': `Oid:${uid}@${utid}` } : {}
}

export interface UserTokenRedemption {
  /** The token request; the client's authentication is added when it is sent. */
  readonly request: HttpRequest
  /** MSAL's id of the calling API, reported in the x-client-current-telemetry header. */
  readonly api: ApiId
  /** The call's correlation id (a v4 UUID), sent as client-request-id. */
  readonly correlationId: string
  /** The time of the request, in epoch milliseconds: expiries are counted from it. */
  readonly nowMs: number
  /** Decorated scopes asked for. */
  readonly scopes: readonly string[]
  /** The hashed nonce and max_age the authorization request carried, to check the ID token against. */
  readonly expect?: { readonly nonce?: string | undefined; readonly maxAge?: number | undefined } | undefined
  /** grant_type (RFC 6749 §4) of the request; account-creating grants become the account's account_source. */
  readonly grantType: string
  /** Where the tokens are filed: the authority's host (or the alias a silent call is trying). */
  readonly environment: string
  /** true: file the tokens without creating an account entry (a refresh racing removeAccount). */
  readonly skipAccountCreation?: boolean | undefined
  /** The sign-in name for the account when the ID token names none (the username/password grant). */
  readonly username?: string | undefined
  /** On-behalf-of: the incoming assertion's hash, which the tokens are filed under. */
  readonly userAssertionHash?: string | undefined
  /**
   * Whether a failure goes to the telemetry buffer (default: every one). A device code poll's
   * "not yet" is the protocol working, not a failure worth reporting.
   */
  readonly reportsFailure?: ((error: MsalError) => boolean) | undefined
  /** A key-bound request (PoP, SSH certificate): its fields join the request's, and the token is filed under its key id. */
  readonly bound?: BoundRequest | undefined
}

/** The token request with a binding's fields (token_type, req_cnf, key_id) added to its form. */
const boundRequest = (request: HttpRequest, bound: BoundRequest | undefined): HttpRequest =>
  bound === undefined ? request : { ...request, form: { ...request.form, ...bound.form } }

/**
 * Sends a user grant's token request and turns its answer into a result: throttled as MSAL
 * throttles, the ID token checked (audience, nonce, max_age), the tokens filed in the cache with
 * the account, and the result carrying the account. Nothing is cached from a failed call.
 */
export function* redeemUserToken(ctx: ClientContext, r: UserTokenRedemption): Program<E.Either<MsalError, TokenResult>> {
  const request = boundRequest(r.request, r.bound)
  // The path names the tenant: the whole URL is a PII line.
  yield* log('verbose', `token request to ${originOf(request.url)}`)
  yield* log('verbose', `token request to ${redactUrl(request.url)}`, true)
  const exchange = yield* authenticatorOf(ctx).send(ctx, request, r.nowMs, defaultRetryAfterMs(ctx))
  if (E.isLeft(exchange)) return E.left(withCorrelationId(exchange.left, r.correlationId))
  const { outcome } = exchange.right
  if (outcome._tag === 'HttpFailure') return E.left(withCorrelationId(withoutSecretsSentIn(transportError(request.url, outcome), exchange.right.request), r.correlationId))
  const processed = E.mapLeft((error: MsalError) => withoutSecretsSentIn(error, exchange.right.request))(
    processTokenResponse(outcome, { url: request.url, nowMs: r.nowMs, defaultRetryAfterMs: defaultRetryAfterMs(ctx) }),
  )
  if (E.isRight(processed) || (r.reportsFailure?.(processed.left) ?? true)) {
    yield* commit({ _tag: 'ServerAnswered', api: r.api, correlationId: r.correlationId, error: E.isLeft(processed) ? processed.left.error : undefined })
  }
  if (E.isLeft(processed)) return E.left(withCorrelationId(misregisteredRedirectUri(processed.left) ?? processed.left, r.correlationId))
  const response = processed.right
  const nowSec = Math.floor(r.nowMs / 1000)
  const bindingChecked = r.bound?.check === undefined ? E.right(undefined) : r.bound.check(response, request.url, outcome.status)
  if (E.isLeft(bindingChecked)) return E.left(withCorrelationId(withoutSecretsSentIn(bindingChecked.left, exchange.right.request), r.correlationId))

  let claims: IdTokenClaims | undefined
  if (response.id_token !== undefined) {
    const checked = validateIdToken(response.id_token, { clientId: ctx.config.clientId, nonce: r.expect?.nonce, maxAge: r.expect?.maxAge, nowSec })
    // The claims are the server's: an error quoting them (aud) must not repeat what was sent.
    if (E.isLeft(checked)) return E.left(withCorrelationId(withoutSecretsSentIn(checked.left, exchange.right.request), r.correlationId))
    for (const warning of checked.right.warnings) yield* log('warning', warning)
    claims = checked.right.claims
    const learned = tenantIdLearned(ctx, claims)
    if (learned !== undefined) yield* commit(learned)
  }
  const clientInfo = response.client_info === undefined ? E.right(undefined) : decodeClientInfo(response.client_info)
  if (E.isLeft(clientInfo)) {
    return E.left(withCorrelationId(invalidResponseError(request.url, outcome.status, `client_info: ${clientInfo.left}`, ''), r.correlationId))
  }
  const event: TokenResponseEvent = {
    clientId: ctx.config.clientId,
    environment: r.environment,
    realm: ctx.config.authority.tenant,
    scopes: r.scopes,
    response,
    clientInfo: clientInfo.right,
    idTokenClaims: claims,
    grantType: r.grantType,
    skipAccountCreation: r.skipAccountCreation,
    username: r.username,
    userAssertionHash: r.userAssertionHash,
    ...(r.bound !== undefined ? { keyId: r.bound.keyId } : {}),
  }
  yield* commit(fileTokenResponse(event, nowSec))
  const home = homeAccountIdOf(clientInfo.right, claims) ?? undefined
  return E.right(userResult(response, r.scopes, nowSec, r.correlationId, claims, accountFor(ctx, home, r.environment, realmOf(event))))
}

/**
 * Entra's answers to a code or refresh token redeemed with the wrong kind of redirect URI: a
 * single-page app's redeemed without an Origin (AADSTS9002327), or a cross-origin redemption for
 * a URI not registered as a single-page app (AADSTS9002326). Both are the app registration's
 * problem, not the user's: a ConfigurationError that says what to change.
 */
const misregisteredRedirectUri = (error: MsalError): MsalError | undefined => {
  const codes = error.errorCodes ?? []
  if (codes.includes(9002326)) {
    return configurationError('redirectUri', 'Entra refused a cross-origin token request (AADSTS9002326): register this redirect URI as a single-page application')
  }
  if (codes.includes(9002327)) {
    return configurationError('redirectUri', 'Entra redeems a single-page application\'s tokens only from a browser (AADSTS9002327): register a web or desktop redirect URI')
  }
  return undefined
}

/** Which tenant id a domain-named authority stands for, when an ID token tells (see AppState.tenantIds). */
const tenantIdLearned = (ctx: ClientContext, claims: IdTokenClaims): StateChange | undefined => {
  const tenant = ctx.config.authority.tenant.toLowerCase()
  if (typeof claims.tid !== 'string' || claims.tid === '' || !tenant.includes('.') || ctx.state.tenantIds.get(tenant) === claims.tid) return undefined
  return { _tag: 'TenantIdLearned', tenant, tenantId: claims.tid }
}

/** The account the cache holds for a home account in an environment: the one in `realm` if there is one. */
export const accountFor = (ctx: ClientContext, homeAccountId: string | undefined, environment: string, realm?: string): Account | undefined => {
  if (homeAccountId === undefined) return undefined
  let first: AccountEntity | undefined
  for (const { entity } of ctx.tokenCache.accounts.lookup(BY_OWNER, ownerKey(environment, homeAccountId)).values()) {
    if (realm === undefined || entity.realm === realm) return accountOf(entity)
    first ??= entity
  }
  return first === undefined ? undefined : accountOf(first)
}

export const userResult = (
  response: TokenSuccessResponse,
  scopes: readonly string[],
  nowSec: number,
  correlationId: string,
  claims: IdTokenClaims | undefined,
  account: Account | undefined,
): TokenResult => {
  const base = resultFromResponse(response, undecoratedScopes(targetToScopes(grantedTarget(response, scopes))), nowSec, correlationId)
  return {
    ...base,
    ...(response.id_token !== undefined ? { idToken: response.id_token } : {}),
    ...(claims !== undefined ? { idTokenClaims: claims } : {}),
    ...(account !== undefined ? { account } : {}),
  }
}

/** The key an account entry is filed under, for lookups by home account. */
export const accountKeyOf = (account: Pick<Account, 'homeAccountId' | 'environment' | 'realm'>): string =>
  keyFor('Account', { home_account_id: account.homeAccountId, environment: account.environment, realm: account.realm ?? '' })

