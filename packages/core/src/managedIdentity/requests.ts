import * as E from '../util/either.js'
import type { HttpRequest } from '../effects/effect.js'
import { type ManagedIdentityError } from '../errors.js'
import { managedIdentityError } from '../wireErrors.js'
import type { PlatformInfo } from '../http/telemetry.js'
import { redactUrl } from '../util/redact.js'
import type { ManagedIdentityId, UserAssignedIdType } from './identity.js'
import { ManagedIdentitySource, type EnvironmentVariable, type SourceEnvironment } from './sources.js'

/** IMDS's token path, after the host (the default one, or AZURE_POD_IDENTITY_AUTHORITY_HOST). */
export const IMDS_TOKEN_PATH = '/metadata/identity/oauth2/token'
export const DEFAULT_IMDS_HOST = 'http://169.254.169.254'
/** Azure Arc's agent when found by its executable. An IPv4 address, not localhost: the agent listens on IPv4 only (MSAL for Node's choice). */
export const DEFAULT_ARC_ENDPOINT = 'http://127.0.0.1:40342/metadata/identity/oauth2/token'
/** Cloud Shell's token endpoint, when MSI_ENDPOINT does not name it (the one MSAL Python's PublicClientApplication uses). */
export const CLOUD_SHELL_ENDPOINT = 'http://localhost:50342/oauth2/token'

/** What a source is sent: its protocol, as data. */
interface SourceSpec {
  readonly apiVersion?: string
  readonly method: 'GET' | 'POST'
  /** The endpoint from the environment. */
  readonly endpoint: (env: SourceEnvironment, arcByAgentFile: boolean) => E.Either<ManagedIdentityError, string>
  readonly headers: (env: SourceEnvironment, caller: Caller) => Record<string, string>
  /**
   * A user-assigned identity's query parameter, by the kind of id; `ignored`: the source serves
   * one identity and the id is not sent (Service Fabric, as MSAL Python); `refused`: the source
   * has no user-assigned identities (Cloud Shell).
   */
  readonly userAssigned: Readonly<Record<UserAssignedIdType, string>> | 'ignored' | 'refused'
  /** Whether token revocation (`token_sha256_to_refresh`) and client capabilities (`xms_cc`) go to it: Service Fabric only, as MSAL Python. */
  readonly revocation: boolean
}

/** Who is asking: sent to IMDS, which logs it. */
export interface Caller {
  /** The library's SKU and version, sent to IMDS as x-client-sku and x-client-ver. */
  readonly platform: PlatformInfo
  /** The call's correlation id (a v4 UUID), sent to IMDS as x-ms-client-request-id. */
  readonly correlationId: string
}

/** An endpoint variable's value, checked: an http or https URL (its value is in the message, redacted). */
export const endpointFrom = (name: EnvironmentVariable, value: string | undefined, source: ManagedIdentitySource): E.Either<ManagedIdentityError, string> => {
  if (value === undefined || value.trim() === '') return E.left(managedIdentityError(`the environment variable ${name} is empty; ${source} needs its endpoint URL there`, source))
  let url: URL
  try {
    url = new URL(value.trim())
  } catch {
    return E.left(managedIdentityError(`the environment variable ${name} is not a URL (${JSON.stringify(redactUrl(value.trim()))}); ${source} needs its endpoint URL there`, source))
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return E.left(managedIdentityError(`the environment variable ${name} must be an http or https URL, got a ${url.protocol} URL`, source))
  }
  return E.right(url.href)
}

const secretFrom = (name: EnvironmentVariable, env: SourceEnvironment): string => env[name] ?? ''

