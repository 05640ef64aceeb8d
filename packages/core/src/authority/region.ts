import { commit, http, log, readEnv, type Program } from '../effects/program.js'
import type { Authority } from './authority.js'
import { entraEndpoints, type AuthorityEndpoints } from './endpoints.js'

/** A region name is a DNS label: it becomes part of a host name, so nothing else is accepted. */
const VALID_REGION = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/

export const isValidRegion = (region: string): boolean => VALID_REGION.test(region)

/** The `azureRegion` option: a region name, true (detect), false (never, even if MSAL_FORCE_REGION is set). */
export type RegionSetting = string | boolean | undefined


/** Azure's instance metadata service, which tells a VM its region. Not reachable outside Azure. */
export const IMDS_LOCATION_URL = 'http://169.254.169.254/metadata/instance/compute/location?format=text&api-version=2021-01-01'
/** Outside Azure the IMDS address does not answer at all; do not let that hold a token request up. */
export const IMDS_PROBE_TIMEOUT_MS = 2000

const AUTO_DETECT = 'tryautodetect'

/** Finds this machine's region: REGION_NAME, else an IMDS probe. Undefined when neither tells. */
export function* detectRegion(): Program<string | undefined> {
  const fromEnv = (yield* readEnv('REGION_NAME'))?.trim().toLowerCase()
  if (fromEnv !== undefined && fromEnv !== '') {
    if (isValidRegion(fromEnv)) {
      yield* log('info', `Azure region ${fromEnv} detected (from REGION_NAME)`)
      return fromEnv
    }
    yield* log('warning', 'REGION_NAME is not a valid region name; ignoring it')
  }
  // One probe, no retry: outside Azure it always fails, and a retry would only double the wait.
  const outcome = yield* http({ method: 'GET', url: IMDS_LOCATION_URL, headers: { Metadata: 'true' }, timeoutMs: IMDS_PROBE_TIMEOUT_MS })
  if (outcome._tag === 'HttpResponse' && outcome.status === 200) {
    const region = outcome.body.trim().toLowerCase()
    if (isValidRegion(region)) {
      yield* log('info', `Azure region ${region} detected (from the instance metadata service)`)
      return region
    }
  }
  yield* log('info', 'no Azure region detected (not on an Azure VM?); using the global endpoint')
  return undefined
}

/**
 * The region to send client-credential requests to, as MSAL Python decides it: the option, else
 * MSAL_FORCE_REGION; a name is used as given, true (or "TryAutoDetect") detects once per
 * application (`detected` is what the application found before, undefined if it never
 * looked), false opts out. Undefined means the global endpoint.
 */
export function* resolveRegion(setting: RegionSetting, detected: string | null | undefined): Program<string | undefined> {
  if (setting === false) return undefined
  const configured = setting ?? (yield* readEnv('MSAL_FORCE_REGION'))?.trim()
  if (configured === undefined || configured === '') return undefined
  if (configured !== true && configured.toLowerCase() !== AUTO_DETECT) {
    const name = configured.toLowerCase()
    if (isValidRegion(name)) return name
    yield* log('warning', 'the configured region is not a valid region name; using the global endpoint')
    return undefined
  }
  if (detected !== undefined) return detected ?? undefined
  const found = (yield* detectRegion()) ?? null
  yield* commit({ _tag: 'RegionDetected', region: found })
  return found ?? undefined
}

/** Public-cloud hosts whose regional endpoints live under login.microsoft.com. */
const PUBLIC_CLOUD_HOSTS = new Set(['login.microsoftonline.com', 'login.microsoft.com', 'login.windows.net', 'sts.windows.net'])

/** `{region}.login.microsoft.com` for the public cloud, else `{region}.{host}`. */
export const regionalHost = (host: string, region: string): string =>
  PUBLIC_CLOUD_HOSTS.has(host) ? `${region}.login.microsoft.com` : `${region}.${host}`

/** An Entra authority's endpoints in a region (only Entra serves regional endpoints). */
export const regionalEndpoints = (authority: Authority, region: string): AuthorityEndpoints | undefined =>
  authority.kind === 'Entra' && !authority.isLoopback ? entraEndpoints(`https://${regionalHost(authority.host, region)}`, authority.tenant) : undefined
