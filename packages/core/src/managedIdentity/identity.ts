import * as E from '../util/either.js'
import { type ManagedIdentityError } from '../errors.js'
import { managedIdentityError } from '../wireErrors.js'
import { describeValue } from '../util/decode.js'

/** MSAL Python's identity types: the system-assigned identity, or a user-assigned one named by one of its three ids. */
export type ManagedIdentityIdType = 'SystemAssigned' | 'ClientId' | 'ResourceId' | 'ObjectId'

/** A user-assigned identity's type. */
export type UserAssignedIdType = Exclude<ManagedIdentityIdType, 'SystemAssigned'>

/**
 * A managed identity in MSAL Python's dict form, `{ ManagedIdentityIdType, Id }`, as it may be
 * loaded from JSON or an environment variable. SystemAssignedManagedIdentity() and
 * UserAssignedManagedIdentity() build it.
 */
export interface ManagedIdentity {
  /** "SystemAssigned", or which id names the user-assigned identity: "ClientId", "ResourceId" or "ObjectId". */
  readonly ManagedIdentityIdType: ManagedIdentityIdType
  /** The user-assigned identity's client id, resource id or object id; null for the system-assigned identity. */
  readonly Id?: string | null | undefined
}

/** The ids a user-assigned identity can be named by; exactly one. */
export interface UserAssignedManagedIdentityIds {
  /** The identity's client (application) id. */
  readonly clientId?: string | undefined
  /** The identity's Azure resource id, /subscriptions/…/userAssignedIdentities/<name>. */
  readonly resourceId?: string | undefined
  /** The identity's object (principal) id. */
  readonly objectId?: string | undefined
}

/** A checked identity: what the flows read. */
export interface ManagedIdentityId {
  /** "SystemAssigned", or which id names the user-assigned identity, and so which query parameter carries it. */
  readonly idType: ManagedIdentityIdType
  /** The user-assigned identity's id; undefined for the system-assigned identity. */
  readonly id: string | undefined
  /**
   * The client_id its tokens are cached under, as MSAL Python files them
   * (`mi.get("Id", "SYSTEM_ASSIGNED_MANAGED_IDENTITY")`): the id; null for the system-assigned
   * identity, whose dict has `Id: null`; the string only when the dict has no Id at all.
   */
  readonly cacheClientId: string | null
}

const ID_TYPES: readonly ManagedIdentityIdType[] = ['SystemAssigned', 'ClientId', 'ResourceId', 'ObjectId']
const KEYS = new Set(['ManagedIdentityIdType', 'Id'])
const EXAMPLE = 'SystemAssignedManagedIdentity(), UserAssignedManagedIdentity({ clientId | resourceId | objectId }) or { ManagedIdentityIdType, Id }'

/** MSAL Python's cache client id for a system-assigned dict with no Id key. */
export const SYSTEM_ASSIGNED_CACHE_CLIENT_ID = 'SYSTEM_ASSIGNED_MANAGED_IDENTITY'

/**
 * Checks a managed identity in any of its forms (MSAL Python accepts its classes and dicts that
 * equal them). Every problem names what was wrong: not an object, an unknown key, an unknown
 * type, a user-assigned identity without its Id, a system-assigned one with an Id.
 */
export const parseManagedIdentity = (value: unknown): E.Either<ManagedIdentityError, ManagedIdentityId> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return E.left(managedIdentityError(`expected ${EXAMPLE}, got ${describeValue(value)}`))
  }
  const given = value as Record<string, unknown>
  const unknown = Object.keys(given).find((key) => !KEYS.has(key) && given[key] !== undefined)
  if (unknown !== undefined) {
    return E.left(managedIdentityError(`unknown key ${JSON.stringify(unknown)} in the identity; expected ${EXAMPLE}`))
  }
  const idType = given['ManagedIdentityIdType']
  if (typeof idType !== 'string' || !(ID_TYPES as readonly string[]).includes(idType)) {
    return E.left(managedIdentityError(`unknown ManagedIdentityIdType ${describeValue(idType)}; expected one of ${ID_TYPES.join(', ')}`))
  }
  const id = given['Id']
  if (idType === 'SystemAssigned') {
    if (id !== null && id !== undefined) return E.left(managedIdentityError(`a SystemAssigned identity has no Id, got ${describeValue(id)}`))
    return E.right({ idType, id: undefined, cacheClientId: 'Id' in given ? null : SYSTEM_ASSIGNED_CACHE_CLIENT_ID })
  }
  if (typeof id !== 'string' || id.trim() === '') {
    return E.left(managedIdentityError(`ManagedIdentityIdType ${idType} needs its Id (a non-empty string), got ${describeValue(id)}`))
  }
  return E.right({ idType: idType as UserAssignedIdType, id, cacheClientId: id })
}

/** MSAL Python's SystemAssignedManagedIdentity, as its dict form. */
export const systemAssignedManagedIdentity = (): ManagedIdentity => ({ ManagedIdentityIdType: 'SystemAssigned', Id: null })

const ID_FIELDS = [
  ['clientId', 'ClientId'],
  ['resourceId', 'ResourceId'],
  ['objectId', 'ObjectId'],
] as const

/**
 * MSAL Python's UserAssignedManagedIdentity, as its dict form: exactly one of clientId,
 * resourceId and objectId (MSAL Python's message when not).
 */
export const userAssignedManagedIdentity = (ids: UserAssignedManagedIdentityIds): E.Either<ManagedIdentityError, ManagedIdentity> => {
  const given = typeof ids === 'object' && ids !== null ? ids : {}
  const unknown = Object.keys(given).find((key) => !ID_FIELDS.some(([field]) => field === key) && (given as Record<string, unknown>)[key] !== undefined)
  if (unknown !== undefined) return E.left(managedIdentityError(`unknown id ${JSON.stringify(unknown)}; give one of clientId, resourceId, objectId`))
  const named = ID_FIELDS.filter(([field]) => given[field] !== undefined && given[field] !== null)
  if (named.length !== 1) {
    const what = named.length === 0 ? 'none was given' : `got ${named.map(([field]) => field).join(' and ')}`
    return E.left(managedIdentityError(`You shall specify one of the three parameters: client_id, resource_id, object_id (clientId, resourceId, objectId); ${what}`))
  }
  const [field, idType] = named[0]!
  const id = given[field]
  if (typeof id !== 'string' || id.trim() === '') return E.left(managedIdentityError(`${field} must be a non-empty string, got ${describeValue(id)}`))
  return E.right({ ManagedIdentityIdType: idType, Id: id })
}
