import { faults, type Fault } from '../faults.js'

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' }
const retryAfter = (seconds: number | undefined): Record<string, string> => (seconds === undefined ? {} : { 'retry-after': String(seconds) })

/** Faults managed identity sources show, for `emulation.injectFault(fault, { times })`. */
export const managedIdentityFaults = {
  /** 410 Gone: IMDS is being updated (it asks for retries over about 70 s). */
  gone: (): Fault => faults.answer(410, JSON.stringify({ error: 'service_unavailable', error_description: 'IMDS is being updated; retry later.' }), JSON_TYPE),
  /** 429 Too Many Requests, optionally with Retry-After (seconds). */
  throttled: (retryAfterSeconds?: number): Fault =>
    faults.answer(429, JSON.stringify({ error: 'too_many_requests', error_description: 'Too many requests.' }), { ...JSON_TYPE, ...retryAfter(retryAfterSeconds) }),
  /** A 5xx (default 500), optionally with Retry-After (seconds). */
  serverError: (status = 500, retryAfterSeconds?: number): Fault =>
    faults.answer(status, JSON.stringify({ error: 'server_error', error_description: 'The identity endpoint failed.' }), { ...JSON_TYPE, ...retryAfter(retryAfterSeconds) }),
  /** 404: the endpoint is not (yet) there, e.g. a VM whose identity is still being assigned. */
  notFound: (): Fault => faults.answer(404, JSON.stringify({ error: 'not_found', error_description: 'The identity endpoint was not found.' }), JSON_TYPE),
  /** No response at all. */
  connectionError: faults.connectionError,
  timeout: faults.timeout,
}
