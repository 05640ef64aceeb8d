import { CREDENTIAL_TYPES, type CacheChange, type CachePut, type CredentialType, TokenStore, decodeEntry } from '@msal-ts/core/spa'

/** Where a browser app keeps its tokens. */
export type CacheLocation = 'sessionStorage' | 'localStorage' | 'memory'

const TYPES: ReadonlySet<string> = new Set(CREDENTIAL_TYPES)

/**
 * What the cache uses of Web Storage (sessionStorage and localStorage have it), named here so
 * the package's declarations do not need the DOM library: Node and Workers users compile them too.
 */
export interface KeyValueStorage {
  /** How many keys the storage holds. */
  readonly length: number
  /** The key at `index` (0 to length - 1), or null past the end. */
  key(index: number): string | null
  /** The value stored under `key`, or null when there is none. */
  getItem(key: string): string | null
  /** Stores `value` under `key`; may throw when the storage is full (QuotaExceededError). */
  setItem(key: string, value: string): void
  /** Removes `key`; nothing happens when it is absent. */
  removeItem(key: string): void
}

/**
 * How a browser app's token cache is kept in Web Storage: the cache for a storage (undefined in
 * memory mode) and a key prefix. The `cacheEncryption` option takes one: `sessionCacheEncryption`.
 */
export type CacheEncryption = (storage: KeyValueStorage | undefined, prefix: string) => WebStorageCache

/** A cache entry a storage key names: its type and key, and the entry when the value is one that fits the schema. */
export interface StoredEntry {
  /** The entity's kind (AccessToken, RefreshToken, IdToken, Account, AppMetadata), from its storage key. */
  readonly type: CredentialType
  /** The entity's unified-cache key, its storage key without the app's prefix and kind. */
  readonly key: string
  /** The entry to file, or undefined when the stored value is gone or unreadable (the entry is removed). */
  readonly put: CachePut | undefined
}

/**
 * The token cache of a browser app: in memory, indexed (a cache hit reads no storage), and
 * written through to Web Storage one key per entry, in MSAL's unified-cache JSON, so tabs never
 * overwrite each other's entries. Another tab's writes arrive as `storage` events and update
 * this tab's index (`applyStorageEvent`); `reload` re-reads every entry (after waiting for a lock
 * another tab held).
 */
export class WebStorageCache extends TokenStore {
  /**
   * Pending while the stored entries are being read (an encrypted cache decrypts them); then,
   * and always for this plain cache, undefined: every read is synchronous.
   */
  loading: Promise<void> | undefined

  constructor(
    private readonly storage: KeyValueStorage | undefined,
    /** "msal-ts.<client id>.": every key this cache writes starts with it. */
    protected readonly prefix: string,
  ) {
    super()
    // Not reload(): a subclass's reload runs once the subclass is constructed.
    this.replaceEntries(this.storedEntries())
  }

  /** The storage key of an entry. */
  protected keyOf(type: CredentialType, key: string): string {
    return `${this.prefix}${type}|${key}`
  }

  /** The entry a storage key holds, if it is one of this cache's (`value`: the entry's JSON, null when removed; undefined entry when it does not fit the schema). */
  protected entryAt(storageKey: string, value: string | null | undefined): StoredEntry | undefined {
    if (!storageKey.startsWith(this.prefix)) return undefined
    const rest = storageKey.slice(this.prefix.length)
    const bar = rest.indexOf('|')
    const type = rest.slice(0, bar)
    if (bar < 0 || !TYPES.has(type)) return undefined
    const key = rest.slice(bar + 1)
    let parsed: unknown
    try {
      parsed = value == null ? undefined : JSON.parse(value)
    } catch {
      parsed = undefined
    }
    return { type: type as CredentialType, key, put: parsed === undefined ? undefined : decodeEntry(type as CredentialType, key, parsed) }
  }

  /** An entry found (or removed) in storage, applied here without writing it back. */
  protected applyEntry(found: StoredEntry): void {
    this.applyStored(found.put === undefined ? { puts: [], deletes: [{ type: found.type, key: found.key }] } : { puts: [found.put], deletes: [] })
  }

  /** Re-reads every entry from storage (entries that no longer fit the schema are skipped). An encrypted cache answers once it has decrypted them. */
  reload(): void | Promise<void> {
    if (this.storage !== undefined) this.replaceEntries(this.storedEntries())
  }

  private storedEntries(): CachePut[] {
    const storage = this.storage
    const entries: CachePut[] = []
    for (let i = 0; i < (storage?.length ?? 0); i++) {
      const name = storage!.key(i)
      const found = name === null ? undefined : this.entryAt(name, storage!.getItem(name))
      if (found?.put !== undefined) entries.push(found.put)
    }
    return entries
  }

  /** Another tab changed an entry (a `storage` event): apply it here, without writing it back. False when the key is not this cache's. */
  applyStorageEvent(storageKey: string | null, newValue: string | null): boolean {
    if (storageKey === null) {
      void this.reload()
      return true
    }
    const found = this.entryAt(storageKey, newValue)
    if (found === undefined) return false
    this.applyEntry(found)
    return true
  }

  protected override changed(change: CacheChange): void {
    const storage = this.storage
    if (storage === undefined) return
    for (const { type, key } of change.deletes) storage.removeItem(this.keyOf(type, key))
    for (const { type, key, entity } of change.puts) {
      try {
        storage.setItem(this.keyOf(type, key), JSON.stringify(entity))
      } catch {
        // A full storage keeps the entry in memory: this tab still has it.
      }
    }
  }
}
