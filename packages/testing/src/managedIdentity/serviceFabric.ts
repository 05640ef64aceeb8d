import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { IdpAnswer, IdpRequest } from '../fakeIdp/types.js'
import { json, ManagedIdentityEmulation, type ManagedIdentityEmulationOptions } from './emulation.js'

export interface ServiceFabricEmulationOptions extends ManagedIdentityEmulationOptions {
  /** IDENTITY_HEADER's value. Default: random. */
  readonly identityHeader?: string
}

const sfError = (status: number, code: string, message: string): IdpAnswer => json(status, { error: { correlationId: randomUUID(), code, message } })

/** What a request told Service Fabric about token revocation and capabilities. */
export interface RevocationSeen {
  /** `token_sha256_to_refresh`: the hex SHA-256 of the token the client wants replaced. */
  readonly tokenSha256ToRefresh: string | undefined
  /** `xms_cc`: the client's capabilities, comma-separated. */
  readonly clientCapabilities: string | undefined
}

/**
 * Service Fabric's managed identity token service, api-version 2019-07-01-preview: GET
 * IDENTITY_ENDPOINT with `Secret: IDENTITY_HEADER` and `resource` (plus `token_sha256_to_refresh`
 * and `xms_cc` when a claims challenge revokes a token). An application has the identity its
 * cluster assigned: id parameters are ignored. Errors are `{"error": {"code", "message",
 * "correlationId"}}`. `env` sets IDENTITY_ENDPOINT, IDENTITY_HEADER and IDENTITY_SERVER_THUMBPRINT.
 */
export class ServiceFabricEmulation extends ManagedIdentityEmulation {
  readonly source = 'SERVICE_FABRIC'
  protected readonly defaultOrigin = 'https://10.0.0.4:2377'
  protected readonly defaultLifetimeSeconds = 86_399
  readonly identityHeader: string
  /** The (self-signed) server certificate's thumbprint the cluster publishes. */
  readonly serverThumbprint = createHash('sha1').update('emulated service fabric').digest('hex').toUpperCase()

  constructor(options: ServiceFabricEmulationOptions = {}) {
    super(options)
    this.identityHeader = options.identityHeader ?? randomBytes(24).toString('hex')
  }

  get env(): Record<string, string> {
    return { IDENTITY_ENDPOINT: `${this.origin}/metadata/identity/oauth2/token`, IDENTITY_HEADER: this.identityHeader, IDENTITY_SERVER_THUMBPRINT: this.serverThumbprint }
  }

  /** What each request said about revocation and capabilities, oldest first. */
  get revocations(): readonly RevocationSeen[] {
    return this.requests.map((request) => ({ tokenSha256ToRefresh: request.query['token_sha256_to_refresh'], clientCapabilities: request.query['xms_cc'] }))
  }

  protected answer(request: IdpRequest, query: Readonly<Record<string, string>>): IdpAnswer {
    if (request.url.pathname !== '/metadata/identity/oauth2/token') return sfError(404, 'NotFound', `no such path: ${request.url.pathname}`)
    if (request.method !== 'GET') return sfError(405, 'MethodNotAllowed', 'The request method is not supported')
    if (request.headers['secret'] === undefined) return sfError(401, 'SecretHeaderNotFound', 'Secret is not found in the request headers.')
    if (request.headers['secret'] !== this.identityHeader) return sfError(401, 'SecretHeaderNotFound', 'The secret in the request headers is wrong.')
    if (query['api-version'] !== '2019-07-01-preview') return sfError(400, 'InvalidApiVersion', `Invalid api-version: ${query['api-version'] ?? '(none)'}`)
    const resource = query['resource']
    if (resource === undefined || resource === '') return sfError(400, 'ArgumentNullOrEmpty', 'Value cannot be null or empty. Parameter name: resource')
    const identity = this.systemAssigned ?? this.userAssigned[0]
    if (identity === undefined) return sfError(404, 'ManagedIdentityNotFound', 'No managed identity is assigned to this application.')
    const token = this.issue(identity, resource)
    return json(200, { token_type: 'Bearer', access_token: token.accessToken, expires_on: token.expiresOn, resource })
  }
}
