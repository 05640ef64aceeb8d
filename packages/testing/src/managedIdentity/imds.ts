import type { IdpAnswer, IdpRequest } from '../fakeIdp/types.js'
import { json, ManagedIdentityEmulation, namedId, type ManagedIdentityEmulationOptions } from './emulation.js'

export const IMDS_TOKEN_PATH = '/metadata/identity/oauth2/token'

const imdsError = (status: number, error: string, description: string): IdpAnswer => json(status, { error, error_description: description })

/**
 * A VM's instance metadata service (IMDS), api-version 2018-02-01: GET
 * /metadata/identity/oauth2/token with `Metadata: true`, `resource`, and one of `client_id`,
 * `object_id`, `msi_res_id` for a user-assigned identity. Answers as IMDS does: every number a
 * string; OAuth2 errors. Not listening, it is "at" http://169.254.169.254 and `env` is empty;
 * listening, `env` points AZURE_POD_IDENTITY_AUTHORITY_HOST at it.
 */
export class ImdsEmulation extends ManagedIdentityEmulation {
  readonly source = 'DEFAULT_TO_VM'
  protected readonly defaultOrigin = 'http://169.254.169.254'
  protected readonly defaultLifetimeSeconds = 86_399

  constructor(options: ManagedIdentityEmulationOptions = {}) {
    super(options)
  }

  get env(): Record<string, string> {
    return this.origin === this.defaultOrigin ? {} : { AZURE_POD_IDENTITY_AUTHORITY_HOST: this.origin }
  }

  protected answer(request: IdpRequest, query: Readonly<Record<string, string>>): IdpAnswer {
    if (request.url.pathname !== IMDS_TOKEN_PATH) return imdsError(404, 'not_found', `no such path: ${request.url.pathname}`)
    if (request.method !== 'GET') return imdsError(405, 'invalid_request', 'The request method is not supported')
    if (request.headers['metadata'] !== 'true') return imdsError(400, 'invalid_request', 'Required metadata header not specified')
    if (query['api-version'] === undefined) return imdsError(400, 'invalid_request', "Required query variable 'api-version' is missing")
    if (query['api-version'] !== '2018-02-01') return imdsError(400, 'invalid_request', `Invalid api-version ${query['api-version']}`)
    // Other sources' names for an id would be ignored by IMDS, which would then answer for another identity.
    const misnamed = ['mi_res_id', 'clientid', 'principal_id'].filter((name) => query[name] !== undefined)
    if (misnamed.length > 0) return imdsError(400, 'invalid_request', `Unsupported query parameters: ${misnamed.join(', ')} (IMDS names ids client_id, object_id, msi_res_id)`)
    const resource = query['resource']
    if (resource === undefined || resource === '') return imdsError(400, 'invalid_request', "Required query variable 'resource' is missing")
    const named = namedId(query, { client_id: 'clientId', object_id: 'objectId', msi_res_id: 'resourceId' })
    if (named.problem !== undefined) return imdsError(400, 'invalid_request', named.problem)
    const identity = this.identityNamed(named.kind, named.id)
    if (identity === undefined) return imdsError(400, 'invalid_request', 'Identity not found')
    if (!/^[a-z][a-z0-9+.-]*:\/\/|^[0-9a-f-]{36}$/i.test(resource)) {
      return imdsError(400, 'invalid_resource', `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${this.tenantId}.`)
    }
    const token = this.issue(identity, resource)
    return json(200, {
      access_token: token.accessToken,
      client_id: identity.clientId,
      expires_in: String(token.expiresIn),
      expires_on: String(token.expiresOn),
      ext_expires_in: String(token.expiresIn),
      not_before: String(token.notBefore),
      resource,
      token_type: 'Bearer',
    })
  }
}
