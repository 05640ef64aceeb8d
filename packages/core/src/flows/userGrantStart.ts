import * as E from '../util/either.js'
import type { ClientContext } from '../app/context.js'
import { now, type Program } from '../effects/program.js'
import { type MsalError } from '../errors.js'
import { withCorrelationId } from '../wireErrors.js'
import { mergeClaimsAndCapabilities } from '../protocol/claims.js'
import { decorateScopes } from '../protocol/scopeDecoration.js'
import { newCorrelationId } from './correlation.js'
import { userEndpoints } from './userEndpoints.js'

/** What every user grant settles before its request: scopes, claims, the call's correlation id and time. */
export interface UserGrantStart {
  /** Decorated: MSAL's openid, profile and offline_access added. */
  readonly scopes: readonly string[]
  readonly claims: string | undefined
  readonly correlationId: string
  readonly nowMs: number
}

/** Checks the scopes and claims challenge (a UsageError before anything else), then names the call. */
export function* startUserGrant(ctx: ClientContext, scopesInput: readonly string[], claimsChallenge: string | undefined): Program<E.Either<MsalError, UserGrantStart>> {
  const scopes = decorateScopes(scopesInput, ctx.config.excludeScopes)
  if (E.isLeft(scopes)) return scopes
  const claims = mergeClaimsAndCapabilities(ctx.config.clientCapabilities, claimsChallenge)
  if (E.isLeft(claims)) return claims
  return E.right({ scopes: scopes.right, claims: claims.right, correlationId: yield* newCorrelationId(), nowMs: yield* now() })
}

/** The authority's token endpoint, discovered if need be; a failure carries the call's correlation id. */
export function* userTokenEndpoint(ctx: ClientContext, start: UserGrantStart): Program<E.Either<MsalError, string>> {
  const endpoints = yield* userEndpoints(ctx, start.correlationId, start.nowMs)
  return E.isLeft(endpoints) ? E.left(withCorrelationId(endpoints.left, start.correlationId)) : E.right(endpoints.right.tokenEndpoint)
}
