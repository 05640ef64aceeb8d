/**
 * examples/web-app, run in process: the web app signs a user in (auth code flow), calls the
 * to-do API twice, and the API calls Graph on the user's behalf. The example's own servers
 * talk over loopback HTTP to the fake identity provider, as `node examples/web-app/run.mjs` does.
 */
import { runExample, startExample, USER } from '../../../examples/web-app/example.mjs'

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
