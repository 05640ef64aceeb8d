import { mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { configurationError, MsalError, type CacheAccessContext, type CachePersistence, type SerializableTokenCache } from '@msal-ts/core'
import { DENO_INSPECT, MAX_CACHE_TEXT_LENGTH, NODE_INSPECT, printed, tooLongCacheText as tooLong } from '@msal-ts/core/protocol'
import { writeFileAtomically } from './atomicWrite.js'
import { asCacheFailure, cacheFailure } from './cacheFailure.js'
import { createCacheCipher, looksEncrypted, type CacheCipher, type CacheEncryptionKey } from './cacheEncryption.js'
import { withFileLock, type FileLock, type FileLockOptions } from './fileLock.js'
import { currentStamp, MAX_CACHE_FILE_BYTES, MISSING, readSnapshot, type FileStamp, type FileSnapshot } from './fileSnapshot.js'
import { removeAbandonedSiblings } from './siblingFiles.js'

export interface FilePersistenceOptions {
  /**
   * Encrypts the file at rest (a compact JWE, AES-256-GCM): 32 random bytes, a base64url
   * string of them, or an AES-GCM CryptoKey. Keep it outside the file system the cache is on.
   */
  readonly encryptionKey?: CacheEncryptionKey | undefined
  /**
   * What an encrypted file is bound to (authenticated with it, see encryptionKey): a file
   * encrypted for another context is refused even under the same key. Default: the file's
   * absolute path, so another cache's file copied here is refused. Set it to keep reading a file
   * you move, or to name its purpose ("my-app token cache").
   */
  readonly encryptionContext?: string | undefined
  /** How long a write waits for another process's lock before failing. Default 10 000. */
  readonly lockTimeoutMs?: number | undefined
  /** A lock older than this is abandoned, even if its holder cannot be checked (another host). Default 60 000. */
  readonly staleLockMs?: number | undefined
}

const FILE_MODE = 0o600
const DIRECTORY_MODE = 0o700
const DEFAULT_LOCK_TIMEOUT_MS = 10_000
const DEFAULT_STALE_LOCK_MS = 60_000

/**
 * Keeps a SerializableTokenCache in a file shared by any number of processes (MSAL Python's
 * msal-extensions FilePersistence, MSAL for Node's cache plugin), in MSAL's unified JSON so
 * MSAL Python and MSAL for Node can share it.
 *
 * - Before an operation: one stat; the file is read only when another process changed it, and
 *   merged in, so this process's unpersisted changes stay.
 * - After an operation that changed the cache: under a cross-process lock, read the file, merge
 *   this process's changes into it, and replace it atomically (a reader never sees half a file).
 * - A file that cannot be read, parsed or decrypted is reported (MsalError, kind CacheError) and
 *   never overwritten: it is the user's data.
 */
export class FilePersistence implements CachePersistence {
  /** The cache file (absolute). */
  readonly path: string
  readonly lockPath: string
  private readonly lockOptions: FileLockOptions
  private readonly cipher: CacheCipher | undefined
  /** The version of the file the cache last loaded or stored; undefined before the first look. */
  private seen: FileStamp | undefined
  private readCount = 0
  private swept = false
  /** This instance's file work, one at a time: the lock is per process, the queue is per instance. */
  private queue: Promise<unknown> = Promise.resolve()

  /** @throws MsalError (kind ConfigurationError) naming a bad option. */
  constructor(path: string, options: FilePersistenceOptions = {}) {
    if (typeof path !== 'string' || path.trim() === '') throw configurationError('path', 'expected the path of the cache file')
    this.path = resolve(path)
    this.lockPath = `${this.path}.lock`
    this.lockOptions = {
      timeoutMs: milliseconds('lockTimeoutMs', options.lockTimeoutMs, DEFAULT_LOCK_TIMEOUT_MS),
      staleMs: milliseconds('staleLockMs', options.staleLockMs, DEFAULT_STALE_LOCK_MS),
    }
    if (options.encryptionContext !== undefined && (typeof options.encryptionContext !== 'string' || options.encryptionContext === '')) {
      throw configurationError('encryptionContext', 'expected a non-empty string')
    }
    if (options.encryptionContext !== undefined && options.encryptionKey === undefined) {
      throw configurationError('encryptionContext', 'binds an encrypted file to its purpose: give encryptionKey too')
    }
    this.cipher = options.encryptionKey === undefined ? undefined : createCacheCipher(options.encryptionKey, options.encryptionContext ?? this.path)
  }

  /** What the persistence prints as (JSON.stringify, console.log): its file and whether it is encrypted, never the key. */
  toJSON(): { readonly path: string; readonly encrypted: boolean } {
    return { path: this.path, encrypted: this.cipher !== undefined }
  }

  [NODE_INSPECT](_depth: number, options: unknown, inspect: unknown): string {
    return printed('FilePersistence', this.toJSON(), options, inspect)
  }

  [DENO_INSPECT](inspect: unknown, options: unknown): string {
    return printed('FilePersistence', this.toJSON(), options, inspect)
  }

  /** How many times this persistence has read the file: a cache hit on an unchanged file reads nothing. */
  get reads(): number {
    return this.readCount
  }

  beforeCacheAccess(cache: SerializableTokenCache, _context?: CacheAccessContext): void | Promise<void> {
    if (this.seen !== undefined && currentStamp(this.path) === this.seen) return
    return this.exclusively(() => this.load(cache))
  }

  afterCacheAccess(cache: SerializableTokenCache, _context?: CacheAccessContext): void | Promise<void> {
    if (cache.pendingChangeCount === 0) return
    return this.exclusively(() => this.store(cache))
  }

  /** Loads what other processes stored since we last looked. */
  private async load(cache: SerializableTokenCache): Promise<void> {
    if (this.seen !== undefined && currentStamp(this.path) === this.seen) return // a queued load or store got it
    const snapshot = await this.read()
    if (snapshot.bytes === undefined) {
      // Never seen: nothing is stored yet, keep what is in memory. Seen before: it was deleted, the stored cache is empty.
      if (this.seen !== undefined && this.seen !== MISSING) this.merge(cache, '')
    } else {
      this.merge(cache, await this.decode(snapshot.bytes))
    }
    this.seen = snapshot.stamp
  }

  /** Merges this process's changes into the stored cache and writes the result, under the lock. */
  private async store(cache: SerializableTokenCache): Promise<void> {
    if (cache.pendingChangeCount === 0) return // a write queued before this one stored them
    try {
      await mkdir(dirname(this.path), { recursive: true, mode: DIRECTORY_MODE })
    } catch (error) {
      throw asCacheFailure(`create the directory of ${this.path}`, error)
    }
    await withFileLock(this.lockPath, this.lockOptions, async (lock) => {
      await this.sweepOnce()
      const snapshot = await this.read()
      this.merge(cache, snapshot.bytes === undefined ? '' : await this.decode(snapshot.bytes))
      this.seen = snapshot.stamp
      const written = cache.pendingChangeCount
      this.seen = await this.write(await this.encode(storable(cache.serialize(), this.path)), lock)
      // Changes made while the file was written are not in it: only the ones written are done.
      cache.markPersisted(written)
    })
  }

  private async read(): Promise<FileSnapshot> {
    this.readCount += 1
    try {
      return await readSnapshot(this.path)
    } catch (error) {
      throw asCacheFailure(`read ${this.path}`, error)
    }
  }

  private async write(bytes: Uint8Array, lock: FileLock): Promise<FileStamp> {
    if (bytes.length > MAX_CACHE_FILE_BYTES) throw cacheFailure(`cannot write ${this.path}: ${bytes.length} bytes, more than the ${MAX_CACHE_FILE_BYTES} a cache file may hold`)
    try {
      return await writeFileAtomically(this.path, bytes, { mode: FILE_MODE, beforeCommit: () => lock.assertHeld() })
    } catch (error) {
      throw asCacheFailure(`write ${this.path}`, error)
    }
  }

  /** The file's text as cache JSON: decrypted when a key is configured, refused when the wrong kind. */
  private async decode(bytes: Buffer): Promise<string> {
    const text = bytes.toString('utf8').replace(/^\uFEFF/, '') // a BOM from a Windows editor
    if (this.cipher !== undefined) return this.cipher.open(text, this.path)
    if (looksEncrypted(text)) throw cacheFailure(`${this.path} is encrypted: configure the encryptionKey it was written with; it was left untouched`)
    return text
  }

  private async encode(text: string): Promise<Uint8Array> {
    return this.cipher === undefined ? new TextEncoder().encode(text) : this.cipher.seal(text)
  }

  /** mergeFrom, with the file named in the error: a corrupt file stops the operation and is left as it is. */
  private merge(cache: SerializableTokenCache, text: string): void {
    try {
      cache.mergeFrom(text)
    } catch (error) {
      if (!(error instanceof MsalError) || error.kind !== 'CacheError') throw error
      const reason = error.message.replace(/^token cache: /, '')
      throw cacheFailure(`${this.path} holds no usable token cache (${reason}); it was left untouched: repair or delete it`)
    }
  }

  /** Once per instance, holding the lock: remove temporary files that killed processes left. */
  private async sweepOnce(): Promise<void> {
    if (this.swept) return
    this.swept = true
    await removeAbandonedSiblings(this.path, this.lockOptions.staleMs).catch(() => 0) // tidying only
  }

  private exclusively(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work, work)
    this.queue = run.catch(() => undefined)
    return run
  }
}

/**
 * The text, if a cache file may hold it: a cache grown past what a load accepts is not written
 * (the file keeps its last loadable state, and the change stays in memory, journaled).
 */
const storable = (text: string, path: string): string => {
  if (text.length > MAX_CACHE_TEXT_LENGTH) throw cacheFailure(`cannot write ${path}: ${tooLong(text.length)}`)
  return text
}

const milliseconds = (field: string, value: unknown, fallback: number): number => {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw configurationError(field, 'expected a non-negative number of milliseconds')
  }
  return value
}
