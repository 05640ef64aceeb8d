import type { CacheChange } from './change.js'
import { removeAccount, removeClientTokens, removeExpiredAccessTokens, removeRefreshToken, type AccountToRemove } from './reducers.js'
import type { TokenResponseEvent } from './filing.js'
import type { RefreshTokenEntity } from './schema.js'
import type { TokenStore } from './tokenStore.js'

/**
 * Every way the token cache changes, as data. A reducer decides each one against the state it
 * meets, so an operation replayed on top of another process's state (a persistence's merge)
 * follows the same rules as when it first ran: a refresh token filed by a flow supersedes the
 * other process's one for the same app and account, as `add` does.
 */
export type CacheOperation =
  /**
   * File a token response (a flow's answer, or `TokenCache.add`); `nowSec` in epoch seconds. Made
   * by filing.ts's fileTokenResponse, with `file`, the reducer that decides it (see there).
   */
  | { readonly _tag: 'FileTokenResponse'; readonly event: TokenResponseEvent; readonly nowSec: number; readonly file: FileResponse }
  /** MSAL Python's remove_account for one app. */
  | { readonly _tag: 'RemoveAccount'; readonly clientId: string; readonly account: AccountToRemove }
  /** MSAL Python's remove_tokens_for_client: the app's own access tokens in these environments. */
  | { readonly _tag: 'RemoveClientTokens'; readonly clientId: string; readonly environments: readonly string[] }
  /** One refresh token, wherever it is stored. */
  | { readonly _tag: 'RemoveRefreshToken'; readonly refreshToken: RefreshTokenEntity }
  /** Every access token expired before `nowSec` (epoch seconds), as MSAL Python's search removes them. */
  | { readonly _tag: 'RemoveExpiredAccessTokens'; readonly nowSec: number }
  /** A change already decided (a persistence re-filing entries): replayed as it is. */
  | { readonly _tag: 'ApplyChange'; readonly change: CacheChange }

/** Decides how a token response is filed in the cache as it stands (filing.ts's reduceTokenResponse). */
export type FileResponse = (event: TokenResponseEvent, nowSec: number, cache: TokenStore) => CacheChange

/** What an operation changes in `cache` as it stands now. */
export const reduceCacheOperation = (cache: TokenStore, operation: CacheOperation): CacheChange => {
  switch (operation._tag) {
    case 'FileTokenResponse':
      return operation.file(operation.event, operation.nowSec, cache)
    case 'RemoveAccount':
      return removeAccount(cache, operation.clientId, operation.account)
    case 'RemoveClientTokens':
      return removeClientTokens(cache, operation.clientId, operation.environments)
    case 'RemoveRefreshToken':
      return removeRefreshToken(cache, operation.refreshToken)
    case 'RemoveExpiredAccessTokens':
      return removeExpiredAccessTokens(cache, operation.nowSec)
    case 'ApplyChange':
      return operation.change
  }
}

export const CACHE_OPERATION_TAGS: ReadonlySet<string> = new Set<CacheOperation['_tag']>([
  'FileTokenResponse',
  'RemoveAccount',
  'RemoveClientTokens',
  'RemoveRefreshToken',
  'RemoveExpiredAccessTokens',
  'ApplyChange',
])
