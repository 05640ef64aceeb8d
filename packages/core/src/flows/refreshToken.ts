import * as E from '../util/either.js'
import type { ClientContext } from '../app/context.js'
import { now, type Program } from '../effects/program.js'
import { usageError, type MsalError } from '../errors.js'
import { withCorrelationId } from '../wireErrors.js'
import { ApiId, RefreshReason } from '../http/telemetry.js'
import { decorateScopes } from '../protocol/scopeDecoration.js'
import { buildRefreshTokenRequest } from '../protocol/userGrants.js'
import type { TokenResult } from '../result.js'
import { newCorrelationId } from './correlation.js'
import { logError } from './logging.js'
import { userEndpoints } from './userEndpoints.js'
import { redeemUserToken, requestHeaders } from './userTokens.js'
import { withTokenBinding, type KeyBoundTokenData } from '../pop/tokenBinding.js'
import type { BoundRequest } from '../pop/binding.js'

/** acquireTokenByRefreshToken's options: MSAL Python's keyword arguments it acts on. */
export interface RefreshTokenOptions {
  /** MSAL Python's `data` for an SSH certificate or a PoP token for your own key (see KeyBoundTokenData). */
  readonly data?: KeyBoundTokenData | undefined
}

/**
 * MSAL Python's `acquire_token_by_refresh_token`: migrates a refresh token obtained elsewhere
 * (ADAL, another library) into the cache. The tokens it returns are filed with their account,
 * so acquireTokenSilent finds them from then on.
 */
export function* acquireTokenByRefreshToken(
  ctx: ClientContext,
  refreshToken: unknown,
  scopesInput: readonly string[],
  options: RefreshTokenOptions = {},
): Program<E.Either<MsalError, TokenResult>> {
  return yield* withTokenBinding({ data: options.data }, (bound) => redeemRefreshToken(ctx, refreshToken, scopesInput, bound))
}

function* redeemRefreshToken(ctx: ClientContext, refreshToken: unknown, scopesInput: readonly string[], bound: BoundRequest | undefined): Program<E.Either<MsalError, TokenResult>> {
  if (typeof refreshToken !== 'string' || refreshToken.trim() === '') return E.left(usageError('refreshToken', 'expected the refresh token as a non-empty string'))
  const scopes = decorateScopes(scopesInput, ctx.config.excludeScopes)
  if (E.isLeft(scopes)) return scopes
  const correlationId = yield* newCorrelationId()
  const nowMs = yield* now()
  const endpoints = yield* userEndpoints(ctx, correlationId, nowMs)
  if (E.isLeft(endpoints)) return E.left(withCorrelationId(endpoints.left, correlationId))
  const request = buildRefreshTokenRequest({
    tokenEndpoint: endpoints.right.tokenEndpoint,
    clientId: ctx.config.clientId,
    scopes: scopes.right,
    headers: requestHeaders(ctx, ApiId.acquireTokenByRefreshToken, RefreshReason.forced, correlationId),
    refreshToken,
  })
  const result = yield* redeemUserToken(ctx, {
    request,
    api: ApiId.acquireTokenByRefreshToken,
    correlationId,
    nowMs,
    scopes: scopes.right,
    grantType: 'refresh_token',
    environment: ctx.config.authority.host,
    bound,
  })
  if (E.isLeft(result)) yield* logError('info', `acquireTokenByRefreshToken failed (correlation id ${correlationId})`, result.left)
  return result
}
