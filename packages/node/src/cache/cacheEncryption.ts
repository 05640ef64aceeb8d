import { createHash } from 'node:crypto'
import { compactDecrypt, CompactEncrypt, type CryptoKey } from 'jose'
import type { MsalError } from '@msal-ts/core'
import { configurationError } from '@msal-ts/core'
import { cacheFailure } from './cacheFailure.js'

/**
 * Encryption at rest with a key the application supplies: 32 random bytes (a Uint8Array or
 * Buffer, or a base64url string of them) or a WebCrypto AES-GCM CryptoKey of 256 bits. The file
 * is then a standard compact JWE (`alg: dir`, `enc: A256GCM`): authenticated, so a wrong key
 * or an altered file is detected, never mistaken for a cache.
 *
 * Each file is also bound to its purpose: the protected header (the JWE's additional
 * authenticated data) carries a hash of a context, by default the file's absolute path. Another
 * cache's ciphertext under the same key (copied over this one, or swapped by an attacker who can
 * write files but not read the key) is refused, not loaded.
 */
export type CacheEncryptionKey = Uint8Array | string | CryptoKey

export interface CacheCipher {
  seal(text: string): Promise<Uint8Array>
  /** The plaintext of a sealed file; `path` is for the error message. */
  open(text: string, path: string): Promise<string>
}

/** The protected header parameter that binds a file to its context (a private name, RFC 7516 §4.3). */
export const CONTEXT_PARAMETER = 'msal-ts-ctx'
const KEY_BYTES = 32
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/
/** header.encryptedKey.iv.ciphertext.tag; with `dir` the encrypted key is empty. */
const COMPACT_JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/
/** base64url of `{"`, then base64url and dots only: how every JWE begins, whole or cut off. JSON begins with `{`. */
const JWE_LIKE = /^eyJ[A-Za-z0-9_.-]*$/

/** Whether a file's text is an encrypted cache (a compact JWE, whole or damaged) rather than cache JSON. */
export const looksEncrypted = (text: string): boolean => JWE_LIKE.test(text.trim())

/** The header value binding a file to `context`: a hash, so a path is not written in the clear. */
const contextTag = (context: string): string => createHash('sha256').update(`msal-ts cache file\0${context}`, 'utf8').digest('base64url')

/**
 * A cipher for files bound to `context` (see above).
 *
 * @throws MsalError (kind ConfigurationError, field encryptionKey) for a key that cannot be an AES-256-GCM key.
 */
export const createCacheCipher = (encryptionKey: unknown, context: string): CacheCipher => {
  const key = keyOf(encryptionKey)
  const header = { alg: 'dir', enc: 'A256GCM', [CONTEXT_PARAMETER]: contextTag(context) } as const
  return {
    seal: async (text) => new TextEncoder().encode(await new CompactEncrypt(new TextEncoder().encode(text)).setProtectedHeader(header).encrypt(key)),
    open: async (text, path) => {
      const trimmed = text.trim()
      if (trimmed === '') return ''
      if (!looksEncrypted(trimmed)) {
        throw cacheFailure(`${path} is not encrypted, but an encryptionKey is configured; it was left untouched (delete it to start an encrypted cache)`)
      }
      if (!COMPACT_JWE.test(trimmed)) throw cacheFailure(`${path} is an encrypted cache that is damaged (truncated, or cut into the wrong number of parts); it was left untouched`)
      let opened
      try {
        opened = await compactDecrypt(trimmed, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] })
      } catch {
        throw cacheFailure(`${path} could not be decrypted: the encryptionKey is wrong or the file was altered; it was left untouched`)
      }
      // The header is authenticated: a tag that differs was written for another file, not altered.
      if (opened.protectedHeader[CONTEXT_PARAMETER] !== header[CONTEXT_PARAMETER]) {
        throw cacheFailure(
          `${path} holds a cache encrypted for another file or encryptionContext (its ciphertext was copied or moved here); it was left untouched. ` +
            'If you moved the file, set encryptionContext to its old path, or start afresh by deleting it',
        )
      }
      return new TextDecoder().decode(opened.plaintext)
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
