import { randomUUID } from 'node:crypto'
import type { IdpAnswer, IdpRequest } from '../fakeIdp/types.js'
import { json, ManagedIdentityEmulation, type ManagedIdentityEmulationOptions } from './emulation.js'

/** The user signed in to the emulated Cloud Shell. */
export interface CloudShellUser {
  /** The sign-in name, the token's preferred_username and unique_name. */
  readonly username: string
  /** The user's object id, the token's oid claim. */
  readonly objectId: string
  /** The user's tenant id, the token's tid claim. */
  readonly tenantId: string
}

export interface CloudShellEmulationOptions extends ManagedIdentityEmulationOptions {
  /** Who is signed in. Default: a generated user. */
  readonly user?: Partial<CloudShellUser>
  /** Resources Cloud Shell gives tokens for; others get AudienceNotSupported. Default: any http(s) URI. */
  readonly supportedResources?: readonly string[]
  /** Hand out a (useless) refresh token too, as some Cloud Shell versions did. Default: an empty one. */
  readonly withRefreshToken?: boolean
}

const cloudShellError = (status: number, code: string, message: string): IdpAnswer => json(status, { error: { code, message } })

/**
 * Azure Cloud Shell's token endpoint, http://localhost:50342/oauth2/token: a POST with
 * `Metadata: true` and the form field `resource` (MSAL Python's PublicClientApplication sends the
 * resources its scopes name, space-separated; MSAL for Node's managed identity sends one). It
 * answers with the signed-in user's token (a JWT with oid, tid, preferred_username) and
 * `{"error": {"code", "message"}}` errors. `env` sets AZUREPS_HOST_ENVIRONMENT (cloud-shell/1.0)
 * and MSI_ENDPOINT. The endpoint is fixed in MSAL Python's code: reach a listening emulation
 * there with `tunnelFetch`, or in process with `fetch`.
 */
export class CloudShellEmulation extends ManagedIdentityEmulation {
  readonly source = 'CLOUD_SHELL'
  protected readonly defaultOrigin = 'http://localhost:50342'
  protected readonly defaultLifetimeSeconds = 3_599
  readonly user: CloudShellUser
  private readonly supported: readonly string[] | undefined
  private readonly withRefreshToken: boolean

  constructor(options: CloudShellEmulationOptions = {}) {
    super(options)
    const tenantId = options.user?.tenantId ?? this.tenantId
    this.user = { username: options.user?.username ?? 'alice@contoso.onmicrosoft.com', objectId: options.user?.objectId ?? randomUUID(), tenantId }
    this.supported = options.supportedResources
    this.withRefreshToken = options.withRefreshToken ?? false
  }

  get env(): Record<string, string> {
    return { AZUREPS_HOST_ENVIRONMENT: 'cloud-shell/1.0', MSI_ENDPOINT: `${this.origin}/oauth2/token` }
  }

  protected answer(request: IdpRequest): IdpAnswer {
    if (request.url.pathname !== '/oauth2/token') return cloudShellError(404, 'NotFound', `no such path: ${request.url.pathname}`)
    if (request.method !== 'POST') return cloudShellError(405, 'MethodNotAllowed', 'Use POST.')
    if (request.headers['metadata'] !== 'true') return cloudShellError(400, 'BadRequest', 'Required metadata header not specified')
    const resources = (request.form['resource'] ?? '').split(' ').filter((resource) => resource !== '')
    if (resources.length === 0) return cloudShellError(400, 'BadRequest', 'The resource parameter is required.')
    const unsupported = resources.find((resource) => (this.supported === undefined ? !/^https?:\/\//i.test(resource) : !this.supported.includes(resource)))
    if (unsupported !== undefined) return cloudShellError(400, 'AudienceNotSupported', `Audience ${unsupported} is not a supported MSI token audience.`)
    const resource = resources[0]!
    const identity = { clientId: 'b677c290-cf4b-4a8e-a60e-91ba650a4abe', objectId: this.user.objectId, resourceId: '' }
    const token = this.issue(identity, resource, {
      iss: `https://sts.windows.net/${this.user.tenantId}/`,
      tid: this.user.tenantId,
      oid: this.user.objectId,
      sub: `sub-${this.user.objectId}`,
      idtyp: 'user',
      preferred_username: this.user.username,
      unique_name: this.user.username,
      appid: identity.clientId,
      xms_mirid: undefined,
    })
    return json(200, {
      access_token: token.accessToken,
      refresh_token: this.withRefreshToken ? `cloud-shell-rt-${randomUUID()}` : '',
      expires_in: String(token.expiresIn),
      expires_on: String(token.expiresOn),
      not_before: String(token.notBefore),
      resource,
      token_type: 'Bearer',
    })
  }
}
