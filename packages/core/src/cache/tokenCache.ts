import * as E from '../util/either.js'
import { usageError } from '../errors.js'
import { MAX_EPOCH_SECONDS } from '../protocol/tokenResponse.js'
import { conceal, DENO_INSPECT, NODE_INSPECT, printed } from '../util/printable.js'
import { decodeClientInfo, decodeIdTokenClaims } from './accountOf.js'
import { tokenResponseEventOf, type TokenCacheEvent } from './events.js'
import type { CredentialType, EntityOf } from './schema.js'
import { searchCache, type SearchOptions } from './search.js'
import { SharedStrings } from './sharedStrings.js'
import { CacheSections, TokenStore } from './tokenStore.js'
import { fileTokenResponse } from './filing.js'
import { KeptKeys } from './keptKeys.js'

export interface TokenCacheOptions {
  /**
   * Epoch seconds, for `add()` without an explicit `now`. Core reads no clock of its own; the
   * runtime packages' TokenCache passes the real one.
   */
  readonly clock?: (() => number) | undefined
}

/** How many decoded client_info and ID token values a cache keeps, each: client_info is stable per user, and one ID token comes with each API's response for the user (decoding is base64 + JSON). */
const DECODED_MEMO = 256

/** How much of a text the memo hashes: its end (an ID token's signature, or the end of its claims). */
const TAG_LENGTH = 64

/**
 * `decode`, remembering its last DECODED_MEMO answers (oldest forgotten first). An ID token is a
 * kilobyte or two, and a new string with every response: the memo is keyed by the text's last
 * TAG_LENGTH characters (a Map hashes its key in full), and a hit is confirmed by comparing the
 * whole text, which costs less than hashing it. The last text is compared first: a user's
 * responses often come one after another.
 */
const decodedMemo = <A>(decode: (text: string) => A): ((text: string) => A) => {
  const kept = new Map<string, { readonly text: string; readonly decoded: A }>()
  let last: { readonly text: string; readonly decoded: A } | undefined
  return (text) => {
    if (last !== undefined && last.text === text) return last.decoded
    const tag = text.length > TAG_LENGTH ? text.slice(-TAG_LENGTH) : text
    let entry = kept.get(tag)
    if (entry === undefined || entry.text !== text) {
      entry = { text, decoded: decode(text) }
      if (kept.size >= DECODED_MEMO && !kept.has(tag)) kept.delete(kept.keys().next().value as string)
      kept.set(tag, entry)
    }
    last = entry
    return entry.decoded
  }
}

/**
 * MSAL Python's TokenCache: the unified cache in memory, shareable between applications (pass
 * it as their `tokenCache`). `add` files a token response; `search` / `find` read entries.
 * Methods throw an MsalError for bad input; nothing is changed then.
 */
export class TokenCache extends TokenStore {
  protected readonly clock: (() => number) | undefined
  private readonly decodeClientInfo = decodedMemo(decodeClientInfo)
  private readonly decodeIdTokenClaims = decodedMemo(decodeIdTokenClaims)

  constructor(options: TokenCacheOptions = {}) {
    super()
    this.clock = options.clock
    this.filingKeys = new KeptKeys()
    // The stores hold tokens: out of Object.keys, spreads and devtools' default view (printing uses toJSON).
    conceal(this, ['sections', 'version', 'decodeClientInfo', 'decodeIdTokenClaims', 'filingKeys'])
  }

  /** A server's cache may hold 100,000s of entries repeating a few values: they share one string each. */
  protected override newSections(): CacheSections {
    return new CacheSections(new SharedStrings())
  }

  /** Files a token-obtaining event, as MSAL Python's `add(event, now=None)`; `now` in epoch seconds. */
  add(event: TokenCacheEvent, now?: number): void {
    const at = now ?? this.clock?.()
    if (at === undefined) throw usageError('now', 'this TokenCache has no clock: pass now (epoch seconds)')
    if (typeof at !== 'number' || !(at >= 0 && at <= MAX_EPOCH_SECONDS)) {
      throw usageError('now', `expected epoch seconds from 0 to ${MAX_EPOCH_SECONDS}, got ${String(at)}`)
    }
    const decoded = tokenResponseEventOf(event, this.decodeClientInfo, this.decodeIdTokenClaims)
    if (E.isLeft(decoded)) throw decoded.left
    this.perform(fileTokenResponse(decoded.right, Math.floor(at)))
  }

  /**
   * Entries of one type matching the query and target (a lazy iterator, as MSAL Python's
   * `search(credential_type, target=None, query=None, *, now=None)`). As MSAL Python 1.31+ does,
   * a search for access tokens first removes every access token that expired before `now`
   * (epoch seconds; default the cache's clock), so an expired token is never returned.
   *
   * @throws MsalError (kind UsageError, argument "now") when `now` is not a number, or when the
   * cache has no clock and none is given.
   */
  search<K extends CredentialType>(credentialType: K, options: SearchOptions = {}): Generator<EntityOf[K]> {
    if (credentialType === 'AccessToken') this.removeExpiredAccessTokens(options.now)
    return searchCache(this, credentialType, options)
  }

  /** `search`, as an array (MSAL Python's `find`). */
  find<K extends CredentialType>(credentialType: K, options: SearchOptions = {}): Array<EntityOf[K]> {
    return [...this.search(credentialType, options)]
  }

  private removeExpiredAccessTokens(now: unknown): void {
    if (now !== undefined && !(typeof now === 'number' && Number.isFinite(now))) {
      throw usageError('now', `expected epoch seconds, got ${typeof now === 'number' ? String(now) : typeof now}`)
    }
    const at = now ?? this.clock?.()
    if (at === undefined || !Number.isFinite(at)) throw usageError('now', 'this TokenCache has no clock: pass now (epoch seconds) to search access tokens')
    this.perform({ _tag: 'RemoveExpiredAccessTokens', nowSec: Math.floor(at) })
  }

  /**
   * What the cache prints as (JSON.stringify, console.log, util.inspect): how many entries of
   * each kind it holds, never a token. `serialize()` (SerializableTokenCache) writes the cache.
   */
  toJSON(): { readonly accessTokens: number; readonly refreshTokens: number; readonly idTokens: number; readonly accounts: number; readonly appMetadata: number } {
    return {
      accessTokens: this.accessTokenCount,
      refreshTokens: this.refreshTokens.size,
      idTokens: this.idTokens.size,
      accounts: this.accounts.size,
      appMetadata: this.appMetadata.size,
    }
  }

  [NODE_INSPECT](_depth: number, options: unknown, inspect: unknown): string {
    return printed(this.constructor.name, this.toJSON(), options, inspect)
  }

  [DENO_INSPECT](inspect: unknown, options: unknown): string {
    return printed(this.constructor.name, this.toJSON(), options, inspect)
  }
}
