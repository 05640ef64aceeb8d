/** MSAL Python's authority tests (tests/test_authority.py), as behaviour, plus the other kinds. */
import * as E from '#fp-ts/Either'
import { AuthorityBuilder, AZURE_PUBLIC, AZURE_US_GOVERNMENT, parseAuthority, parseOidcAuthority, type Authority } from '@msal-ts/core'
import { buildInstanceDiscoveryRequest, builtInEndpoints, KNOWN_MICROSOFT_HOSTS, needsInstanceDiscovery, openIdConfigurationUrl, processInstanceDiscovery } from '@msal-ts/core/protocol'

const parsed = (url: string): Authority => {
  const result = parseAuthority(url)
  if (E.isLeft(result)) throw new Error(result.left.message)
  return result.right
}
const validation = { validateAuthority: true, instanceDiscovery: true as boolean | string }

describe('canonicalize (MSAL Python)', () => {
  it.each([
    ['https://example.com/tenant/subpath?foo=bar#fragment'],
    ['https://example.com/tenant?foo=bar#fragment'],
    ['https://example.com/tenant#fragment'],
  ])('%s: host example.com, tenant "tenant"', (url) => {
    expect(parsed(url)).toMatchObject({ host: 'example.com', tenant: 'tenant', kind: 'Entra', url: 'https://example.com/tenant' })
  })

  it.each(['http://non.https.example.com/tenant', 'https://no.tenant.example.com', 'https://no.tenant.example.com/'])('rejects %s', (url) => {
    expect(E.isLeft(parseAuthority(url))).toBe(true)
  })
})

describe('authority kinds', () => {
  it.each([
    ['https://login.microsoftonline.com/contoso.onmicrosoft.com', 'Entra', 'contoso.onmicrosoft.com', '/contoso.onmicrosoft.com'],
    ['https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_SignIn', 'B2C', 'contoso.onmicrosoft.com', '/contoso.onmicrosoft.com/B2C_1_SignIn'],
    ['https://login.b2clogin.com/contoso/b2c_policy', 'B2C', 'contoso', '/contoso/b2c_policy'],
    ['https://id.contoso.com/contoso.onmicrosoft.com/B2C_1_custom', 'B2C', 'contoso.onmicrosoft.com', '/contoso.onmicrosoft.com/B2C_1_custom'],
    ['https://contoso.ciamlogin.com', 'CIAM', 'contoso.onmicrosoft.com', ''],
    ['https://contoso.ciamlogin.com/anything', 'CIAM', 'anything', '/anything'],
    ['https://contoso.com/adfs', 'ADFS', 'adfs', '/adfs'],
    ['https://test-instance1-dsts.dsts.core.azure-test.net/dstsv2/common', 'OIDC', 'common', '/dstsv2/common'],
  ])('%s is %s, tenant %s', (url, kind, tenant, path) => {
    expect(parsed(url)).toMatchObject({ kind, tenant, path })
  })

  it('reads an oidcAuthority, with or without a path', () => {
    expect(E.isRight(parseOidcAuthority('https://contoso.com/tenant')) && parseOidcAuthority('https://contoso.com/tenant')).toMatchObject({ right: { kind: 'OIDC', tenant: 'tenant', path: '/tenant' } })
    expect(parseOidcAuthority('https://id.example/')).toMatchObject({ right: { kind: 'OIDC', tenant: '', path: '', url: 'https://id.example' } })
    expect(E.isLeft(parseOidcAuthority('http://id.example'))).toBe(true)
  })
})

describe('tenant discovery URLs', () => {
  it.each([
    ['https://contoso.ciamlogin.com', 'https://contoso.ciamlogin.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration'],
    ['https://contoso.ciamlogin.com/anything', 'https://contoso.ciamlogin.com/anything/v2.0/.well-known/openid-configuration'],
    ['https://contoso.com/adfs', 'https://contoso.com/adfs/.well-known/openid-configuration'],
    ['https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1_signin', 'https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1_signin/v2.0/.well-known/openid-configuration'],
    ['https://test-instance1-dsts.dsts.core.azure-test.net/dstsv2/common', 'https://test-instance1-dsts.dsts.core.azure-test.net/dstsv2/common/.well-known/openid-configuration'],
    ['https://private.cloud/foo?slice=test', 'https://private.cloud/foo/v2.0/.well-known/openid-configuration?slice=test'],
  ])('%s → %s', (authority, url) => {
    expect(openIdConfigurationUrl(parsed(authority))).toBe(url)
  })

  it('uses {url}/.well-known/openid-configuration for an OIDC provider (no /v2.0)', () => {
    const oidc = parseOidcAuthority('https://contoso.com/tenant')
    expect(E.isRight(oidc) && openIdConfigurationUrl(oidc.right)).toBe('https://contoso.com/tenant/.well-known/openid-configuration')
  })
})

