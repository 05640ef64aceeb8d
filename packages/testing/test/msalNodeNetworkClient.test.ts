import { FakeIdentityProvider, faults, msalNodeNetworkClient } from '@msal-ts/testing'

describe('msalNodeNetworkClient: MSAL for Node against the fake identity provider', () => {
  const idp = () => new FakeIdentityProvider().registerApp({ clientId: 'c', clientSecret: 's' })
  const form = 'grant_type=client_credentials&client_id=c&client_secret=s&scope=api%3A%2F%2Fx%2F.default'

  it('answers msal-node requests with the parsed JSON body, status and headers, and counts them', async () => {
    const client = msalNodeNetworkClient(idp().fetch)
    const token = await client.sendPostRequestAsync<{ token_type: string }>('https://login.microsoftonline.com/t/oauth2/v2.0/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    })
    expect(token).toMatchObject({ status: 200, body: { token_type: 'Bearer' }, headers: { 'content-type': 'application/json; charset=utf-8' } })
    const doc = await client.sendGetRequestAsync<{ token_endpoint: string }>('https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration')
    expect(doc.body.token_endpoint).toBe('https://login.microsoftonline.com/t/oauth2/v2.0/token')
    expect(client.count).toBe(2)
    expect(client.exchanges.map((e) => `${e.method} ${e.status}`)).toEqual(['POST 200', 'GET 200'])
  })

  it('refuses a body that is not JSON, as msal-node does (never an empty "token response")', async () => {
    const provider = idp().injectFault(faults.htmlErrorPage(502))
    const client = msalNodeNetworkClient(provider.fetch)
    await expect(client.sendPostRequestAsync('https://login.microsoftonline.com/t/oauth2/v2.0/token', { body: form })).rejects.toMatchObject({ errorCode: 'token_parsing_error' })
  })

  it('turns a failed request into network_error, with the caller`s error type', async () => {
    class AuthError extends Error {
      constructor(readonly errorCode: string, message: string) {
        super(message)
      }
    }
    const client = msalNodeNetworkClient(idp().injectFault(faults.connectionError()).fetch, { toError: (code, message) => new AuthError(code, message) })
    const failure = client.sendGetRequestAsync('https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration')
    await expect(failure).rejects.toBeInstanceOf(AuthError)
    await expect(failure).rejects.toMatchObject({ errorCode: 'network_error' })
    expect(client.exchanges).toEqual([{ method: 'GET', url: 'https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration', status: 'no response' }])
  })

  it('delays answers by latencyMs', async () => {
    const client = msalNodeNetworkClient(idp().fetch, { latencyMs: 60 })
    const started = Date.now()
    await client.sendGetRequestAsync('https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration')
    expect(Date.now() - started).toBeGreaterThanOrEqual(55)
  })
})
