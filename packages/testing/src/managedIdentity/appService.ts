import { randomBytes } from 'node:crypto'
import type { IdpAnswer, IdpRequest } from '../fakeIdp/types.js'
import { json, ManagedIdentityEmulation, namedId, type ManagedIdentityEmulationOptions } from './emulation.js'

/** How App Service writes `expires_on`: epoch seconds as a string (2019-08-01), a number, ISO 8601, or its 2017 date format. */
export type ExpiresOnFormat = 'epoch-string' | 'epoch-number' | 'iso8601' | 'app-service-2017'

const two = (n: number): string => String(n).padStart(2, '0')

/** An epoch time in one of App Service's formats. */
export const formatExpiresOn = (epochSeconds: number, format: ExpiresOnFormat): string | number => {
  const date = new Date(epochSeconds * 1000)
  switch (format) {
    case 'epoch-string':
      return String(epochSeconds)
    case 'epoch-number':
      return epochSeconds
    case 'iso8601':
      return date.toISOString().replace('.000Z', 'Z')
    case 'app-service-2017': {
      // "1/16/2020 5:24:12 AM +00:00": month first, 12-hour clock.
      const hours = date.getUTCHours()
      return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()} ${hours % 12 === 0 ? 12 : hours % 12}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'} +00:00`
    }
  }
}

export interface AppServiceEmulationOptions extends ManagedIdentityEmulationOptions {
  /** The secret the platform puts in IDENTITY_HEADER. Default: random. */
  readonly identityHeader?: string
  /** How `expires_on` is written. Default 'epoch-string' (the 2019-08-01 protocol). */
  readonly expiresOnFormat?: ExpiresOnFormat
}

const appServiceError = (status: number, message: string): IdpAnswer => json(status, { statusCode: status, message, correlationId: randomBytes(16).toString('hex') })

/**
 * App Service's (and Azure Functions' and Azure Automation's) identity endpoint, api-version
 * 2019-08-01: GET IDENTITY_ENDPOINT with `X-IDENTITY-HEADER: IDENTITY_HEADER`, `resource`, and one
 * of `client_id`, `mi_res_id`, `object_id`. Success carries `expires_on`; errors are
 * `{"statusCode", "message"}`. `env` sets IDENTITY_ENDPOINT and IDENTITY_HEADER.
 */
export class AppServiceEmulation extends ManagedIdentityEmulation {
  readonly source = 'APP_SERVICE'
  protected readonly defaultOrigin = 'http://127.0.0.1:41741'
  protected readonly defaultLifetimeSeconds = 86_399
  /** IDENTITY_HEADER's value: the secret every request must carry. */
  readonly identityHeader: string
  private readonly expiresOnFormat: ExpiresOnFormat

  constructor(options: AppServiceEmulationOptions = {}) {
    super(options)
    this.identityHeader = options.identityHeader ?? randomBytes(24).toString('hex')
    this.expiresOnFormat = options.expiresOnFormat ?? 'epoch-string'
  }

  get env(): Record<string, string> {
    return { IDENTITY_ENDPOINT: `${this.origin}/msi/token`, IDENTITY_HEADER: this.identityHeader }
  }

  protected answer(request: IdpRequest, query: Readonly<Record<string, string>>): IdpAnswer {
    if (request.url.pathname !== '/msi/token') return appServiceError(404, `no such path: ${request.url.pathname}`)
    if (request.method !== 'GET') return appServiceError(405, 'The request method is not supported')
    if (request.headers['x-identity-header'] !== this.identityHeader) return appServiceError(401, 'The X-IDENTITY-HEADER header is missing or wrong.')
    if (query['api-version'] !== '2019-08-01') return appServiceError(400, `Invalid api-version: ${query['api-version'] ?? '(none)'}`)
    const resource = query['resource']
    if (resource === undefined || resource === '') return appServiceError(400, "The 'resource' parameter is required.")
    if (query['msi_res_id'] !== undefined) return appServiceError(400, "Unknown parameter 'msi_res_id': App Service names a resource id mi_res_id.")
    const named = namedId(query, { client_id: 'clientId', mi_res_id: 'resourceId', object_id: 'objectId', principal_id: 'objectId' })
    if (named.problem !== undefined) return appServiceError(400, named.problem)
    const identity = this.identityNamed(named.kind, named.id)
    if (identity === undefined) return appServiceError(400, 'Unable to load the proper Managed Identity.')
    const token = this.issue(identity, resource)
    return json(200, {
      access_token: token.accessToken,
      expires_on: formatExpiresOn(token.expiresOn, this.expiresOnFormat),
      resource,
      token_type: 'Bearer',
      client_id: identity.clientId,
    })
  }
}
