import { randomUUID } from 'node:crypto'
import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { link, rename, rm } from 'node:fs/promises'
import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { threadId } from 'node:worker_threads'
import { asCacheFailure, cacheFailure, errnoOf } from './cacheFailure.js'
import { notARegularFile, openForInspection } from './fileSnapshot.js'
import { uniqueSiblingPath } from './siblingFiles.js'

/**
 * A cross-process lock: a lock file created exclusively, holding who owns it. Unlike a lock
 * that can only expire by age (msal-js issue #7148: a killed process blocks every later one), a
 * lock left by a dead process is recognised at once and removed.
 */

export interface FileLockOptions {
  /** How long to wait for another holder before failing. */
  readonly timeoutMs: number
  /** A lock older than this is abandoned, whoever holds it (no writer holds it for that long). */
  readonly staleMs: number
}

export interface FileLock {
  readonly path: string
  /** Throws unless this lock file is still ours (another process may have judged it stale). */
  assertHeld(): Promise<void>
  release(): Promise<void>
}

/** What a lock file says about its holder. */
interface LockOwner {
  readonly pid: number
  readonly hostname: string
  readonly createdAt: string
  /** Threads of one process share its pid. */
  readonly threadId: number
  /** Tells this holder from a later one with the same pid. */
  readonly nonce: string
}

/** A lock file as read: what it says, and which file it was (to tell it from a later one). */
export interface ObservedLock {
  readonly owner: LockOwner | undefined
  readonly identity: string
  readonly mtimeMs: number
}

/** The holder writes its record right after creating the file; an unreadable one older than this was never finished. */
const UNWRITTEN_LOCK_GRACE_MS = 2_000
/** Removing a stale lock takes a few system calls; a breaker file older than this was left by a process that died. */
const BREAKER_STALE_MS = 2_000
const FIRST_BACKOFF_MS = 2
const MAX_BACKOFF_MS = 25
/** Retries that skip the backoff (the lock was just released, or a stale one removed); after these, every retry waits. */
const IMMEDIATE_RETRIES = 8
/** A lock record is about 200 bytes; more than this is not one (and is not read further). */
const MAX_LOCK_RECORD_BYTES = 4096
/** Linux's largest pid (PID_MAX_LIMIT); other systems stay below it. */
const MAX_PID = 4_194_304

/** Nonces of the files this thread holds: a file with our pid and thread but another nonce was left by a previous process. */
const heldHere = new Set<string>()

/** Waits for the lock (recovering an abandoned one), or fails with an MsalError naming the lock file after `timeoutMs`. */
export const acquireFileLock = async (path: string, options: FileLockOptions): Promise<FileLock> => {
  try {
    return await waitForLock(path, options)
  } catch (error) {
    throw asCacheFailure(`lock ${path}`, error)
  }
}

/** Runs `work` holding the lock; the lock is released whatever happens. */
export const withFileLock = async <T>(path: string, options: FileLockOptions, work: (lock: FileLock) => Promise<T>): Promise<T> => {
  const lock = await acquireFileLock(path, options)
  let result: T
  try {
    result = await work(lock)
  } catch (error) {
    await lock.release().catch(() => undefined) // the work's error is the one to report
    throw error
  }
  await lock.release()
  return result
}

const waitForLock = async (path: string, options: FileLockOptions): Promise<FileLock> => {
  const deadline = Date.now() + options.timeoutMs
  for (let attempt = 0; ; attempt += 1) {
    const nonce = claim(path)
    if (nonce !== undefined) return heldLock(path, nonce)
    const observed = await observeLock(path)
    // Released meanwhile, or abandoned and now removed: worth trying again at once, a few times.
    const freed = observed === undefined || (staleReason(observed, options.staleMs) !== undefined && (await removeStaleLock(path, observed)))
    // Every branch meets the deadline: nothing a lock path holds makes a writer wait past it.
    const remaining = deadline - Date.now()
    if (remaining <= 0) throw timedOut(path, observed, options.timeoutMs)
    if (freed && attempt < IMMEDIATE_RETRIES) continue
    await sleep(Math.min(remaining, jitteredBackoff(attempt)))
  }
}

