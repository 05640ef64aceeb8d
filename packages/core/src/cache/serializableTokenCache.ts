import * as E from '../util/either.js'
import { MANAGED_IDENTITY_REALM } from '../managedIdentity/context.js'
import type { CacheChange, CacheDelete, CachePut } from './change.js'
import { preferredCache, preferredNetwork } from '../authority/aliases.js'
import { canonicalKeyOfStored, keyFor } from './keys.js'
import { reduceCacheOperation, type CacheOperation } from './operations.js'
import type { CachePersistence } from './persistence.js'
import { cacheError } from '../errors.js'
import { conceal } from '../util/printable.js'
import { emptyUnusable, keyedByText, readCache, type CacheRemainder } from './serialization.js'
import { CREDENTIAL_TYPES, type AccessTokenEntity, type CredentialType } from './schema.js'
import { TokenCache, type TokenCacheOptions } from './tokenCache.js'
import { TokenStore, type CacheSections } from './tokenStore.js'

/** Which entries a filtered serialization keeps (see `serialize`). */
export type EntryFilter = (entry: unknown) => boolean

const everything: EntryFilter = () => true

export interface SerializableTokenCacheOptions extends TokenCacheOptions {
  /** Where the cache is kept between processes (a file, Redis); applications call it around every operation. */
  readonly persistence?: CachePersistence | undefined
}

/**
 * MSAL Python's SerializableTokenCache: a TokenCache that reads and writes MSAL's unified JSON,
 * so a cache moves freely between msal-ts, MSAL Python and MSAL for Node.
 *
 * It also keeps a journal of the changes made since the state was last persisted. A persistence
 * that finds the stored cache changed by another process calls `mergeFrom(text)`: the stored
 * state is loaded and the journal replayed on top of it, so neither side loses a token.
 *
 * The journal is bounded, whether or not anything persists the cache (the README's
 * `if (cache.hasStateChanged) save(cache.serialize())` never marks it persisted): past
 * JOURNAL_LIMIT operations, they are folded into the set of entries they touched, which a merge
 * files again as they stand here (see `compactJournal`).
 */
export class SerializableTokenCache extends TokenCache {
  private changedSinceSerialized = false
  private unusable = emptyUnusable()
  private extras: Readonly<Record<string, unknown>> = keyedByText()
  /** Operations not yet persisted, each with the change it made here. */
  private journal: Journaled[] = []
  /** The entries that operations folded out of the journal touched, by type (see compactJournal). */
  private touched: Touched | undefined = undefined
  /** How many changes those folded operations were (they still count as pending). */
  private foldedCount = 0
  /** The change the last operation made (set by `changed`, read by `perform`). */
  private lastChange: CacheChange | undefined = undefined
  readonly persistence: CachePersistence | undefined

  constructor(options: SerializableTokenCacheOptions = {}) {
    super(options)
    this.persistence = options.persistence
    conceal(this, ['changedSinceSerialized', 'unusable', 'extras', 'journal', 'touched', 'foldedCount', 'lastChange'])
  }

  /** Whether the cache changed since the last `serialize()` or `deserialize()`. */
  get hasStateChanged(): boolean {
    return this.changedSinceSerialized
  }

  /** Entries of a loaded cache that do not fit the schema: kept for the round trip, never used. */
  get unusableEntryCount(): number {
    return CREDENTIAL_TYPES.reduce((count, type) => count + Object.keys(this.unusable[type]).length, 0)
  }

  /** Changes not yet persisted (for persistence implementations). */
  get pendingChangeCount(): number {
    return this.foldedCount + this.journal.length
  }

  /** Every change is journaled as the operation that made it, so a merge decides it again against the merged state. */
  override perform(operation: CacheOperation): boolean {
    this.lastChange = undefined
    const changed = super.perform(operation)
    if (changed) {
      this.changedSinceSerialized = true
      this.journal.push({ operation, touched: touchedBy(this.lastChange) })
      this.lastChange = undefined
      if (this.journal.length > JOURNAL_LIMIT) this.compactJournal()
    }
    return changed
  }

  protected override changed(change: CacheChange): void {
    this.lastChange = change
  }

