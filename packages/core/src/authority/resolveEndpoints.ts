import * as E from '../util/either.js'
import { log, type Program } from '../effects/program.js'
import { configurationError, type MsalError } from '../errors.js'
import type { HttpCache } from '../http/httpCache.js'
import type { ClientContext } from '../app/context.js'
import type { Authority } from './authority.js'
import { discover } from './discover.js'
import { builtInEndpoints, openIdConfigurationUrl, type AuthorityEndpoints } from './endpoints.js'
import { processOpenIdConfiguration } from './openIdConfiguration.js'
import { needsInstanceDiscovery, type AuthorityValidation } from './validation.js'

export interface AuthorityContext {
  /** The authority whose endpoints are wanted. */
  readonly authority: Authority
  /** Whether Microsoft must vouch for the authority first (validateAuthority, instanceDiscovery). */
  readonly validation: AuthorityValidation
  /** Where discovery answers are kept (24 hours for an OpenID configuration). */
  readonly httpCache: HttpCache
  /**
   * Asks Microsoft to vouch for an Entra host it does not know, answering where its tenant
   * discovery is (see instanceDiscovery.ts). Injected, so an app that never meets such a host
   * (a browser app) does not carry it; without it such a host is a ConfigurationError.
   */
  readonly instanceDiscovery?: InstanceDiscoveryStep | undefined
  /**
   * The application, when the authority is its own: what it learned of it (an instance discovery
   * it could not reach, with a region configured: see flows/regionFallback.ts). Absent for
   * another authority.
   */
  readonly app?: ClientContext | undefined
}

/** Instance discovery as a step of endpoint resolution: the tenant discovery URL, or why not. */
export type InstanceDiscoveryStep = (ctx: AuthorityContext, headers: Readonly<Record<string, string>>, nowMs: number) => Program<E.Either<MsalError, string>>

/**
 * An authority's endpoints with as few round trips as possible: none for an Entra tenant on a
 * Microsoft host (built in); tenant discovery for ADFS, B2C, CIAM and OIDC providers; instance
 * discovery first for an Entra authority on a host Microsoft must vouch for. Every discovery
 * answer is kept in the http cache for 24 h.
 */
export function* resolveEndpoints(
  ctx: AuthorityContext,
  headers: Readonly<Record<string, string>>,
  nowMs: number,
): Program<E.Either<MsalError, AuthorityEndpoints>> {
  const { authority, httpCache } = ctx
  const known = builtInEndpoints(authority)
  if (known !== undefined) {
    yield* log('verbose', `${authority.host} is a known Microsoft host: endpoints built in, no discovery`)
    return E.right(known)
  }
  let configurationUrl = openIdConfigurationUrl(authority)
  if (needsInstanceDiscovery(authority, ctx.validation)) {
    if (ctx.instanceDiscovery === undefined) {
      return E.left(
        configurationError(
          'authority',
          `${authority.host} is not a Microsoft host this app knows, and it cannot ask Microsoft's instance discovery: pass validateAuthority: false to vouch for it`,
        ),
      )
    }
    const discovered = yield* ctx.instanceDiscovery(ctx, headers, nowMs)
    if (E.isLeft(discovered)) return discovered
    configurationUrl = discovered.right
  }
  return yield* discover(`tenant discovery (${authority.kind} authority)`, httpCache, configurationUrl, headers, nowMs, (response) =>
    processOpenIdConfiguration(response, authority, { url: configurationUrl, nowMs, defaultRetryAfterMs: 0 }),
  )
}
