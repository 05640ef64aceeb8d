import { open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { stampOf, type FileStamp } from './fileSnapshot.js'
import { uniqueSiblingPath } from './siblingFiles.js'

export interface AtomicWriteOptions {
  /** Permissions of the new file (tokens are secrets: 0o600). */
  readonly mode: number
  /** Runs just before the new file replaces the old one; throwing cancels the write. */
  readonly beforeCommit?: (() => Promise<void>) | undefined
}

/**
 * Replaces `path` with `bytes` so that a reader, or a crash at any moment, sees either the old
 * file or the new one, never a mix: write a temporary file in the same directory, flush it to
 * disk, rename it over the target (atomic on one file system), then flush the directory so the
 * rename itself survives a power loss. Returns the stamp of the file written.
 */
export const writeFileAtomically = async (path: string, bytes: Uint8Array, options: AtomicWriteOptions): Promise<FileStamp> => {
  const temporary = uniqueSiblingPath(path, 'tmp')
  try {
    const stamp = await writeDurably(temporary, bytes, options.mode)
    await options.beforeCommit?.()
    await rename(temporary, path)
    await syncDirectory(dirname(path))
    return stamp
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined)
    throw error
  }
}

/** Creates the file (never an existing one), writes it and waits until it is on disk. */
const writeDurably = async (path: string, bytes: Uint8Array, mode: number): Promise<FileStamp> => {
  const handle = await open(path, 'wx', mode)
  try {
    await handle.writeFile(bytes)
    await handle.sync()
    // Rename keeps inode, size and mtime: this is the stamp readers will see.
    return stampOf(await handle.stat({ bigint: true }))
  } finally {
    await handle.close()
  }
}

/** Flushes a directory's entries (the rename); Windows cannot open a directory, and needs no such flush. */
const syncDirectory = async (directory: string): Promise<void> => {
  let handle
  try {
    handle = await open(directory, 'r')
    await handle.sync()
  } catch {
    // Best effort: where directories cannot be flushed, the rename is as durable as it gets.
  } finally {
    await handle?.close().catch(() => undefined)
  }
}
