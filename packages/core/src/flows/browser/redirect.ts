import * as E from '../../util/either.js'
import type { ClientContext } from '../../app/context.js'
import { now, perform, type Program } from '../../effects/program.js'
import { usageError, type MsalError } from '../../errors.js'
import type { TokenResult } from '../../result.js'
import { ApiId } from '../../http/telemetry.js'
import { acquireTokenByAuthCodeFlow, initiateAuthCodeFlow, type AuthCodeFlow } from '../authCode.js'
import { authResponseIn } from './authResponse.js'
import { flowKey, RESPONSE_STASH_KEY, type BrowserEnv } from './env.js'
import { claimInteraction, releaseInteraction } from './interaction.js'
import type { SpaRequest } from './request.js'

/** What a tab keeps in sessionStorage across the page load a sign-in takes. */
export interface StoredFlow {
  /** The auth code flow under way (its PKCE verifier, state and nonce), to redeem the response with. */
  readonly flow: AuthCodeFlow
  /** The page to return the user to. */
  readonly returnTo: string
  /** Epoch milliseconds. */
  readonly createdAt: number
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
 * state, scopes, the page the user was on, creation time) kept in sessionStorage under its
 * state, the interaction flag taken, and the page sent to the identity provider.
 */
export function* beginRedirect(ctx: ClientContext, env: BrowserEnv, request: SpaRequest): Program<E.Either<MsalError, undefined>> {
  const flow = yield* initiateAuthCodeFlow(ctx, request.scopes, authorizationOptions(env, request))
  if (E.isLeft(flow)) return flow
  const claimed = yield* claimInteraction(env, 'redirect', flow.right.state)
  if (E.isLeft(claimed)) return claimed
  const stored: StoredFlow = { flow: flow.right, returnTo: request.redirectStartPage ?? (yield* perform<'CurrentUrl'>({ _tag: 'CurrentUrl' })), createdAt: yield* now() }
  yield* perform<'StorageSet'>({ _tag: 'StorageSet', area: 'session', key: flowKey(env, flow.right.state), value: JSON.stringify(stored) })
  return yield* perform<'Navigate'>({ _tag: 'Navigate', url: flow.right.authUri })
}

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
export function* completeRedirect(ctx: ClientContext, env: BrowserEnv): Program<E.Either<MsalError, TokenResult | undefined>> {
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
  const result = yield* acquireTokenByAuthCodeFlow(ctx, stored.flow, response.params, {}, ApiId.acquireTokenInteractive)
  if (E.isRight(result) && stored.returnTo !== (response.cleanUrl ?? '')) yield* perform<'ReplaceUrl'>({ _tag: 'ReplaceUrl', url: stored.returnTo })
  return result
}