/** IMDS's endpoint: AZURE_POD_IDENTITY_AUTHORITY_HOST (slashes stripped from both ends, as MSAL Python) or the link-local host. */
const imdsEndpoint = (env: SourceEnvironment): E.Either<ManagedIdentityError, string> => {
  const host = env.AZURE_POD_IDENTITY_AUTHORITY_HOST
  if (host === undefined || host === '') return E.right(`${DEFAULT_IMDS_HOST}${IMDS_TOKEN_PATH}`)
  return endpointFrom('AZURE_POD_IDENTITY_AUTHORITY_HOST', `${host.replace(/^\/+|\/+$/g, '')}${IMDS_TOKEN_PATH}`, ManagedIdentitySource.DEFAULT_TO_VM)
}

const METADATA = { Metadata: 'true' } as const

/** Each source's protocol (MSAL Python 1.34's, where MSAL for Node differs unless the README says otherwise). */
export const SOURCE_SPECS: Readonly<Record<ManagedIdentitySource, SourceSpec>> = {
  [ManagedIdentitySource.DEFAULT_TO_VM]: {
    apiVersion: '2018-02-01',
    method: 'GET',
    endpoint: imdsEndpoint,
    // The client headers MSAL for Node (and MSAL Python after 1.34) send, for IMDS's diagnostics.
    headers: (_, caller) => ({ ...METADATA, 'x-client-sku': caller.platform.sku, 'x-client-ver': caller.platform.version, 'x-ms-client-request-id': caller.correlationId }),
    userAssigned: { ClientId: 'client_id', ResourceId: 'msi_res_id', ObjectId: 'object_id' },
    revocation: false,
  },
  [ManagedIdentitySource.APP_SERVICE]: {
    apiVersion: '2019-08-01',
    method: 'GET',
    endpoint: (env) => endpointFrom('IDENTITY_ENDPOINT', env.IDENTITY_ENDPOINT, ManagedIdentitySource.APP_SERVICE),
    // Metadata is harmless to App Service and needed by Azure Automation (MSAL Python sends it).
    headers: (env) => ({ 'X-IDENTITY-HEADER': secretFrom('IDENTITY_HEADER', env), ...METADATA }),
    userAssigned: { ClientId: 'client_id', ResourceId: 'mi_res_id', ObjectId: 'object_id' },
    revocation: false,
  },
  [ManagedIdentitySource.MACHINE_LEARNING]: {
    apiVersion: '2017-09-01',
    method: 'GET',
    endpoint: (env) => endpointFrom('MSI_ENDPOINT', env.MSI_ENDPOINT, ManagedIdentitySource.MACHINE_LEARNING),
    headers: (env) => ({ secret: secretFrom('MSI_SECRET', env) }),
    // The 2017-09-01 protocol spells the client id "clientid".
    userAssigned: { ClientId: 'clientid', ResourceId: 'msi_res_id', ObjectId: 'object_id' },
    revocation: false,
  },
  [ManagedIdentitySource.SERVICE_FABRIC]: {
    apiVersion: '2019-07-01-preview',
    method: 'GET',
    endpoint: (env) => endpointFrom('IDENTITY_ENDPOINT', env.IDENTITY_ENDPOINT, ManagedIdentitySource.SERVICE_FABRIC),
    headers: (env) => ({ Secret: secretFrom('IDENTITY_HEADER', env) }),
    // A Service Fabric application has the identity its cluster assigned: the id is not sent.
    userAssigned: 'ignored',
    revocation: true,
  },
  [ManagedIdentitySource.AZURE_ARC]: {
    apiVersion: '2020-06-01',
    method: 'GET',
    endpoint: (env, arcByAgentFile) => (arcByAgentFile ? E.right(DEFAULT_ARC_ENDPOINT) : endpointFrom('IDENTITY_ENDPOINT', env.IDENTITY_ENDPOINT, ManagedIdentitySource.AZURE_ARC)),
    headers: () => ({ ...METADATA }),
    // Forwarded, and the answer must confirm it (see arc.ts), as MSAL for Node 7 does.
    userAssigned: { ClientId: 'client_id', ResourceId: 'msi_res_id', ObjectId: 'object_id' },
    revocation: false,
  },
  [ManagedIdentitySource.CLOUD_SHELL]: {
    method: 'POST',
    endpoint: (env) => (env.MSI_ENDPOINT === undefined || env.MSI_ENDPOINT === '' ? E.right(CLOUD_SHELL_ENDPOINT) : endpointFrom('MSI_ENDPOINT', env.MSI_ENDPOINT, ManagedIdentitySource.CLOUD_SHELL)),
    headers: () => ({ ...METADATA }),
    userAssigned: 'refused',
    revocation: false,
  },
}

