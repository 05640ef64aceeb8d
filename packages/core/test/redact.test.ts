import fc from 'fast-check'
import { errorSummary, invalidResponseError, run, type Effect, networkError, serverError, throttledError, timeoutError, configurationError, usageError, cacheError, type MsalError } from '@msal-ts/core'
import { logError, originOf, redactSecretsIn, redactUrl, redactUrlsIn } from '@msal-ts/core/protocol'

describe('redactUrl', () => {
  it.each([
    ['a token endpoint, unchanged', 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token', 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token'],
    [
      'instance discovery: the query goes',
      'https://login.microsoftonline.com/common/discovery/instance?api-version=1.1&authorization_endpoint=https://x.example/t/oauth2/v2.0/authorize',
      'https://login.microsoftonline.com/common/discovery/instance',
    ],
    ['a fragment goes', 'https://app.example/callback#code=abc&id_token=eyJ', 'https://app.example/callback'],
    ['an authorization response: the code goes', 'http://localhost:8400/?code=0.AAA-secret&state=s', 'http://localhost:8400/'],
    ['user info (proxy credentials) goes', 'http://user:p%40ss@proxy.contoso.com:3128/', 'http://proxy.contoso.com:3128/'],
    [
      'user realm discovery: the username goes (encoded)',
      'https://login.microsoftonline.com/common/userrealm/alice%40contoso.com?api-version=1.0',
      'https://login.microsoftonline.com/common/userrealm/<username>',
    ],
    ['user realm discovery: the username goes (raw)', 'https://login.microsoftonline.com/common/UserRealm/alice@contoso.com', 'https://login.microsoftonline.com/common/UserRealm/<username>'],
    ['user realm discovery: a name without @ goes too', 'https://login.microsoftonline.com/common/userrealm/alice', 'https://login.microsoftonline.com/common/userrealm/<username>'],
    ['any path segment with an @ goes', 'https://adfs.contoso.com/adfs/users/bob@contoso.com/info', 'https://adfs.contoso.com/adfs/users/<username>/info'],
    ['not a URL: still no query', 'tenant/path?password=x', 'tenant/path'],
    ['empty', '', ''],
  ])('%s', (_, url, expected) => {
    expect(redactUrl(url)).toBe(expected)
  })

  it('never lets through a secret from the query, the fragment, the user info or a user realm path', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9._~-]{8,40}$/)
    fc.assert(
      fc.property(secret, fc.constantFrom('https://', 'http://'), fc.webPath(), (value, scheme, path) => {
        for (const url of [
          `${scheme}host.example${path}?code=${value}`,
          `${scheme}host.example${path}#access_token=${value}`,
          `${scheme}u:${value}@host.example${path}`,
          `${scheme}host.example/common/userrealm/${value}?api-version=1.0`,
          `${scheme}host.example/x/${value}%40contoso.com/y`,
        ]) {
          expect(redactUrl(url)).not.toContain(value)
        }
      }),
    )
  })
})

describe('originOf', () => {
  it.each([
    ['https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token', 'https://login.microsoftonline.com'],
    ['http://127.0.0.1:8400/t?x=1', 'http://127.0.0.1:8400'],
    ['https://user:secret@proxy.example:3128', 'https://proxy.example:3128'],
    ['https://login.example?code=1', 'https://login.example'],
    ['not-a-url/path?q', 'not-a-url'],
  ])('%s → %s', (url, expected) => {
    expect(originOf(url)).toBe(expected)
  })
})

describe('redactUrlsIn', () => {
  it('redacts every URL in a fetch implementation’s message, and only the URLs', () => {
    const message = 'request to https://login.example/t/oauth2/v2.0/token?code=abc123 failed, reason: connect ECONNREFUSED 10.0.0.1:443 (via http://u:pw@proxy:3128)'
    expect(redactUrlsIn(message)).toBe('request to https://login.example/t/oauth2/v2.0/token failed, reason: connect ECONNREFUSED 10.0.0.1:443 (via http://proxy:3128)')
    expect(redactUrlsIn(message, originOf)).toBe('request to https://login.example failed, reason: connect ECONNREFUSED 10.0.0.1:443 (via http://proxy:3128)')
    expect(redactUrlsIn('fetch failed: connect ECONNREFUSED 127.0.0.1:1')).toBe('fetch failed: connect ECONNREFUSED 127.0.0.1:1')
  })
})