/**
 * Creates `path` holding our record, unless it exists; returns the record's nonce. Synchronous,
 * so creating the file and writing the record are back to back: a process killed in between
 * leaves an unwritten file, recovered after UNWRITTEN_LOCK_GRACE_MS.
 */
const claim = (path: string): string | undefined => {
  const owner: LockOwner = { pid: process.pid, hostname: hostname(), createdAt: new Date().toISOString(), threadId, nonce: randomUUID() }
  let fd
  try {
    fd = openSync(path, 'wx', 0o600)
  } catch (error) {
    // Windows reports a file being deleted as EPERM.
    if (errnoOf(error) === 'EEXIST' || (errnoOf(error) === 'EPERM' && process.platform === 'win32')) return undefined
    throw error
  }
  try {
    writeFileSync(fd, JSON.stringify(owner))
  } catch (error) {
    rmSync(path, { force: true })
    throw error
  } finally {
    closeSync(fd)
  }
  heldHere.add(owner.nonce)
  return owner.nonce
}

/** Removes `path` if it still holds our record: if another process took it over, the file is theirs now. */
const unclaim = async (path: string, nonce: string): Promise<void> => {
  try {
    const observed = await observeLock(path)
    if (observed?.owner?.nonce === nonce) await rm(path, { force: true })
  } finally {
    heldHere.delete(nonce)
  }
}

const heldLock = (path: string, nonce: string): FileLock => ({
  path,
  assertHeld: async () => {
    const observed = await observeLock(path)
    if (observed?.owner?.nonce !== nonce) {
      throw cacheFailure(`lost the lock ${path} to another process (held longer than the stale-lock age?); nothing was written`)
    }
  },
  release: () => unclaim(path, nonce),
})

/**
 * Reads a lock file through one descriptor (record and identity of the same file); undefined
 * when there is none. The lock path must be a regular file of ours: a symlink (even a dangling
 * one, which exclusive creation reports as existing), a FIFO, a device or a directory there is
 * refused with a CacheError, never waited on, read endlessly or blocked on.
 */
export const observeLock = async (path: string): Promise<ObservedLock | undefined> => {
  let handle
  try {
    handle = await openForInspection(path, false)
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined
    if (errnoOf(error) === 'ELOOP') throw cacheFailure(`the lock path ${path} is a symbolic link, not a lock file of msal-ts; remove it`)
    throw error
  }
  try {
    const stats = await handle.stat({ bigint: true })
    const what = notARegularFile(stats)
    if (what !== undefined) throw cacheFailure(`the lock path ${path} is ${what}, not a lock file of msal-ts; remove it`)
    const buffer = Buffer.alloc(MAX_LOCK_RECORD_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, MAX_LOCK_RECORD_BYTES, 0)
    const text = buffer.subarray(0, bytesRead).toString('utf8')
    return { owner: ownerOf(text), identity: `${stats.ino}:${stats.mtimeNs}:${text}`, mtimeMs: Number(stats.mtimeMs) }
  } finally {
    await handle.close()
  }
}

const ownerOf = (text: string): LockOwner | undefined => {
  try {
    const value = JSON.parse(text) as Partial<LockOwner> | null
    if (typeof value !== 'object' || value === null) return undefined
    if (typeof value.pid !== 'number' || typeof value.hostname !== 'string') return undefined
    return value as LockOwner
  } catch {
    return undefined
  }
}

/** A pid signal 0 can check: kill(0) and kill(-1) would ask about a whole group, or every process. */
const isValidPid = (pid: number): boolean => Number.isSafeInteger(pid) && pid > 0 && pid <= MAX_PID

/** When lock files (by identity) were first seen here: the age of a lock whose own times cannot be trusted. */
const firstSeen = new Map<string, number>()
const FIRST_SEEN_MEMO = 256

const firstSeenAt = (identity: string, nowMs: number): number => {
  const known = firstSeen.get(identity)
  if (known !== undefined) return known
  if (firstSeen.size >= FIRST_SEEN_MEMO) firstSeen.delete(firstSeen.keys().next().value as string)
  firstSeen.set(identity, nowMs)
  return nowMs
}

