import * as E from '#fp-ts/Either'
import { type HttpResponse, type MsalError } from '@msal-ts/core'
import { processTokenResponse } from '@msal-ts/core/protocol'

const URL = 'https://login.microsoftonline.com/t/oauth2/v2.0/token'
const ctx = { url: URL, nowMs: 1_000_000_000_000, defaultRetryAfterMs: 5000 }
const json = { 'content-type': 'application/json; charset=utf-8' }
const response = (status: number, body: string, headers: Record<string, string> = json): HttpResponse => ({
  _tag: 'HttpResponse',
  status,
  headers,
  body,
})
const leftOf = (r: HttpResponse): MsalError => {
  const result = processTokenResponse(r, ctx)
  if (E.isRight(result)) throw new Error('expected a failure')
  return result.left
}

describe('processTokenResponse: successes', () => {
  it.each([
    ['numbers', { access_token: 'at', token_type: 'Bearer', expires_in: 3599, ext_expires_in: 7199 }, 3599, 7199],
    ['numeric strings (v1 endpoints)', { access_token: 'at', expires_in: '3600', ext_expires_in: '3600' }, 3600, 3600],
    ['fractional seconds are floored', { access_token: 'at', expires_in: 59.9 }, 59, undefined],
  ])('decodes %s', (_, body, expiresIn, extExpiresIn) => {
    const result = processTokenResponse(response(200, JSON.stringify(body)), ctx)
    expect(E.isRight(result)).toBe(true)
    if (E.isRight(result)) {
      expect(result.right.expires_in).toBe(expiresIn)
      expect(result.right.ext_expires_in).toBe(extExpiresIn)
    }
  })

  it('keeps fields it does not know', () => {
    const result = processTokenResponse(response(200, JSON.stringify({ access_token: 'at', custom: { a: 1 } })), ctx)
    expect(E.isRight(result) && result.right['custom']).toEqual({ a: 1 })
  })
})

describe('processTokenResponse: failures', () => {
  it('maps an OAuth2 error with every Entra field', () => {
    const error = leftOf(
      response(
        400,
        JSON.stringify({
          error: 'invalid_grant',
          error_description: 'AADSTS50076: MFA required.',
          error_codes: [50076],
          suberror: 'basic_action',
          correlation_id: 'c',
          trace_id: 't',
          timestamp: '2026-01-01 00:00:00Z',
          claims: '{"access_token":{}}',
          error_uri: 'https://login.microsoftonline.com/error?code=50076',
        }),
      ),
    )
    expect(error).toMatchObject({
      kind: 'ServerError',
      status: 400,
      error: 'invalid_grant',
      errorDescription: 'AADSTS50076: MFA required.',
      errorCodes: [50076],
      suberror: 'basic_action',
      classification: 'basic_action',
      correlationId: 'c',
      traceId: 't',
      timestamp: '2026-01-01 00:00:00Z',
      claims: '{"access_token":{}}',
      errorUri: 'https://login.microsoftonline.com/error?code=50076',
      message: 'invalid_grant: AADSTS50076: MFA required.',
    })
  })

  it.each(['bad_token', 'token_expired', 'protection_policy_required', 'client_mismatch', 'device_authentication_failed'])(
    'classifies suberror %s as ""',
    (suberror) => {
      expect(leftOf(response(400, JSON.stringify({ error: 'invalid_grant', suberror })))).toMatchObject({ suberror, classification: '' })
    },
  )

  it.each([
    ['429 with Retry-After seconds', 429, { 'retry-after': '7' }, 7000],
    ['429 without Retry-After uses the default', 429, {}, 5000],
    ['503 with Retry-After', 503, { 'retry-after': '2' }, 2000],
    ['429 with an HTTP-date Retry-After', 429, { 'retry-after': 'Sun, 09 Sep 2001 01:46:50 GMT' }, 10_000],
  ])('throttling: %s', (_, status, headers, retryAfterMs) => {
    const error = leftOf(response(status, JSON.stringify({ error: 'too_many_requests' }), { ...json, ...headers }))
    expect(error).toMatchObject({ kind: 'ThrottledError', status, retryAfterMs, error: 'too_many_requests' })
  })

  it('a 429 with an HTML body is still throttling', () => {
    expect(leftOf(response(429, '<html>slow down</html>', { 'content-type': 'text/html' }))).toMatchObject({ kind: 'ThrottledError', status: 429 })
  })

  it('a 500 without Retry-After is a server error, keeping the status', () => {
    expect(leftOf(response(500, JSON.stringify({ error: 'server_error' })))).toMatchObject({ kind: 'ServerError', status: 500 })
  })

  it.each([
    ['an HTML error page', 500, '<!DOCTYPE html><html>Bad gateway</html>', { 'content-type': 'text/html' }, 'expected a JSON object, got text/html'],
    ['an empty body', 502, '', {}, 'expected a JSON object, got an empty body'],
    // A token endpoint that refuses the client's authentication and says nothing (issue 14).
    ['a bare 403', 403, '', {}, "the identity provider refused the client's authentication"],
    ['a bare 401', 401, '  ', {}, "the identity provider refused the client's authentication"],
    ['truncated JSON', 200, '{"access_tok', json, 'expected a JSON object, got application/json'],
    ['a JSON array', 200, '[1,2]', json, 'expected a JSON object'],
    ['a JSON string', 200, '"token"', json, 'expected a JSON object'],
    ['no access_token', 200, '{"token_type":"Bearer"}', json, 'access_token: expected a non-empty string, got nothing'],
    ['an empty access_token', 200, '{"access_token":""}', json, 'access_token: expected a non-empty string, got ""'],
    ['a negative expires_in', 200, '{"access_token":"a","expires_in":-5}', json, 'expires_in: expected a number of seconds, got -5'],
    ['a word for expires_in', 200, '{"access_token":"a","expires_in":"soon"}', json, 'expires_in: expected a number of seconds, got "soon"'],
    ['a non-string error', 400, '{"error":42}', json, 'an unsuccessful status without an OAuth2 error'],
    ['an error with malformed fields', 400, '{"error":"x","error_codes":"nope"}', json, 'malformed error response: x'],
    ['a 404 JSON without error', 404, '{"ok":false}', json, 'an unsuccessful status without an OAuth2 error'],
  ])('%s is an InvalidResponseError naming the problem', (_, status, body, headers, problem) => {
    const error = leftOf(response(status, body, headers))
    expect(error.kind).toBe('InvalidResponseError')
    expect(error).toMatchObject({ error: 'invalid_response', status, url: URL })
    expect(error.message).toContain(problem)
  })

  it('never puts a token in the error excerpt of a 200 it could not use', () => {
    const error = leftOf(response(200, '{"access_token":"secret-token","expires_in":"soon"}'))
    expect(JSON.stringify(error)).not.toContain('secret-token')
  })
})