  /**
   * Folds the journal's operations into the set of entries they touched: a merge then files those
   * entries as they stand here (or deletes them, if they are gone here) before it replays the
   * operations journaled since. It keeps what each side wrote, as a replay does, but decides no
   * rule again (a refresh token filed here no longer supersedes one the other side filed meanwhile:
   * both stay). Entries gone here are forgotten once the set holds more than twice the cache's
   * entries, so the set is bounded by the cache's size.
   */
  private compactJournal(): void {
    const touched = (this.touched ??= emptyTouched())
    for (const entry of this.journal) {
      const keys = entry.touched
      for (let i = 0; i < keys.length; i += 2) touched[keys[i] as CredentialType].add(keys[i + 1]!)
    }
    this.foldedCount += this.journal.length
    this.journal = []
    // Pruned only once the set holds more keys than twice what the cache holds: each pass over it
    // is paid for by as many foldings, so folding stays O(1) per operation however large the cache.
    let held = 0
    let keys = 0
    for (const type of CREDENTIAL_TYPES) {
      held += this.collection(type).size
      keys += touched[type].size
    }
    if (keys > 2 * held + JOURNAL_LIMIT) {
      for (const type of CREDENTIAL_TYPES) for (const key of touched[type]) if (this.collection(type).get(key) === undefined) touched[type].delete(key)
    }
  }

  /** The folded operations as a change: the entries they touched, as they stand here now. */
  private refiled(touched: Touched): CacheChange {
    const puts: CachePut[] = []
    const deletes: CacheDelete[] = []
    for (const type of CREDENTIAL_TYPES) {
      const collection = this.collection(type)
      for (const key of touched[type]) {
        const stored = collection.get(key)
        if (stored === undefined) deletes.push({ type, key })
        else puts.push({ type, key, entity: stored.entity, canonical: collection.canonicalOf(stored) } as CachePut)
      }
    }
    return { puts, deletes }
  }

  /**
   * MSAL's unified cache JSON: the five sections (entries as stored), then unknown top-level keys.
   * App tokens are written in both libraries' conventions (see `appTokenMirror`).
   *
   * `only` keeps just the entries it accepts (a persistence storing one partition, see
   * `entryBelongsTo`); unknown top-level keys are always kept.
   */
  serialize(only: EntryFilter = everything): string {
    // No prototypes: entries and extras keyed "constructor" or "__proto__" are written like any other.
    const json = keyedByText()
    for (const type of CREDENTIAL_TYPES) {
      const section = keyedByText()
      for (const { key, entity } of this.collection(type).values()) if (only(entity)) section[key] = entity
      if (type === 'AccessToken') {
        for (const { entity } of this.accessTokens.values()) {
          const mirror = appTokenMirror(entity)
          if (mirror !== undefined && !(mirror.key in section) && only(mirror.entity)) section[mirror.key] = mirror.entity
        }
      }
      for (const key in this.unusable[type]) {
        const entry = this.unusable[type][key]
        if (only(entry)) section[key] = entry
      }
      json[type] = section
    }
    for (const [name, value] of Object.entries(this.extras)) if (!(name in json)) json[name] = value
    const text = stringify(json)
    this.changedSinceSerialized = false
    return text
  }

  /**
   * The usable entries in memory that a filter does not accept, as puts. A persistence that
   * stored one partition and forgets the journal re-files these (`apply`), so a change to another
   * partition waits for that partition's next write instead of being lost.
   */
  entriesOutside(only: EntryFilter): CachePut[] {
    return CREDENTIAL_TYPES.flatMap((type) =>
      [...this.collection(type).values()].filter(({ entity }) => !only(entity)).map(({ key, entity }) => ({ type, key, entity }) as CachePut),
    )
  }

  /**
   * Replaces the cache with a serialized one. Unparseable text throws an MsalError (kind
   * CacheError) and leaves the cache exactly as it was.
   */
  deserialize(text: string | null | undefined): void {
    const sections = this.newSections()
    this.install(this.read(text ?? '', sections), sections)
    this.forgetJournal()
    this.changedSinceSerialized = false
  }

  /**
   * Loads the persisted state and replays the changes made here since the last persist, so a
   * write merges with what other processes wrote. The journal stays until `markPersisted()`.
   */
  mergeFrom(text: string | null | undefined): void {
    const sections = this.newSections()
    const remainder = this.read(text ?? '', sections)
    const view = new TokenStore(sections)
    if (this.touched !== undefined) sections.apply(this.refiled(this.touched))
    for (const { operation } of this.journal) sections.apply(reduceCacheOperation(view, operation))
    this.install(remainder, sections)
    this.changedSinceSerialized = this.pendingChangeCount > 0
  }