export interface ManagedIdentityRequestInput {
  /** Where the token comes from (IMDS, App Service, Azure Arc...): fixes the endpoint, api-version and headers. */
  readonly source: ManagedIdentitySource
  /** The source's environment variables (IDENTITY_ENDPOINT, IDENTITY_HEADER, MSI_ENDPOINT...), as read. */
  readonly env: SourceEnvironment
  /** true: Azure Arc was found by its agent's executable, so its endpoint is the default http://127.0.0.1:40342. */
  readonly arcByAgentFile: boolean
  /** The system-assigned identity, or the user-assigned one and the id it is named by. */
  readonly identity: ManagedIdentityId
  /** The resource the token is for (the `resource` parameter), e.g. "https://management.azure.com". */
  readonly resource: string
  /** Who is asking (library SKU and version, correlation id): sent to IMDS, which logs it. */
  readonly caller: Caller
  /** Lower-case hex SHA-256 of a cached token the claims challenge revoked (Service Fabric only). */
  readonly revokedTokenSha256?: string | undefined
  /** Capabilities sent to Service Fabric as `xms_cc` (comma-separated), e.g. ["CP1"]; other sources get none. */
  readonly clientCapabilities: readonly string[]
}

export interface BuiltRequest {
  /** The token request for the source: endpoint, api-version, id parameter and headers, the secret header included. */
  readonly request: HttpRequest
  /** The user-assigned id was not sent: the source serves one identity (Service Fabric). */
  readonly idIgnored: boolean
}

/**
 * The token request for a source: its endpoint, api-version, headers and id parameter, the
 * resource, and (Service Fabric) the revoked token's hash and the client capabilities.
 */
export const buildManagedIdentityRequest = (input: ManagedIdentityRequestInput): E.Either<ManagedIdentityError, BuiltRequest> => {
  const spec = SOURCE_SPECS[input.source]
  const endpoint = spec.endpoint(input.env, input.arcByAgentFile)
  if (E.isLeft(endpoint)) return endpoint
  const { identity } = input
  const userAssigned = identity.idType !== 'SystemAssigned' ? identity.idType : undefined
  if (userAssigned !== undefined && spec.userAssigned === 'refused') {
    return E.left(managedIdentityError(`${input.source} has only a system-assigned identity; use SystemAssignedManagedIdentity()`, input.source))
  }
  const params: Array<[string, string]> = []
  if (spec.apiVersion !== undefined) params.push(['api-version', spec.apiVersion])
  if (spec.method === 'GET') params.push(['resource', input.resource])
  if (userAssigned !== undefined && typeof spec.userAssigned === 'object') params.push([spec.userAssigned[userAssigned], identity.id!])
  if (spec.revocation && input.revokedTokenSha256 !== undefined) params.push(['token_sha256_to_refresh', input.revokedTokenSha256])
  if (spec.revocation && input.clientCapabilities.length > 0) params.push(['xms_cc', input.clientCapabilities.join(',')])
  const url = new URL(endpoint.right)
  for (const [name, value] of params) url.searchParams.set(name, value)
  const request: HttpRequest = {
    method: spec.method,
    url: url.href,
    headers: spec.headers(input.env, input.caller),
    ...(spec.method === 'POST' ? { form: { resource: input.resource } } : {}),
  }
  return E.right({ request, idIgnored: userAssigned !== undefined && spec.userAssigned === 'ignored' })
}
