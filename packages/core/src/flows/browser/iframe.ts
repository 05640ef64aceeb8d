import * as E from '../../util/either.js'
import type { ClientContext } from '../../app/context.js'
import { perform, type Program } from '../../effects/program.js'
import { type InteractionRequiredReason, type MsalError } from '../../errors.js'
import { interactionRequiredError } from '../../wireErrors.js'
import { ApiId } from '../../http/telemetry.js'
import type { TokenResult } from '../../result.js'
import { initiateAuthCodeFlow, redeemAuthCodeFlow } from '../authCode.js'
import type { BrowserEnv } from './env.js'
import { authorizationOptions } from './redirect.js'
import type { SpaRequest } from './request.js'
import { spaBinding, type SpaBindingFor } from '../../pop/binding.js'

/** The `prompt=none` errors that mean "show the user a page" (OpenID Connect Core §3.1.2.6), by reason. */
const INTERACTION_ERRORS: Readonly<Record<string, InteractionRequiredReason>> = {
  login_required: 'login_required',
  interaction_required: 'login_required',
  account_selection_required: 'login_required',
  consent_required: 'consent_required',
}

/**
 * ssoSilent, and silent acquisition's last resort: a hidden iframe with `prompt=none` signs the
 * user in with the identity provider's session, if the browser lets the iframe see its cookie.
 * No session, third-party cookies blocked, or no answer in time: an InteractionRequiredError
 * saying which.
 */
export function* ssoSilentFlow(
  ctx: ClientContext,
  env: BrowserEnv,
  request: SpaRequest,
  /** The app's key-binding code (PoP, SSH certificates), for a request that asks for such a token. */
  bindingFor?: SpaBindingFor,
): Program<E.Either<MsalError, TokenResult>> {
  const prepare = spaBinding(request, bindingFor)
  if (E.isLeft(prepare)) return prepare
  const flow = yield* initiateAuthCodeFlow(ctx, request.scopes, authorizationOptions(env, request, 'none'))
  if (E.isLeft(flow)) return flow
  const outcome = yield* perform<'LoadIframe'>({ _tag: 'LoadIframe', url: flow.right.authUri, state: flow.right.state, timeoutMs: env.iframeTimeoutMs })
  if (outcome._tag !== 'AuthResponse') {
    return E.left(
      interactionRequiredError(
        'iframe_timeout',
        `the hidden iframe (prompt=none) brought no answer within ${env.iframeTimeoutMs} ms (third-party cookies blocked, or a page that cannot be framed)`,
      ),
    )
  }
  const error = outcome.params['error']
  const reason = error === undefined ? undefined : INTERACTION_ERRORS[error]
  if (reason !== undefined) {
    return E.left(
      interactionRequiredError(reason, `the identity provider needs the user (${error}): ${outcome.params['error_description'] ?? 'no session it can use silently'}; sign in interactively`, {
        error,
        errorDescription: outcome.params['error_description'],
        suberror: outcome.params['suberror'],
      }),
    )
  }
  return yield* redeemAuthCodeFlow(ctx, flow.right, outcome.params, ApiId.acquireTokenSilent, prepare.right)
}
