import {
  ConfidentialClientApplication,
  ConfigurationError,
  isMsalError,
  MsalError,
  PublicClientApplication,
  ServerError,
  ThrottledError,
  type TokenResult,
} from '@msal-ts/node'
import { FakeIdentityProvider, faults } from '@msal-ts/testing'

const CLIENT = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d'
const SCOPES = ['https://graph.microsoft.com/.default']

/** The public API as a TypeScript user leans on it: errors narrow, results have exactly their fields, options are checked. */
describe('the public API narrows', () => {
  it('errors: instanceof a kind, or isMsalError(error, kind), gives that kind\'s fields their types', async () => {
    const idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: 's' })
    idp.injectFault(faults.throttled(7), { path: '/oauth2/v2.0/token' })
    const app = new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: 's', authority: 'https://login.microsoftonline.com/t', httpClient: idp.fetch })
    const caught: unknown = await app.acquireTokenForClient(SCOPES).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(caught).toBeInstanceOf(MsalError)
    expect(caught).toBeInstanceOf(ThrottledError)
    expect(caught).not.toBeInstanceOf(ServerError)
    if (!(caught instanceof ThrottledError)) throw new Error('expected a ThrottledError')
    const waitMs: number = caught.retryAfterMs
    expect(waitMs).toBe(7000)
    if (!isMsalError(caught)) throw new Error('expected an MsalError')
    // One discriminator: `kind`; a switch narrows every field.
    switch (caught.kind) {
      case 'ThrottledError':
        expect(caught.status).toBe(429)
        break
      default:
        throw new Error(`unexpected ${caught.kind}`)
    }
    expect(isMsalError(caught, 'ThrottledError') && caught.retryAfterMs).toBe(7000)
  })

  it('results: a misspelt field does not compile; the identity provider\'s extra fields are in extraFields', async () => {
    const idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: 's' })
    const app = new ConfidentialClientApplication({ clientId: CLIENT, clientCredential: 's', authority: 'https://login.microsoftonline.com/t', httpClient: idp.fetch })
    const result: TokenResult = await app.acquireTokenForClient(SCOPES)
    // @ts-expect-error there is no acessToken: a typo is a compile error, not undefined at run time
    expect(result.acessToken).toBeUndefined()
    expect(typeof result.accessToken).toBe('string')
    const extra: Readonly<Record<string, unknown>> | undefined = result.extraFields
    expect(extra === undefined || typeof extra === 'object').toBe(true)
  })

  it('options: an unknown one, or one of MSAL Python\'s that msal-ts does not take, is a ConfigurationError naming it', () => {
    const construct = (options: object) => () => new PublicClientApplication(options as never)
    expect(construct({ clientId: CLIENT, tokenCahce: {} })).toThrow(expect.objectContaining({ kind: 'ConfigurationError', field: 'tokenCahce', message: expect.stringContaining('did you mean tokenCache?') }))
    expect(construct({ clientId: CLIENT, enableBrokerOnWindows: true })).toThrow(ConfigurationError)
    expect(construct({ clientId: CLIENT, azureRegion: 'westus2' })).toThrow(expect.objectContaining({ field: 'azureRegion', message: expect.stringContaining('only ConfidentialClientApplication') }))
    // @ts-expect-error azureRegion is not a public client's option in its type either
    expect(construct({ clientId: CLIENT, azureRegion: 'westus2' } satisfies ConstructorParameters<typeof PublicClientApplication>[0])).toThrow(ConfigurationError)
  })
})
