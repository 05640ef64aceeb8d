import * as E from '../../util/either.js'
import type { ClientContext } from '../../app/context.js'
import type { AuthResponseOutcome } from '../../effects/effect.js'
import { perform, type Program } from '../../effects/program.js'
import { type MsalError } from '../../errors.js'
import { cancelledError, timeoutError } from '../../wireErrors.js'
import { ApiId } from '../../http/telemetry.js'
import type { TokenResult } from '../../result.js'
import { initiateAuthCodeFlow, redeemAuthCodeFlow } from '../authCode.js'
import type { BrowserEnv } from './env.js'
import { releaseInteraction } from './interaction.js'
import { claimInteraction } from './claimInteraction.js'
import { authorizationOptions } from './redirect.js'
import type { SpaRequest } from './request.js'
import type { SpaBindingFor } from '../../pop/binding.js'
import { openSignInPopup, type OpenedPopup } from './openPopup.js'

/** What a popup's wait ended with, for a flow that needs its response's parameters. */
export const popupResponse = (outcome: AuthResponseOutcome, url: string, what: string): E.Either<MsalError, Readonly<Record<string, string>>> => {
  switch (outcome._tag) {
    case 'AuthResponse':
      return E.right(outcome.params)
    case 'WindowClosed':
      return E.left(cancelledError(`${what}: the user closed the popup`))
    case 'NoResponse':
      return E.left(timeoutError(url, `${what}: no response came back from the popup in time`))
  }
}

/**
 * loginPopup / acquireTokenPopup. The popup is the program's first effect, opened in the
 * caller's task before anything is awaited, so popup blockers allow it; blocked is a
 * PopupBlockedError at once. The response comes back over a BroadcastChannel (or the opener),
 * so a Cross-Origin-Opener-Policy on the sign-in page does not break it.
 */
export function* acquireTokenPopupFlow(
  ctx: ClientContext,
  env: BrowserEnv,
  request: SpaRequest,
  /** The app's key-binding code (PoP, SSH certificates), for a request that asks for such a token. */
  bindingFor?: SpaBindingFor,
): Program<E.Either<MsalError, TokenResult>> {
  const opened = yield* openSignInPopup(request, bindingFor)
  if (E.isLeft(opened)) return opened
  return yield* acquireTokenInPopup(ctx, env, request, opened.right)
}

/** The popup flow once its popup is open (openSignInPopup): the sign-in in it, then the code redeemed. */
export function* acquireTokenInPopup(ctx: ClientContext, env: BrowserEnv, request: SpaRequest, opened: OpenedPopup): Program<E.Either<MsalError, TokenResult>> {
  const { popup, prepare } = opened
  const flow = yield* initiateAuthCodeFlow(ctx, request.scopes, authorizationOptions(env, request))
  const claimed = E.isLeft(flow) ? flow : yield* claimInteraction(env, 'popup', flow.right.state)
  if (E.isLeft(flow) || E.isLeft(claimed)) {
    yield* perform<'ClosePopup'>({ _tag: 'ClosePopup', popup })
    return E.isLeft(flow) ? flow : (claimed as E.Left<MsalError>)
  }
  const { state, authUri } = flow.right
  yield* perform<'NavigatePopup'>({ _tag: 'NavigatePopup', popup, url: authUri })
  const outcome = yield* perform<'AwaitAuthResponse'>({ _tag: 'AwaitAuthResponse', state, popup, timeoutMs: env.popupTimeoutMs })
  yield* perform<'ClosePopup'>({ _tag: 'ClosePopup', popup })
  yield* releaseInteraction(env)
  const params = popupResponse(outcome, authUri, 'acquireTokenPopup')
  if (E.isLeft(params)) return params
  return yield* redeemAuthCodeFlow(ctx, flow.right, params.right, ApiId.acquireTokenInteractive, prepare)
}
