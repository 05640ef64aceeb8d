import * as E from '../util/either.js'
import { usageError } from '../errors.js'
import { decodeClientInfo, type ClientInfo } from './accountOf.js'
import { tokenResponseEventOf, type TokenCacheEvent } from './events.js'
import type { CredentialType, EntityOf } from './schema.js'
import { searchCache, type SearchOptions } from './search.js'
import { TokenStore } from './tokenStore.js'

export interface TokenCacheOptions {
  /**
   * Epoch seconds, for `add()` without an explicit `now`. Core reads no clock of its own; the
   * runtime packages' TokenCache passes the real one.
   */
  readonly clock?: (() => number) | undefined
}

/**
 * MSAL Python's TokenCache: the unified cache in memory, shareable between applications (pass
 * it as their `tokenCache`). `add` files a token response; `search` / `find` read entries.
 * Methods throw an MsalError for bad input; nothing is changed then.
 */
/** How many users' decoded client_info a cache keeps (it is stable per user; decoding is base64 + JSON). */
const CLIENT_INFO_MEMO = 256

export class TokenCache extends TokenStore {
  protected readonly clock: (() => number) | undefined
  private readonly clientInfoMemo = new Map<string, E.Either<string, ClientInfo | undefined>>()

  constructor(options: TokenCacheOptions = {}) {
    super()
    this.clock = options.clock
  }

  /** Files a token-obtaining event, as MSAL Python's `add(event, now=None)`; `now` in epoch seconds. */
  add(event: TokenCacheEvent, now?: number): void {
    const at = now ?? this.clock?.()
    if (at === undefined || !Number.isFinite(at)) {
      throw usageError('now', 'this TokenCache has no clock: pass now (epoch seconds)')
    }
    const decoded = tokenResponseEventOf(event, this.decodeClientInfo)
    if (E.isLeft(decoded)) throw decoded.left
    this.perform({ _tag: 'FileTokenResponse', event: decoded.right, nowSec: Math.floor(at) })
  }

  private readonly decodeClientInfo = (clientInfo: string): E.Either<string, ClientInfo | undefined> => {
    let decoded = this.clientInfoMemo.get(clientInfo)
    if (decoded === undefined) {
      decoded = decodeClientInfo(clientInfo)
      if (this.clientInfoMemo.size >= CLIENT_INFO_MEMO) this.clientInfoMemo.delete(this.clientInfoMemo.keys().next().value as string)
      this.clientInfoMemo.set(clientInfo, decoded)
    }
    return decoded
  }

  /** Entries of one type matching the query and target (a lazy iterator, as MSAL Python's). */
  search<K extends CredentialType>(credentialType: K, options: SearchOptions = {}): Generator<EntityOf[K]> {
    return searchCache(this, credentialType, options)
  }

  /** `search`, as an array. */
  find<K extends CredentialType>(credentialType: K, options: SearchOptions = {}): Array<EntityOf[K]> {
    return [...this.search(credentialType, options)]
  }
}
