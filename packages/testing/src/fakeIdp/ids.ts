import { createHash } from 'node:crypto'

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A stable GUID derived from a name, so tenants named by domain get a consistent tenant id. */
export const guidFor = (name: string): string => {
  const hex = createHash('sha256').update(name.toLowerCase()).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

export const tenantIdOf = (tenant: string): string => (GUID.test(tenant) ? tenant.toLowerCase() : guidFor(`tenant:${tenant}`))

/**
 * A pairwise subject, as Entra puts in `sub`: stable for one user and one audience, different
 * across audiences, and not the object id (so apps cannot correlate users by it).
 */
export const pairwiseSubject = (oid: string, audience: string): string =>
  createHash('sha256').update(`${oid.toLowerCase()}:${audience.toLowerCase()}`).digest('base64url')

export const isMultiTenantAlias = (tenant: string): boolean => ['common', 'organizations', 'consumers'].includes(tenant.toLowerCase())

/** A version-4-shaped GUID made of random bytes (request ids, session ids). */
export const uuidFrom = (bytes: Uint8Array): string => {
  const hex = Buffer.from(bytes).toString('hex').padEnd(32, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}
