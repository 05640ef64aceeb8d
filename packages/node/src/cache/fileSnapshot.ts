import { constants, statSync, type BigIntStats } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { errnoOf } from './cacheFailure.js'

/**
 * Which version of a file is on disk: inode, size and modification time (nanoseconds), or
 * MISSING. Writers replace the file by rename, so every write brings a new inode; comparing
 * stamps tells a reader whether the file changed since it last read it, for the cost of a stat.
 */
export type FileStamp = string

export const MISSING: FileStamp = 'missing'

export const stampOf = (stats: BigIntStats): FileStamp => `${stats.ino}:${stats.size}:${stats.mtimeNs}`

const isAbsent = (error: unknown): boolean => errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR'

/**
 * The file's stamp now, synchronously: a cache hit pays one stat and no event-loop turn.
 * `undefined` when the stat itself fails (then the caller reads, and reports the real error).
 */
export const currentStamp = (path: string): FileStamp | undefined => {
  try {
    const stats = statSync(path, { bigint: true, throwIfNoEntry: false })
    return stats === undefined ? MISSING : stampOf(stats)
  } catch (error) {
    return isAbsent(error) ? MISSING : undefined
  }
}

/** What a read found: the bytes and the stamp of exactly that version (both from one descriptor). */
export interface FileSnapshot {
  readonly stamp: FileStamp
  /** Undefined when there is no file. */
  readonly bytes: Buffer | undefined
}

/**
 * The largest cache file read or written: 384 MiB, room for the longest cache text
 * (MAX_CACHE_TEXT_LENGTH, 256 Mi characters) encrypted (a JWE is a third larger).
 */
export const MAX_CACHE_FILE_BYTES = 384 * 1024 * 1024

/**
 * Opens a file for reading without blocking and without following a final symlink when asked:
 * O_NONBLOCK makes opening a FIFO return at once (a blocking open would wait forever for a
 * writer), so the caller can look at what it opened before reading it.
 */
export const openForInspection = (path: string, followSymlink: boolean): Promise<FileHandle> =>
  open(path, constants.O_RDONLY | constants.O_NONBLOCK | (followSymlink ? 0 : constants.O_NOFOLLOW))

/** What a path that is not a regular file is, in words; undefined for a regular file. */
export const notARegularFile = (stats: { isFile(): boolean; isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string | undefined => {
  if (stats.isFile()) return undefined
  if (stats.isDirectory()) return 'a directory'
  if (stats.isFIFO()) return 'a FIFO (named pipe)'
  if (stats.isCharacterDevice()) return 'a character device'
  if (stats.isBlockDevice()) return 'a block device'
  if (stats.isSocket()) return 'a socket'
  return 'not a regular file'
}

/** Why a path cannot be used, for "cannot read <path>: <reason>". */
export const notARegularFileReason = (what: string): string => `it is ${what}, not a regular file; it was left untouched`

/**
 * Reads the file through one descriptor, so the stamp describes the bytes even if a writer
 * replaces the file meanwhile. Only a regular file is read: a FIFO would block, a device
 * (/dev/zero) would never end; either throws, naming what the path is, as does a file over
 * MAX_CACHE_FILE_BYTES.
 */
export const readSnapshot = async (path: string): Promise<FileSnapshot> => {
  let handle
  try {
    handle = await openForInspection(path, true)
  } catch (error) {
    if (isAbsent(error)) return { stamp: MISSING, bytes: undefined }
    throw error
  }
  try {
    const stats = await handle.stat({ bigint: true })
    const what = notARegularFile(stats)
    if (what !== undefined) throw new Error(notARegularFileReason(what))
    if (stats.size > BigInt(MAX_CACHE_FILE_BYTES)) throw new Error(`it is ${stats.size} bytes, more than the ${MAX_CACHE_FILE_BYTES} a token cache file may be; it was left untouched`)
    return { stamp: stampOf(stats), bytes: await handle.readFile() }
  } finally {
    await handle.close()
  }
}
