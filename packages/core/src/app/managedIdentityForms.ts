import * as E from '../util/either.js'
import type { ManagedIdentityError } from '../errors.js'
import type { ManagedIdentityConfig } from '../managedIdentity/context.js'
import {
  parseManagedIdentity,
  systemAssignedManagedIdentity,
  userAssignedManagedIdentity,
  type ManagedIdentity,
  type UserAssignedManagedIdentityIds,
} from '../managedIdentity/identity.js'
import type { ManagedIdentityClientOptions } from './managedIdentityOptions.js'
import { throwIfLeft } from './settle.js'

/** MSAL Python's SystemAssignedManagedIdentity(): equal to its dict form, `{ ManagedIdentityIdType: 'SystemAssigned', Id: null }`. */
export function SystemAssignedManagedIdentity(): ManagedIdentity {
  return systemAssignedManagedIdentity()
}

/**
 * MSAL Python's UserAssignedManagedIdentity: exactly one of clientId, resourceId and objectId;
 * equal to its dict form, e.g. `{ ManagedIdentityIdType: 'ClientId', Id: clientId }`.
 * @throws ManagedIdentityError when none or more than one id is given.
 */
export function UserAssignedManagedIdentity(ids: UserAssignedManagedIdentityIds): ManagedIdentity {
  return throwIfLeft(userAssignedManagedIdentity(ids))
}

/** A managed identity client's configuration from its identity and checked options. */
export const managedIdentityConfigOf = (managedIdentity: unknown, options: ManagedIdentityClientOptions): E.Either<ManagedIdentityError, ManagedIdentityConfig> =>
  E.map((identity: ManagedIdentityConfig['identity']) => ({ identity, clientCapabilities: options.clientCapabilities ?? [], retries: options.retries ?? true }))(
    parseManagedIdentity(managedIdentity),
  )

