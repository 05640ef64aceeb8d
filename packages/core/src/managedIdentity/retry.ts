import type { HttpResponse } from '../effects/effect.js'
import { ManagedIdentitySource } from './sources.js'

/**
 * A source's retry policy, as data (MSAL for Node's and MSAL.NET's; MSAL Python retries nothing).
 * The first failure's status fixes how many retries the request gets; each failure's status and
 * the retry's number fix the wait.
 */
export interface RetryPolicy {
  /** Statuses that are retried. */
  readonly statuses: readonly number[]
  /** Whether every 5xx is retried too. */
  readonly serverErrors: boolean
  /** Retries allowed when the first failure had this status, else `default`. */
  readonly budget: { readonly byFirstStatus: Readonly<Record<number, number>>; readonly default: number }
  /** Fixed waits by status (ms); other statuses wait `backoffMs[retry]` (the last one repeats). */
  readonly fixedDelayMs: Readonly<Record<number, number>>
  /** Waits before each retry, in milliseconds, by retry number; the last repeats. */
  readonly backoffMs: readonly number[]
  /** Whether Retry-After, when longer, replaces the wait. */
  readonly honoursRetryAfter: boolean
}

/**
 * IMDS (MSAL.NET's imds_retry_based_on_errors, MSAL for Node's ImdsRetryPolicy): 410 means IMDS
 * is being updated, so it gets 7 retries 10 s apart; 404, 408, 429 and 5xx get 3, after 1, 2 and
 * 4 s. Retry-After is not used.
 */
export const IMDS_RETRY_POLICY: RetryPolicy = {
  statuses: [404, 408, 410, 429],
  serverErrors: true,
  budget: { byFirstStatus: { 410: 7 }, default: 3 },
  fixedDelayMs: { 410: 10_000 },
  backoffMs: [1_000, 2_000, 4_000],
  honoursRetryAfter: false,
}

/** Every other source (MSAL for Node's DefaultManagedIdentityRetryPolicy): 3 retries, 1 s apart or as Retry-After says. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  statuses: [404, 408, 429, 500, 503, 504],
  serverErrors: false,
  budget: { byFirstStatus: {}, default: 3 },
  fixedDelayMs: {},
  backoffMs: [1_000],
  honoursRetryAfter: true,
}

/** No retries at all (the `retries: false` option). */
export const NO_RETRY_POLICY: RetryPolicy = { ...DEFAULT_RETRY_POLICY, statuses: [], budget: { byFirstStatus: {}, default: 0 } }

export const RETRY_POLICIES: Readonly<Record<ManagedIdentitySource, RetryPolicy>> = {
  [ManagedIdentitySource.DEFAULT_TO_VM]: IMDS_RETRY_POLICY,
  [ManagedIdentitySource.APP_SERVICE]: DEFAULT_RETRY_POLICY,
  [ManagedIdentitySource.MACHINE_LEARNING]: DEFAULT_RETRY_POLICY,
  [ManagedIdentitySource.SERVICE_FABRIC]: DEFAULT_RETRY_POLICY,
  [ManagedIdentitySource.AZURE_ARC]: DEFAULT_RETRY_POLICY,
  [ManagedIdentitySource.CLOUD_SHELL]: DEFAULT_RETRY_POLICY,
}

const isRetried = (policy: RetryPolicy, status: number): boolean =>
  policy.statuses.includes(status) || (policy.serverErrors && status >= 500 && status <= 599)

/**
 * How long to wait before retrying, in ms; undefined: do not retry. `retriesSoFar` counts the
 * retries already made; `firstStatus` is the first failure's status; `retryAfterMs` is the
 * response's Retry-After, parsed.
 */
export const retryDelayMs = (
  policy: RetryPolicy,
  response: HttpResponse,
  retriesSoFar: number,
  firstStatus: number,
  retryAfterMs: number | undefined,
): number | undefined => {
  if (!isRetried(policy, response.status)) return undefined
  const budget = policy.budget.byFirstStatus[firstStatus] ?? policy.budget.default
  if (retriesSoFar >= budget) return undefined
  const delay = policy.fixedDelayMs[response.status] ?? policy.backoffMs[Math.min(retriesSoFar, policy.backoffMs.length - 1)]!
  return policy.honoursRetryAfter && retryAfterMs !== undefined ? Math.max(delay, retryAfterMs) : delay
}
