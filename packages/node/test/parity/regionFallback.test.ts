/**
 * Issue 14, item 9: the region fallback of MSAL Python's ClientApplication.__init__. When making
 * the Authority fails with anything but a ValueError ("The rest are typically connection
 * errors") and `validate_authority and not oidc_authority and (azure_region or (azure_region is
 * None and os.getenv("MSAL_FORCE_REGION")))`, it makes the Authority again with
 * `instance_discovery=False`: "Since caller opts in to use region, here we tolerate connection
 * errors happened during authority validation at non-region endpoint". An explicit refusal
 * (invalid_instance, a ValueError) is never tolerated, and the fallback holds for the
 * application's lifetime.
 */
import { ConfidentialClientApplication, TokenCache } from '@msal-ts/node'
import { createTestInterpreter, FakeIdentityProvider, faults } from '@msal-ts/testing'
import { rejectionOf } from '../support/rejection.js'

const CLIENT = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d'
const SECRET = 'region-secret'
const SCOPES = ['api://region/.default']
const OTHER_SCOPES = ['api://other/.default']
const TENANT = 'contoso.onmicrosoft.com'
const PRIVATE_CLOUD = 'login.contoso.example'
const AUTHORITY = `https://${PRIVATE_CLOUD}/${TENANT}`
const INSTANCE_DISCOVERY = '/common/discovery/instance'

const setUp = (options: { azureRegion?: string | boolean; validateAuthority?: boolean; env?: Record<string, string> } = {}) => {
  const idp = new FakeIdentityProvider({ knownInstances: [PRIVATE_CLOUD] }).registerApp({ clientId: CLIENT, clientSecret: SECRET })
  const test = createTestInterpreter({ http: idp.http, env: options.env ?? {} })
  const app = new ConfidentialClientApplication({
    clientId: CLIENT,
    clientCredential: SECRET,
    authority: AUTHORITY,
    tokenCache: new TokenCache(),
    interpreter: test.interpret,
    ...(options.azureRegion !== undefined ? { azureRegion: options.azureRegion } : {}),
    ...(options.validateAuthority !== undefined ? { validateAuthority: options.validateAuthority } : {}),
  })
  const sent = (): string[] => idp.requests.map((r) => `${r.method} ${r.url.replace(/\?.*$/, '')}`)
  return { idp, app, sent, logs: test.logs }
}

/** Instance discovery's host refuses connections (the first try and MSAL's one retry), as on a network that reaches only the region. */
const instanceDiscoveryUnreachable = (idp: FakeIdentityProvider): void => {
  idp.injectFault(faults.connectionError(), { path: INSTANCE_DISCOVERY, times: 100 })
}

describe('a connection error during authority validation, with a region configured, falls back as MSAL Python does', () => {
  it('azureRegion "westus2": the authority is validated without instance discovery and the token comes from the region', async () => {
    const { idp, app, sent, logs } = setUp({ azureRegion: 'westus2' })
    instanceDiscoveryUnreachable(idp)
    const result = await app.acquireTokenForClient(SCOPES)
    expect(result.tokenSource).toBe('identity_provider')
    expect(sent()).toEqual([
      `GET https://login.microsoftonline.com${INSTANCE_DISCOVERY}`,
      `GET https://login.microsoftonline.com${INSTANCE_DISCOVERY}`,
      `GET https://${PRIVATE_CLOUD}/${TENANT}/v2.0/.well-known/openid-configuration`,
      `POST https://westus2.${PRIVATE_CLOUD}/${TENANT}/oauth2/v2.0/token`,
    ])
    expect(logs.map((l) => l.message)).toContainEqual(expect.stringContaining('used without instance discovery from now on'))
  })

  it('holds for the application\'s lifetime (MSAL Python replaces self.authority once): no instance discovery on later calls', async () => {
    const { idp, app, sent } = setUp({ azureRegion: 'westus2' })
    instanceDiscoveryUnreachable(idp)
    await app.acquireTokenForClient(SCOPES)
    const before = sent().length
    await app.acquireTokenForClient(OTHER_SCOPES)
    expect(sent().slice(before)).toEqual([`POST https://westus2.${PRIVATE_CLOUD}/${TENANT}/oauth2/v2.0/token`])
  })

  it('MSAL_FORCE_REGION with azureRegion unset counts as a configured region', async () => {
    const { idp, app, sent } = setUp({ env: { MSAL_FORCE_REGION: 'eastus' } })
    instanceDiscoveryUnreachable(idp)
    await app.acquireTokenForClient(SCOPES)
    expect(sent().at(-1)).toBe(`POST https://eastus.${PRIVATE_CLOUD}/${TENANT}/oauth2/v2.0/token`)
  })

  it('no region configured (or azureRegion false even with MSAL_FORCE_REGION): the NetworkError stands, nothing is sent to the authority', async () => {
    for (const options of [{}, { azureRegion: false, env: { MSAL_FORCE_REGION: 'eastus' } }]) {
      const { idp, app, sent } = setUp(options)
      instanceDiscoveryUnreachable(idp)
      const error = await rejectionOf(app.acquireTokenForClient(SCOPES))
      expect(error).toMatchObject({ kind: 'NetworkError' })
      expect(sent().every((line) => line.includes(INSTANCE_DISCOVERY))).toBe(true)
    }
  })

  it('a refusal is not a connection error: invalid_instance stays a ConfigurationError, region or not (MSAL Python re-raises ValueError)', async () => {
    const idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET }) // vouches for no private cloud
    const app = new ConfidentialClientApplication({
      clientId: CLIENT,
      clientCredential: SECRET,
      authority: AUTHORITY,
      azureRegion: 'westus2',
      interpreter: createTestInterpreter({ http: idp.http }).interpret,
    })
    const error = await rejectionOf(app.acquireTokenForClient(SCOPES))
    expect(error).toMatchObject({ kind: 'ConfigurationError', field: 'authority' })
    expect(error.message).toContain('invalid_instance')
    expect(idp.tokenRequests).toHaveLength(0)
  })

  it('user flows of the same application share the fallback (MSAL Python\'s one authority serves every flow)', async () => {
    const { idp, app, sent } = setUp({ azureRegion: 'westus2' })
    idp.registerUser({ username: 'alice@contoso.onmicrosoft.com' })
    instanceDiscoveryUnreachable(idp)
    const url = new URL(await app.getAuthorizationRequestUrl(['User.Read']))
    expect(`${url.origin}${url.pathname}`).toBe(`https://${PRIVATE_CLOUD}/${TENANT}/oauth2/v2.0/authorize`)
    expect(sent().filter((line) => line.includes(INSTANCE_DISCOVERY))).toHaveLength(2)
  })
})
