/**
 * The SPA against a real OpenID provider in real Chromium (issue 11, item 13): oidc-provider
 * (panva's certified implementation) on http://127.0.0.1, its CORS for public clients switched
 * on, reached through `oidcAuthority` from the app on http://localhost. The user signs in on the
 * provider's own login and consent pages; the provider enforces PKCE, the redirect URI, CORS and
 * refresh token rotation. Discovery is asked once for the whole sign-in (kept in storage across
 * the redirect), and nothing needs a preflight.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider, { type ProviderAccount, type ProviderContext } from 'oidc-provider'
import { closeServer, openApp, spaSuite, startup, type TokenResultData } from './harness.js'

const suite = spaSuite()

const CLIENT_ID = 'msal-ts-spa'
const USER = { sub: '248289761001', name: 'Jane Doe', preferred_username: 'j.doe', email: 'janedoe@example.com' }
const HOUR = 3600

/** What reached the provider: the method, path and Origin of each request. */
interface Seen {
  readonly method: string
  readonly path: string
  readonly origin: string | undefined
  readonly grantType?: string | undefined
}

/** oidc-provider with one single-page application (a public web client) whose redirect URI is the test's app page. */
const startProvider = async (appOrigin: string): Promise<{ readonly issuer: string; readonly seen: Seen[]; readonly errors: unknown[]; readonly server: Server }> => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${appOrigin}/`],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    // CORS for public clients: a page may call the token endpoint from the origin of one of its client's redirect URIs.
    clientBasedCORS: (_ctx: unknown, origin: string, client: { clientAuthMethod: string; redirectUris: string[] }) =>
      client.clientAuthMethod === 'none' && client.redirectUris.some((uri) => new URL(uri).origin === origin),
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'] },
    findAccount: (_ctx: unknown, id: string): Promise<ProviderAccount | undefined> =>
      Promise.resolve(id === USER.sub ? { accountId: id, claims: () => Promise.resolve({ ...USER }) } : undefined),
    jwks: { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'spa', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    ttl: { AccessToken: HOUR, AuthorizationCode: 60, IdToken: HOUR, RefreshToken: 14 * 24 * HOUR, Interaction: HOUR, Session: 14 * 24 * HOUR, Grant: 14 * 24 * HOUR },
  })
  const seen: Seen[] = []
  const errors: unknown[] = []
  provider.on('server_error', (_ctx: unknown, error: unknown) => errors.push(error))
  provider.use(async (ctx: ProviderContext, next: () => Promise<void>) => {
    const origin = ctx.get('origin')
    await next()
    const grantType = ctx.oidc?.params?.['grant_type']
    seen.push({ method: ctx.method, path: ctx.path, origin: origin === '' ? undefined : origin, ...(typeof grantType === 'string' ? { grantType } : {}) })
  })
  server.on('request', provider.callback())
  return { issuer, seen, errors, server }
}

describe('oidc-provider', () => {
  it('auth code with PKCE by redirect through its login and consent pages, then refresh (rotated) from the page: discovery once, no preflight', async () => {
    const op = await startProvider(suite.site.app.origin)
    try {
      const context = await suite.newContext({ options: { clientId: CLIENT_ID, authority: undefined, oidcAuthority: op.issuer } })
      const page = await openApp(context, suite.site)
      await page.evaluate(() => void window.spa.app.loginRedirect({ scopes: [], prompt: 'consent' }))
      await page.waitForURL(`${op.issuer}/interaction/**`)
      await page.locator('input[name=login]').fill(USER.sub)
      await page.locator('input[name=password]').fill('any password (the development login ignores it)')
      await page.locator('button[type=submit]').click()
      await page.waitForURL(`${op.issuer}/interaction/**`)
      await page.getByRole('button', { name: 'Continue' }).click()
      await page.waitForURL((url) => url.origin === suite.site.app.origin)
      const { outcomes } = await startup(page)
      expect(outcomes).toEqual([
        {
          ok: true,
          value: expect.objectContaining({
            tokenSource: 'identity_provider',
            idTokenClaims: expect.objectContaining({ iss: op.issuer, aud: CLIENT_ID, sub: USER.sub }),
            account: expect.objectContaining({ homeAccountId: USER.sub, environment: new URL(op.issuer).host }),
          }),
        },
      ])
      const account = (outcomes[0] as { value: TokenResultData }).value.account

      const refresh = () =>
        page.evaluate((a) => window.spa.app.acquireTokenSilent({ scopes: [], account: a, forceRefresh: true }).then((token) => token.tokenSource), account)
      expect(await refresh()).toBe('identity_provider')
      // The provider rotated the refresh token: the cache kept the new one, which works too.
      expect(await refresh()).toBe('identity_provider')
      expect(await page.evaluate((a) => window.spa.app.acquireTokenSilent({ scopes: [], account: a }).then((token) => token.tokenSource), account)).toBe('cache')

      const fromPage = op.seen.filter((request) => request.origin === suite.site.app.origin)
      expect(fromPage.map((request) => `${request.method} ${request.path}${request.grantType === undefined ? '' : ` ${request.grantType}`}`)).toEqual([
        'GET /.well-known/openid-configuration',
        'POST /token authorization_code',
        'POST /token refresh_token',
        'POST /token refresh_token',
      ])
      expect(op.seen.filter((request) => request.method === 'OPTIONS')).toEqual([])
      expect(op.errors).toEqual([])
    } finally {
      await closeServer(op.server)
    }
  })
})
