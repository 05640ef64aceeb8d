import * as E from '../util/either.js'
import type { ClientContext } from '../app/context.js'
import { homeAccountIdOf } from '../cache/accountOf.js'
import { fileTokenResponse, type TokenResponseEvent } from '../cache/filing.js'
import type { AccessTokenEntity } from '../cache/schema.js'
import { unfiledRecord } from '../cache/tokenStore.js'
import { commit, log, now, readEnv, type Program } from '../effects/program.js'
import { usageError, type MsalError } from '../errors.js'
import { withCorrelationId } from '../wireErrors.js'
import { sendWithRetry, transportError } from '../http/send.js'
import { buildCloudShellRequest, CLOUD_SHELL_VARIABLE, isCloudShell, processCloudShellResponse } from '../protocol/cloudShell.js'
import { validateScopes } from '../protocol/scopes.js'
import type { TokenResult } from '../result.js'
import { newCorrelationId } from './correlation.js'
import { logError } from './logging.js'
import { cachedResult, type SilentAccount } from './silentCache.js'
import { accountFor, userResult } from './userTokens.js'

/** The authority type MSAL Python files Cloud Shell accounts under. */
export const CLOUD_SHELL_AUTHORITY_TYPE = 'CLOUDSHELL'

/** Whether this process runs in Azure Cloud Shell (AZUREPS_HOST_ENVIRONMENT starts with "cloud-shell"). */
export function* runningInCloudShell(): Program<boolean> {
  return isCloudShell(yield* readEnv(CLOUD_SHELL_VARIABLE))
}

/**
 * The signed-in Cloud Shell user's token for `scopes` (MSAL Python's
 * _acquire_token_by_cloud_shell): one POST to Cloud Shell's endpoint (never a refresh token),
 * filed as MSAL Python files it: an access token under the requested scopes and the
 * application's authority, and a CLOUDSHELL account (no ID token; the account's ids come from the
 * token's oid and tid). The result's tokenSource is 'broker', as MSAL Python reports it.
 */
export function* acquireTokenByCloudShell(ctx: ClientContext, scopesInput: readonly string[], correlationIdGiven?: string): Program<E.Either<MsalError, TokenResult>> {
  const scopes = validateScopes(scopesInput)
  if (E.isLeft(scopes)) return scopes
  const correlationId = correlationIdGiven ?? (yield* newCorrelationId())
  const nowMs = yield* now()
  const nowSec = Math.floor(nowMs / 1000)
  const request = buildCloudShellRequest(scopes.right)
  yield* log('info', `Cloud Shell: asking its token endpoint for ${request.form!['resource']} (correlation id ${correlationId})`)
  const outcome = yield* sendWithRetry(request)
  if (outcome._tag === 'HttpFailure') return E.left(withCorrelationId(transportError(request.url, outcome), correlationId))
  const answer = processCloudShellResponse(outcome, ctx.config.clientId, nowSec)
  if (E.isLeft(answer)) return E.left(withCorrelationId(answer.left, correlationId))
  const { response, clientInfo, idTokenClaims } = answer.right
  // Filed under the authority's tenant (as MSAL Python: its token endpoint's), not the token's tid.
  const { tid: _, ...accountClaims } = idTokenClaims
  const event: TokenResponseEvent = {
    clientId: ctx.config.clientId,
    environment: ctx.config.authority.host,
    realm: ctx.config.authority.tenant,
    scopes: scopes.right,
    response,
    clientInfo,
    idTokenClaims: accountClaims,
    authorityType: CLOUD_SHELL_AUTHORITY_TYPE,
  }
  yield* commit(fileTokenResponse(event, nowSec))
  const home = homeAccountIdOf(clientInfo, idTokenClaims) ?? undefined
  const result = userResult(response, scopes.right, nowSec, correlationId, idTokenClaims, accountFor(ctx, home, ctx.config.authority.host, ctx.config.authority.tenant))
  return E.right({ ...result, tokenSource: 'broker' })
}

/**
 * MSAL Python's acquire_token_interactive(prompt="none") inside Azure Cloud Shell: the token comes
 * from Cloud Shell, with no browser. Right(undefined) when not in Cloud Shell (sign in as usual).
 */
export function* acquireTokenInteractiveInCloudShell(
  ctx: ClientContext,
  scopes: readonly string[],
  /** The call asks for a key-bound token (authScheme or data), which Cloud Shell cannot give. */
  keyBound = false,
): Program<E.Either<MsalError, TokenResult | undefined>> {
  if (!(yield* runningInCloudShell())) return E.right(undefined)
  // MSAL Python: "auth_scheme is not supported in Cloud Shell".
  if (keyBound) return E.left(usageError('authScheme', 'key-bound tokens (PoP, SSH certificates) are not supported in Cloud Shell'))
  return yield* acquireTokenByCloudShell(ctx, scopes)
}

/**
 * A silent call for a Cloud Shell account (MSAL Python's rule): its token comes from Cloud Shell
 * again, never from a refresh token; `aging`, a cached token past its refresh_on, is returned if
 * that fails. The application classes inject it (AppAbilities.cloudShellTokens), so a browser
 * bundle leaves Cloud Shell out.
 */
export function* cloudShellSilentToken(
  ctx: ClientContext,
  scopes: readonly string[],
  account: SilentAccount,
  aging: AccessTokenEntity | undefined,
  correlationId: string,
  nowSec: number,
): Program<E.Either<MsalError, TokenResult>> {
  yield* log('info', `acquireTokenSilent: a Cloud Shell account; asking Cloud Shell (correlation id ${correlationId})`)
  const fresh = yield* acquireTokenByCloudShell(ctx, scopes, correlationId)
  if (E.isRight(fresh) || aging === undefined) return fresh
  yield* logError('warning', `acquireTokenSilent (correlation id ${correlationId}) returns the cached token: Cloud Shell did not give a new one`, fresh.left)
  return E.right(cachedResult(ctx, unfiledRecord(aging), account, nowSec, correlationId))
}
