import { ConfidentialClientApplication, PublicClientApplication, SerializableTokenCache } from '@msal-ts/node'
import { createTestInterpreter, FakeIdentityProvider, fixedClock } from '@msal-ts/testing'
import { rejectionOf } from './support/rejection.js'

const CLIENT = '0a1b2c3d-4e5f-4061-8273-9a8b7c6d5e4f'
const MANAGED = 'adele@contoso.onmicrosoft.com'
const FEDERATED = 'henrietta@fabrikam.com'
const AUTHORITY = 'https://login.microsoftonline.com/organizations'
const SCOPES = ['User.Read']

const setUp = (federation: { protocols?: ('1.3' | '2005')[]; samlVersion?: '1.1' | '2.0' } = {}) => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now })
    .registerApp({ clientId: CLIENT })
    .registerUser({ username: MANAGED, password: 'managed-pw' })
    .registerFederatedDomain({ domain: 'fabrikam.com', ...federation })
    .registerUser({ username: FEDERATED, password: 'federated-pw', tenant: 'fabrikam.com' })
  const cache = new SerializableTokenCache()
  const app = new PublicClientApplication({ clientId: CLIENT, authority: AUTHORITY, tokenCache: cache, interpreter: createTestInterpreter({ http: idp.http, clock }).interpret })
  /** "METHOD host/path" of every request, to show the route a sign-in took. */
  const route = () => idp.requests.map((r) => `${r.method} ${r.host}${r.path}${r.form['grant_type'] !== undefined ? ` ${r.form['grant_type']}` : ''}`)
  return { idp, cache, app, route }
}

describe('acquireTokenByUsernamePassword', () => {
  it('a managed user: user realm discovery, then the password grant (X-AnchorMailbox upn:)', async () => {
    const { idp, app, route } = setUp()
    const result = await app.acquireTokenByUsernamePassword(MANAGED, 'managed-pw', SCOPES)
    expect(result).toMatchObject({ tokenSource: 'identity_provider', account: { username: MANAGED, accountSource: 'password' } })
    expect(route()).toEqual([
      'GET login.microsoftonline.com/common/userrealm/adele%40contoso.onmicrosoft.com',
      'POST login.microsoftonline.com/organizations/oauth2/v2.0/token password',
    ])
    const token = idp.tokenRequests[0]!
    expect(token.headers['x-anchormailbox']).toBe(`upn:${MANAGED}`)
    expect(token.headers['x-client-current-telemetry']).toBe('4|301,0|')
    expect(token.form).toMatchObject({ username: MANAGED, password: 'managed-pw', scope: 'User.Read openid profile offline_access', client_info: '1' })
  })

  it('a federated user: realm → MEX → WS-Trust 1.3 at the AD FS → SAML 1.1 bearer grant', async () => {
    const { idp, app, route } = setUp()
    const result = await app.acquireTokenByUsernamePassword(FEDERATED, 'federated-pw', SCOPES)
    expect(result.account).toMatchObject({ username: FEDERATED, accountSource: 'password' })
    expect(route()).toEqual([
      'GET login.microsoftonline.com/common/userrealm/henrietta%40fabrikam.com',
      'GET fs.fabrikam.com/adfs/services/trust/mex',
      'POST fs.fabrikam.com/adfs/services/trust/13/usernamemixed',
      'POST login.microsoftonline.com/organizations/oauth2/v2.0/token urn:ietf:params:oauth:grant-type:saml1_1-bearer',
    ])
    // The password went to the AD FS only.
    expect(idp.tokenRequests[0]!.form['password']).toBeUndefined()
    expect(idp.tokenRequests[0]!.form['assertion']).toMatch(/^[A-Za-z0-9_-]+$/)
  })

  it('an AD FS serving only WS-Trust 2005, issuing SAML 2.0: the 2005 endpoint and the saml2-bearer grant', async () => {
    const { app, route } = setUp({ protocols: ['2005'], samlVersion: '2.0' })
    await app.acquireTokenByUsernamePassword(FEDERATED, 'federated-pw', SCOPES)
    expect(route().slice(2)).toEqual([
      'POST fs.fabrikam.com/adfs/services/trust/2005/usernamemixed',
      'POST login.microsoftonline.com/organizations/oauth2/v2.0/token urn:ietf:params:oauth:grant-type:saml2-bearer',
    ])
  })

  it('a wrong password at the AD FS: its SOAP fault as a ServerError, nothing cached', async () => {
    const { app, cache, route } = setUp()
    const error = await rejectionOf(app.acquireTokenByUsernamePassword(FEDERATED, 'wrong', SCOPES))
    expect(error).toMatchObject({ kind: 'ServerError', error: 'FailedAuthentication' })
    expect(error.errorDescription).toMatch(/^ID3242/)
    expect(error.correlationId).toMatch(/^[0-9a-f-]{36}$/)
    expect(route()).toHaveLength(3)
    expect(cache.hasStateChanged).toBe(false)
  })

  it('a wrong password of a managed user: Entra\'s invalid_grant (AADSTS50126), nothing cached', async () => {
    const { app, cache } = setUp()
    expect(await rejectionOf(app.acquireTokenByUsernamePassword(MANAGED, 'wrong', SCOPES))).toMatchObject({ kind: 'ServerError', error: 'invalid_grant', errorCodes: [50126] })
    expect(cache.hasStateChanged).toBe(false)
  })

  it('refuses missing credentials and reserved scopes before any request', async () => {
    const { idp, app } = setUp()
    expect(await rejectionOf(app.acquireTokenByUsernamePassword('', 'pw', SCOPES))).toMatchObject({ kind: 'UsageError', argument: 'username' })
    expect(await rejectionOf(app.acquireTokenByUsernamePassword(MANAGED, '', SCOPES))).toMatchObject({ kind: 'UsageError', argument: 'password' })
    expect(await rejectionOf(app.acquireTokenByUsernamePassword(MANAGED, 'pw', ['offline_access']))).toMatchObject({ kind: 'UsageError', argument: 'scopes' })
    expect(idp.requests).toHaveLength(0)
  })

  it('a confidential client sends its secret with the password grant', async () => {
    const clock = fixedClock()
    const idp = new FakeIdentityProvider({ clock: clock.now }).registerApp({ clientId: CLIENT, clientSecret: 's3cret' }).registerUser({ username: MANAGED, password: 'managed-pw' })
    const cca = new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: 's3cret', authority: AUTHORITY, interpreter: createTestInterpreter({ http: idp.http, clock }).interpret })
    await cca.acquireTokenByUsernamePassword(MANAGED, 'managed-pw', SCOPES)
    expect(idp.tokenRequests[0]!.form['client_secret']).toBe('s3cret')
  })
})
