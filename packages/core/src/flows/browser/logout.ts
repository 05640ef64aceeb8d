import * as E from '../../util/either.js'
import type { ClientContext } from '../../app/context.js'
import type { Account } from '../../cache/selectors.js'
import { perform, randomBytes, type Program } from '../../effects/program.js'
import type { MsalError } from '../../errors.js'
import { bytesToBase64Url } from '../../util/base64url.js'
import { newCorrelationId } from '../correlation.js'
import { userEndpoints } from '../userEndpoints.js'
import type { BrowserEnv } from './env.js'
import { releaseInteraction } from './interaction.js'
import { claimInteraction } from './claimInteraction.js'
import { popupResponse } from './popup.js'
import { openPopup } from './openPopup.js'

export interface LogoutRequest {
  /** The account to sign out (default: the active account). */
  readonly account?: Account | undefined
  /** Where the identity provider returns the user (default: the application's postLogoutRedirectUri). */
  readonly postLogoutRedirectUri?: string | undefined
  /** An ID token of the account, sent as `id_token_hint` when no login hint is known (OIDC RP-Initiated Logout §2). */
  readonly idTokenHint?: string | undefined
}

/** The end-session URL (OpenID Connect RP-Initiated Logout 1.0 §2), or undefined when the provider names none. */
const logoutUrl = (endSession: string, env: BrowserEnv, request: LogoutRequest, loginHint: string | undefined, state: string, clientId: string): string => {
  const query = new URLSearchParams({ client_id: clientId, state })
  const back = request.postLogoutRedirectUri ?? env.postLogoutRedirectUri
  if (back !== undefined) query.set('post_logout_redirect_uri', back)
  if (loginHint !== undefined) query.set('logout_hint', loginHint)
  else if (request.idTokenHint !== undefined) query.set('id_token_hint', request.idTokenHint)
  return `${endSession}${endSession.includes('?') ? '&' : '?'}${query.toString()}`
}

/**
 * logoutRedirect / logoutPopup, the identity provider's half (the application removes the
 * account's entries first): its session ends at its end-session endpoint, with
 * post_logout_redirect_uri and logout_hint (or id_token_hint). With no end-session endpoint the
 * local sign-out is all there is.
 */
export function* logoutFlow(ctx: ClientContext, env: BrowserEnv, request: LogoutRequest, via: 'redirect' | 'popup'): Program<E.Either<MsalError, undefined>> {
  return yield* logoutWith(ctx, env, request, via, via === 'popup' ? yield* openPopup() : undefined)
}

/** logoutFlow once its popup, for a logoutPopup, is open (undefined: a redirect, or a popup the browser blocked). */
export function* logoutWith(ctx: ClientContext, env: BrowserEnv, request: LogoutRequest, via: 'redirect' | 'popup', popup: string | undefined): Program<E.Either<MsalError, undefined>> {
  const { account } = request
  const endpoints = yield* userEndpoints(ctx, yield* newCorrelationId(), 0)
  const endSession = E.isRight(endpoints) ? endpoints.right.endSessionEndpoint : undefined
  if (endSession === undefined) {
    if (popup !== undefined) yield* perform<'ClosePopup'>({ _tag: 'ClosePopup', popup })
    return E.right(undefined)
  }
  const state = bytesToBase64Url(yield* randomBytes(16))
  const loginHint = account?.username !== undefined && account.username !== '' ? account.username : undefined
  const url = logoutUrl(endSession, env, request, loginHint, state, ctx.config.clientId)
  if (via === 'redirect' || popup === undefined) {
    // A blocked logout popup falls back to the page itself: the local sign-out is done, the session must end too.
    const claimed = yield* claimInteraction(env, 'logout', state)
    if (E.isLeft(claimed)) return claimed
    return yield* perform<'Navigate'>({ _tag: 'Navigate', url })
  }
  yield* perform<'NavigatePopup'>({ _tag: 'NavigatePopup', popup, url })
  const outcome = yield* perform<'AwaitAuthResponse'>({ _tag: 'AwaitAuthResponse', state, popup, timeoutMs: env.popupTimeoutMs })
  yield* perform<'ClosePopup'>({ _tag: 'ClosePopup', popup })
  yield* releaseInteraction(env)
  const done = popupResponse(outcome, url, 'logoutPopup')
  // The local sign-out stands whatever the popup did.
  return E.isLeft(done) && done.left.kind !== 'CancelledError' ? done : E.right(undefined)
}
