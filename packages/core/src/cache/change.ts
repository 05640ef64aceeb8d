import type { AccessTokenEntity } from './schema.js'

/** What a reducer decides: the entries to write and the ones to delete. Applied in O(changed entries). */
export type CachePut = { readonly type: 'AccessToken'; readonly key: string; readonly entity: AccessTokenEntity }
export type CacheDelete = { readonly type: 'AccessToken'; readonly key: string }

export interface CacheChange {
  readonly puts: readonly CachePut[]
  readonly deletes: readonly CacheDelete[]
}

export const noChange: CacheChange = { puts: [], deletes: [] }