describe('redactSecretsIn', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'
  it('removes tokens and secret fields from JSON, whole or cut off, and keeps the rest', () => {
    const body = JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: 'at-value', refresh_token: 'rt-value', id_token: jwt, client_info: 'eyJ1aWQiOiJ1In0', error_codes: [50126] })
    const redacted = redactSecretsIn(body)
    for (const secret of ['at-value', 'rt-value', jwt, 'eyJ1aWQiOiJ1In0']) expect(redacted).not.toContain(secret)
    expect(redacted).toContain('"token_type":"Bearer"')
    expect(redacted).toContain('"expires_in":3599')
    expect(redacted).toContain('"error_codes":[50126]')
    expect(redactSecretsIn('{"token_type":"Bearer","access_token":"eyJhbGciOiJSUz')).toBe('{"token_type":"Bearer","access_token":"<redacted>')
    expect(redactSecretsIn('{"token_type":"Bearer","access_token":"abc')).toBe('{"token_type":"Bearer","access_token":"<redacted>')
  })

  it('removes secret fields from a form, a JWT anywhere, and queries from URLs', () => {
    expect(redactSecretsIn('grant_type=password&username=a&password=hunter2&client_secret=s3&error_code=1')).toBe(
      'grant_type=password&username=a&password=<redacted>&client_secret=<redacted>&error_code=1',
    )
    expect(redactSecretsIn(`<p>Bearer ${jwt}</p>`)).toBe('<p>Bearer <redacted></p>')
    expect(redactSecretsIn('<a href="https://x.example/cb?code=abc">')).toBe('<a href="https://x.example/cb">')
    expect(redactSecretsIn('<!DOCTYPE html><h1>502 Bad Gateway</h1>')).toBe('<!DOCTYPE html><h1>502 Bad Gateway</h1>')
  })
})

describe('errors carry no secret', () => {
  const url = 'https://login.microsoftonline.com/common/userrealm/alice%40contoso.com?api-version=1.0&code=abc'

  it('a network error or timeout names the endpoint without query or user name, in its message and its url', () => {
    for (const error of [networkError(url, `request to ${url} failed`), timeoutError(url, 'no response')]) {
      expect(error.url).toBe('https://login.microsoftonline.com/common/userrealm/<username>')
      expect(error.message).not.toMatch(/alice|code=|\?/)
    }
  })

  it('an invalid response names the endpoint without query, and its excerpt holds no token', () => {
    const body = `{"token_type":"Bearer","access_token":"eyJhbGciOiJSUzI1NiJ9.${'x'.repeat(400)}`
    const error = invalidResponseError(url, 200, 'expected a JSON object', body)
    expect(error.message).toBe('invalid response from https://login.microsoftonline.com/common/userrealm/<username> (HTTP 200): expected a JSON object')
    expect(error.bodyExcerpt).toBe('{"token_type":"Bearer","access_token":"<redacted>')
    expect(invalidResponseError(url, 500, 'html', '<html>' + 'y'.repeat(500)).bodyExcerpt).toHaveLength(200)
  })

  it.each<[string, MsalError, string]>([
    ['a server error: no description', serverError(400, { error: 'invalid_grant', errorDescription: 'AADSTS50126: bad password for alice@contoso.com', errorCodes: [50126] }), 'ServerError: invalid_grant (HTTP 400, AADSTS50126)'],
    ['a throttled request', throttledError(429, 7000, { error: 'too_many_requests' }), 'ThrottledError: too_many_requests (HTTP 429, retry after 7 s)'],
    ['a network error: the host only', networkError('https://login.example/contoso/oauth2/token', 'down'), 'NetworkError calling https://login.example'],
    ['a timeout', timeoutError('https://login.example/contoso/oauth2/token', 'slow'), 'TimeoutError calling https://login.example'],
    ['an invalid response', invalidResponseError('https://login.example/contoso/oauth2/token', 502, 'html', ''), 'InvalidResponseError from https://login.example (HTTP 502)'],
    ['a configuration error', configurationError('authority', 'bad https://login.example/contoso'), 'ConfigurationError in the authority option'],
    ['a usage error', usageError('scopes', 'empty'), 'UsageError in the scopes argument'],
    ['a cache error', cacheError('not JSON'), 'CacheError'],
  ])('errorSummary: %s', (_, error, summary) => {
    expect(errorSummary(error)).toBe(summary)
  })
})

describe('logError', () => {
  it('yields the summary for every logger and the whole message only as a PII line', () => {
    const effects: Effect[] = []
    const error = serverError(400, { error: 'invalid_grant', errorDescription: 'AADSTS50126: bad password for alice@contoso.com', errorCodes: [50126] })
    run(logError('warning', 'acquireTokenByUsernamePassword failed', error), (effect) => void effects.push(effect))
    expect(effects).toEqual([
      { _tag: 'Log', level: 'warning', message: 'acquireTokenByUsernamePassword failed: ServerError: invalid_grant (HTTP 400, AADSTS50126)', pii: false },
      { _tag: 'Log', level: 'warning', message: 'acquireTokenByUsernamePassword failed: invalid_grant: AADSTS50126: bad password for alice@contoso.com', pii: true },
    ])
  })
})
