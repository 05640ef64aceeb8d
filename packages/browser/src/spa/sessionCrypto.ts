// The browser session's key for sessionCacheEncryption (cacheEncryption.ts), kept in IndexedDB
// and named by a session cookie, and sealing and opening entries with it (AES-GCM). Loaded with import() when the cache is made (its stored entries
// are read asynchronously anyway), so it is not in a page's first chunk. It imports nothing (the
// cache gives it core's base64url), so that chunk stays its own.

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
const sessionKey = async (prefix: string, codec: TextCodec): Promise<CryptoKey | undefined> => {
  const cookie = encodeURIComponent(`${prefix}key`)
  const findOrMake = async (): Promise<CryptoKey> => {
    const kept = (await inStore('readonly', (store) => store.get(prefix))) as SessionKeyRecord | undefined
    const id = cookieNamed(cookie)
    if (kept !== undefined && id !== undefined && kept.id === id) return kept.key
    const fresh: SessionKeyRecord = {
      id: codec.toText(crypto.getRandomValues(new Uint8Array(16))),
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

/** `plain` encrypted under `key`, bound to the storage key it is written under (as additional data): nonce and ciphertext, as the codec writes bytes. */
const seal = async (key: CryptoKey, codec: TextCodec, storageKey: string, plain: string): Promise<string> => {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8(storageKey) }, key, utf8(plain)))
  const out = new Uint8Array(IV_BYTES + sealed.length)
  out.set(iv)
  out.set(sealed, IV_BYTES)
  return codec.toText(out)
}

/** What `seal` wrote, or undefined when it cannot be opened: another session's key, a value moved from another key, or tampered with. */
const open = async (key: CryptoKey, codec: TextCodec, storageKey: string, value: string): Promise<string | undefined> => {
  const bytes = codec.toBytes(value)
  if (bytes === undefined || bytes.length <= IV_BYTES) return undefined
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.slice(0, IV_BYTES), additionalData: utf8(storageKey) }, key, bytes.slice(IV_BYTES))
    return codec.decodeUtf8(new Uint8Array(plain))
  } catch {
    return undefined
  }
}



/** How bytes are written as text in storage, and UTF-8 read back (the cache passes core's base64url and decoder). */
export interface TextCodec {
  readonly toText: (bytes: Uint8Array) => string
  readonly toBytes: (text: string) => Uint8Array | undefined
  readonly decodeUtf8: (bytes: Uint8Array) => string | undefined
}

/** Seals and opens entries with the browser session's key. */
export interface SessionCipher {
  /** `plain` encrypted, bound to the storage key it is written under (additional data). */
  seal(storageKey: string, plain: string): Promise<string>
  /** What `seal` wrote under `storageKey`, or undefined when it cannot be opened. */
  open(storageKey: string, value: string): Promise<string | undefined>
}

/** The cipher of the browser session's key for the app whose storage keys start with `prefix`; undefined where there can be no key (see sessionKey). */
export const sessionCipher = async (prefix: string, codec: TextCodec): Promise<SessionCipher | undefined> => {
  const key = await sessionKey(prefix, codec)
  return key === undefined
    ? undefined
    : { seal: (storageKey, plain) => seal(key, codec, storageKey, plain), open: (storageKey, value) => open(key, codec, storageKey, value) }
}
