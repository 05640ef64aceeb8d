import * as E from '../util/either.js'
import type { ClientContext } from '../app/context.js'
import { openIdConfigurationUrl } from '../authority/endpoints.js'
import { discoverInstance } from '../authority/instanceDiscovery.js'
import type { InstanceDiscoveryStep } from '../authority/resolveEndpoints.js'
import { commit, log, readEnv, type Program } from '../effects/program.js'
import { isTransportError } from '../errors.js'
import { errorSummary } from '../wireErrors.js'

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
 * Instance discovery as MSAL Python's ClientApplication runs it for its own authority: when it
 * cannot be reached (a connection error, not a refusal) and the application uses a region, the
 * authority is used without it, from then on ("since caller opts in to use region, here we
 * tolerate connection errors happened during authority validation at non-region endpoint"):
 * tenant discovery goes to the authority's own configuration URL. Instance discovery's refusal
 * (invalid_instance) is never tolerated. MSAL Python's classes inject it (AppAbilities); a
 * browser app, which asks no instance discovery, leaves it out.
 */
export const regionTolerantDiscovery: InstanceDiscoveryStep = function* (ctx, headers, nowMs) {
  const { app, authority } = ctx
  if (app?.state.instanceDiscoverySkipped === true) return E.right(openIdConfigurationUrl(authority))
  const found = yield* discoverInstance(ctx, headers, nowMs)
  if (app === undefined || E.isRight(found) || !isTransportError(found.left) || !(yield* regionConfigured(app))) return found
  yield* log(
    'warning',
    `authority validation could not reach instance discovery (${errorSummary(found.left)}); a region is configured, so, as MSAL Python does, ` +
      `${authority.host} is used without instance discovery from now on`,
  )
  yield* commit({ _tag: 'InstanceDiscoverySkipped' })
  return E.right(openIdConfigurationUrl(authority))
}