/**
 * When the lock was taken: its record's createdAt, else its file's modification time, whichever
 * is a time already past; if both lie in the future (a forged record, a skewed clock), when this
 * process first saw it. A lock can then always age into staleness.
 */
const takenAt = (observed: ObservedLock, nowMs: number): number => {
  const createdAt = Date.parse(observed.owner?.createdAt ?? '')
  if (Number.isFinite(createdAt) && createdAt <= nowMs) return createdAt
  if (observed.mtimeMs <= nowMs) return observed.mtimeMs
  return firstSeenAt(observed.identity, nowMs)
}

/** Why the file is abandoned, or undefined while its holder may still be working. */
const staleReason = (observed: ObservedLock, staleMs: number): string | undefined => {
  const { owner } = observed
  const nowMs = Date.now()
  if (owner === undefined) {
    const unwrittenFor = nowMs - takenAt(observed, nowMs)
    return unwrittenFor > Math.min(staleMs, UNWRITTEN_LOCK_GRACE_MS) ? 'its holder died before writing it' : undefined
  }
  if (owner.hostname === hostname() && isValidPid(owner.pid)) {
    if (owner.pid === process.pid && owner.threadId === threadId) {
      // Our own pid: in a container restarted after a crash, the previous process had it too.
      if (!heldHere.has(owner.nonce)) return 'an earlier process with this pid left it'
    } else if (!isAlive(owner.pid)) {
      return `its process ${owner.pid} is gone`
    }
  }
  // Another host, a live holder, or a pid that cannot be checked: only age tells.
  return nowMs - takenAt(observed, nowMs) > staleMs ? `it is older than ${staleMs} ms` : undefined
}

/** Signal 0 checks that a process exists; EPERM means it exists but belongs to another user. */
const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errnoOf(error) !== 'ESRCH'
  }
}

/**
 * Removes the abandoned lock we observed, and only that one; true when it is gone (retry now),
 * false when another waiter is removing it (back off).
 *
 * Two waiters that both judged the lock stale must not both delete: the second would delete the
 * fresh lock a third process took meanwhile. So removal happens under a second, short-lived
 * lock (the breaker). Under it nobody else removes the lock file, and no fresh one can replace
 * it while it exists (creation is exclusive): if it is unchanged, it is still the stale one.
 */
export const removeStaleLock = async (path: string, observed: ObservedLock): Promise<boolean> => {
  const breaker = `${path}.break`
  const nonce = claim(breaker)
  if (nonce === undefined) {
    await recoverAbandonedBreaker(breaker)
    return false
  }
  try {
    const current = await observeLock(path)
    if (current?.identity === observed.identity) await rm(path, { force: true })
    return true
  } finally {
    await unclaim(breaker, nonce)
  }
}

/**
 * A breaker left by a process killed while removing a stale lock. Moved aside, checked, and
 * given back if it turns out to be a fresh one, so that a live breaker is not lost.
 */
const recoverAbandonedBreaker = async (breaker: string): Promise<void> => {
  const observed = await observeLock(breaker)
  if (observed === undefined || staleReason(observed, BREAKER_STALE_MS) === undefined) return
  const grave = uniqueSiblingPath(breaker, 'stale')
  try {
    await rename(breaker, grave)
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return
    throw error
  }
  const moved = await observeLock(grave)
  if (moved !== undefined && moved.identity !== observed.identity) await link(grave, breaker).catch(() => undefined)
  await rm(grave, { force: true })
}

/** Exponential backoff with jitter, so waiters do not retry in step. */
const jitteredBackoff = (attempt: number): number => {
  const ceiling = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt)
  return ceiling / 2 + Math.random() * (ceiling / 2)
}

const timedOut = (path: string, observed: ObservedLock | undefined, timeoutMs: number) => {
  const owner = observed?.owner
  const holder = owner === undefined ? 'an unknown holder' : `process ${owner.pid} on ${owner.hostname} since ${owner.createdAt}`
  return cacheFailure(`could not lock ${path} within ${timeoutMs} ms: it is held by ${holder}. If that process is gone, delete ${path}.`)
}
