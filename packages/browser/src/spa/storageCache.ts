import { CREDENTIAL_TYPES, type CacheChange, type CachePut, type CredentialType } from '@msal-ts/core'
import { TokenStore } from '@msal-ts/core/protocol'
import { decodeEntry } from '@msal-ts/core/protocol'

/** Where a browser app keeps its tokens. */
export type CacheLocation = 'sessionStorage' | 'localStorage' | 'memory'

const TYPES: ReadonlySet<string> = new Set(CREDENTIAL_TYPES)

/**
 * What the cache uses of Web Storage (sessionStorage and localStorage have it), named here so
 * the package's declarations do not need the DOM library: Node and Workers users compile them too.
 */
export interface KeyValueStorage {
  readonly length: number
  key(index: number): string | null
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/**
 * The token cache of a browser app: in memory, indexed (a cache hit reads no storage), and
 * written through to Web Storage one key per entry, in MSAL's unified-cache JSON, so tabs never
 * overwrite each other's entries. Another tab's writes arrive as `storage` events and update
 * this tab's index (`applyStorageEvent`); `reload` re-reads every entry (after waiting for a lock
 * another tab held).
 */
export class WebStorageCache extends TokenStore {
  constructor(
    private readonly storage: KeyValueStorage | undefined,
    /** "msal-ts.<client id>.": every key this cache writes starts with it. */
    private readonly prefix: string,
  ) {
    super()
    this.reload()
  }

  private keyOf(type: CredentialType, key: string): string {
    return `${this.prefix}${type}|${key}`
  }

  /** The entry a storage key holds, if it is one of this cache's and fits the schema. */
  private entryAt(storageKey: string, value: string | null): { type: CredentialType; key: string; put: CachePut | undefined } | undefined {
    if (!storageKey.startsWith(this.prefix)) return undefined
    const rest = storageKey.slice(this.prefix.length)
    const bar = rest.indexOf('|')
    const type = rest.slice(0, bar)
    if (bar < 0 || !TYPES.has(type)) return undefined
    const key = rest.slice(bar + 1)
    let parsed: unknown
    try {
      parsed = value === null ? undefined : JSON.parse(value)
    } catch {
      parsed = undefined
    }
    return { type: type as CredentialType, key, put: parsed === undefined ? undefined : decodeEntry(type as CredentialType, key, parsed) }
  }

  /** Re-reads every entry from storage (entries that no longer fit the schema are skipped). */
  reload(): void {
    const storage = this.storage
    if (storage === undefined) return
    const entries: CachePut[] = []
    for (let i = 0; i < storage.length; i++) {
      const name = storage.key(i)
      const found = name === null ? undefined : this.entryAt(name, storage.getItem(name))
      if (found?.put !== undefined) entries.push(found.put)
    }
    this.replaceEntries(entries)
  }

  /** Another tab changed an entry (a `storage` event): apply it here, without writing it back. */
  applyStorageEvent(storageKey: string | null, newValue: string | null): boolean {
    if (storageKey === null) {
      this.reload()
      return true
    }
    const found = this.entryAt(storageKey, newValue)
    if (found === undefined) return false
    this.applyStored(found.put === undefined ? { puts: [], deletes: [{ type: found.type, key: found.key }] } : { puts: [found.put], deletes: [] })
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
