import * as E from '../util/either.js'
import type { ClientContext } from '../app/context.js'
import type { AuthorityEndpoints } from '../authority/endpoints.js'
import { needsInstanceDiscovery } from '../authority/validation.js'
import { resolveEndpoints } from '../authority/resolveEndpoints.js'
import { commit, log, readEnv, type Program } from '../effects/program.js'
import { errorSummary, isTransportError, type MsalError } from '../errors.js'
import { libraryHeaders } from '../http/telemetry.js'

/**
 * Whether the application uses a region (MSAL Python's test in ClientApplication.__init__:
 * `azure_region`, or, when it is unset, MSAL_FORCE_REGION). false opts out.
 */
function* regionConfigured(ctx: ClientContext): Program<boolean> {
  const setting = ctx.config.azureRegion
  if (setting === false) return false
  if (setting === true || (typeof setting === 'string' && setting !== '')) return true
  const forced = (yield* readEnv('MSAL_FORCE_REGION'))?.trim()
  return forced !== undefined && forced !== ''
}

/**
 * The application's authority's endpoints, validated and discovered (discovery answers shared
 * through the http cache). As MSAL Python's ClientApplication.__init__ does, when instance
 * discovery cannot be reached (a connection error, not a refusal) and the application uses a
 * region, the authority is validated without it, from then on: "since caller opts in to use
 * region, here we tolerate connection errors happened during authority validation at non-region
 * endpoint". Instance discovery's refusal (invalid_instance) is never tolerated.
 */
export function* applicationEndpoints(ctx: ClientContext, headers: Readonly<Record<string, string>>, nowMs: number): Program<E.Either<MsalError, AuthorityEndpoints>> {
  const { config } = ctx
  const skipped = ctx.state.instanceDiscoverySkipped
  const validation = skipped ? { ...config.validation, instanceDiscovery: false } : config.validation
  const first = yield* resolveEndpoints({ authority: config.authority, validation, httpCache: ctx.httpCache, instanceDiscovery: ctx.instanceDiscovery }, headers, nowMs)
  if (E.isRight(first) || skipped || !isTransportError(first.left) || !needsInstanceDiscovery(config.authority, config.validation)) return first
  if (!(yield* regionConfigured(ctx))) return first
  yield* log(
    'warning',
    `authority validation could not reach instance discovery (${errorSummary(first.left)}); a region is configured, so, as MSAL Python does, ` +
      `${config.authority.host} is used without instance discovery from now on`,
  )
  const second = yield* resolveEndpoints({ authority: config.authority, validation: { ...config.validation, instanceDiscovery: false }, httpCache: ctx.httpCache, instanceDiscovery: ctx.instanceDiscovery }, headers, nowMs)
  if (E.isRight(second)) yield* commit({ _tag: 'InstanceDiscoverySkipped' })
  return second
}

/**
 * The authority's endpoints for a user flow (never regional: only app tokens go regional), with
 * discovery answers shared through the http cache.
 */
export function* userEndpoints(ctx: ClientContext, correlationId: string, nowMs: number): Program<E.Either<MsalError, AuthorityEndpoints>> {
  const headers = { ...libraryHeaders(ctx.platform, ctx.config.appName, ctx.config.appVersion), 'client-request-id': correlationId }
  return yield* applicationEndpoints(ctx, headers, nowMs)
}
