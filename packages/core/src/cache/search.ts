import { targetToScopes } from '../protocol/scopes.js'
import type { CredentialType, EntityOf } from './schema.js'
import { BY_OWNER, BY_OWNER_AT, ownerKey, type TokenStore } from './tokenStore.js'

export interface SearchOptions {
  /** Scopes the entry's target must include (case-insensitive). */
  readonly target?: readonly string[] | undefined
  /** Fields the entry must have with exactly these values; null and "" both mean "no account". */
  readonly query?: Readonly<Record<string, unknown>> | undefined
  /**
   * Epoch seconds (MSAL Python's `now`): access tokens that expired before it are skipped and
   * removed from the cache. Default: the cache's clock (the runtime packages' caches read the
   * system clock).
   */
  readonly now?: number | undefined
}

const sameValue = (field: string, wanted: unknown, actual: unknown): boolean =>
  field === 'home_account_id' && (wanted === null || wanted === '') ? actual === null || actual === '' || actual === undefined : wanted === actual

const matches = (entity: Record<string, unknown>, options: SearchOptions, wantedScopes: readonly string[]): boolean => {
  for (const [field, wanted] of Object.entries(options.query ?? {})) if (!sameValue(field, wanted, entity[field])) return false
  if (wantedScopes.length === 0) return true
  const have = new Set(targetToScopes(typeof entity['target'] === 'string' ? entity['target'] : '').map((s) => s.toLowerCase()))
  return wantedScopes.every((scope) => have.has(scope.toLowerCase()))
}

/**
 * MSAL Python's TokenCache.search: entries of one type that have the query's field values and
 * whose target includes the scopes. A query naming environment and home_account_id reads the
 * account index; anything else walks the section.
 */
export function* searchCache<K extends CredentialType>(cache: TokenStore, type: K, options: SearchOptions = {}): Generator<EntityOf[K]> {
  const query = options.query ?? {}
  const wantedScopes = (options.target ?? []).filter((scope) => scope !== '')
  const environment = query['environment']
  const canUseIndex = typeof environment === 'string' && 'home_account_id' in query && type !== 'AppMetadata'
  const home = query['home_account_id'] as string | null | undefined
  const candidates = canUseIndex
    ? cache.collection(type).lookup(type === 'AccessToken' ? BY_OWNER_AT : BY_OWNER, ownerKey(environment, home)).values()
    : cache.collection(type).values()
  for (const { entity } of candidates) {
    if (matches(entity as Record<string, unknown>, options, wantedScopes)) yield entity
  }
}
