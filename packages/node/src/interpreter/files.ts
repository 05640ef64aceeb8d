import { constants } from 'node:fs'
import { access, open, type FileHandle } from 'node:fs/promises'
import type { FileOutcome } from '@msal-ts/core'

const unavailable = (reason: string): FileOutcome => ({ _tag: 'FileUnavailable', reason })

const reasonOf = (error: unknown): string => {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  return typeof code === 'string' ? code : typeof message === 'string' ? message : String(error)
}

/**
 * The ReadFile effect on Node: a small text file, refused unread when larger than `maxBytes`.
 * Opened without blocking (a FIFO planted where a key file should be cannot hang the call), its
 * size checked on the open handle (the file cannot be swapped between the check and the read),
 * then read into a buffer of `maxBytes + 1` bytes at most, so a file that grew meanwhile is
 * refused too. Never throws.
 */
export const readSmallFile = async (path: string, maxBytes: number): Promise<FileOutcome> => {
  let handle: FileHandle | undefined
  try {
    // O_NONBLOCK does not exist on Windows, where opening a file never blocks anyway.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
    const stat = await handle.stat()
    if (!stat.isFile()) return unavailable('not a regular file')
    if (stat.size > maxBytes) return { _tag: 'FileTooLarge', sizeBytes: stat.size }
    const buffer = Buffer.alloc(maxBytes + 1)
    let filled = 0
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    if (filled > maxBytes) return { _tag: 'FileTooLarge', sizeBytes: filled }
    return { _tag: 'FileContent', text: buffer.toString('utf8', 0, filled) }
  } catch (error) {
    return unavailable(reasonOf(error))
  } finally {
    await handle?.close().catch(() => undefined)
  }
}

/** The FileExists effect on Node: whether the file exists and this process may read it (as MSAL for Node checks). */
export const fileIsReadable = async (path: string): Promise<boolean> => {
  try {
    await access(path, constants.F_OK | constants.R_OK)
    return true
  } catch {
    return false
  }
}
