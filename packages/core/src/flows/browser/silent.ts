import * as E from '../../util/either.js'
import type { ClientContext } from '../../app/context.js'
import { selectRefreshTokens, isRedeemable } from '../../cache/selectors.js'
import { now, perform, type Program } from '../../effects/program.js'
import { isTransportError, type InteractionRequiredReason, type MsalError } from '../../errors.js'
import { interactionRequiredError } from '../../wireErrors.js'
import type { TokenResult } from '../../result.js'
import { acquireTokenSilentBound } from '../silent.js'
import type { BrowserEnv } from './env.js'
import { ssoSilentFlow } from './iframe.js'
import type { SpaRequest } from './request.js'
import { silentFromCache } from './silentCache.js'
import { spaBinding, type SpaBindingFor } from '../../pop/binding.js'

type RefreshTokenState = 'redeemable' | 'expired' | 'none'

/** Whether the account has a refresh token worth redeeming, one past its own lifetime, or none. */
const refreshTokenState = (ctx: ClientContext, homeAccountId: string, nowSec: number): RefreshTokenState => {
  let state: RefreshTokenState = 'none'
  for (const environment of ctx.environments) {
    for (const rt of selectRefreshTokens(ctx.tokenCache, { environment, homeAccountId })) {
      if (isRedeemable(rt, nowSec)) return 'redeemable'
      state = 'expired'
    }
  }
  return state
}

/** The identity provider's fields of a refusal, for the InteractionRequiredError that reports it. */
const wireFieldsOf = (error: MsalError | undefined) =>
  error === undefined
    ? {}
    : { error: error.error, errorDescription: error.errorDescription, errorCodes: error.errorCodes, suberror: error.suberror, claims: error.claims, correlationId: error.correlationId }

/** Why a refresh that failed means "sign in": what to tell the app. */
const WHY: Readonly<Record<InteractionRequiredReason, string>> = {
  no_account: 'no account: sign the user in first (loginRedirect or loginPopup), or pass one from getAllAccounts()',
  refresh_token_expired: "the refresh token's own lifetime (a single-page app's 24 hours) is over",
  refresh_refused: 'the identity provider refused the refresh token',
  login_required: 'the identity provider has no session it can use silently',
  consent_required: 'the user has not consented to these scopes',
  iframe_timeout: 'the hidden iframe brought no answer in time',
}

/**
 * The browser's acquireTokenSilent, in order: the in-memory cache (no storage read, no lock:
 * silentFromCache); then the refresh token, unless its own lifetime is over, under a lock every
 * tab of the app shares (a tab that waited re-reads storage and uses the token another tab got);
 * then, unless disabled, a hidden iframe with prompt=none; else an InteractionRequiredError saying
 * why, with MSAL's classification. It never answers "nothing".
 */
export function* acquireTokenSilentFlow(
  ctx: ClientContext,
  env: BrowserEnv,
  request: SpaRequest,
  /** The app's key-binding code (PoP, SSH certificates): a bound token is looked up and refreshed under its key id. */
  bindingFor?: SpaBindingFor,
): Program<E.Either<MsalError, TokenResult>> {
  const cached = yield* silentFromCache(ctx, request, bindingFor)
  if (E.isLeft(cached) || cached.right !== undefined) return cached as E.Either<MsalError, TokenResult>
  return yield* silentAfterMiss(ctx, env, request, bindingFor)
}

/** acquireTokenSilent after silentFromCache could not answer: the refresh token, the hidden iframe, or why neither can. */
export function* silentAfterMiss(
  ctx: ClientContext,
  env: BrowserEnv,
  request: SpaRequest,
  bindingFor?: SpaBindingFor,
): Program<E.Either<MsalError, TokenResult>> {
  const prepare = spaBinding(request, bindingFor)
  if (E.isLeft(prepare)) return prepare
  const account = request.account
  if (account === undefined) return E.left(interactionRequiredError('no_account', `acquireTokenSilent: ${WHY.no_account}`))
  const options = { forceRefresh: request.forceRefresh, claimsChallenge: request.claims }

  let reason: InteractionRequiredReason | undefined
  let refusal: MsalError | undefined
  const rts = refreshTokenState(ctx, account.homeAccountId, Math.floor((yield* now()) / 1000))
  if (rts === 'redeemable') {
    const lock = yield* perform<'AcquireLock'>({ _tag: 'AcquireLock', name: `msal-ts:${ctx.config.clientId}:${account.homeAccountId}` })
    yield* perform<'SyncCache'>({ _tag: 'SyncCache' })
    const refreshed = yield* acquireTokenSilentBound(ctx, request.scopes, account, options, 'network', prepare.right)
    yield* perform<'ReleaseLock'>({ _tag: 'ReleaseLock', lock })
    if (E.isRight(refreshed) && refreshed.right !== undefined) return E.right(refreshed.right)
    // The identity provider cannot be reached: an iframe would not reach it either.
    if (E.isLeft(refreshed) && isTransportError(refreshed.left)) return refreshed
    reason = E.isLeft(refreshed) ? 'refresh_refused' : 'refresh_token_expired'
    refusal = E.isLeft(refreshed) ? refreshed.left : undefined
  } else if (rts === 'expired') {
    reason = 'refresh_token_expired'
  }
  if (env.silentIframe) {
    const viaIframe = yield* ssoSilentFlow(ctx, env, request, bindingFor)
    if (E.isRight(viaIframe) || reason === undefined) return viaIframe
    return E.left(interactionRequiredError(reason, `acquireTokenSilent: ${WHY[reason]}; the hidden iframe could not sign in either (${viaIframe.left.message})`, wireFieldsOf(refusal)))
  }
  const final = reason ?? 'login_required'
  return E.left(interactionRequiredError(final, `acquireTokenSilent: ${WHY[final]}; sign in interactively`, wireFieldsOf(refusal)))
}
