/**
 * The examples, run in process and as their commands run them.
 * - examples/demo (`./dev demo`): a daemon, a CLI app and a web API against the fake identity provider, and a VM's managed identity against emulated IMDS.
 * - examples/web-app: the web app signs a user in (auth code flow), calls the to-do API twice,
 *   and the API calls Graph on the user's behalf. The example's own servers talk over loopback
 *   HTTP to the fake identity provider, as `node examples/web-app/run.mjs` does.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { runDemo } from '../../../examples/demo/src/demo.js'
import { runExample, startExample, USER } from '../../../examples/web-app/example.mjs'

const demoDir = join(import.meta.dirname, '..', '..', '..', 'examples', 'demo')

describe('examples/demo', () => {
  it('shows the first token from the identity provider, the second from the cache, and one request for 50 callers', async () => {
    const out: string[] = []
    expect(await runDemo({ out: (line) => out.push(line) })).toBe(0)
    const text = out.join('\n')
    expect(text).toMatch(/1\. acquireTokenForClient.*\n\s+source: identity_provider .* HTTP requests: 2 \(tenant discovery \+ token\)/)
    expect(text).toMatch(/2\. the same call again\n\s+source: cache .* HTTP requests: 0/)
    expect(text).toMatch(/3\. 50 concurrent calls .*\n\s+took: .* token requests: 1 .* same token for all: true/)
    expect(text).toMatch(/4\. initiateDeviceFlow.*\n.*enter the code \w+ to authenticate\.\n.*\n\s+acquireTokenByDeviceFlow: signed in as alice@contoso\.onmicrosoft\.com/)
    expect(text).toMatch(/5\. acquireTokenInteractive.*\n\s+the browser \(simulated\) signed in and came back by POST to http:\/\/localhost:\d+\n\s+signed in as bob@contoso\.onmicrosoft\.com/)
    expect(text).toMatch(/6\. getAccounts\(\): alice@contoso\.onmicrosoft\.com, bob@contoso\.onmicrosoft\.com\n\s+acquireTokenSilent for each: cache, cache {3}HTTP requests: 0/)
    expect(text).toMatch(/7\. acquireTokenOnBehalfOf.*\n\s+source: identity_provider {3}Graph token for alice@contoso\.onmicrosoft\.com\n\s+the API authenticated with private_key_jwt: \{"alg":"PS256","typ":"JWT","x5t#S256":"[\w-]{43}","x5c":\[…\]\}/)
    expect(text).toMatch(/8\. the same incoming token again: cache; bob@contoso\.onmicrosoft\.com's token: identity_provider \(Graph token for bob@contoso\.onmicrosoft\.com\)\n\s+on-behalf-of requests: 2/)
    expect(text).toMatch(/source {13}DEFAULT_TO_VM \(IMDS, emulated at http:\/\/127\.0\.0\.1:\d+/)
    expect(text).toMatch(/9\. acquireTokenForClient\(\{ resource: 'https:\/\/vault\.azure\.net' \}\)\n\s+source: identity_provider .* requests to IMDS: 1 {3}expires in 86399 s, refreshed after 43199 s/)
    expect(text).toMatch(/10\. the same call again: source: cache .* requests to IMDS: 1/)
    expect(text).toMatch(/11\. 20 concurrent calls for https:\/\/storage\.azure\.com: requests to IMDS: 1 {3}same token for all: true/)
    expect(text).toMatch(/12\. a user-assigned identity .*: IMDS answered 429 first, retried after 1 s/)
    expect(text).toContain('demo complete')
    expect(text).toMatch(/next: a single-page app in a browser \(examples\/spa\): \.\/dev spa serves it/)
  })

  it('runs from the build as ./dev demo runs it', () => {
    const built = join(demoDir, 'dist', 'main.js')
    expect(existsSync(built) ? 'built' : 'examples/demo/dist is missing: run the build first (./dev test does)').toBe('built')
    const result = spawnSync(process.execPath, [built], { encoding: 'utf8', timeout: 60_000 })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('demo complete')
  })
})


describe('examples/web-app', () => {
  it('signs the user in, and the API gets its on-behalf-of token from the identity provider, then from the cache', async () => {
    const result = await runExample()

    expect(result.failures).toEqual([])
    expect(result.ok).toBe(true)
    expect(result.signedIn).toEqual({ name: USER.displayName, username: USER.username })
    expect(result.apiCalls.map((call) => call.api?.status)).toEqual([200, 200])
    expect(result.apiCalls[0]?.api?.body.caller).toMatchObject({ preferredUsername: USER.username, scp: 'Todo.Read', aud: 'api://todo-api' })
    expect(result.apiCalls.map((call) => call.api?.body.onBehalfOf.tokenSource)).toEqual(['identity_provider', 'cache'])
    expect(result.apiCalls[0]?.api?.body.onBehalfOf.claims).toMatchObject({ aud: '00000003-0000-0000-c000-000000000000', scp: 'User.Read', preferred_username: USER.username })
    expect(result.onBehalfOfRequests).toBe(1)
    expect(result.webAppAuthentication).toEqual(['client_secret_post'])
    expect(result.signedOut).toBe(true)
    expect(result.lines.at(-1)).toMatch(/^example complete/)
  })

  it('works the same with a certificate credential and response_mode=form_post', async () => {
    const result = await runExample({ credential: 'certificate', responseMode: 'form_post' })

    expect(result.failures).toEqual([])
    expect(result.webAppAuthentication).toEqual(['private_key_jwt'])
    expect(result.apiCalls.map((call) => call.api?.body.onBehalfOf.tokenSource)).toEqual(['identity_provider', 'cache'])
    expect(result.onBehalfOfRequests).toBe(1)
  })

  it('the API refuses a request without a token, a token for another audience, and an app token without Todo.Read', async () => {
    const example = await startExample()
    try {
      const todos = (token?: string) =>
        fetch(`${example.api.url}/todos`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
      const graphToken = await example.webApp.app.acquireTokenForClient(['https://graph.microsoft.com/.default'])
      const appToken = await example.webApp.app.acquireTokenForClient(['api://todo-api/.default'])

      for (const [token, reason] of [
        [undefined, /bearer token is required/],
        [graphToken.accessToken, /ERR_JWT_CLAIM_VALIDATION_FAILED.*aud/],
        [appToken.accessToken, /does not grant Todo\.Read/],
      ] as const) {
        const response = await todos(token)
        expect(response.status).toBe(401)
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
        expect(((await response.json()) as { error_description: string }).error_description).toMatch(reason)
      }
      expect(example.idp.onBehalfOfRequests).toHaveLength(0)
    } finally {
      await example.close()
    }
  })
})
