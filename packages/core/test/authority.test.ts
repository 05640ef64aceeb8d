import * as E from '#fp-ts/Either'
import { parseAuthority, type Authority } from '@msal-ts/core'
import { builtInEndpoints, openIdConfigurationUrl, processOpenIdConfiguration } from '@msal-ts/core/protocol'

const parsed = (url: string): Authority => {
  const result = parseAuthority(url)
  if (E.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

describe('parseAuthority', () => {
  it.each([
    ['https://login.microsoftonline.com/contoso.onmicrosoft.com', 'https://login.microsoftonline.com/contoso.onmicrosoft.com', 'login.microsoftonline.com', 'contoso.onmicrosoft.com', true, false],
    ['https://LOGIN.microsoftonline.com/Common/', 'https://login.microsoftonline.com/Common', 'login.microsoftonline.com', 'Common', true, false],
    ['https://login.microsoftonline.com/tenant/v2.0', 'https://login.microsoftonline.com/tenant', 'login.microsoftonline.com', 'tenant', true, false],
    ['https://login.microsoftonline.us/organizations', 'https://login.microsoftonline.us/organizations', 'login.microsoftonline.us', 'organizations', true, false],
    ['https://id.contoso.example:8443/t1', 'https://id.contoso.example:8443/t1', 'id.contoso.example:8443', 't1', false, false],
    ['http://127.0.0.1:5000/tenant', 'http://127.0.0.1:5000/tenant', '127.0.0.1:5000', 'tenant', false, true],
    ['http://localhost/tenant', 'http://localhost/tenant', 'localhost', 'tenant', false, true],
    ['http://[::1]:8080/tenant', 'http://[::1]:8080/tenant', '[::1]:8080', 'tenant', false, true],
  ])('%s', (input, url, host, tenant, isKnownHost, isLoopback) => {
    expect(parsed(input)).toMatchObject({ kind: 'Entra', url, host, tenant, isKnownHost, isLoopback })
  })

  it.each([
    ['http://login.microsoftonline.com/tenant', 'authority: must use https; plain http is allowed only for loopback hosts'],
    ['http://10.0.0.1/tenant', 'authority: must use https'],
    ['ftp://login.microsoftonline.com/tenant', 'authority: must use https, got ftp'],
    ['https://login.microsoftonline.com', 'authority: must name a tenant in its path'],
    ['https://login.microsoftonline.com/', 'authority: must name a tenant in its path'],
    ['login.microsoftonline.com/tenant', 'authority: expected an absolute URL'],
    ['https://', 'authority: expected an absolute URL'],
    ['', 'authority: expected a URL such as https://login.microsoftonline.com/<tenant>'],
    ['https://user:pw@login.microsoftonline.com/tenant', 'authority: must not contain a user name or password'],
  ])('refuses %s', (input, message) => {
    const result = parseAuthority(input)
    expect(E.isLeft(result)).toBe(true)
    if (E.isLeft(result)) {
      expect(result.left).toMatchObject({ kind: 'ConfigurationError', field: 'authority' })
      expect(result.left.message).toContain(message)
    }
  })

  it('refuses a value that is not a string', () => {
    const result = parseAuthority(42)
    expect(E.isLeft(result) && result.left.message).toMatch(/^authority: expected a URL such as https:\/\/login\.microsoftonline\.com\/<tenant>.*, got 42$/)
  })
})

describe('endpoints', () => {
  it('are built in for well-known Microsoft hosts', () => {
    expect(builtInEndpoints(parsed('https://login.microsoftonline.com/contoso.onmicrosoft.com'))).toEqual({
      tokenEndpoint: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
      authorizationEndpoint: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize',
      deviceCodeEndpoint: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode',
      endSessionEndpoint: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/logout',
      issuer: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
    })
    expect(builtInEndpoints(parsed('https://login.microsoftonline.com/common'))?.issuer).toBeUndefined()
  })

  it('are discovered for other hosts', () => {
    const authority = parsed('https://id.contoso.example/t1')
    expect(builtInEndpoints(authority)).toBeUndefined()
    expect(openIdConfigurationUrl(authority)).toBe('https://id.contoso.example/t1/v2.0/.well-known/openid-configuration')
  })
})

describe('processOpenIdConfiguration', () => {
  const ctx = { url: 'https://id.contoso.example/t1/v2.0/.well-known/openid-configuration', nowMs: 0, defaultRetryAfterMs: 0 }
  const answer = (body: unknown, status = 200) => ({ _tag: 'HttpResponse' as const, status, headers: {}, body: JSON.stringify(body) })
  const doc = {
    token_endpoint: 'https://id.contoso.example/t1/oauth2/v2.0/token',
    authorization_endpoint: 'https://id.contoso.example/t1/oauth2/v2.0/authorize',
    issuer: 'https://id.contoso.example/t1/v2.0',
  }

  it('reads the endpoints', () => {
    expect(processOpenIdConfiguration(answer(doc), parsed('https://id.contoso.example/t1'), ctx)).toEqual(
      E.right({ tokenEndpoint: doc.token_endpoint, authorizationEndpoint: doc.authorization_endpoint, issuer: doc.issuer, deviceCodeEndpoint: undefined, endSessionEndpoint: undefined }),
    )
  })

  it.each([
    ['a downgrade to http', { ...doc, token_endpoint: 'http://id.contoso.example/t1/token' }, 'tokenEndpoint: expected an https URL, got http'],
    ['a relative endpoint', { ...doc, token_endpoint: '/t1/token' }, 'tokenEndpoint: expected an absolute URL'],
    ['a missing token endpoint', { authorization_endpoint: doc.authorization_endpoint }, 'token_endpoint: expected a string, got nothing'],
  ])('refuses %s', (_, body, problem) => {
    const result = processOpenIdConfiguration(answer(body), parsed('https://id.contoso.example/t1'), ctx)
    expect(E.isLeft(result) && result.left.message).toContain(problem)
  })

  it('allows http endpoints only where the authority itself is loopback', () => {
    const local = { token_endpoint: 'http://127.0.0.1:9/t/token', authorization_endpoint: 'http://127.0.0.1:9/t/authorize' }
    expect(E.isRight(processOpenIdConfiguration(answer(local), parsed('http://127.0.0.1:9/t'), ctx))).toBe(true)
  })

  it('reports an Entra error (an unknown tenant) as a server error', () => {
    const result = processOpenIdConfiguration(answer({ error: 'invalid_tenant', error_codes: [90002] }, 400), parsed('https://id.contoso.example/t1'), ctx)
    expect(E.isLeft(result) && result.left).toMatchObject({ kind: 'ServerError', error: 'invalid_tenant', status: 400 })
  })
})
