import { compactDecrypt, CompactEncrypt, type CryptoKey } from 'jose'
import type { MsalError } from '@msal-ts/core'
import { configurationError } from '@msal-ts/core'
import { cacheFailure } from './cacheFailure.js'

/**
 * Encryption at rest with a key the application supplies: 32 random bytes (a Uint8Array or
 * Buffer, or a base64url string of them) or a WebCrypto AES-GCM CryptoKey of 256 bits. The file
 * is then a standard compact JWE (`alg: dir`, `enc: A256GCM`): authenticated, so a wrong key
 * or an altered file is detected, never mistaken for a cache.
 */
export type CacheEncryptionKey = Uint8Array | string | CryptoKey

export interface CacheCipher {
  seal(text: string): Promise<Uint8Array>
  /** The plaintext of a sealed file; `path` is for the error message. */
  open(text: string, path: string): Promise<string>
}

const HEADER = { alg: 'dir', enc: 'A256GCM' } as const
const KEY_BYTES = 32
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/
/** header.encryptedKey.iv.ciphertext.tag; with `dir` the encrypted key is empty. */
const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/

/** Whether a file's text is a compact JWE (an encrypted cache) rather than cache JSON. */
export const looksEncrypted = (text: string): boolean => COMPACT_JWE.test(text.trim())

/** @throws MsalError (kind ConfigurationError, field encryptionKey) for a key that cannot be an AES-256-GCM key. */
export const createCacheCipher = (encryptionKey: unknown): CacheCipher => {
  const key = keyOf(encryptionKey)
  return {
    seal: async (text) => new TextEncoder().encode(await new CompactEncrypt(new TextEncoder().encode(text)).setProtectedHeader(HEADER).encrypt(key)),
    open: async (text, path) => {
      if (text.trim() === '') return ''
      if (!looksEncrypted(text)) {
        throw cacheFailure(`${path} is not encrypted, but an encryptionKey is configured; it was left untouched (delete it to start an encrypted cache)`)
      }
      try {
        const { plaintext } = await compactDecrypt(text.trim(), key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] })
        return new TextDecoder().decode(plaintext)
      } catch {
        throw cacheFailure(`${path} could not be decrypted: the encryptionKey is wrong or the file was altered; it was left untouched`)
      }
    },
  }
}

const badKey = (why: string): MsalError =>
  configurationError('encryptionKey', `${why}; expected 32 random bytes (a Uint8Array, or a base64url string of them) or an AES-GCM CryptoKey of 256 bits`)

const keyOf = (key: unknown): Uint8Array | CryptoKey => {
  if (typeof key === 'string') {
    if (!BASE64URL.test(key)) throw badKey('the string is not base64url')
    return ofLength(new Uint8Array(Buffer.from(key, 'base64url')))
  }
  // A copy: the caller may reuse or wipe its buffer.
  if (key instanceof Uint8Array) return ofLength(new Uint8Array(key))
  if (isCryptoKey(key)) return aesGcm256(key)
  throw badKey(`got ${key === null ? 'null' : typeof key}`)
}

const ofLength = (bytes: Uint8Array): Uint8Array => {
  if (bytes.length !== KEY_BYTES) throw badKey(`got ${bytes.length} bytes`)
  return bytes
}

const isCryptoKey = (key: unknown): key is CryptoKey =>
  typeof key === 'object' && key !== null && 'algorithm' in key && 'usages' in key && 'type' in key

const aesGcm256 = (key: CryptoKey): CryptoKey => {
  const algorithm = key.algorithm as { name?: unknown; length?: unknown }
  if (key.type !== 'secret' || algorithm.name !== 'AES-GCM' || algorithm.length !== 256) {
    throw badKey(`got a ${String(algorithm.name)} ${key.type} key${typeof algorithm.length === 'number' ? ` of ${algorithm.length} bits` : ''}`)
  }
  if (!key.usages.includes('encrypt') || !key.usages.includes('decrypt')) throw badKey('the CryptoKey must allow encrypt and decrypt')
  return key
}
