/**
 * Properties of managed identity's and Cloud Shell's parsers: whatever a source, an environment
 * or a caller hands them, they answer a value or an MsalError; they never throw, and a token
 * they accept is usable (a non-empty secret, a lifetime of zero or more).
 */
import fc from 'fast-check'
import * as E from '#fp-ts/Either'
import { ManagedIdentitySource, type MsalError } from '@msal-ts/core'
import {
  arcChallengePath,
  arcKeyFilePath,
  buildManagedIdentityRequest,
  parseExpiresOn,
  parseManagedIdentity,
  processCloudShellResponse,
  processManagedIdentityResponse,
  resourceOf,
  scopeToResource,
  type SourceEnvironment,
} from '@msal-ts/core/protocol'

const SOURCES = Object.values(ManagedIdentitySource)
const KINDS = new Set<MsalError['kind']>(['ServerError', 'ThrottledError', 'InvalidResponseError'])

const body = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        access_token: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        expires_in: fc.oneof(fc.integer(), fc.string(), fc.double(), fc.constant(null)),
        expires_on: fc.oneof(fc.integer(), fc.string(), fc.double(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
        refresh_in: fc.oneof(fc.integer(), fc.string()),
        token_type: fc.oneof(fc.string(), fc.integer()),
        error: fc.oneof(fc.string(), fc.integer(), fc.record({ code: fc.oneof(fc.string(), fc.integer()), message: fc.string() }, { requiredKeys: [] })),
        statusCode: fc.oneof(fc.integer(), fc.string()),
        message: fc.string(),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
)

describe('properties: managed identity parsers never throw', () => {
  it('processManagedIdentityResponse, for any source, status, headers and body', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SOURCES), fc.integer({ min: 100, max: 599 }), fc.option(fc.string()), fc.option(fc.string()), body, (source, status, retryAfter, challenge, text) => {
        const headers: Record<string, string> = { ...(retryAfter === null ? {} : { 'retry-after': retryAfter }), ...(challenge === null ? {} : { 'www-authenticate': challenge }) }
        const response = { _tag: 'HttpResponse' as const, status, headers, body: text }
        const result = processManagedIdentityResponse(source, response, { url: 'http://localhost/t', nowMs: 1_767_225_600_000 })
        if (E.isLeft(result)) {
          expect(KINDS.has(result.left.kind)).toBe(true)
          expect(typeof result.left.message).toBe('string')
        } else {
          expect(result.right.token.access_token.length).toBeGreaterThan(0)
          expect(result.right.token.expires_in).toBeGreaterThanOrEqual(0)
          expect(result.right.token.expires_in).toBeLessThanOrEqual(10 * 365 * 86_400)
          const refreshIn = result.right.token.refresh_in
          expect(refreshIn === undefined || (refreshIn >= 0 && refreshIn <= result.right.token.expires_in!)).toBe(true)
        }
        const path = arcChallengePath(response)
        expect(path === undefined || typeof path === 'string').toBe(true)
      }),
      { numRuns: 3000 },
    )
  })

  it('parseExpiresOn: a number of seconds or undefined, for anything', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double(), fc.integer(), fc.jsonValue()), (value) => {
        const parsed = parseExpiresOn(value)
        expect(parsed === undefined || Number.isInteger(parsed)).toBe(true)
      }),
    )
  })

  it('parseManagedIdentity and resourceOf: an identity or an error naming the problem', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.record({ ManagedIdentityIdType: fc.oneof(fc.string(), fc.constantFrom('SystemAssigned', 'ClientId', 'ResourceId', 'ObjectId')), Id: fc.oneof(fc.string(), fc.constant(null), fc.integer()) }, { requiredKeys: [] }), (anything, dict) => {
        for (const value of [anything, dict]) {
          const identity = parseManagedIdentity(value)
          if (E.isLeft(identity)) expect(identity.left.kind).toBe('ManagedIdentityError')
          const resource = resourceOf(value)
          if (E.isLeft(resource)) expect(resource.left.kind).toBe('UsageError')
          else expect(resource.right.length).toBeGreaterThan(0)
        }
      }),
    )
  })

  it('arcKeyFilePath: only a .key file directly in the platform\'s folder is ever read', () => {
    fc.assert(
      fc.property(fc.constantFrom('linux', 'win32', 'darwin', ''), fc.oneof(fc.string(), fc.string().map((name) => `/var/opt/azcmagent/tokens/${name}`)), (platform, realm) => {
        const env: SourceEnvironment = { ProgramData: 'C:\\ProgramData' }
        const path = arcKeyFilePath(platform, env, realm)
        if (E.isRight(path)) {
          const folder = platform === 'linux' ? '/var/opt/azcmagent/tokens/' : 'C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\'
          expect(path.right.startsWith(folder)).toBe(true)
          const name = path.right.slice(folder.length)
          expect(/^[^\\/:]+\.key$/i.test(name)).toBe(true)
        } else {
          expect(['ManagedIdentityError', 'ArcPlatformNotSupportedError']).toContain(path.left.kind)
        }
      }),
      { numRuns: 3000 },
    )
  })

  it('buildManagedIdentityRequest, for any environment values', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SOURCES), fc.dictionary(fc.constantFrom('IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT', 'MSI_SECRET', 'AZURE_POD_IDENTITY_AUTHORITY_HOST'), fc.string()), fc.string({ minLength: 1 }), (source, env, resource) => {
        const identity = { idType: 'SystemAssigned' as const, id: undefined, cacheClientId: null }
        const built = buildManagedIdentityRequest({ source, env, arcByAgentFile: false, identity, resource, caller: { platform: { sku: 's', version: 'v', os: 'linux' }, correlationId: 'c' }, clientCapabilities: [] })
        if (E.isLeft(built)) expect(built.left.kind).toBe('ManagedIdentityError')
        else expect(['http:', 'https:']).toContain(new URL(built.right.request.url).protocol)
      }),
    )
  })

  it('Cloud Shell: any answer is tokens or an MsalError; any scope maps to a string', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), body, fc.string(), (status, text, scope) => {
        const result = processCloudShellResponse({ _tag: 'HttpResponse', status, headers: {}, body: text }, 'app', 1_767_225_600)
        if (E.isLeft(result)) expect(['ServerError', 'InvalidResponseError']).toContain(result.left.kind)
        else expect(result.right.response.access_token.length).toBeGreaterThan(0)
        expect(typeof scopeToResource(scope)).toBe('string')
      }),
    )
  })
})
