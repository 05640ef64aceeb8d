import { ManagedIdentityClient } from '../app/ManagedIdentityClient.js'
import { FilePersistence } from '../cache/filePersistence.js'
import { SerializableTokenCache } from '../cache/tokenCaches.js'
import { SystemAssignedManagedIdentity, UserAssignedManagedIdentity, type ManagedIdentity } from '@msal-ts/core'
import type { Output } from './output.js'

export const MANAGED_IDENTITY_USAGE = `usage: msal-ts token --managed-identity system|client-id=ID|resource-id=ID|object-id=ID --resource URI
                     [--claims-challenge JSON] [--cache PATH] [--timeout MS] [--no-retries] [--access-token-only]

A token of this Azure host's managed identity (VM or scale set, App Service, Functions,
Automation, Machine Learning, Service Fabric, an Azure Arc server, Cloud Shell), from the
source its environment names; no secret. Prints the result as JSON (or only the access token).
  --managed-identity  system: the host's system-assigned identity; client-id=, resource-id= or
                      object-id=: a user-assigned identity by that id
  --resource URI      the resource, e.g. https://vault.azure.net (a trailing /.default is removed)
  --cache PATH        keep the token in this file between runs (default: none)
  --no-retries        one request, no retries of transient failures`

export interface ManagedIdentityValues {
  readonly 'managed-identity'?: string | undefined
  readonly resource?: string | undefined
  readonly 'claims-challenge'?: string | undefined
  readonly cache?: string | undefined
  readonly timeout?: string | undefined
  readonly 'no-retries'?: boolean | undefined
  readonly 'access-token-only'?: boolean | undefined
}

const ID_FORMS: Readonly<Record<string, (id: string) => ManagedIdentity>> = {
  'client-id': (clientId) => UserAssignedManagedIdentity({ clientId }),
  'resource-id': (resourceId) => UserAssignedManagedIdentity({ resourceId }),
  'object-id': (objectId) => UserAssignedManagedIdentity({ objectId }),
}

/** The identity `--managed-identity` names, or why it names none. */
export const identityOf = (value: string): ManagedIdentity | { readonly problem: string } => {
  if (value === 'system') return SystemAssignedManagedIdentity()
  const cut = value.indexOf('=')
  const form = ID_FORMS[cut < 0 ? value : value.slice(0, cut)]
  const id = cut < 0 ? '' : value.slice(cut + 1).trim()
  if (form === undefined) return { problem: `--managed-identity ${JSON.stringify(value)}: expected system, client-id=ID, resource-id=ID or object-id=ID` }
  if (id === '') return { problem: `--managed-identity ${value}: the id is missing` }
  return form(id)
}

/** `msal-ts token --managed-identity ...`: the identity's token for a resource. */
export const runManagedIdentityToken = async (values: ManagedIdentityValues, output: Output, env: NodeJS.ProcessEnv): Promise<number> => {
  const identity = identityOf(values['managed-identity'] ?? '')
  const problem = 'problem' in identity ? identity.problem : values.resource === undefined ? 'missing --resource' : undefined
  if (problem !== undefined) {
    output.err(`msal-ts token: ${problem}\n\n${MANAGED_IDENTITY_USAGE}`)
    return 2
  }
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout)
  const client = new ManagedIdentityClient(identity as ManagedIdentity, {
    env,
    retries: values['no-retries'] !== true,
    ...(timeout !== undefined ? { timeout } : {}),
    ...(values.cache !== undefined ? { tokenCache: new SerializableTokenCache({ persistence: new FilePersistence(values.cache) }) } : {}),
  })
  const result = await client.acquireTokenForClient({ resource: values.resource!, claimsChallenge: values['claims-challenge'] })
  output.out(values['access-token-only'] === true ? result.accessToken : JSON.stringify(result, null, 2))
  return 0
}
