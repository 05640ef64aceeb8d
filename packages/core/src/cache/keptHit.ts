import { judge, selectAccessTokenIn, type AccessTokenLookup } from './selectors.js'
import { targetKeyOfScopes } from './targetKey.js'
import type { AccessTokenBucket, IndexedAccessToken, TokenStore } from './tokenStore.js'

/**
 * A slot for the token one repeated lookup (the same buckets and scopes: an app's calls for one
 * FMI path) last found fresh, with the state of the access tokens then (their collection and its
 * `changes`). While those are unchanged, the lookup finds that token again for as long as it
 * stays fresh: no token it won over can have become fresh since (freshness only runs out). So the
 * token answers without a read of the buckets, which a large cache holds cold.
 */
export interface KeptHit {
  /** The token the lookup last found fresh; undefined before its first hit. */
  hit: IndexedAccessToken | undefined
  /** The target key (targetKey.ts) of the scopes it was found for. */
  hitTarget: string | undefined
  /** The access tokens' collection it was found in (a load or a merge replaces it). */
  hitIn: object | undefined
  /** That collection's `changes` count then (a count of puts and deletes). */
  hitChanges: number
}

/** selectAccessTokenIn, answered by `kept`'s token while it is the lookup's answer (see KeptHit), and keeping a fresh one found. */
export const selectAccessTokenKept = (
  cache: TokenStore,
  buckets: readonly AccessTokenBucket[],
  scopes: readonly string[],
  nowSec: number,
  kept: KeptHit,
): AccessTokenLookup => {
  const targetKey = targetKeyOfScopes(scopes)
  const tokens = cache.accessTokens
  const token = kept.hit
  if (token !== undefined && kept.hitIn === tokens && kept.hitChanges === tokens.changes && kept.hitTarget === targetKey) {
    const verdict = judge(token, nowSec)
    if (verdict?._tag === 'Fresh') return verdict
  }
  const found = selectAccessTokenIn(cache, buckets, scopes, nowSec)
  if (found._tag === 'Fresh') {
    kept.hit = found.token
    kept.hitTarget = targetKey
    kept.hitIn = tokens
    kept.hitChanges = tokens.changes
  }
  return found
}
