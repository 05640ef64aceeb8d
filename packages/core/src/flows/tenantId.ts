import type { ClientContext } from '../app/context.js'
import { openIdConfigurationUrl } from '../authority/endpoints.js'
import { processOpenIdConfiguration } from '../authority/openIdConfiguration.js'
import { commit, log, type Program } from '../effects/program.js'
import { cachedGet } from '../http/cachedGet.js'
import { libraryHeaders } from '../http/telemetry.js'
import { originOf } from '../util/redact.js'

const GUID_SEGMENT = /\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/|$)/i

/**
 * The tenant id behind a domain-named authority, from its OpenID configuration's issuer
 * (https://login.microsoftonline.com/{tenant id}/v2.0): user tokens are filed under the id, so a
 * silent call in a new process finds them with one discovery request (kept 24 h in the http
 * cache) instead of a refresh. Remembered in the context; undefined when discovery cannot tell.
 */
export function* discoverTenantId(ctx: ClientContext, correlationId: string, nowMs: number): Program<string | undefined> {
  const tenant = ctx.config.authority.tenant.toLowerCase()
  const known = ctx.state.tenantIds.get(tenant)
  if (known !== undefined) return known
  const url = openIdConfigurationUrl(ctx.config.authority)
  yield* log('verbose', `looking up the tenant id of a domain-named authority at ${originOf(url)}`)
  const headers = { ...libraryHeaders(ctx.platform, ctx.config.appName, ctx.config.appVersion), 'client-request-id': correlationId }
  const outcome = yield* cachedGet(ctx.httpCache, { method: 'GET', url, headers }, nowMs)
  if (outcome._tag === 'HttpFailure') return undefined
  const endpoints = processOpenIdConfiguration(outcome, ctx.config.authority, { url, nowMs, defaultRetryAfterMs: 0 })
  const issuer = endpoints._tag === 'Right' ? endpoints.right.issuer : undefined
  const id = issuer === undefined ? undefined : GUID_SEGMENT.exec(new URL(issuer).pathname)?.[1]?.toLowerCase()
  if (id !== undefined) yield* commit({ _tag: 'TenantIdLearned', tenant, tenantId: id })
  return id
}
