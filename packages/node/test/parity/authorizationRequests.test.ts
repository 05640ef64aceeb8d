/**
 * Issue 14, items 2 and 3: authorization requests as MSAL Python makes them.
 *
 * Item 2: `get_authorization_request_url(scopes, ..., response_type="code", ..., **kwargs)` sends
 * `response_type` as given ("Could be 'token' if you use Implicit Grant") and takes an
 * `authority` keyword ("Multi-tenant app can use new authority on demand": `Authority(authority,
 * self.http_client, instance_discovery=self._instance_discovery)`).
 *
 * Item 3: `_ClientWithCcsRoutingInfo` routes requests for a known user: the auth code flow's
 * authorization URL gets `X-AnchorMailbox=UPN:<login_hint>` (initiate_auth_code_flow), and the
 * code redemption the header `X-AnchorMailbox: Oid:<uid>@<utid>` from the authorization
 * response's client_info (obtain_token_by_auth_code_flow, which the interactive sign-in uses too).
 */
import { AuthorityBuilder, AZURE_PUBLIC, ConfidentialClientApplication, PublicClientApplication, TokenCache } from '@msal-ts/node'
import { createTestInterpreter, FakeIdentityProvider, fixedClock, type AuthorizationOutcome } from '@msal-ts/testing'
import { rejectionOf } from '../support/rejection.js'

const WEB_APP = '8d7e6f5a-4b3c-4d2e-9f1a-0b9c8d7e6f5a'
const SECRET = 'web-secret'
const DESKTOP_APP = '9e8f7a6b-5c4d-4e3f-a0b1-c2d3e4f5a6b7'
const ALICE = 'alice@contoso.onmicrosoft.com'
const REDIRECT = 'https://app.contoso.example/auth/callback'

const setUp = (authority = 'https://login.microsoftonline.com/common') => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now })
    .registerApp({ clientId: WEB_APP, clientSecret: SECRET, redirectUris: [REDIRECT] })
    .registerApp({ clientId: DESKTOP_APP, redirectUris: ['http://localhost'] })
    .registerUser({ username: ALICE })
  const interpret = createTestInterpreter({ http: idp.http, clock }).interpret
  const web = new ConfidentialClientApplication({ clientId: WEB_APP, clientCredential: SECRET, authority, tokenCache: new TokenCache(), interpreter: interpret })
  const desktop = new PublicClientApplication({ clientId: DESKTOP_APP, authority, tokenCache: new TokenCache(), interpreter: interpret })
  return { idp, web, desktop }
}

const paramsOf = (outcome: AuthorizationOutcome): Record<string, string> => {
  if ('errorPage' in outcome) throw new Error(`the provider showed an error page: ${outcome.errorPage.message}`)
  return 'formPost' in outcome ? { ...outcome.formPost.fields } : { ...outcome.params }
}

describe('getAuthorizationRequestUrl honours response_type, as MSAL Python\'s get_authorization_request_url', () => {
  it('sends response_type=code by default (the auth code flow)', async () => {
    const { web } = setUp()
    const url = new URL(await web.getAuthorizationRequestUrl(['User.Read'], { redirectUri: REDIRECT }))
    expect(url.searchParams.get('response_type')).toBe('code')
  })

  it.each(['token', 'id_token', 'id_token token', 'code id_token', 'none'])('sends response_type=%s as given (the implicit grant and OAuth 2.0 Multiple Response Types)', async (responseType) => {
    const { web } = setUp()
    const url = new URL(await web.getAuthorizationRequestUrl(['User.Read'], { redirectUri: REDIRECT, responseType, nonce: 'n-1' }))
    expect(url.searchParams.get('response_type')).toBe(responseType)
    expect(url.searchParams.get('nonce')).toBe('n-1')
  })

  it.each<[string, unknown]>([
    ['an unknown word', 'code banana'],
    ['a repeated word', 'token token'],
    ['none with another', 'none code'],
    ['an empty string', ''],
    ['a double space', 'code  token'],
    ['a number', 42],
  ])('refuses %s with a UsageError naming responseType', async (_, responseType) => {
    const { web, idp } = setUp()
    const error = await rejectionOf(web.getAuthorizationRequestUrl(['User.Read'], { responseType: responseType as string }))
    expect(error).toMatchObject({ kind: 'UsageError', argument: 'responseType' })
    expect(idp.requests).toHaveLength(0)
  })
})

