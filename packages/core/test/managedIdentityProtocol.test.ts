/**
 * Managed identity's pure parts, table by table: identity forms, source detection, each source's
 * request and answer, expiry formats, Azure Arc's key-file rule, retry tables, Cloud Shell.
 * MSAL Python's tests/test_mi.py cases are named where they are mirrored.
 */
import * as E from '#fp-ts/Either'
import type { ManagedIdentitySource} from '@msal-ts/core';
import { SystemAssignedManagedIdentity, UserAssignedManagedIdentity, type HttpResponse, type MsalError } from '@msal-ts/core'
import {
  arcChallengePath,
  arcKeyFilePath,
  arcSecretOf,
  buildCloudShellRequest,
  buildManagedIdentityRequest,
  confirmArcIdentity,
  DEFAULT_RETRY_POLICY,
  IMDS_RETRY_POLICY,
  NO_RETRY_POLICY,
  parseExpiresOn,
  parseManagedIdentity,
  processCloudShellResponse,
  processManagedIdentityResponse,
  resourceOf,
  retryDelayMs,
  scopeToResource,
  sourceOf,
  type ManagedIdentityId,
  type SourceEnvironment,
} from '@msal-ts/core/protocol'

const right = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected Right, got ${JSON.stringify(either.left)}: ${String((either.left as Error).message)}`)
  return either.right
}
const left = <L>(either: E.Either<L, unknown>): L => {
  if (E.isRight(either)) throw new Error(`expected Left, got ${JSON.stringify(either.right)}`)
  return either.left
}
const response = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  _tag: 'HttpResponse',
  status,
  headers,
  body: typeof body === 'string' ? body : JSON.stringify(body),
})

const SYSTEM = right(parseManagedIdentity(SystemAssignedManagedIdentity()))
const CLIENT_ID = right(parseManagedIdentity(UserAssignedManagedIdentity({ clientId: 'c-1' })))
const RESOURCE_ID = right(parseManagedIdentity(UserAssignedManagedIdentity({ resourceId: '/subscriptions/s/r' })))
const OBJECT_ID = right(parseManagedIdentity(UserAssignedManagedIdentity({ objectId: 'o-1' })))
const NOW_SEC = 1_767_225_600

describe('managed identity forms', () => {
  it('each helper equals its dict form (test_helper_class_should_be_interchangable_with_dict...)', () => {
    expect(SystemAssignedManagedIdentity()).toEqual({ ManagedIdentityIdType: 'SystemAssigned', Id: null })
    expect(UserAssignedManagedIdentity({ clientId: 'c' })).toEqual({ ManagedIdentityIdType: 'ClientId', Id: 'c' })
    expect(UserAssignedManagedIdentity({ resourceId: 'r' })).toEqual({ ManagedIdentityIdType: 'ResourceId', Id: 'r' })
    expect(UserAssignedManagedIdentity({ objectId: 'o' })).toEqual({ ManagedIdentityIdType: 'ObjectId', Id: 'o' })
  })

  it.each([
    ['no id', {}, /one of the three parameters.*none was given/],
    ['two ids', { clientId: 'c', resourceId: 'r' }, /one of the three parameters.*got clientId and resourceId/],
    ['an empty id', { objectId: ' ' }, /objectId must be a non-empty string/],
    ['an unknown id', { client_id: 'c' }, /unknown id "client_id"/],
  ])('UserAssignedManagedIdentity with %s throws a ManagedIdentityError', (_, ids, message) => {
    expect(() => UserAssignedManagedIdentity(ids as never)).toThrow(expect.objectContaining({ kind: 'ManagedIdentityError', message: expect.stringMatching(message) }))
  })

  it.each([
    ['the system-assigned dict', { ManagedIdentityIdType: 'SystemAssigned', Id: null }, { idType: 'SystemAssigned', id: undefined, cacheClientId: null }],
    // MSAL Python's mi.get("Id", "SYSTEM_ASSIGNED_MANAGED_IDENTITY"): only an absent Id gives the string.
    ['a system-assigned dict with no Id', { ManagedIdentityIdType: 'SystemAssigned' }, { idType: 'SystemAssigned', id: undefined, cacheClientId: 'SYSTEM_ASSIGNED_MANAGED_IDENTITY' }],
    ['a client id', { ManagedIdentityIdType: 'ClientId', Id: 'c-1' }, { idType: 'ClientId', id: 'c-1', cacheClientId: 'c-1' }],
    ['a resource id', { ManagedIdentityIdType: 'ResourceId', Id: '/subscriptions/s' }, { idType: 'ResourceId', id: '/subscriptions/s', cacheClientId: '/subscriptions/s' }],
    ['an object id', { ManagedIdentityIdType: 'ObjectId', Id: 'o-1' }, { idType: 'ObjectId', id: 'o-1', cacheClientId: 'o-1' }],
  ])('%s is an identity', (_, dict, expected) => {
    expect(right(parseManagedIdentity(dict))).toEqual(expected)
  })

  it.each([
    ['{"foo": "bar"} (test_error_out_on_invalid_input)', { foo: 'bar' }, /unknown key "foo"/],
    ['an undefined type (test_error_out_on_invalid_input)', { ManagedIdentityIdType: 'undefined', Id: 'foo' }, /unknown ManagedIdentityIdType "undefined"/],
    ['a user type without Id', { ManagedIdentityIdType: 'ClientId' }, /ManagedIdentityIdType ClientId needs its Id/],
    ['a user type with an empty Id', { ManagedIdentityIdType: 'ObjectId', Id: '' }, /ManagedIdentityIdType ObjectId needs its Id/],
    ['a system-assigned identity with an Id', { ManagedIdentityIdType: 'SystemAssigned', Id: 'x' }, /has no Id/],
    ['a string', 'SystemAssigned', /expected SystemAssignedManagedIdentity\(\).*got "SystemAssigned"/],
    ['null', null, /got null/],
    ['an array', [], /expected SystemAssignedManagedIdentity/],
    ['a lower-case id key', { ManagedIdentityIdType: 'ClientId', id: 'c' }, /unknown key "id"/],
  ])('%s is refused, naming what is wrong', (_, value, message) => {
    expect(left(parseManagedIdentity(value))).toMatchObject({ kind: 'ManagedIdentityError', message: expect.stringMatching(message) })
  })
})

describe('source detection, in MSAL Python\'s order (GetManagedIdentitySourceTestCase)', () => {
  const ALL: SourceEnvironment = { IDENTITY_ENDPOINT: 'http://a', IDENTITY_HEADER: 'h', IDENTITY_SERVER_THUMBPRINT: 't', MSI_ENDPOINT: 'http://m', MSI_SECRET: 's', IMDS_ENDPOINT: 'http://i', AZUREPS_HOST_ENVIRONMENT: 'cloud-shell-foo' }
  it.each<[string, SourceEnvironment, boolean, ManagedIdentitySource]>([
    ['test_service_fabric', { IDENTITY_ENDPOINT: 'http://localhost', IDENTITY_HEADER: 'foo', IDENTITY_SERVER_THUMBPRINT: 'bar' }, false, 'SERVICE_FABRIC'],
    ['test_app_service', { IDENTITY_ENDPOINT: 'http://localhost', IDENTITY_HEADER: 'foo' }, false, 'APP_SERVICE'],
    ['test_machine_learning', { MSI_ENDPOINT: 'http://localhost', MSI_SECRET: 'foo' }, false, 'MACHINE_LEARNING'],
    ['test_arc_by_env_var', { IDENTITY_ENDPOINT: 'http://localhost', IMDS_ENDPOINT: 'http://localhost' }, false, 'AZURE_ARC'],
    ['test_arc_by_file_existence', {}, true, 'AZURE_ARC'],
    ['test_cloud_shell', { AZUREPS_HOST_ENVIRONMENT: 'cloud-shell-foo' }, false, 'CLOUD_SHELL'],
    ['test_default_to_vm', {}, false, 'DEFAULT_TO_VM'],
    ['every variable: Service Fabric first', ALL, true, 'SERVICE_FABRIC'],
    ['App Service wins over Machine Learning', { IDENTITY_ENDPOINT: 'http://a', IDENTITY_HEADER: 'h', MSI_ENDPOINT: 'http://m', MSI_SECRET: 's' }, false, 'APP_SERVICE'],
    ['Arc (by file) wins over Cloud Shell', { AZUREPS_HOST_ENVIRONMENT: 'cloud-shell-foo' }, true, 'AZURE_ARC'],
    ['presence counts: empty values too', { IDENTITY_ENDPOINT: '', IDENTITY_HEADER: '' }, false, 'APP_SERVICE'],
    ['MSI_ENDPOINT alone is not Machine Learning (nor Cloud Shell)', { MSI_ENDPOINT: 'http://m' }, false, 'DEFAULT_TO_VM'],
    ['another AZUREPS_HOST_ENVIRONMENT is not Cloud Shell', { AZUREPS_HOST_ENVIRONMENT: 'vscode' }, false, 'DEFAULT_TO_VM'],
  ])('%s', (_, env, arcAgentFound, expected) => {
    expect(sourceOf(env, arcAgentFound)).toBe(expected)
  })
})

const CALLER = { platform: { sku: 'msal.ts.node', version: '0.1.0', os: 'linux' }, correlationId: '00000000-0000-4000-8000-000000000001' }
const build = (source: ManagedIdentitySource, env: SourceEnvironment, identity: ManagedIdentityId = SYSTEM, extra: { revokedTokenSha256?: string; clientCapabilities?: string[]; arcByAgentFile?: boolean } = {}) =>
  buildManagedIdentityRequest({ source, env, identity, resource: 'R', caller: CALLER, arcByAgentFile: extra.arcByAgentFile ?? false, revokedTokenSha256: extra.revokedTokenSha256, clientCapabilities: extra.clientCapabilities ?? [] })
const query = (url: string): Record<string, string> => Object.fromEntries(new URL(url).searchParams)

describe('each source\'s request', () => {
  it('IMDS: exactly api-version and resource, Metadata, and the client headers (test_happy_path_of_vm)', () => {
    const { request } = right(build('DEFAULT_TO_VM', {}))
    expect(request.url.split('?')[0]).toBe('http://169.254.169.254/metadata/identity/oauth2/token')
    expect(query(request.url)).toEqual({ 'api-version': '2018-02-01', resource: 'R' })
    expect(request).toMatchObject({ method: 'GET', headers: { Metadata: 'true', 'x-client-sku': 'msal.ts.node', 'x-client-ver': '0.1.0', 'x-ms-client-request-id': CALLER.correlationId } })
  })

  it('IMDS under pod identity: the host with its slashes stripped (test_happy_path_of_pod_identity)', () => {
    const { request } = right(build('DEFAULT_TO_VM', { AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://localhost:1234//' }))
    expect(request.url.split('?')[0]).toBe('http://localhost:1234/metadata/identity/oauth2/token')
  })

  it.each<[ManagedIdentitySource, SourceEnvironment, Record<string, string>, Record<string, string>]>([
    ['DEFAULT_TO_VM', {}, { client_id: 'c-1' }, { msi_res_id: '/subscriptions/s/r' }],
    ['APP_SERVICE', { IDENTITY_ENDPOINT: 'http://localhost', IDENTITY_HEADER: 'foo' }, { client_id: 'c-1' }, { mi_res_id: '/subscriptions/s/r' }],
    ['MACHINE_LEARNING', { MSI_ENDPOINT: 'http://localhost', MSI_SECRET: 'foo' }, { clientid: 'c-1' }, { msi_res_id: '/subscriptions/s/r' }],
    ['AZURE_ARC', { IDENTITY_ENDPOINT: 'http://localhost', IMDS_ENDPOINT: 'http://localhost' }, { client_id: 'c-1' }, { msi_res_id: '/subscriptions/s/r' }],
  ])('%s names a user-assigned client id and resource id by its own parameters', (source, env, byClientId, byResourceId) => {
    expect(query(right(build(source, env, CLIENT_ID)).request.url)).toMatchObject(byClientId)
    expect(query(right(build(source, env, RESOURCE_ID)).request.url)).toMatchObject(byResourceId)
    expect(query(right(build(source, env, OBJECT_ID)).request.url)).toMatchObject({ object_id: 'o-1' })
  })

  it('App Service: its api-version, the secret header and Metadata (test_app_service_resource_id_parameter_should_be_mi_res_id)', () => {
    const { request } = right(build('APP_SERVICE', { IDENTITY_ENDPOINT: 'http://localhost', IDENTITY_HEADER: 'foo' }, RESOURCE_ID))
    expect(query(request.url)).toEqual({ 'api-version': '2019-08-01', resource: 'R', mi_res_id: '/subscriptions/s/r' })
    expect(request.headers).toEqual({ 'X-IDENTITY-HEADER': 'foo', Metadata: 'true' })
  })

  it('Machine Learning: 2017-09-01 and the secret header; no client id for the system-assigned identity', () => {
    const { request } = right(build('MACHINE_LEARNING', { MSI_ENDPOINT: 'http://localhost/msi', MSI_SECRET: 'foo' }))
    expect(query(request.url)).toEqual({ 'api-version': '2017-09-01', resource: 'R' })
    expect(request.headers).toEqual({ secret: 'foo' })
  })

  it('Service Fabric: Secret, revocation and capabilities; a user-assigned id is not sent (test_unified_api_service_should_ignore_unnecessary_client_id)', () => {
    const env = { IDENTITY_ENDPOINT: 'http://localhost', IDENTITY_HEADER: 'foo', IDENTITY_SERVER_THUMBPRINT: 'bar' }
    const built = right(build('SERVICE_FABRIC', env, CLIENT_ID, { revokedTokenSha256: 'abc', clientCapabilities: ['foo', 'bar'] }))
    expect(built.idIgnored).toBe(true)
    expect(query(built.request.url)).toEqual({ 'api-version': '2019-07-01-preview', resource: 'R', token_sha256_to_refresh: 'abc', xms_cc: 'foo,bar' })
    expect(built.request.headers).toEqual({ Secret: 'foo' })
    // No capabilities, no xms_cc (test_happy_path_with_claim_challenge_should_send_sha256_to_provider).
    expect(query(right(build('SERVICE_FABRIC', env, SYSTEM, { revokedTokenSha256: 'abc' })).request.url)).not.toHaveProperty('xms_cc')
  })

  it('only Service Fabric is sent revocation and capabilities', () => {
    const built = right(build('APP_SERVICE', { IDENTITY_ENDPOINT: 'http://localhost', IDENTITY_HEADER: 'foo' }, SYSTEM, { revokedTokenSha256: 'abc', clientCapabilities: ['CP1'] }))
    expect(query(built.request.url)).toEqual({ 'api-version': '2019-08-01', resource: 'R' })
  })

  it('Azure Arc: 2020-06-01 and Metadata; found by its agent, at the agent\'s fixed IPv4 endpoint', () => {
    const byEnv = right(build('AZURE_ARC', { IDENTITY_ENDPOINT: 'http://localhost:40342/metadata/identity/oauth2/token', IMDS_ENDPOINT: 'http://localhost:40342' })).request
    expect(byEnv.url).toBe('http://localhost:40342/metadata/identity/oauth2/token?api-version=2020-06-01&resource=R')
    expect(byEnv.headers).toEqual({ Metadata: 'true' })
    expect(right(build('AZURE_ARC', {}, SYSTEM, { arcByAgentFile: true })).request.url.split('?')[0]).toBe('http://127.0.0.1:40342/metadata/identity/oauth2/token')
  })

  it('Cloud Shell: a POST of the resource to MSI_ENDPOINT (or Cloud Shell\'s fixed endpoint); only its system-assigned identity', () => {
    expect(right(build('CLOUD_SHELL', { MSI_ENDPOINT: 'http://localhost:50342/oauth2/token' })).request).toEqual({
      method: 'POST',
      url: 'http://localhost:50342/oauth2/token',
      headers: { Metadata: 'true' },
      form: { resource: 'R' },
    })
    expect(right(build('CLOUD_SHELL', {})).request.url).toBe('http://localhost:50342/oauth2/token')
    expect(left(build('CLOUD_SHELL', {}, CLIENT_ID))).toMatchObject({ kind: 'ManagedIdentityError', source: 'CLOUD_SHELL', message: expect.stringMatching(/only a system-assigned identity/) })
  })

  it.each<[string, ManagedIdentitySource, SourceEnvironment, RegExp]>([
    ['an endpoint that is not a URL', 'APP_SERVICE', { IDENTITY_ENDPOINT: 'not a url', IDENTITY_HEADER: 'h' }, /IDENTITY_ENDPOINT is not a URL/],
    ['an empty endpoint', 'APP_SERVICE', { IDENTITY_ENDPOINT: '', IDENTITY_HEADER: 'h' }, /IDENTITY_ENDPOINT is empty/],
    ['a file: URL', 'MACHINE_LEARNING', { MSI_ENDPOINT: 'file:///etc/passwd', MSI_SECRET: 's' }, /MSI_ENDPOINT must be an http or https URL/],
    ['a malformed pod identity host', 'DEFAULT_TO_VM', { AZURE_POD_IDENTITY_AUTHORITY_HOST: 'ht tp://x' }, /AZURE_POD_IDENTITY_AUTHORITY_HOST is not a URL/],
    ['a malformed Service Fabric endpoint', 'SERVICE_FABRIC', { IDENTITY_ENDPOINT: '::', IDENTITY_HEADER: 'h', IDENTITY_SERVER_THUMBPRINT: 't' }, /IDENTITY_ENDPOINT is not a URL/],
  ])('%s is a ManagedIdentityError naming the variable', (_, source, env, message) => {
    expect(left(build(source, env))).toMatchObject({ kind: 'ManagedIdentityError', source, message: expect.stringMatching(message) })
  })
})

describe('resources', () => {
  it.each([
    ['https://vault.azure.net', 'https://vault.azure.net'],
    ['https://vault.azure.net/.default', 'https://vault.azure.net'],
    ['https://management.core.windows.net//.default', 'https://management.core.windows.net/'],
    ['api://my-api', 'api://my-api'],
  ])('%s asks for %s', (resource, expected) => {
    expect(right(resourceOf({ resource }))).toBe(expected)
  })

  it.each([
    ['no resource', {}, 'resource'],
    ['an empty resource', { resource: '' }, 'resource'],
    ['white space', { resource: 'https://a https://b' }, 'resource'],
    ['just /.default', { resource: '/.default' }, 'resource'],
    ['a claims challenge that is not a string', { resource: 'R', claimsChallenge: {} }, 'claimsChallenge'],
    ['no options', undefined, 'options'],
  ])('%s is a UsageError naming the argument', (_, options, argument) => {
    expect(left(resourceOf(options))).toMatchObject({ kind: 'UsageError', argument })
  })
})

describe('each source\'s answer', () => {
  const ctx = { url: 'http://localhost/token', nowMs: NOW_SEC * 1000 }
  const token = (source: ManagedIdentitySource, answer: HttpResponse) => right(processManagedIdentityResponse(source, answer, ctx)).token
  const failure = (source: ManagedIdentitySource, answer: HttpResponse): MsalError => left(processManagedIdentityResponse(source, answer, ctx))

  it.each<[string, ManagedIdentitySource, Record<string, unknown>, number, number | undefined]>([
    ['IMDS: expires_in as a string (test_happy_path_of_vm)', 'DEFAULT_TO_VM', { access_token: 'AT', expires_in: '7890', resource: 'R' }, 7890, 3945],
    ['App Service: expires_on as a string (test_happy_path)', 'APP_SERVICE', { access_token: 'AT', expires_on: String(NOW_SEC + 1234), resource: 'R' }, 1234, undefined],
    ['App Service: expires_on as a number', 'APP_SERVICE', { access_token: 'AT', expires_on: NOW_SEC + 9000 }, 9000, 4500],
    ['App Service: ISO 8601', 'APP_SERVICE', { access_token: 'AT', expires_on: '2026-01-01T02:00:00Z' }, 7200, 3600],
    ['App Service: its 2017 24-hour format', 'APP_SERVICE', { access_token: 'AT', expires_on: '01/01/2026 01:00:00 +00:00' }, 3600, undefined],
    ['App Service: its 2017 12-hour format', 'APP_SERVICE', { access_token: 'AT', expires_on: '1/1/2026 1:00:00 PM +00:00' }, 46_800, 23_400],
    ['Service Fabric: expires_on a number', 'SERVICE_FABRIC', { token_type: 'Bearer', access_token: 'AT', expires_on: NOW_SEC + 600 }, 600, undefined],
    ['Azure Arc: expires_in', 'AZURE_ARC', { access_token: 'AT', expires_in: 7200 }, 7200, 3600],
    ['the source\'s refresh_in wins', 'DEFAULT_TO_VM', { access_token: 'AT', expires_in: 8000, refresh_in: 100 }, 8000, 100],
    ['a refresh_in beyond the lifetime is not taken', 'DEFAULT_TO_VM', { access_token: 'AT', expires_in: 8000, refresh_in: 9000 }, 8000, 4000],
    ['a negative refresh_in is not taken', 'DEFAULT_TO_VM', { access_token: 'AT', expires_in: 600, refresh_in: -1 }, 600, undefined],
    ['a token already expired is kept for no time', 'APP_SERVICE', { access_token: 'AT', expires_on: NOW_SEC - 10 }, 0, undefined],
  ])('%s', (_, source, body, expiresIn, refreshIn) => {
    const normalised = token(source, response(200, body))
    expect(normalised).toMatchObject({ access_token: 'AT', token_type: 'Bearer', expires_in: expiresIn })
    expect(normalised.refresh_in).toBe(refreshIn)
  })

  it('refresh_in is half the lifetime from 7200 s on (MSAL Python\'s >=, not MSAL for Node\'s >)', () => {
    expect(token('DEFAULT_TO_VM', response(200, { access_token: 'AT', expires_in: 7199 })).refresh_in).toBeUndefined()
    expect(token('DEFAULT_TO_VM', response(200, { access_token: 'AT', expires_in: 7200 })).refresh_in).toBe(3600)
  })

  it.each<[string, ManagedIdentitySource, HttpResponse, Record<string, unknown>]>([
    ['IMDS returns its error as it is (test_vm_error_should_be_returned_as_is)', 'DEFAULT_TO_VM', response(400, { error: 'invalid_resource', error_description: 'AADSTS500011 not found' }), { kind: 'ServerError', status: 400, error: 'invalid_resource', errorDescription: 'AADSTS500011 not found' }],
    ['App Service is normalised (test_app_service_error_should_be_normalized)', 'APP_SERVICE', response(500, { statusCode: 500, message: 'error content is undefined' }), { kind: 'ServerError', error: 'invalid_scope', errorDescription: '500, error content is undefined' }],
    ['App Service\'s OAuth2 error stays one', 'APP_SERVICE', response(400, { error: 'invalid_request', error_description: 'bad' }), { kind: 'ServerError', error: 'invalid_request', errorDescription: 'bad' }],
    // MSAL Python's description is the payload's repr; ours is its JSON.
    ['Machine Learning is normalised (test_machine_learning_error_should_be_normalized)', 'MACHINE_LEARNING', response(400, { error: 'placeholder', message: 'placeholder' }), { kind: 'ServerError', error: 'invalid_scope', errorDescription: '{"error":"placeholder","message":"placeholder"}' }],
    ['Service Fabric maps its codes (test_sf_error_should_be_normalized)', 'SERVICE_FABRIC', response(404, { error: { correlationId: 'corr-1', code: 'SecretHeaderNotFound', message: 'Secret is not found in the request headers.' } }), { kind: 'ServerError', error: 'unauthorized_client', errorDescription: 'SecretHeaderNotFound: Secret is not found in the request headers.', correlationId: 'corr-1' }],
    ['Service Fabric: ManagedIdentityNotFound', 'SERVICE_FABRIC', response(404, { error: { code: 'ManagedIdentityNotFound', message: 'm' } }), { error: 'invalid_client' }],
    ['Service Fabric: ArgumentNullOrEmpty', 'SERVICE_FABRIC', response(400, { error: { code: 'ArgumentNullOrEmpty', message: 'm' } }), { error: 'invalid_scope' }],
    ['Service Fabric: any other code', 'SERVICE_FABRIC', response(400, { error: { code: 'Whatever', message: 'm' } }), { error: 'invalid_request' }],
    ['Azure Arc is normalised, JSON or not (test_arc_error_should_be_normalized)', 'AZURE_ARC', response(400, 'undefined'), { kind: 'ServerError', error: 'invalid_request', errorDescription: 'undefined' }],
    ['Cloud Shell\'s error object', 'CLOUD_SHELL', response(400, { error: { code: 'AudienceNotSupported', message: 'no' } }), { error: 'AudienceNotSupported', errorDescription: 'no' }],
    ['a 429 is a ThrottledError (5 s without Retry-After)', 'APP_SERVICE', response(429, { statusCode: 429, message: 'slow down' }), { kind: 'ThrottledError', status: 429, retryAfterMs: 5000, error: 'invalid_scope' }],
    ['a 503 with Retry-After is a ThrottledError', 'DEFAULT_TO_VM', response(503, { error: 'temporarily_unavailable' }, { 'retry-after': '7' }), { kind: 'ThrottledError', retryAfterMs: 7000, error: 'temporarily_unavailable' }],
    ['an HTML page is an InvalidResponseError', 'DEFAULT_TO_VM', response(502, '<html>Bad gateway</html>', { 'content-type': 'text/html' }), { kind: 'InvalidResponseError', status: 502, bodyExcerpt: '<html>Bad gateway</html>' }],
    ['a 200 without a token is an InvalidResponseError', 'APP_SERVICE', response(200, { hello: 'world' }), { kind: 'InvalidResponseError', status: 200 }],
    ['a token without expiry is an InvalidResponseError', 'APP_SERVICE', response(200, { access_token: 'AT' }), { kind: 'InvalidResponseError', message: expect.stringMatching(/neither expires_in nor expires_on/) }],
    ['a lifetime of a century is an InvalidResponseError', 'DEFAULT_TO_VM', response(200, { access_token: 'AT', expires_in: '3153600000' }), { kind: 'InvalidResponseError', message: expect.stringMatching(/is not a token's/) }],
    ['an unreadable expires_on is an InvalidResponseError', 'APP_SERVICE', response(200, { access_token: 'AT', expires_on: 'tomorrow' }), { kind: 'InvalidResponseError', message: expect.stringMatching(/expires_on is not a time/) }],
  ])('%s', (_, source, answer, expected) => {
    expect(failure(source, answer)).toMatchObject(expected)
  })
})

describe('expires_on formats', () => {
  it.each<[unknown, number | undefined]>([
    [1_767_225_600, 1_767_225_600],
    ['1767225600', 1_767_225_600],
    ['1767225600.5', 1_767_225_600],
    ['2026-01-01T00:00:00Z', 1_767_225_600],
    ['2026-01-01T00:00:00.123Z', 1_767_225_600],
    ['2026-01-01T01:00:00+01:00', 1_767_225_600],
    ['2025-12-31T19:00:00-0500', 1_767_225_600],
    ['01/01/2026 00:00:00 +00:00', 1_767_225_600],
    ['1/1/2026 12:00:00 AM +00:00', 1_767_225_600],
    ['1/1/2026 12:30:00 PM +00:00', 1_767_225_600 + 45_000],
    ['06/20/2019 02:57:58 +00:00', 1_560_999_478],
    ['1/16/2020 5:24:12 AM +00:00', 1_579_152_252],
    ['2026-01-01T00:00:00', undefined],
    ['13/01/2026 00:00:00 +00:00', undefined],
    ['1/1/2026 13:00:00 PM +00:00', undefined],
    ['soon', undefined],
    [-5, undefined],
    [null, undefined],
  ])('%j is %j', (value, expected) => {
    expect(parseExpiresOn(value)).toBe(expected)
  })
})

describe('Azure Arc\'s challenge and key file, decided before anything is read', () => {
  const challenge = (header: string | undefined) => arcChallengePath(response(401, '', header === undefined ? {} : { 'www-authenticate': header }))

  it.each<[string | undefined, string | undefined]>([
    ['Basic realm=/var/opt/azcmagent/tokens/foo.key', '/var/opt/azcmagent/tokens/foo.key'],
    ['basic REALM = /var/opt/azcmagent/tokens/foo.key ', '/var/opt/azcmagent/tokens/foo.key'],
    ['Basic realm="C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\foo.key"', 'C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\foo.key'],
    ['Bearer realm=x', undefined],
    ['Basic realm=', undefined],
    [undefined, undefined],
  ])('WWW-Authenticate %j names %j', (header, expected) => {
    expect(challenge(header)).toBe(expected)
  })

  it.each<[string, string, SourceEnvironment, string]>([
    ['linux', '/var/opt/azcmagent/tokens/foo.key', {}, '/var/opt/azcmagent/tokens/foo.key'],
    ['win32', 'C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\foo.key', { ProgramData: 'C:\\ProgramData' }, 'C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\foo.key'],
    ['win32', 'c:\\programdata\\azureconnectedmachineagent\\tokens\\foo.KEY', { ProgramData: 'C:\\ProgramData\\' }, 'C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\foo.KEY'],
  ])('on %s, %s is read as %s', (platform, realm, env, expected) => {
    expect(right(arcKeyFilePath(platform, env, realm))).toBe(expected)
  })

  it.each<[string, string, string, SourceEnvironment, Record<string, unknown>]>([
    ['a file outside the folder', 'linux', '/etc/shadow.key', {}, { kind: 'ManagedIdentityError', message: expect.stringMatching(/outside the agent's token folder/) }],
    ['a climb out of the folder', 'linux', '/var/opt/azcmagent/tokens/../../../etc/x.key', {}, { kind: 'ManagedIdentityError', message: expect.stringMatching(/outside/) }],
    ['a subfolder', 'linux', '/var/opt/azcmagent/tokens/sub/x.key', {}, { kind: 'ManagedIdentityError', message: expect.stringMatching(/outside/) }],
    ['a relative path', 'linux', 'foo.key', {}, { kind: 'ManagedIdentityError', message: expect.stringMatching(/outside/) }],
    ['the basename alone (MSAL Python would rebuild the path)', 'linux', '/tmp/foo.key', {}, { kind: 'ManagedIdentityError', message: expect.stringMatching(/outside/) }],
    ['not a .key file', 'linux', '/var/opt/azcmagent/tokens/foo.txt', {}, { kind: 'ManagedIdentityError', message: expect.stringMatching(/not a \.key file/) }],
    ['.KEY on Linux', 'linux', '/var/opt/azcmagent/tokens/foo.KEY', {}, { kind: 'ManagedIdentityError', message: expect.stringMatching(/not a \.key file/) }],
    ['just .key', 'linux', '/var/opt/azcmagent/tokens/.key', {}, { kind: 'ManagedIdentityError', message: expect.stringMatching(/not a \.key file/) }],
    ['another drive on Windows', 'win32', 'D:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\foo.key', { ProgramData: 'C:\\ProgramData' }, { message: expect.stringMatching(/outside/) }],
    ['a Windows path with /', 'win32', 'C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens/../x.key', { ProgramData: 'C:\\ProgramData' }, { message: expect.stringMatching(/outside/) }],
    ['Windows without ProgramData', 'win32', 'C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\foo.key', {}, { message: expect.stringMatching(/ProgramData is not set/) }],
    ['macOS', 'darwin', '/var/opt/azcmagent/tokens/foo.key', {}, { kind: 'ArcPlatformNotSupportedError', platform: 'darwin', source: 'AZURE_ARC', message: expect.stringMatching(/platform darwin was undefined and unsupported/) }],
  ])('%s is refused', (_, platform, realm, env, expected) => {
    expect(left(arcKeyFilePath(platform, env, realm))).toMatchObject(expected)
  })

  it('the file: too large or unreadable is refused; its content (a trailing newline trimmed) is the credential', () => {
    expect(left(arcSecretOf('/k.key', { _tag: 'FileTooLarge', sizeBytes: 4097 }))).toMatchObject({ kind: 'ManagedIdentityError', message: expect.stringMatching(/shall not be larger than 4KB.*4097 bytes/) })
    expect(left(arcSecretOf('/k.key', { _tag: 'FileUnavailable', reason: 'ENOENT' }))).toMatchObject({ message: expect.stringMatching(/cannot be read \(ENOENT\)/) })
    expect(left(arcSecretOf('/k.key', { _tag: 'FileContent', text: 'a\nb' }))).toMatchObject({ message: expect.stringMatching(/does not hold a key/) })
    expect(right(arcSecretOf('/k.key', { _tag: 'FileContent', text: 'secret\n' }))).toBe('secret')
  })

  it('a user-assigned answer must echo the id asked for, case-insensitively', () => {
    expect(E.isRight(confirmArcIdentity(SYSTEM, {}))).toBe(true)
    expect(E.isRight(confirmArcIdentity(CLIENT_ID, { client_id: 'C-1' }))).toBe(true)
    expect(E.isRight(confirmArcIdentity(RESOURCE_ID, { mi_res_id: '/SUBSCRIPTIONS/S/R' }))).toBe(true)
    expect(left(confirmArcIdentity(CLIENT_ID, {}))).toMatchObject({ kind: 'ManagedIdentityError', message: expect.stringMatching(/did not confirm/) })
    expect(left(confirmArcIdentity(OBJECT_ID, { object_id: 'someone-else' }))).toMatchObject({ kind: 'ManagedIdentityError' })
  })
})

describe('retry tables', () => {
  const answer = (status: number): HttpResponse => response(status, '{}')
  /** The waits a policy gives a request whose every attempt fails with `statuses` (the last one repeating). */
  const waits = (policy: typeof IMDS_RETRY_POLICY, statuses: number[], retryAfterMs?: number): number[] => {
    const result: number[] = []
    for (let retries = 0; ; retries++) {
      const status = statuses[Math.min(retries, statuses.length - 1)]!
      const delay = retryDelayMs(policy, answer(status), retries, statuses[0]!, retryAfterMs)
      if (delay === undefined) return result
      result.push(delay)
    }
  }

  it.each<[string, typeof IMDS_RETRY_POLICY, number[], number | undefined, number[]]>([
    ['IMDS 410: 7 retries, 10 s apart', IMDS_RETRY_POLICY, [410], undefined, [10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000]],
    ['IMDS 500: 1, 2, 4 s', IMDS_RETRY_POLICY, [500], undefined, [1000, 2000, 4000]],
    ['IMDS 404, 408, 429, 599 too', IMDS_RETRY_POLICY, [404], undefined, [1000, 2000, 4000]],
    ['IMDS ignores Retry-After', IMDS_RETRY_POLICY, [429], 30_000, [1000, 2000, 4000]],
    ['IMDS: the first failure fixes the budget (410 then 500s: 7 retries, backing off)', IMDS_RETRY_POLICY, [410, 500], undefined, [10_000, 2000, 4000, 4000, 4000, 4000, 4000]],
    ['IMDS 400: none', IMDS_RETRY_POLICY, [400], undefined, []],
    ['IMDS 401, 403: none', IMDS_RETRY_POLICY, [403], undefined, []],
    ['others 503: 3 retries, 1 s apart', DEFAULT_RETRY_POLICY, [503], undefined, [1000, 1000, 1000]],
    ['others honour a longer Retry-After', DEFAULT_RETRY_POLICY, [429], 3000, [3000, 3000, 3000]],
    ['others: never under 1 s', DEFAULT_RETRY_POLICY, [429], 0, [1000, 1000, 1000]],
    ['others 502: none (not in their list)', DEFAULT_RETRY_POLICY, [502], undefined, []],
    ['others 410: none', DEFAULT_RETRY_POLICY, [410], undefined, []],
    ['retries off', NO_RETRY_POLICY, [503], undefined, []],
  ])('%s', (_, policy, statuses, retryAfterMs, expected) => {
    expect(waits(policy, statuses, retryAfterMs)).toEqual(expected)
  })
})

describe('Cloud Shell', () => {
  it.each([
    ['https://management.core.windows.net//.default', 'https://management.core.windows.net'],
    ['https://graph.microsoft.com/User.Read', 'https://graph.microsoft.com'],
    ['https://analysis.windows.net/powerbi/api/Dataset.Read.All', 'https://analysis.windows.net/powerbi/api'],
    ['https://pas.windows.net/CheckMyAccess/Linux/.default', 'https://pas.windows.net/CheckMyAccess/Linux/.default'],
    ['User.Read', 'User.Read'],
  ])('the scope %s asks for %s', (scope, resource) => {
    expect(scopeToResource(scope)).toBe(resource)
  })

  it('asks for the scopes\' resources in one POST', () => {
    expect(buildCloudShellRequest(['https://management.core.windows.net//.default', 'https://graph.microsoft.com/User.Read'])).toEqual({
      method: 'POST',
      url: 'http://localhost:50342/oauth2/token',
      headers: { Metadata: 'true' },
      form: { resource: 'https://management.core.windows.net https://graph.microsoft.com' },
    })
  })

  const jwt = (claims: object) => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`

  it('derives the account from a JWT\'s claims, as MSAL Python does', () => {
    const at = jwt({ oid: 'oid-1', tid: 'tid-1', iss: 'https://sts/tid-1/', sub: 'sub-1', exp: NOW_SEC + 100, iat: NOW_SEC, unique_name: 'alice@contoso.com' })
    const tokens = right(processCloudShellResponse(response(200, { access_token: at, expires_in: '3599', token_type: 'Bearer', refresh_token: '' }), 'app', NOW_SEC))
    expect(tokens.clientInfo).toEqual({ uid: 'oid-1', utid: 'tid-1' })
    expect(tokens.idTokenClaims).toEqual({ iss: 'https://sts/tid-1/', sub: 'sub-1', aud: 'app', exp: NOW_SEC + 100, iat: NOW_SEC, preferred_username: 'alice@contoso.com', tid: 'tid-1' })
    expect(tokens.response).toEqual({ access_token: at, expires_in: 3599, token_type: 'Bearer', client_info: Buffer.from(JSON.stringify({ uid: 'oid-1', utid: 'tid-1' })).toString('base64') })
  })

  it('an opaque token (an SSH certificate) gets MSAL Python\'s defaults', () => {
    const tokens = right(processCloudShellResponse(response(200, { access_token: 'AAAAopaque', expires_in: 60, refresh_token: 'RT' }), 'app', NOW_SEC))
    expect(tokens.clientInfo).toEqual({ uid: 'user', utid: 'cloudshell' })
    expect(tokens.idTokenClaims).toMatchObject({ iss: 'cloudshell', sub: 'user', preferred_username: 'currentuser@cloudshell', exp: NOW_SEC + 3600, tid: 'cloudshell' })
    expect(tokens.response.refresh_token).toBe('RT')
  })

  it.each<[string, HttpResponse, Record<string, unknown>]>([
    ['its error object', response(400, { error: { code: 'AudienceNotSupported', message: 'Audience x is not supported' } }), { kind: 'ServerError', error: 'AudienceNotSupported', errorDescription: 'Audience x is not supported' }],
    ['another token type', response(200, { access_token: 'x', expires_in: 1, token_type: 'pop' }), { kind: 'ServerError', error: 'broker_error', errorDescription: expect.stringMatching(/token_type pop is not supported/) }],
    ['no expires_in', response(200, { access_token: 'x' }), { kind: 'InvalidResponseError' }],
    ['not JSON', response(502, 'Bad gateway'), { kind: 'InvalidResponseError', status: 502 }],
  ])('%s is an MsalError', (_, answer, expected) => {
    expect(left(processCloudShellResponse(answer, 'app', NOW_SEC))).toMatchObject(expected)
  })
})
