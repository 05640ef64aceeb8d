import type { CredentialType, EntityOf } from './schema.js'

/** What a reducer decides: entries to write and entries to delete. Applied in O(changed entries). */
export type CachePut = {
  readonly [K in CredentialType]: {
    readonly type: K
    readonly key: string
    readonly entity: EntityOf[K]
    /** canonicalKey(type, entity), when the reducer already computed it. */
    readonly canonical?: string | undefined
  }
}[CredentialType]
export type CacheDelete = {
  /** The cache section the entry is in. */
  readonly type: CredentialType
  /** The entry's key in that section (MSAL's unified cache schema). */
  readonly key: string
}

export interface CacheChange {
  /** Entries to write, each under its key (MSAL's unified cache schema), replacing what is there. */
  readonly puts: readonly CachePut[]
  /** Entries to delete, by section and key. */
  readonly deletes: readonly CacheDelete[]
}

export const noChange: CacheChange = { puts: [], deletes: [] }

export const isEmptyChange = (change: CacheChange): boolean => change.puts.length === 0 && change.deletes.length === 0
