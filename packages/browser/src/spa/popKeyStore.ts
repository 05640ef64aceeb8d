import { webPopKeys, type PopKeyPair, type PopKeys, type PopKeyStore, type PopSubtleCrypto } from '../popKeys.js'

/** The IndexedDB database and object store the SPA's proof-of-possession keys live in (one pair per client id). */
export const POP_KEY_DATABASE = 'msal-ts.pop'
export const POP_KEY_OBJECT_STORE = 'keys'

const done = <T>(request: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error ?? new Error('IndexedDB refused the request'))
  })

const open = (): Promise<IDBDatabase> => {
  const request = indexedDB.open(POP_KEY_DATABASE, 1)
  request.onupgradeneeded = () => request.result.createObjectStore(POP_KEY_OBJECT_STORE)
  return done(request)
}

const isPair = (value: unknown): value is PopKeyPair =>
  typeof value === 'object' && value !== null && 'publicKey' in value && 'privateKey' in value

/**
 * Keeps a single-page app's key pair in IndexedDB under its client id, as CryptoKeys (structured
 * clones: the private key stays non-extractable, and survives reloads and is shared by the app's
 * tabs). The first tab to store a pair wins; another tab that made one at the same time takes it.
 */
export const indexedDbPopKeyStore = (clientId: string): PopKeyStore => {
  let database: Promise<IDBDatabase> | undefined
  const db = (): Promise<IDBDatabase> => {
    database ??= open()
    database.catch(() => (database = undefined))
    return database
  }
  const load = async (): Promise<PopKeyPair | undefined> => {
    const stored: unknown = await done((await db()).transaction(POP_KEY_OBJECT_STORE, 'readonly').objectStore(POP_KEY_OBJECT_STORE).get(clientId))
    return isPair(stored) ? stored : undefined
  }
  return {
    load,
    keep: async (pair) => {
      try {
        await done((await db()).transaction(POP_KEY_OBJECT_STORE, 'readwrite').objectStore(POP_KEY_OBJECT_STORE).add({ publicKey: pair.publicKey, privateKey: pair.privateKey }, clientId))
        return pair
      } catch (error) {
        // Another tab stored one first (ConstraintError): use that.
        const other = await load()
        if (other !== undefined) return other
        throw error
      }
    },
  }
}

/** A single-page app's proof-of-possession key: WebCrypto's, kept in IndexedDB under the client id. */
export const spaPopKeys = (clientId: string): PopKeys =>
  webPopKeys(() => globalThis.crypto.subtle as unknown as PopSubtleCrypto, indexedDbPopKeyStore(clientId))
