import * as E from '../../util/either.js'
import type { ClientContext } from '../../app/context.js'
import { now, perform, type Program } from '../../effects/program.js'
import { usageError, type MsalError } from '../../errors.js'
import type { TokenResult } from '../../result.js'
import { ApiId } from '../../http/telemetry.js'
import { initiateAuthCodeFlow, redeemAuthCodeFlow, type AuthCodeFlow } from '../authCode.js'
import { authResponseIn } from './authResponse.js'
import { flowKey, RESPONSE_STASH_KEY, type BrowserEnv } from './env.js'
import { releaseInteraction } from './interaction.js'
import { claimInteraction } from './claimInteraction.js'
import type { SpaRequest } from './request.js'
import { spaBinding, type PrepareBinding, type SpaBindingFor } from '../../pop/binding.js'

/** What a tab keeps in session storage across the page load a sign-in takes. */
export interface StoredFlow {
  /** The auth code flow under way (its PKCE verifier, state and nonce), to redeem the response with. */
  readonly flow: AuthCodeFlow
  /** The page to return the user to. */
  readonly returnTo: string
  /** Epoch milliseconds. */
  readonly createdAt: number
  /** A key-bound request (msal-browser's PoP or SSH fields), for the redemption after the page load; its account left out. */
  readonly binding?: Partial<SpaRequest> | undefined
}

/** The authorization request's options for an SPA request (prompt, hints, claims). */
export const authorizationOptions = (env: BrowserEnv, request: SpaRequest, prompt = request.prompt) => ({
  redirectUri: request.redirectUri ?? env.redirectUri,
  responseMode: env.responseMode,
  prompt,
  loginHint: request.loginHint ?? (request.account?.username !== '' ? request.account?.username : undefined),
  domainHint: request.domainHint,
  claimsChallenge: request.claims,
  maxAge: request.maxAge,
  extraScopesToConsent: request.extraScopesToConsent,
})

/**
 * loginRedirect / acquireTokenRedirect, before the page unloads: the flow (verifier, nonce,
 * state, scopes, the page the user was on, creation time) kept in session storage under its
 * state, the interaction flag taken, and the page sent to the identity provider.
 */
export function* beginRedirect(
  ctx: ClientContext,
  env: BrowserEnv,
  request: SpaRequest,
  /** The app's key-binding code (PoP, SSH certificates): a bound request's fields are kept for the redemption. */
  bindingFor?: SpaBindingFor,
): Program<E.Either<MsalError, undefined>> {
  const prepare = spaBinding(request, bindingFor)
  if (E.isLeft(prepare)) return prepare
  const flow = yield* initiateAuthCodeFlow(ctx, request.scopes, authorizationOptions(env, request))
  if (E.isLeft(flow)) return flow
  const claimed = yield* claimInteraction(env, 'redirect', flow.right.state)
  if (E.isLeft(claimed)) return claimed
  const stored: StoredFlow = {
    flow: flow.right,
    returnTo: request.redirectStartPage ?? (yield* perform<'CurrentUrl'>({ _tag: 'CurrentUrl' })),
    createdAt: yield* now(),
    ...(prepare.right !== undefined ? { binding: { ...request, account: undefined } } : {}),
  }
  yield* perform<'StorageSet'>({ _tag: 'StorageSet', area: 'session', key: flowKey(env, flow.right.state), value: JSON.stringify(stored) })
  return yield* perform<'Navigate'>({ _tag: 'Navigate', url: flow.right.authUri })
}

/** A stored flow's key binding, readied; checked again, as session storage is the page's, not ours alone. */
const storedBinding = (stored: StoredFlow, bindingFor: SpaBindingFor | undefined): E.Either<MsalError, PrepareBinding | undefined> =>
  typeof stored.binding !== 'object' || stored.binding === null ? E.right(undefined) : spaBinding({ scopes: [], ...stored.binding }, bindingFor)

/** The flow a response's state names, as this tab stored it; undefined when there is none. */
export function* storedFlow(env: BrowserEnv, state: string): Program<StoredFlow | undefined> {
  const text = yield* perform<'StorageGet'>({ _tag: 'StorageGet', area: 'session', key: flowKey(env, state) })
  try {
    const stored = text === null ? undefined : (JSON.parse(text) as StoredFlow)
    return stored !== undefined && typeof stored.returnTo === 'string' && typeof stored.flow === 'object' ? stored : undefined
  } catch {
    return undefined
  }
}

/** A redirect's response: from the page's own URL, or stashed by the bridge page. */
function* pendingResponse(): Program<{ readonly params: Record<string, string>; readonly cleanUrl?: string } | undefined> {
  const inUrl = authResponseIn(yield* perform<'CurrentUrl'>({ _tag: 'CurrentUrl' }))
  if (inUrl !== undefined) return inUrl
  const stash = yield* perform<'StorageGet'>({ _tag: 'StorageGet', area: 'session', key: RESPONSE_STASH_KEY })
  if (stash === null) return undefined
  yield* perform<'StorageRemove'>({ _tag: 'StorageRemove', area: 'session', key: RESPONSE_STASH_KEY })
  const fromStash = authResponseIn(`https://stash.invalid/${stash.startsWith('#') || stash.startsWith('?') ? stash : `?${stash}`}`)
  return fromStash === undefined ? undefined : { params: fromStash.params }
}

/**
 * handleRedirectPromise's work, once per page load: the response (query, fragment, or the
 * bridge's stash) with only its own parameters removed from the URL, redeemed against the flow
 * this tab stored under its state, and the user returned to the page they were on. No response:
 * this tab's redirect flag is cleared (the user came back without signing in) and undefined
 * answered. A response whose state has no stored flow is a UsageError (forged or replayed).
 */
export function* completeRedirect(
  ctx: ClientContext,
  env: BrowserEnv,
  /** The app's key-binding code, for a stored request that asked for a key-bound token. */
  bindingFor?: SpaBindingFor,
): Program<E.Either<MsalError, TokenResult | undefined>> {
  const response = yield* pendingResponse()
  if (response === undefined) {
    yield* releaseInteraction(env)
    return E.right(undefined)
  }
  if (response.cleanUrl !== undefined) yield* perform<'ReplaceUrl'>({ _tag: 'ReplaceUrl', url: response.cleanUrl })
  const state = response.params['state'] ?? ''
  const stored = yield* storedFlow(env, state)
  if (stored === undefined) {
    return E.left(usageError('authResponse', "the response's state matches no sign-in this tab started (forged, replayed, or another tab's)"))
  }
  yield* releaseInteraction(env, state)
  const prepare = storedBinding(stored, bindingFor)
  if (E.isLeft(prepare)) return prepare
  const result = yield* redeemAuthCodeFlow(ctx, stored.flow, response.params, ApiId.acquireTokenInteractive, prepare.right)
  if (E.isRight(result) && stored.returnTo !== (response.cleanUrl ?? '')) yield* perform<'ReplaceUrl'>({ _tag: 'ReplaceUrl', url: stored.returnTo })
  return result
}
