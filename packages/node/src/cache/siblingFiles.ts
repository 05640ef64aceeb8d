import { randomBytes } from 'node:crypto'
import { readdir, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * Short-lived files beside the cache file: the temporary file of an atomic write, an abandoned
 * breaker being moved aside. Each has a unique name (pid + random), so processes never share
 * one; a process killed meanwhile leaves its file behind, and `removeAbandonedSiblings` sweeps those.
 */
export const uniqueSiblingPath = (path: string, kind: 'tmp' | 'stale'): string =>
  `${path}.${process.pid}-${randomBytes(6).toString('hex')}.${kind}`

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Matches the names `uniqueSiblingPath` gives for `path` (and for its `.lock` and `.lock.break`). */
const siblingPattern = (path: string): RegExp => new RegExp(`^${escapeRegExp(basename(path))}(\\.lock(\\.break)?)?\\.\\d+-[0-9a-f]{12}\\.(tmp|stale)$`)

/**
 * Removes siblings older than `olderThanMs`. Call it holding the lock: a live writer's
 * temporary file exists only while it holds the lock, and never for longer than a stale lock
 * lives, so anything older was left by a process that died.
 */
export const removeAbandonedSiblings = async (path: string, olderThanMs: number): Promise<number> => {
  const pattern = siblingPattern(path)
  const directory = dirname(path)
  const cutoff = Date.now() - olderThanMs
  let removed = 0
  for (const name of await readdir(directory)) {
    if (!pattern.test(name)) continue
    const file = join(directory, name)
    const info = await stat(file).catch(() => undefined)
    if (info === undefined || info.mtimeMs >= cutoff) continue
    await rm(file, { force: true })
    removed += 1
  }
  return removed
}