describe('which authorities Microsoft must vouch for (instance discovery)', () => {
  it.each([
    ['https://login.microsoftonline.com/common', validation, false], // known to Microsoft
    ['https://contoso.com/common', { ...validation, validateAuthority: false }, false], // vouched by the developer
    ['https://contoso.com/adfs', validation, false], // ADFS
    ['https://login.b2clogin.com/contoso/b2c_policy', validation, false], // B2C
    ['https://contoso.ciamlogin.com', validation, false], // CIAM
    ['https://test-instance1-dsts.dsts.core.azure-test.net/dstsv2/common', validation, false], // dSTS
    ['https://private.cloud/foo', validation, true], // a private cloud
    ['https://private.cloud/foo', { ...validation, instanceDiscovery: false }, false],
    ['https://login.microsoftonline.com/common', { ...validation, instanceDiscovery: false }, false],
    ['http://127.0.0.1:9/tenant', validation, false], // loopback: a local provider Microsoft cannot know
  ])('%s with %j → %s', (authority, given, expected) => {
    expect(needsInstanceDiscovery(parsed(authority), given)).toBe(expected)
  })

  it('asks the instance discovery endpoint with the authorize endpoint, or the one the developer named', () => {
    expect(buildInstanceDiscoveryRequest(parsed('https://private.cloud/foo'), validation, {}).url).toBe(
      'https://login.microsoftonline.com/common/discovery/instance?api-version=1.1&authorization_endpoint=https%3A%2F%2Fprivate.cloud%2Ffoo%2Foauth2%2Fv2.0%2Fauthorize',
    )
    expect(buildInstanceDiscoveryRequest(parsed('https://private.cloud/foo'), { ...validation, instanceDiscovery: 'https://disco.example/instance' }, {}).url).toMatch(/^https:\/\/disco\.example\/instance\?api-version=1\.1&/)
  })

  const answer = (status: number, body: unknown) => ({ _tag: 'HttpResponse' as const, status, headers: {}, body: JSON.stringify(body) })
  const ctx = { url: 'https://login.microsoftonline.com/common/discovery/instance', nowMs: 0, defaultRetryAfterMs: 0 }

  it('reads the tenant discovery endpoint and the host aliases', () => {
    const result = processInstanceDiscovery(
      answer(200, {
        tenant_discovery_endpoint: 'https://private.cloud/foo/v2.0/.well-known/openid-configuration',
        metadata: [{ preferred_network: 'private.cloud', preferred_cache: 'private.cloud', aliases: ['private.cloud', 'PRIVATE-alias.cloud'] }],
      }),
      parsed('https://private.cloud/foo'),
      ctx,
    )
    expect(result).toEqual(E.right({ tenantDiscoveryEndpoint: 'https://private.cloud/foo/v2.0/.well-known/openid-configuration', aliases: ['private.cloud', 'private-alias.cloud'] }))
  })

  it('turns invalid_instance into a configuration error that says how to vouch for the host', () => {
    const result = processInstanceDiscovery(answer(400, { error: 'invalid_instance', error_codes: [50049] }), parsed('https://example.com/tenant_doesnt_matter_in_this_case'), ctx)
    expect(E.isLeft(result) && result.left).toMatchObject({ kind: 'ConfigurationError', field: 'authority' })
    expect(E.isLeft(result) && result.left.message).toMatch(/invalid_instance.*instanceDiscovery: false/)
  })

  it('reports another error or a malformed answer as such', () => {
    expect(processInstanceDiscovery(answer(500, { error: 'server_error' }), parsed('https://x.example/t'), ctx)).toMatchObject({ left: { kind: 'ServerError' } })
    expect(processInstanceDiscovery(answer(200, { metadata: [] }), parsed('https://x.example/t'), ctx)).toMatchObject({ left: { kind: 'InvalidResponseError' } })
  })
})

describe('AuthorityBuilder and the well-known hosts', () => {
  it.each([
    [AZURE_PUBLIC, 'consumers', 'https://login.microsoftonline.com/consumers'],
    [AZURE_US_GOVERNMENT, 'common', 'https://login.microsoftonline.us/common'],
    ['https://login.chinacloudapi.cn/', '/organizations/', 'https://login.chinacloudapi.cn/organizations'],
  ])('AuthorityBuilder(%s, %s) is %s', (instance, tenant, url) => {
    expect(String(new AuthorityBuilder(instance, tenant))).toBe(url)
  })

  it.each([...KNOWN_MICROSOFT_HOSTS])('%s has built-in v2 endpoints for its common tenant', (host) => {
    expect(builtInEndpoints(parsed(`https://${host}/common`))).toMatchObject({
      authorizationEndpoint: `https://${host}/common/oauth2/v2.0/authorize`,
      tokenEndpoint: `https://${host}/common/oauth2/v2.0/token`,
    })
  })

  it('knows no endpoints for other kinds or hosts', () => {
    for (const url of ['https://contoso.com/adfs', 'https://contoso.ciamlogin.com', 'https://private.cloud/foo', 'https://login.b2clogin.com/c/b2c_p']) {
      expect(builtInEndpoints(parsed(url))).toBeUndefined()
    }
  })
})
