/**
 * Error text scrubbed by value, and bounded. Pattern-based redaction let through a secret after
 * `>` in HTML, a bare secret, a non-JWT bearer token, and a provider echoing the request form
 * into `error_description`; a 20 MB `error_description` was kept whole. Now every error made
 * from an answer has the values the request carried (secret, assertion, refresh token, password,
 * codes) taken out, in every encoding, and the server's fields are cut to size.
 */
import { inspect } from 'node:util'
import * as E from '#fp-ts/Either'
import { invalidResponseError, serverError, throttledError, type HttpRequest, type MsalError } from '@msal-ts/core'
import { MAX_DESCRIPTION_LENGTH } from '../src/wireErrors.js'
import { processTokenResponse, redactSecretsIn, scrubSecrets, secretsSentIn, withoutSecretsSentIn } from '@msal-ts/core/protocol'

const SECRET = 'c1ient-S3cret/with+odd&chars "quoted"'
const REFRESH = '0.ARwA6WgJJ9X2qk-refresh-token-value'
const PASSWORD = 'hunter2-but-longer'
const CODE = 'M.C105_BAY.2.U.auth-code-value'
const ASSERTION = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhcHAifQ.c2lnbmF0dXJlLXZhbHVl'

const request = (form: Record<string, string>, headers: Record<string, string> = {}): HttpRequest => ({
  method: 'POST',
  url: 'https://login.microsoftonline.com/contoso/oauth2/v2.0/token',
  headers,
  form,
})

const TOKEN_REQUEST = request({ grant_type: 'refresh_token', client_id: 'app', client_secret: SECRET, refresh_token: REFRESH, code: CODE, password: PASSWORD, client_assertion: ASSERTION })

/** Everything an application might print of an error. */
const printed = (error: MsalError): string => [String(error), error.message, error.stack, inspect(error), JSON.stringify(error), error.errorDescription, (error as { bodyExcerpt?: string }).bodyExcerpt].join('\n')

const answer = (status: number, body: string, contentType = 'application/json') => ({ _tag: 'HttpResponse' as const, status, headers: { 'content-type': contentType }, body })

const processed = (status: number, body: string, contentType?: string): MsalError => {
  const result = processTokenResponse(answer(status, body, contentType), { url: TOKEN_REQUEST.url, nowMs: 0, defaultRetryAfterMs: 5000 })
  if (E.isRight(result)) throw new Error('expected an error')
  return withoutSecretsSentIn(result.left, TOKEN_REQUEST)
}

describe('secretsSentIn: the values a request carried', () => {
  it('takes the secret form fields, not the others', () => {
    expect(secretsSentIn(TOKEN_REQUEST).sort()).toEqual([SECRET, REFRESH, PASSWORD, CODE, ASSERTION].sort())
  })

  it('takes a Basic header and the secret in it (form-encoded before base64, RFC 6749 §2.3.1)', () => {
    const encoded = Buffer.from(`app:${encodeURIComponent(SECRET).replace(/%20/g, '+')}`).toString('base64')
    expect(secretsSentIn(request({}, { Authorization: `Basic ${encoded}` }))).toEqual(expect.arrayContaining([encoded, SECRET]))
  })

  it('takes the extra values a caller put in a body (a WS-Trust password), and leaves out values too short to scrub', () => {
    expect(secretsSentIn({ method: 'POST', url: 'https://fs/adfs', headers: {}, body: '<soap/>' }, [PASSWORD, 'abc', undefined])).toEqual([PASSWORD])
  })
})

