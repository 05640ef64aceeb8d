/**
 * Faults a test can inject into the fake identity provider (any of its three faces: the effect
 * handler, the fetch function, the loopback server).
 */
export type Fault =
  /** The connection is refused or reset: no response at all. */
  | { readonly kind: 'connection-error' }
  /** The server never answers; the client's timeout decides. */
  | { readonly kind: 'timeout' }
  /** A canned answer in place of the real one. */
  | {
      readonly kind: 'answer'
      readonly status: number
      readonly headers: Readonly<Record<string, string>>
      readonly body: string
    }

const JSON_TYPE = 'application/json; charset=utf-8'

export const faults = {
  connectionError: (): Fault => ({ kind: 'connection-error' }),
  timeout: (): Fault => ({ kind: 'timeout' }),
  /** A 5xx with an OAuth2 error body, as Entra sends during an incident. */
  serverError: (status = 500, retryAfterSeconds?: number): Fault => ({
    kind: 'answer',
    status,
    headers: { 'content-type': JSON_TYPE, ...(retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {}) },
    body: JSON.stringify({
      error: 'temporarily_unavailable',
      error_description: 'AADSTS90033: A transient error has occurred. Please try again.',
      error_codes: [90033],
    }),
  }),
  /** 429 Too Many Requests, optionally with Retry-After. */
  throttled: (retryAfterSeconds?: number): Fault => ({
    kind: 'answer',
    status: 429,
    headers: { 'content-type': JSON_TYPE, ...(retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {}) },
    body: JSON.stringify({ error: 'too_many_requests', error_description: 'Too many requests. Retry later.' }),
  }),
  /** 200 with a body cut off mid-JSON. */
  malformedJson: (): Fault => ({
    kind: 'answer',
    status: 200,
    headers: { 'content-type': JSON_TYPE },
    body: '{"token_type":"Bearer","expires_in":3599,"access_tok',
  }),
  /** An HTML error page, as a proxy or gateway in front of the identity provider sends. */
  htmlErrorPage: (status = 500): Fault => ({
    kind: 'answer',
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!DOCTYPE html><html><head><title>${status} Internal Server Error</title></head><body><h1>Something went wrong</h1></body></html>`,
  }),
  /** Any answer you like. */
  answer: (status: number, body: string, headers: Record<string, string> = { 'content-type': JSON_TYPE }): Fault => ({
    kind: 'answer',
    status,
    headers,
    body,
  }),
}

export interface FaultRule {
  readonly fault: Fault
  /** Which requests: a substring of, or a pattern for, the URL path. Default: every request. */
  readonly path?: string | RegExp | undefined
  /** Matching requests to let through untouched before the fault starts. Default 0. */
  skip: number
  /** How many requests it affects before it is used up. Default 1. */
  remaining: number
}

export const matchesPath = (rule: FaultRule, path: string): boolean =>
  rule.path === undefined || (typeof rule.path === 'string' ? path.includes(rule.path) : rule.path.test(path))

/** Takes the first live rule for this path, counting it down (or counting down its skips). */
export const takeFault = (rules: FaultRule[], path: string): Fault | undefined => {
  const index = rules.findIndex((rule) => rule.remaining > 0 && matchesPath(rule, path))
  if (index < 0) return undefined
  const rule = rules[index]!
  if (rule.skip > 0) {
    rule.skip--
    return undefined
  }
  rule.remaining--
  if (rule.remaining <= 0) rules.splice(index, 1)
  return rule.fault
}
