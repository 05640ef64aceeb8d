import type * as E from '../util/either.js'
import type { ClientContext } from '../app/context.js'
import type { AuthorityEndpoints } from '../authority/endpoints.js'
import { resolveEndpoints } from '../authority/resolveEndpoints.js'
import type { Program } from '../effects/program.js'
import type { MsalError } from '../errors.js'
import { libraryHeaders } from '../http/telemetry.js'

/**
 * The application's authority's endpoints, validated and discovered (discovery answers shared
 * through the http cache). Instance discovery, where the application class injects it, sees the
 * application (MSAL Python's classes tolerate an unreachable one when a region is configured:
 * flows/regionFallback.ts).
 */
export function* applicationEndpoints(ctx: ClientContext, headers: Readonly<Record<string, string>>, nowMs: number): Program<E.Either<MsalError, AuthorityEndpoints>> {
  const { config } = ctx
  return yield* resolveEndpoints({ authority: config.authority, validation: config.validation, httpCache: ctx.httpCache, instanceDiscovery: ctx.instanceDiscovery, app: ctx }, headers, nowMs)
}

/**
 * The authority's endpoints for a user flow (never regional: only app tokens go regional), with
 * discovery answers shared through the http cache.
 */
export function* userEndpoints(ctx: ClientContext, correlationId: string, nowMs: number): Program<E.Either<MsalError, AuthorityEndpoints>> {
  const headers = { ...libraryHeaders(ctx.platform, ctx.config.appName, ctx.config.appVersion), 'client-request-id': correlationId }
  return yield* applicationEndpoints(ctx, headers, nowMs)
}
