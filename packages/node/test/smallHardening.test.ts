/**
 * The smaller hardening items: user realm discovery over the authority's own scheme, the first
 * ThrottledError agreeing with the capped wait, no `javascript:` error_uri on the sign-in error
 * page and a restrictive Content-Security-Policy on the loopback server's pages, and
 * `msal-ts help COMMAND` / `msal-ts COMMAND -h` printing help.
 */
import * as E from '#fp-ts/Either'
import { PublicClientApplication } from '@msal-ts/node'
import { processTokenResponse } from '@msal-ts/core/protocol'
import { FakeIdentityProvider } from '@msal-ts/testing'
import { main } from '../src/cli/main.js'
import { TOKEN_USAGE } from '../src/cli/token.js'
import { LOGIN_USAGE } from '../src/cli/login.js'
import { LoopbackServer, PAGE_CSP } from '../src/interactive/loopbackServer.js'
import { finalPage } from '../src/interactive/pages.js'

describe('user realm discovery uses the authority’s scheme', () => {
  it('an http loopback authority (a test or a local identity provider) is asked over http, not https', async () => {
    const idp = new FakeIdentityProvider().registerApp({ clientId: 'ropc-app' }).registerUser({ username: 'adele@contoso.onmicrosoft.com', password: 'pw-adele' })
    const base = await idp.listen()
    try {
      const app = new PublicClientApplication({ clientId: 'ropc-app', authority: `${base}/organizations`, validateAuthority: false })
      const result = await app.acquireTokenByUsernamePassword('adele@contoso.onmicrosoft.com', 'pw-adele', ['User.Read'])
      expect(result.tokenSource).toBe('identity_provider')
      expect(idp.requests.map((r) => `${r.method} ${r.path}`)).toContain('GET /common/userrealm/adele%40contoso.onmicrosoft.com')
    } finally {
      await idp.close()
    }
  })
})

describe('the first ThrottledError agrees with the wait throttling enforces (capped at an hour)', () => {
  it.each([
    ['7200', 3_600_000, 'retry after 3600 s'],
    ['999999999999999999999', 3_600_000, 'retry after 3600 s'],
    ['120', 120_000, 'retry after 120 s'],
  ])('Retry-After: %s', (retryAfter, ms, message) => {
    const result = processTokenResponse(
      { _tag: 'HttpResponse', status: 429, headers: { 'retry-after': retryAfter, 'content-type': 'application/json' }, body: '{"error":"too_many_requests"}' },
      { url: 'https://login.microsoftonline.com/t/oauth2/v2.0/token', nowMs: 0, defaultRetryAfterMs: 5000 },
    )
    expect(E.isLeft(result) && result.left).toMatchObject({ kind: 'ThrottledError', retryAfterMs: ms, message: expect.stringContaining(message) })
  })
})

describe('the sign-in error page', () => {
  const template = '<html><body><p>$error: $error_description</p><a href="$error_uri">more</a></body></html>'

  it.each(['javascript:alert(document.cookie)', ' JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox', '//evil.example/x', 'not a url'])(
    'never renders an error_uri that is not an http(s) URL: %j',
    (errorUri) => {
      const page = finalPage({ errorTemplate: template }, { error: 'access_denied', error_description: 'no', error_uri: errorUri })
      expect(page.body).toContain('<a href="">more</a>')
      expect(page.body.toLowerCase()).not.toMatch(/javascript:|data:|vbscript:|evil/)
    },
  )

  it('keeps an https error_uri, escaped', () => {
    const page = finalPage({ errorTemplate: template }, { error: 'access_denied', error_uri: 'https://login.example/error?code=1&x="y"' })
    expect(page.body).toContain('<a href="https://login.example/error?code=1&amp;x=%22y%22">more</a>')
  })

  it('is sent with a restrictive Content-Security-Policy, as every page of the loopback server is', async () => {
    const server = await LoopbackServer.start({ hostname: '127.0.0.1', port: 0, rest: '', portOption: 'port' })
    try {
      const waiting = server.awaitResponse({ state: 's', responseMode: 'form_post', templates: {} })
      const stray = await fetch(`http://127.0.0.1:${server.port}/favicon.ico`)
      const answer = await fetch(`http://127.0.0.1:${server.port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'error=access_denied&error_uri=javascript%3Aalert(1)&state=s',
      })
      for (const response of [stray, answer]) {
        expect(response.headers.get('content-security-policy')).toBe(PAGE_CSP)
        expect(response.headers.get('x-frame-options')).toBe('DENY')
      }
      expect(PAGE_CSP).toMatch(/default-src 'none'/)
      expect(await answer.text()).not.toContain('javascript:')
      await expect(waiting).resolves.toMatchObject({ error: 'access_denied' })
    } finally {
      await server.close()
    }
  })
})

describe('msal-ts help', () => {
  const run = async (args: string[]) => {
    const out: string[] = []
    const err: string[] = []
    const code = await main(args, { out: (line) => out.push(line), err: (line) => err.push(line) }, {})
    return { code, out: out.join('\n'), err: err.join('\n') }
  }

  it.each([
    [['help', 'token'], TOKEN_USAGE],
    [['--help', 'token'], TOKEN_USAGE],
    [['token', '-h'], TOKEN_USAGE],
    [['token', '--help'], TOKEN_USAGE],
    [['login', '--device-code', '-h'], LOGIN_USAGE],
    [['help', 'login'], LOGIN_USAGE],
  ])('msal-ts %j prints the command’s help and runs nothing', async (args, usage) => {
    expect(await run(args)).toEqual({ code: 0, out: usage, err: '' })
  })
})
