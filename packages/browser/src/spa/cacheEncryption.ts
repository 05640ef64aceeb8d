import { type CacheChange, type CachePut, type CredentialType, base64UrlToBytes, bytesToBase64Url, utf8Decode } from '@msal-ts/core/spa'
import { WebStorageCache, type CacheEncryption, type KeyValueStorage } from './storageCache.js'

/** The IndexedDB database and object store that keep each app's session key. */
const DATABASE = 'msal-ts'
const STORE = 'session-keys'

/** What IndexedDB keeps per app (under its key prefix): the key, and the id of the session it belongs to. */
interface SessionKeyRecord {
  readonly id: string
  readonly key: CryptoKey
}

const settled = <T>(request: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })

/** Runs `use` on the store in one transaction, answering once it is committed. */
const inStore = async <T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
  const opening = indexedDB.open(DATABASE, 1)
  opening.onupgradeneeded = () => opening.result.createObjectStore(STORE)
  const database = await settled(opening)
  try {
    const transaction = database.transaction(STORE, mode)
    const answer = settled(use(transaction.objectStore(STORE)))
    await new Promise((resolve, reject) => {
      transaction.oncomplete = resolve
      transaction.onerror = transaction.onabort = () => reject(transaction.error)
    })
    return await answer
  } finally {
    database.close()
  }
}

const cookieNamed = (name: string): string | undefined =>
  document.cookie
    .split('; ')
    .find((cookie) => cookie.startsWith(`${name}=`))
    ?.slice(name.length + 1)

/**
 * The browser session's key for the app whose storage keys start with `prefix`: the one kept in
 * IndexedDB if the session cookie names it, else a new one that replaces it (a new browser
 * session: the previous key is gone, and with it what it encrypted). Tabs starting at once agree
 * on one key (a Web Lock). Undefined when the browser keeps no cookie or IndexedDB here (a
 * sandboxed frame, some private modes): then the cache stays in memory only.
 */
const sessionKey = async (prefix: string): Promise<CryptoKey | undefined> => {
  const cookie = encodeURIComponent(`${prefix}key`)
  const findOrMake = async (): Promise<CryptoKey> => {
    const kept = (await inStore('readonly', (store) => store.get(prefix))) as SessionKeyRecord | undefined
    const id = cookieNamed(cookie)
    if (kept !== undefined && id !== undefined && kept.id === id) return kept.key
    const fresh: SessionKeyRecord = {
      id: bytesToBase64Url(crypto.getRandomValues(new Uint8Array(16))),
      key: await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']),
    }
    await inStore('readwrite', (store) => store.put(fresh, prefix))
    // No Expires or Max-Age: the cookie, and so the key it names, lasts for the browser session.
    document.cookie = `${cookie}=${fresh.id}; path=/; samesite=strict${location.protocol === 'https:' ? '; secure' : ''}`
    return fresh.key
  }
  try {
    const locks = (navigator as Navigator & { locks?: LockManager }).locks
    return locks === undefined ? await findOrMake() : await locks.request(cookie, findOrMake)
  } catch {
    return undefined
  }
}

const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text)

/** AES-GCM's nonce length, in bytes. */
const IV_BYTES = 12

/** `plain` encrypted under `key`, bound to the storage key it is written under (as additional data): base64url of nonce and ciphertext. */
const seal = async (key: CryptoKey, storageKey: string, plain: string): Promise<string> => {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8(storageKey) }, key, utf8(plain)))
  const out = new Uint8Array(IV_BYTES + sealed.length)
  out.set(iv)
  out.set(sealed, IV_BYTES)
  return bytesToBase64Url(out)
}

/** What `seal` wrote, or undefined when it cannot be opened: another session's key, a value moved from another key, or tampered with. */
const open = async (key: CryptoKey, storageKey: string, value: string): Promise<string | undefined> => {
  const bytes = base64UrlToBytes(value)
  if (bytes === undefined || bytes.length <= IV_BYTES) return undefined
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.slice(0, IV_BYTES), additionalData: utf8(storageKey) }, key, bytes.slice(IV_BYTES))
    return utf8Decode(new Uint8Array(plain))
  } catch {
    return undefined
  }
}

/**
 * A WebStorageCache whose entries are encrypted in storage with the browser session's key. The
 * index in memory holds them decrypted, so a cache hit stays synchronous; reading storage (the
 * first load, another tab's writes, a reload after a lock) and writing it are asynchronous, in
 * order. An entry that cannot be decrypted is removed from storage and skipped.
 */
class SessionEncryptedCache extends WebStorageCache {
  readonly #storage: KeyValueStorage
  #key: CryptoKey | undefined
  /** Reads of storage, one after another (the first load, then storage events and reloads). */
  #reads: Promise<void>
  /** This tab's writes still being encrypted: a reload waits for them, so it reads back what this tab filed. */
  #writes: Promise<unknown> = Promise.resolve()

  constructor(storage: KeyValueStorage, prefix: string) {
    // The base class keeps no storage: this one reads and writes it through the key.
    super(undefined, prefix)
    this.#storage = storage
    // Whatever fails here (no key, a storage that throws) leaves the cache empty, not broken.
    const loaded = sessionKey(prefix)
      .then(async (key) => {
        this.#key = key
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
    const key = this.#key
    if (key === undefined) return []
    const names: string[] = []
    for (let i = 0; i < storage.length; i++) {
      const name = storage.key(i)
      if (name !== null && this.entryAt(name, null) !== undefined) names.push(name)
    }
    const entries = await Promise.all(
      names.map(async (name) => {
        const value = storage.getItem(name)
        const plain = value === null ? undefined : await open(key, name, value)
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
      const key = this.#key
      if (key === undefined) return
      const plain = newValue === null ? null : await open(key, storageKey, newValue)
      // A value this session's key cannot open is not applied (a removal is).
      if (plain !== undefined) this.applyEntry(this.entryAt(storageKey, plain)!)
    })
    return true
  }

  protected override changed(change: CacheChange): void {
    const key = this.#key
    if (key === undefined) return
    for (const { type, key: entryKey } of change.deletes) this.#storage.removeItem(this.keyOf(type, entryKey))
    const writes = change.puts.map(({ type, key: entryKey, entity }) => this.#write(key, type, entryKey, entity))
    this.#writes = Promise.all([this.#writes, ...writes])
  }

  /** Writes an entry once encrypted, unless the index no longer holds it by then (a later change won). */
  async #write(key: CryptoKey, type: CredentialType, entryKey: string, entity: object): Promise<void> {
    const storageKey = this.keyOf(type, entryKey)
    try {
      const sealed = await seal(key, storageKey, JSON.stringify(entity))
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
