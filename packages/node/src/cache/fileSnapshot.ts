import { statSync, type BigIntStats } from 'node:fs'
import { open } from 'node:fs/promises'
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

/** Reads the file through one descriptor, so the stamp describes the bytes even if a writer replaces the file meanwhile. */
export const readSnapshot = async (path: string): Promise<FileSnapshot> => {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    if (isAbsent(error)) return { stamp: MISSING, bytes: undefined }
    throw error
  }
  try {
    const stats = await handle.stat({ bigint: true })
    return { stamp: stampOf(stats), bytes: await handle.readFile() }
  } finally {
    await handle.close()
  }
}