describe('getAuthorizationRequestUrl takes an authority override, as MSAL Python\'s get_authorization_request_url(authority=...)', () => {
  it('sends the user to the other authority\'s authorization endpoint (a URL or an AuthorityBuilder)', async () => {
    const { web } = setUp('https://login.microsoftonline.com/common')
    const byUrl = new URL(await web.getAuthorizationRequestUrl(['User.Read'], { authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com' }))
    expect(`${byUrl.origin}${byUrl.pathname}`).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize')
    const byBuilder = new URL(await web.getAuthorizationRequestUrl(['User.Read'], { authority: new AuthorityBuilder(AZURE_PUBLIC, 'fabrikam.onmicrosoft.com') }))
    expect(`${byBuilder.origin}${byBuilder.pathname}`).toBe('https://login.microsoftonline.com/fabrikam.onmicrosoft.com/oauth2/v2.0/authorize')
    // Without one, the application's own.
    const own = new URL(await web.getAuthorizationRequestUrl(['User.Read']))
    expect(own.pathname).toBe('/common/oauth2/v2.0/authorize')
  })

  it('validates the other authority as the application\'s own: a host Microsoft does not vouch for is a UsageError naming authority', async () => {
    const { web, idp } = setUp()
    const error = await rejectionOf(web.getAuthorizationRequestUrl(['User.Read'], { authority: 'https://login.unknown-cloud.example/contoso' }))
    expect(error).toMatchObject({ kind: 'UsageError', argument: 'authority' })
    expect(error.message).toContain('invalid_instance')
    expect(idp.requests.map((r) => new URL(r.url).pathname)).toEqual(['/common/discovery/instance'])
  })

  it.each<[string, unknown]>([
    ['plain http to a remote host', 'http://login.microsoftonline.com/contoso'],
    ['not a URL', 'contoso'],
    ['a number', 7],
  ])('refuses %s with a UsageError naming authority, asking nothing of the network', async (_, authority) => {
    const { web, idp } = setUp()
    const error = await rejectionOf(web.getAuthorizationRequestUrl(['User.Read'], { authority: authority as string }))
    expect(error).toMatchObject({ kind: 'UsageError', argument: 'authority' })
    expect(idp.requests).toHaveLength(0)
  })
})

describe('X-AnchorMailbox, where MSAL Python sends it (_ClientWithCcsRoutingInfo)', () => {
  it('initiateAuthCodeFlow with a loginHint puts UPN:<login hint> in the authorization URL; without one, nothing', async () => {
    const { web } = setUp()
    const hinted = await web.initiateAuthCodeFlow(['User.Read'], { redirectUri: REDIRECT, loginHint: ALICE })
    expect(new URL(hinted.authUri).searchParams.get('X-AnchorMailbox')).toBe(`UPN:${ALICE}`)
    const plain = await web.initiateAuthCodeFlow(['User.Read'], { redirectUri: REDIRECT })
    expect(new URL(plain.authUri).searchParams.has('X-AnchorMailbox')).toBe(false)
    // get_authorization_request_url builds its URL without the routing client: no hint there.
    const older = await web.getAuthorizationRequestUrl(['User.Read'], { redirectUri: REDIRECT, loginHint: ALICE })
    expect(new URL(older).searchParams.has('X-AnchorMailbox')).toBe(false)
  })

  it('the auth code flow\'s redemption carries Oid:<uid>@<utid> from the response\'s client_info', async () => {
    const { web, idp } = setUp()
    const flow = await web.initiateAuthCodeFlow(['User.Read'], { redirectUri: REDIRECT, loginHint: ALICE })
    const params = paramsOf(await idp.authorize(flow.authUri))
    expect(params['client_info']).toBeDefined()
    const result = await web.acquireTokenByAuthCodeFlow(flow, params)
    const [uid, utid] = result.account!.homeAccountId.split('.')
    expect(idp.tokenRequests.at(-1)!.headers['x-anchormailbox']).toBe(`Oid:${uid}@${utid}`)
  })

  it('an authorization response without client_info gives no routing hint (as MSAL Python, which reads only client_info)', async () => {
    const { web, idp } = setUp()
    const flow = await web.initiateAuthCodeFlow(['User.Read'], { redirectUri: REDIRECT, loginHint: ALICE })
    const { client_info: _, ...params } = paramsOf(await idp.authorize(flow.authUri))
    await web.acquireTokenByAuthCodeFlow(flow, params)
    expect(idp.tokenRequests.at(-1)!.headers['x-anchormailbox']).toBeUndefined()
  })

  it('the interactive sign-in (an auth code flow through the browser) routes both legs the same way', async () => {
    const { desktop, idp } = setUp()
    let authUri = ''
    const result = await desktop.acquireTokenInteractive(['User.Read'], {
      loginHint: ALICE,
      openBrowser: async (url) => {
        authUri = url
        await idp.openBrowser(url)
      },
    })
    expect(new URL(authUri).searchParams.get('X-AnchorMailbox')).toBe(`UPN:${ALICE}`)
    expect(idp.tokenRequests.at(-1)!.headers['x-anchormailbox']).toBe(`Oid:${result.account!.homeAccountId.replace('.', '@')}`)
  })
})
