import {
  ManagedIdentityClient as CoreManagedIdentityClient,
  MANAGED_IDENTITY_RULES,
  MANAGED_IDENTITY_UNSUPPORTED,
  managedIdentityConfigOf,
  throwIfLeft,
  type ManagedIdentity,
  type ManagedIdentityClientOptions as CoreManagedIdentityClientOptions,
} from '@msal-ts/core'
import { checkRuntimeOptions, nodeRuntime, type NodeOptions } from './options.js'

/** ManagedIdentityClient's options on Node: MSAL Python's keyword arguments in camelCase, plus `proxy` and `env`. */
export interface ManagedIdentityClientOptions extends CoreManagedIdentityClientOptions, NodeOptions {}

/**
 * MSAL Python's ManagedIdentityClient, on Node: tokens for the managed identity of the Azure host
 * this process runs on (VM or scale set, App Service, Functions, Automation, Machine Learning,
 * Service Fabric, an Azure Arc server, Cloud Shell), with no secret. The source is the one the
 * environment (`env`, default process.env) names at each call.
 *
 * ```ts
 * const mi = new ManagedIdentityClient(SystemAssignedManagedIdentity())
 * const { accessToken } = await mi.acquireTokenForClient({ resource: 'https://vault.azure.net' })
 * ```
 */
export class ManagedIdentityClient extends CoreManagedIdentityClient {
  /**
   * @param managedIdentity SystemAssignedManagedIdentity(), UserAssignedManagedIdentity({ clientId | resourceId | objectId }),
   *   or the dict form `{ ManagedIdentityIdType, Id }` (e.g. parsed from JSON).
   * @throws MsalError: a ManagedIdentityError naming what is wrong with the identity, a
   *   ConfigurationError naming an option that is wrong or unknown.
   */
  constructor(managedIdentity: ManagedIdentity, options: ManagedIdentityClientOptions = {}) {
    const checked = throwIfLeft(
      checkRuntimeOptions<ManagedIdentityClientOptions>(options, MANAGED_IDENTITY_RULES, '{ httpClient, tokenCache, httpCache, clientCapabilities, retries }', MANAGED_IDENTITY_UNSUPPORTED),
    )
    super(throwIfLeft(managedIdentityConfigOf(managedIdentity, checked)), nodeRuntime(checked))
  }
}
