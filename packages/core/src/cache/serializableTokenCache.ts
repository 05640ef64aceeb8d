import * as E from '#fp-ts/Either'
import { MsalException } from '../exception.js'
import type { CacheChange } from './change.js'
import type { CachePersistence } from './persistence.js'
import { emptyUnusable, parseCache, type ParsedCache } from './serialization.js'
import { CREDENTIAL_TYPES, type CredentialType } from './schema.js'
import { TokenCache, type TokenCacheOptions } from './tokenCache.js'
import { CacheSections, TokenStore } from './tokenStore.js'

type Reducer = (cache: TokenStore) => CacheChange

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
 */
export class SerializableTokenCache extends TokenCache {
  private changedSinceSerialized = false
  private unusable = emptyUnusable()
  private extras: Readonly<Record<string, unknown>> = {}
  private journal: Reducer[] = []
  readonly persistence: CachePersistence | undefined

  constructor(options: SerializableTokenCacheOptions = {}) {
    super(options)
    this.persistence = options.persistence
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
    return this.journal.length
  }

  override update(reducer: Reducer): void {
    const before = this.stateVersion
    super.update(reducer)
    if (this.stateVersion !== before) {
      this.changedSinceSerialized = true
      this.journal.push(reducer)
    }
  }

  /** MSAL's unified cache JSON: the five sections (entries as stored), then unknown top-level keys. */
  serialize(): string {
    const json: Record<string, unknown> = {}
    for (const type of CREDENTIAL_TYPES) {
      const section: Record<string, unknown> = {}
      for (const { key, entity } of this.collection(type).values()) section[key] = entity
      Object.assign(section, this.unusable[type])
      json[type] = section
    }
    for (const [name, value] of Object.entries(this.extras)) if (!(name in json)) json[name] = value
    this.changedSinceSerialized = false
    return JSON.stringify(json)
  }

  /**
   * Replaces the cache with a serialized one. Unparseable text throws an MsalError (kind
   * CacheError) and leaves the cache exactly as it was.
   */
  deserialize(text: string | null | undefined): void {
    this.load(this.parse(text ?? ''))
    this.journal = []
    this.changedSinceSerialized = false
  }

  /**
   * Loads the persisted state and replays the changes made here since the last persist, so a
   * write merges with what other processes wrote. The journal stays until `markPersisted()`.
   */
  mergeFrom(text: string | null | undefined): void {
    const parsed = this.parse(text ?? '')
    const sections = sectionsOf(parsed)
    const view = new TokenStore(sections)
    for (const reducer of this.journal) sections.apply(reducer(view))
    this.install(parsed, sections)
    this.changedSinceSerialized = this.journal.length > 0
  }

  /** The state is safely stored: forget the journal. */
  markPersisted(): void {
    this.journal = []
  }

  private parse(text: string): ParsedCache {
    const parsed = parseCache(text)
    if (E.isLeft(parsed)) throw new MsalException(parsed.left)
    return parsed.right
  }

  private load(parsed: ParsedCache): void {
    this.install(parsed, sectionsOf(parsed))
  }

  private install(parsed: ParsedCache, sections: CacheSections): void {
    this.unusable = { ...emptyUnusable(), ...cloneUnusable(parsed) }
    this.extras = parsed.extras
    this.replaceSections(sections)
  }
}

const sectionsOf = (parsed: ParsedCache): CacheSections => {
  const sections = new CacheSections()
  sections.apply({ puts: parsed.entries, deletes: [] })
  return sections
}

const cloneUnusable = (parsed: ParsedCache): Record<CredentialType, Record<string, unknown>> =>
  Object.fromEntries(CREDENTIAL_TYPES.map((type) => [type, { ...parsed.unusable[type] }])) as Record<CredentialType, Record<string, unknown>>
