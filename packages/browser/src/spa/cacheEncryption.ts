import { type CacheChange, type CachePut, type CredentialType, base64UrlToBytes, bytesToBase64Url, utf8Decode } from '@msal-ts/core/spa'
import { WebStorageCache, type CacheEncryption, type KeyValueStorage } from './storageCache.js'
import type { SessionCipher, TextCodec } from './sessionCrypto.js'

/** How sealed entries are written as text: core's base64url (given to the lazily loaded cipher, which imports nothing). */
const CODEC: TextCodec = { toText: bytesToBase64Url, toBytes: base64UrlToBytes, decodeUtf8: utf8Decode }

/**
 * A WebStorageCache whose entries are encrypted in storage with the browser session's key. The
 * index in memory holds them decrypted, so a cache hit stays synchronous; reading storage (the
 * first load, another tab's writes, a reload after a lock) and writing it are asynchronous, in
 * order. An entry that cannot be decrypted is removed from storage and skipped.
 */
class SessionEncryptedCache extends WebStorageCache {
  readonly #storage: KeyValueStorage
  /** Undefined until the key is ready, and for good where there is none (then the cache stays in memory only). */
  #cipher: SessionCipher | undefined
  /** Reads of storage, one after another (the first load, then storage events and reloads). */
  #reads: Promise<void>
  /** This tab's writes still being encrypted: a reload waits for them, so it reads back what this tab filed. */
  #writes: Promise<unknown> = Promise.resolve()

  constructor(storage: KeyValueStorage, prefix: string) {
    // The base class keeps no storage: this one reads and writes it through the key.
    super(undefined, prefix)
    this.#storage = storage
    // Whatever fails here (no key, a storage that throws) leaves the cache empty, not broken.
    // A page whose encryption code does not load keeps its cache in memory only: nothing is written in the clear.
    const loaded = import('./sessionCrypto.js')
      .then(async (crypto) => {
        this.#cipher = await crypto.sessionCipher(prefix, CODEC)
        this.replaceEntries(await this.#stored())
      })
      .catch(() => undefined)
      .then(() => {
        this.loading = undefined
      })
    this.loading = this.#reads = loaded
  }

  /** Every entry in storage, decrypted; the ones that cannot be are removed (another session's, or tampered with). */
  async #stored(): Promise<CachePut[]> {
    const storage = this.#storage
    const cipher = this.#cipher
    if (cipher === undefined) return []
    const names: string[] = []
    for (let i = 0; i < storage.length; i++) {
      const name = storage.key(i)
      if (name !== null && this.entryAt(name, null) !== undefined) names.push(name)
    }
    const entries = await Promise.all(
      names.map(async (name) => {
        const value = storage.getItem(name)
        const plain = value === null ? undefined : await cipher.open(name, value)
        const put = plain === undefined ? undefined : this.entryAt(name, plain)?.put
        if (put === undefined) storage.removeItem(name)
        return put
      }),
    )
    return entries.filter((put): put is CachePut => put !== undefined)
  }

  #afterReads(read: () => Promise<void>): Promise<void> {
    this.#reads = this.#reads.then(read, read)
    return this.#reads
  }

  override reload(): Promise<void> {
    return this.#afterReads(async () => {
      await this.#writes
      // A storage that throws now keeps what this tab has in memory.
      const entries = await this.#stored().catch(() => undefined)
      if (entries !== undefined) this.replaceEntries(entries)
    })
  }

  override applyStorageEvent(storageKey: string | null, newValue: string | null): boolean {
    if (storageKey === null) {
      void this.reload()
      return true
    }
    if (this.entryAt(storageKey, null) === undefined) return false
    void this.#afterReads(async () => {
      const cipher = this.#cipher
      if (cipher === undefined) return
      const plain = newValue === null ? null : await cipher.open(storageKey, newValue)
      // A value this session's key cannot open is not applied (a removal is).
      if (plain !== undefined) this.applyEntry(this.entryAt(storageKey, plain)!)
    })
    return true
  }

  protected override changed(change: CacheChange): void {
    const cipher = this.#cipher
    if (cipher === undefined) return
    for (const { type, key: entryKey } of change.deletes) this.#storage.removeItem(this.keyOf(type, entryKey))
    const writes = change.puts.map(({ type, key: entryKey, entity }) => this.#write(cipher, type, entryKey, entity))
    this.#writes = Promise.all([this.#writes, ...writes])
  }

  /** Writes an entry once encrypted, unless the index no longer holds it by then (a later change won). */
  async #write(cipher: SessionCipher, type: CredentialType, entryKey: string, entity: object): Promise<void> {
    const storageKey = this.keyOf(type, entryKey)
    try {
      const sealed = await cipher.seal(storageKey, JSON.stringify(entity))
      if (this.collection(type).get(entryKey)?.entity === entity) this.#storage.setItem(storageKey, sealed)
    } catch {
      // Not sealed (WebCrypto refused) or not stored (a full storage): the entry stays in this tab's memory.
    }
  }
}

/**
 * Encryption at rest for a browser app's token cache (the `cacheEncryption` option), off unless
 * an app passes it: each entry is encrypted in Web Storage with AES-GCM (256-bit; the storage key
 * is bound in as additional data, so a value moved to another key or changed does not decrypt).
 * The index in memory keeps the entries decrypted: a cache hit stays synchronous.
 *
 * The key lives for the browser session. It is a non-extractable WebCrypto key kept in
 * IndexedDB, and the session it belongs to is named by a session cookie (no expiry) holding only
 * the key's random id. A cookie, because it is the browser's one store that lasts exactly a
 * browser session and is shared by every tab of the origin (localStorage mode needs that;
 * sessionStorage is one tab's); only the id, because a cookie goes to the app's server with
 * every request, and the key should never leave the browser (script can use it, not read it).
 * When the browser starts a new session, the cookie is gone: a new key replaces the old one, the
 * stored entries no longer decrypt, and they are removed as they are read, so the user signs in
 * again, cleanly, without errors (msal-browser, whose encryption is always on, signs users out
 * the same way on every browser restart; here it is a choice).
 *
 * What it protects: tokens in a copy of Web Storage, and, once the session is over and a new
 * one started, in any copy of the browser's files. What it does not: script running in the page
 * (an XSS can call the library as the app does), or a copy of the whole profile taken during the
 * session. Where the browser keeps no cookies or IndexedDB for the page, the cache stays in
 * memory only (nothing is written in the clear).
 */
export const sessionCacheEncryption: CacheEncryption = (storage, prefix) =>
  storage === undefined ? new WebStorageCache(undefined, prefix) : new SessionEncryptedCache(storage, prefix)
