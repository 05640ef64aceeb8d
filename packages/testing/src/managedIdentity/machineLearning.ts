import { randomBytes } from 'node:crypto'
import type { IdpAnswer, IdpRequest } from '../fakeIdp/types.js'
import { json, ManagedIdentityEmulation, namedId, type ManagedIdentityEmulationOptions } from './emulation.js'

export interface MachineLearningEmulationOptions extends ManagedIdentityEmulationOptions {
  /** MSI_SECRET's value. Default: random. */
  readonly secret?: string
}

const mlError = (status: number, message: string): IdpAnswer => json(status, { error: 'invalid_request', message })

/**
 * Azure Machine Learning's identity endpoint, api-version 2017-09-01: GET MSI_ENDPOINT with a
 * `secret: MSI_SECRET` header, `resource`, and `clientid` (or `object_id`, `msi_res_id`) for a
 * user-assigned identity; `clientid` naming the system-assigned identity (as MSAL for Node sends
 * DEFAULT_IDENTITY_CLIENT_ID) is accepted too. Success carries `expires_on`. `env` sets
 * MSI_ENDPOINT, MSI_SECRET and DEFAULT_IDENTITY_CLIENT_ID.
 */
export class MachineLearningEmulation extends ManagedIdentityEmulation {
  readonly source = 'MACHINE_LEARNING'
  protected readonly defaultOrigin = 'http://127.0.0.1:46808'
  protected readonly defaultLifetimeSeconds = 3_599
  readonly secret: string

  constructor(options: MachineLearningEmulationOptions = {}) {
    super(options)
    this.secret = options.secret ?? randomBytes(24).toString('hex')
  }

  get env(): Record<string, string> {
    return {
      MSI_ENDPOINT: `${this.origin}/msi/token`,
      MSI_SECRET: this.secret,
      ...(this.systemAssigned !== null ? { DEFAULT_IDENTITY_CLIENT_ID: this.systemAssigned.clientId } : {}),
    }
  }

  protected answer(request: IdpRequest, query: Readonly<Record<string, string>>): IdpAnswer {
    if (request.url.pathname !== '/msi/token') return mlError(404, `no such path: ${request.url.pathname}`)
    if (request.method !== 'GET') return mlError(405, 'The request method is not supported')
    if (request.headers['secret'] !== this.secret) return mlError(401, 'The secret header is missing or wrong.')
    if (query['api-version'] !== '2017-09-01') return mlError(400, `Invalid api-version: ${query['api-version'] ?? '(none)'}`)
    const resource = query['resource']
    if (resource === undefined || resource === '') return mlError(400, 'resource is required')
    const named = namedId(query, { clientid: 'clientId', object_id: 'objectId', msi_res_id: 'resourceId' })
    if (named.problem !== undefined) return mlError(400, named.problem)
    const identity = this.identityNamed(named.kind, named.id)
    if (identity === undefined) return mlError(400, 'No managed identity with that id is assigned to this compute.')
    const token = this.issue(identity, resource)
    return json(200, { access_token: token.accessToken, expires_on: String(token.expiresOn), resource, token_type: 'Bearer' })
  }
}
