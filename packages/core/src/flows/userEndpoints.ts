import type * as E from '../util/either.js'
import type { ClientContext } from '../app/context.js'
import type { AuthorityEndpoints } from '../authority/endpoints.js'
import { resolveEndpoints } from '../authority/resolveEndpoints.js'
import type { Program } from '../effects/program.js'
import type { MsalError } from '../errors.js'
import { libraryHeaders } from '../http/telemetry.js'

/**
 * The authority's endpoints for a user flow (never regional: only app tokens go regional), with
 * discovery answers shared through the http cache.
 */
export function* userEndpoints(ctx: ClientContext, correlationId: string, nowMs: number): Program<E.Either<MsalError, AuthorityEndpoints>> {
  const headers = { ...libraryHeaders(ctx.platform, ctx.config.appName, ctx.config.appVersion), 'client-request-id': correlationId }
  return yield* resolveEndpoints({ ...ctx.config, httpCache: ctx.httpCache, instanceDiscovery: ctx.instanceDiscovery }, headers, nowMs)
}