describe('scrubSecrets: every spelling of every secret', () => {
  it.each([
    ['as sent', SECRET],
    ['JSON-escaped', JSON.stringify(SECRET).slice(1, -1)],
    ['JSON-escaped with escaped slashes', JSON.stringify(SECRET).slice(1, -1).replace(/\//g, '\\/')],
    ['URL-encoded', encodeURIComponent(SECRET)],
    ['form-encoded', new URLSearchParams({ s: SECRET }).toString().slice(2)],
    ['XML-escaped', SECRET.replace(/&/g, '&amp;').replace(/"/g, '&quot;')],
  ])('%s', (_name, spelling) => {
    const text = `before ${spelling} after`
    expect(scrubSecrets(text, [SECRET])).toBe('before <redacted> after')
  })
})

describe('errors made from an answer hold none of the secrets sent, however the server spells them', () => {
  const JSON_TYPE = 'application/json'
  it.each([
    ['echoed form in error_description', 400, JSON.stringify({ error: 'invalid_grant', error_description: `AADSTS70000: bad request ${new URLSearchParams(TOKEN_REQUEST.form).toString()}` }), JSON_TYPE],
    ['bare secrets in error_description', 400, JSON.stringify({ error: 'invalid_client', error_description: `you sent ${SECRET} and ${REFRESH} and ${PASSWORD}` }), JSON_TYPE],
    ['secrets in claims, suberror and error_uri', 400, JSON.stringify({ error: 'invalid_grant', claims: `{"echo":"${REFRESH}"}`, suberror: CODE, error_uri: `https://x/?c=${encodeURIComponent(CODE)}` }), JSON_TYPE],
    ['a secret after > in an HTML page', 500, `<html><body><table><tr><td>client_secret</td><td>${SECRET}</td></tr></table><p>refresh_token=${REFRESH}</p></body></html>`, 'text/html'],
    ['a non-JWT bearer token in a proxy page', 502, `<pre>Authorization: Bearer ${REFRESH}</pre>`, 'text/html'],
  ])('%s', (_name, status, body, contentType) => {
    const error = processed(status, body, contentType)
    const text = printed(error)
    for (const secret of [SECRET, REFRESH, PASSWORD, CODE, ASSERTION, encodeURIComponent(SECRET), encodeURIComponent(CODE)]) expect(text).not.toContain(secret)
    expect(text).toContain('<redacted>')
  })

  it('keeps the error otherwise as it was: kind, OAuth2 error, status, and the text around the secret', () => {
    const error = processed(400, JSON.stringify({ error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret ${SECRET} provided.`, error_codes: [7000215] }))
    expect(error).toMatchObject({ kind: 'ServerError', error: 'invalid_client', status: 400, errorCodes: [7000215], errorDescription: 'AADSTS7000215: Invalid client secret <redacted> provided.' })
    expect(error.message).toBe('invalid_client: AADSTS7000215: Invalid client secret <redacted> provided.')
    expect(error.stack).toContain('Invalid client secret <redacted> provided.')
  })
})

describe('redactSecretsIn, by pattern, where no value is known', () => {
  it.each([
    ['a form field after >', `<p>client_secret=${SECRET.slice(0, 12)}</p>`, SECRET.slice(0, 12)],
    ['a form field after ;', `x;refresh_token=${REFRESH}`, REFRESH],
    ['a non-JWT bearer token', `Authorization: Bearer ${REFRESH}`, REFRESH],
    ['a Basic credential', `Authorization: Basic ${Buffer.from('app:secret-value').toString('base64')}`, Buffer.from('app:secret-value').toString('base64')],
  ])('%s', (_name, text, secret) => {
    expect(redactSecretsIn(text)).not.toContain(secret)
    expect(redactSecretsIn(invalidResponseError('https://x/t', 500, 'p', text).bodyExcerpt)).not.toContain(secret)
  })
})

describe("a server's error fields are cut to size", () => {
  it('a 20 MB error_description is kept to MAX_DESCRIPTION_LENGTH characters, with a note of the rest', () => {
    const huge = 'A'.repeat(20 * 1024 * 1024)
    for (const error of [serverError(400, { error: 'invalid_request', errorDescription: huge }), throttledError(429, 5000, { error: 'too_many', errorDescription: huge })]) {
      expect(error.errorDescription!.length).toBeLessThan(MAX_DESCRIPTION_LENGTH + 100)
      expect(error.errorDescription).toMatch(/… \(20967424 more characters\)$/)
      expect(error.message.length).toBeLessThan(MAX_DESCRIPTION_LENGTH + 200)
      expect(JSON.stringify(error).length).toBeLessThan(3 * MAX_DESCRIPTION_LENGTH)
    }
  })

  it('so are the error name, codes and hints', () => {
    const error = serverError(400, { error: 'e'.repeat(100_000), errorCodes: Array.from({ length: 10_000 }, (_, i) => i), errorAdditionalInfo: Array.from({ length: 10_000 }, () => 'x'.repeat(1000)) })
    expect(error.error.length).toBeLessThan(400)
    expect(error.errorCodes).toHaveLength(64)
    expect(error.errorAdditionalInfo).toHaveLength(64)
    expect(JSON.stringify(error).length).toBeLessThan(64 * 1024)
  })
})