  /**
   * The state is safely stored: forget the journal, or only its first `count` changes when more
   * were made while the write was under way (those are not in what was stored).
   */
  markPersisted(count: number = this.pendingChangeCount): void {
    const stored = Math.max(0, Math.min(count, this.pendingChangeCount))
    if (stored < this.foldedCount) {
      // Folded changes are one set: it stays until all of them are stored (filing an entry again is harmless).
      this.foldedCount -= stored
      return
    }
    this.journal = this.journal.slice(stored - this.foldedCount)
    this.foldedCount = 0
    this.touched = undefined
  }

  private forgetJournal(): void {
    this.journal = []
    this.foldedCount = 0
    this.touched = undefined
  }

  /** Reads a serialized cache's entries into `sections` (new ones: on a CacheError they are thrown away). */
  private read(text: unknown, sections: CacheSections): CacheRemainder {
    const read = readCache(text, (type, key, entity) => sections.loadEntry(type, key, entity, true, canonicalKeyOfStored(type, key, entity)))
    if (E.isLeft(read)) throw read.left
    return read.right
  }

  private install(remainder: CacheRemainder, sections: CacheSections): void {
    this.unusable = cloneUnusable(remainder)
    this.extras = remainder.extras
    this.replaceSections(sections)
  }
}

/** How many operations the journal keeps before folding them (see compactJournal). */
export const JOURNAL_LIMIT = 128

interface Journaled {
  readonly operation: CacheOperation
  /**
   * The entries it changed here, for compactJournal: type and key in turn. Only these, not the
   * change (its entries are the cache's, or dropped): a journal entry lives for up to
   * JOURNAL_LIMIT operations, and what it holds is copied by every young-generation collection.
   */
  readonly touched: readonly string[]
}

const touchedBy = (change: CacheChange | undefined): string[] => {
  const keys: string[] = []
  if (change === undefined) return keys
  for (const { type, key } of change.puts) keys.push(type, key)
  for (const { type, key } of change.deletes) keys.push(type, key)
  return keys
}

type Touched = { readonly [K in CredentialType]: Set<string> }

const emptyTouched = (): Touched => ({ AccessToken: new Set(), RefreshToken: new Set(), IdToken: new Set(), Account: new Set(), AppMetadata: new Set() })


/**
 * An app's own token (no account) in the other library's convention. MSAL Python finds app tokens
 * only with `home_account_id: null` under the host it calls; MSAL for Node only with `""` under
 * its preferred cache alias (login.windows.net for the public cloud), keyed with a trailing
 * "-{scheme}". One entry cannot serve both, so each is also written as exactly the entry the
 * other library would write: its next write of that token then replaces the copy instead of
 * sitting beside it (MSAL for Node refuses a request that matches two tokens). Loading collapses
 * the pair into one token (they share a canonical key).
 *
 * Managed identity tokens get no mirror: MSAL for Node files them under another client id and
 * environment (see the README), so only MSAL Python's convention can find them.
 */
const appTokenMirror = (entity: AccessTokenEntity): { readonly key: string; readonly entity: AccessTokenEntity } | undefined => {
  if (entity.home_account_id !== null && entity.home_account_id !== '' && entity.home_account_id !== undefined) return undefined
  if (entity.realm === MANAGED_IDENTITY_REALM) return undefined
  const forNode = entity.home_account_id !== ''
  const mirror: AccessTokenEntity = forNode
    ? Object.assign({}, entity, { home_account_id: '', environment: preferredCache(entity.environment) })
    : Object.assign({}, entity, { home_account_id: null, environment: preferredNetwork(entity.environment) })
  const key = keyFor('AccessToken', mirror)
  return { key: forNode ? `${key}-` : key, entity: mirror }
}

/**
 * JSON text of a cache. What a cache holds was loaded within MAX_CACHE_DEPTH and
 * MAX_CACHE_TEXT_LENGTH or filed by this library, so this does not fail; should an entry put
 * through `apply` be unserializable (a cycle, a BigInt), the failure is an MsalError, not a raw
 * TypeError or RangeError.
 */
const stringify = (json: unknown): string => {
  try {
    return JSON.stringify(json)
  } catch (error) {
    throw cacheError(`the cache cannot be written as JSON (${error instanceof Error ? error.message : String(error)})`)
  }
}

const cloneUnusable = (remainder: CacheRemainder): Record<CredentialType, Record<string, unknown>> =>
  Object.fromEntries(CREDENTIAL_TYPES.map((type) => [type, Object.assign(keyedByText(), remainder.unusable[type])])) as Record<CredentialType, Record<string, unknown>>
