/**
 * FilePersistence against a hostile or failing file system, for real:
 * - lock and cache paths that are not regular files (a dangling symlink, a FIFO, /dev/zero, a
 *   directory) fail at once with a clear CacheError: no spinning past lockTimeoutMs, no hang, no
 *   endless read;
 * - locks whose record lies (a createdAt in the future, an invalid pid) still age into staleness;
 * - a full disk (ENOSPC) and a read-only file system (EROFS), on a small tmpfs mounted in a
 *   private mount namespace: the token fetched is returned, the failure logged, the change kept
 *   and stored once the disk recovers, and cache hits keep working meanwhile;
 * - concurrent writers killed with SIGKILL: no token a writer reported stored is lost, and the
 *   file always parses.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { FakeIdentityProvider } from '@msal-ts/testing'
import { FilePersistence, type FilePersistenceOptions } from '../src/cache/filePersistence.js'
import { SerializableTokenCache } from '../src/cache/tokenCaches.js'
import { rejectionOf } from './support/rejection.js'

const CONTEXT = { clientId: 'daemon', environment: 'login.microsoftonline.com', realm: 't1' }
const CHILDREN = join(import.meta.dirname, 'filePersistence')

const tokenEvent = (name: string) => ({
  clientId: CONTEXT.clientId,
  scope: [`api://${name}/.default`],
  environment: CONTEXT.environment,
  realm: CONTEXT.realm,
  response: { access_token: `${name}-secret`, expires_in: 3600 },
})

const cacheAt = (path: string, options: FilePersistenceOptions = {}) => {
  const persistence = new FilePersistence(path, options)
  return { persistence, cache: new SerializableTokenCache({ persistence }) }
}

const addAndPersist = async ({ persistence, cache }: ReturnType<typeof cacheAt>, name: string): Promise<void> => {
  await persistence.beforeCacheAccess(cache, CONTEXT)
  cache.add(tokenEvent(name))
  await persistence.afterCacheAccess(cache, CONTEXT)
}

const storedSecrets = async (path: string): Promise<string[]> => {
  const cache = new SerializableTokenCache()
  cache.deserialize(await readFile(path, 'utf8'))
  return cache.find('AccessToken').map((token) => token.secret).sort()
}

const mkfifo = (path: string): void => {
  const made = spawnSync('mkfifo', [path], { encoding: 'utf8' })
  if (made.status !== 0) throw new Error(`mkfifo ${path}: ${made.stderr}`)
}

/** Runs `work`, failing the test if it has not settled after `ms` (a hang, not a slow answer). */
const within = async <T>(ms: number, work: Promise<T>): Promise<T> => {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still running after ${ms} ms: it hangs`)), ms)))])
  } finally {
    clearTimeout(timer)
  }
}

let directory: string
let file: string
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'msal-file-faults-'))
  file = join(directory, 'cache.json')
})
afterEach(() => rm(directory, { recursive: true, force: true }))

describe('FilePersistence: paths that are not regular files fail at once, with a CacheError naming them', () => {
  it('a lock path that is a dangling symlink: refused at once, not spun on past lockTimeoutMs', async () => {
    await symlink(join(directory, 'nowhere'), `${file}.lock`)
    const mine = cacheAt(file, { lockTimeoutMs: 500 })
    mine.cache.add(tokenEvent('a'))
    const cpuBefore = process.cpuUsage()
    const started = Date.now()
    const error = await within(3_000, rejectionOf(mine.persistence.afterCacheAccess(mine.cache, CONTEXT)))
    expect(Date.now() - started).toBeLessThan(500)
    const cpu = process.cpuUsage(cpuBefore)
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(500)
    expect(error).toMatchObject({ kind: 'CacheError', message: expect.stringContaining(`the lock path ${file}.lock is a symbolic link`) })
    expect(mine.cache.pendingChangeCount).toBe(1)
    expect(existsSync(file)).toBe(false)
  })

  it.each([
    ['a FIFO', (path: string) => mkfifo(path), /is a FIFO \(named pipe\)/],
    ['a symlink to /dev/zero', (path: string) => symlink('/dev/zero', path), /is a symbolic link/],
    ['a directory', (path: string) => mkdir(path), /is a directory/],
  ])('a lock path that is %s: refused, never blocked on or read', async (_name, make, message) => {
    await make(`${file}.lock`)
    const mine = cacheAt(file, { lockTimeoutMs: 500 })
    mine.cache.add(tokenEvent('a'))
    const error = await within(3_000, rejectionOf(mine.persistence.afterCacheAccess(mine.cache, CONTEXT)))
    expect(error).toMatchObject({ kind: 'CacheError', message: expect.stringMatching(message) })
    expect(error.message).toContain(`${file}.lock`)
  })

  it.each([
    ['a FIFO', (path: string) => mkfifo(path), /cannot read .*: it is a FIFO \(named pipe\), not a regular file/],
    ['a symlink to /dev/zero', (path: string) => symlink('/dev/zero', path), /cannot read .*: it is a character device, not a regular file/],
    ['a directory', (path: string) => mkdir(path), /cannot read .*: it is a directory, not a regular file/],
  ])('a cache path that is %s: refused on load and on store, never blocked on or read', async (_name, make, message) => {
    await make(file)
    const mine = cacheAt(file, { lockTimeoutMs: 500 })
    const onLoad = await within(3_000, rejectionOf(mine.persistence.beforeCacheAccess(mine.cache, CONTEXT)))
    expect(onLoad).toMatchObject({ kind: 'CacheError', message: expect.stringMatching(message) })
    mine.cache.add(tokenEvent('a'))
    const onStore = await within(3_000, rejectionOf(mine.persistence.afterCacheAccess(mine.cache, CONTEXT)))
    expect(onStore).toMatchObject({ kind: 'CacheError', message: expect.stringMatching(message) })
    expect(existsSync(`${file}.lock`)).toBe(false)
  })
})

describe('FilePersistence: a lock whose record lies still ages into staleness after staleLockMs', () => {
  const future = new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString()
  const record = (fields: Record<string, unknown>) => JSON.stringify({ hostname: hostname(), createdAt: new Date().toISOString(), threadId: 0, nonce: 'n', ...fields })

  it.each([
    ['createdAt in the future, on another host', { hostname: 'elsewhere.invalid', pid: 4242, createdAt: future }, false],
    ['createdAt in the future, pid 0', { pid: 0, createdAt: future }, false],
    ['createdAt in the future, pid -1', { pid: -1, createdAt: future }, false],
    ['createdAt in the future, pid 1.5', { pid: 1.5, createdAt: future }, false],
    ['createdAt in the future, pid 1e20', { pid: 1e20, createdAt: future }, false],
    ['createdAt and the file’s own time in the future', { hostname: 'elsewhere.invalid', pid: 4242, createdAt: future }, true],
  ])('%s', async (_name, fields, fileTimeInFuture) => {
    const lockPath = `${file}.lock`
    await writeFile(lockPath, record(fields))
    if (fileTimeInFuture) await utimes(lockPath, new Date(Date.now() + 3600_000), new Date(Date.now() + 3600_000))
    const started = Date.now()
    await within(5_000, addAndPersist(cacheAt(file, { lockTimeoutMs: 4_000, staleLockMs: 400 }), 'a'))
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(390)
    expect(elapsed).toBeLessThan(3_000)
    expect(await storedSecrets(file)).toEqual(['a-secret'])
    expect(existsSync(lockPath)).toBe(false)
  })
})

// ---- Real file-system faults: a tmpfs of our own in a private mount namespace ----

const BUILT = ['../dist/index.js', '../dist/cache/filePersistence.js', '../../testing/dist/index.js']

/** unshare's ways to a private mount namespace: as root, else in a user namespace of our own. */
const NAMESPACES = [['-m'], ['-Urm']] as const

/** The first way this machine allows (probed once); a test that needs one fails, naming what was tried, when none works. */
let namespace: readonly string[] | undefined
const mountNamespace = (): readonly string[] => {
  if (namespace !== undefined) return namespace
  const tried: string[] = []
  for (const flags of NAMESPACES) {
    const probe = spawnSync('unshare', [...flags, '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=4k msal-ts-probe /tmp'], { encoding: 'utf8' })
    if (probe.status === 0) return (namespace = flags)
    tried.push(`unshare ${flags.join(' ')}: ${probe.error?.message ?? probe.stderr.trim()}`)
  }
  throw new Error(`no private mount namespace to mount a tmpfs in (${tried.join('; ')}); run as root (CI does), or allow unprivileged user namespaces`)
}

/** Runs a command with a small tmpfs mounted at `mountPoint`, seen by that command alone. */
const inMountNamespace = (mountPoint: string, command: readonly string[]): ChildProcessWithoutNullStreams => {
  const script = 'mount -t tmpfs -o size=64k,mode=0700 msal-ts-test "$1" && shift && exec "$@"'
  return spawn('unshare', [...mountNamespace(), '--propagation', 'private', 'sh', '-c', script, 'sh', mountPoint, ...command], { stdio: 'pipe' })
}

interface Step {
  readonly step: string
  readonly call?: { readonly tokenSource?: string; readonly error?: string; readonly message?: string }
  readonly stored?: string[] | string
  readonly warnings?: string[]
  readonly errno?: string
  readonly accounts?: number | string
}

describe('FilePersistence on a full disk and a read-only file system (a real tmpfs)', () => {
  const CLIENT = 'f2a3b4c5-d6e7-4f80-9a1b-2c3d4e5f6a7b'
  const SECRET = 'full-disk-secret'
  const AUTHORITY = 'https://login.microsoftonline.com/contoso.onmicrosoft.com'
  let idp: FakeIdentityProvider
  let idpUrl: string

  beforeAll(async () => {
    for (const path of BUILT) if (!existsSync(join(import.meta.dirname, path))) throw new Error(`${path} is missing: run the build first (./dev test does)`)
    idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET })
    idpUrl = await idp.listen()
  })
  afterAll(() => idp.close())

  it('returns the token fetched, logs the failure, keeps the change, serves cache hits, and stores it once the disk recovers (ENOSPC, then EROFS)', async () => {
    const child = inMountNamespace(directory, [process.execPath, join(CHILDREN, 'fullDisk.mjs'), directory, idpUrl, CLIENT, SECRET, AUTHORITY])
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    const steps = Object.fromEntries(stdout.trim().split('\n').map((line) => JSON.parse(line) as Step).map((step) => [step.step, step])) as Record<string, Step>
    const scopes = (...names: string[]) => names.map((name) => `api://${name}/.default`)
    const storeFailure = /the token cache could not be stored \(CacheError\);.* the change is kept for the next store/

    expect(steps['first']).toMatchObject({ call: { tokenSource: 'identity_provider' }, stored: scopes('a'), warnings: [] })
    expect(steps['disk full']).toMatchObject({ errno: 'ENOSPC' })
    // The token fetched is returned; the file keeps what it had, whole.
    expect(steps['new token on a full disk']).toMatchObject({ call: { tokenSource: 'identity_provider' }, stored: scopes('a') })
    expect(steps['new token on a full disk']!.warnings).toEqual([expect.stringMatching(storeFailure)])
    // Later calls work: the cache hit is served (its store of the kept change fails again, logged).
    expect(steps['cache hit on a full disk']).toMatchObject({ call: { tokenSource: 'cache' }, stored: scopes('a') })
    expect(steps['cache hit on a full disk']!.warnings).toEqual([expect.stringMatching(storeFailure)])
    expect(steps['accounts on a full disk']).toMatchObject({ accounts: 0 })
    // Space is back: the next call stores the kept change, and nothing is lost.
    expect(steps['cache hit after space is freed']).toMatchObject({ call: { tokenSource: 'cache' }, stored: scopes('a', 'b'), warnings: [] })

    expect(steps['new token on a read-only file system']).toMatchObject({ call: { tokenSource: 'identity_provider' }, stored: scopes('a', 'b') })
    expect(steps['new token on a read-only file system']!.warnings).toEqual([expect.stringMatching(storeFailure)])
    expect(steps['cache hit on a read-only file system']).toMatchObject({ call: { tokenSource: 'cache' }, stored: scopes('a', 'b') })
    expect(steps['cache hit after it is writable again']).toMatchObject({ call: { tokenSource: 'cache' }, stored: scopes('a', 'b', 'c'), warnings: [] })
    // Two tokens fetched, each once: the cache hits asked nothing.
    expect(idp.tokenRequests.filter((r) => r.form['client_id'] === CLIENT)).toHaveLength(3)
  })
})

// ---- Concurrent writers killed with SIGKILL ----

interface Writer {
  readonly process: ChildProcessWithoutNullStreams
  readonly stored: string[]
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>
}

const startWriter = (path: string, worker: number, count: number): Writer => {
  const child = spawn(process.execPath, [join(CHILDREN, 'storingWriter.mjs'), path, String(worker), String(count)], { stdio: 'pipe' })
  const stored: string[] = []
  let pending = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString()
    const lines = pending.split('\n')
    pending = lines.pop()!
    for (const line of lines) if (line.startsWith('stored ')) stored.push(line.slice('stored '.length))
  })
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })))
  return { process: child, stored, exited }
}

describe('FilePersistence: concurrent writers, some killed with SIGKILL mid-run', () => {
  beforeAll(() => {
    for (const path of BUILT.slice(0, 2)) if (!existsSync(join(import.meta.dirname, path))) throw new Error(`${path} is missing: run the build first (./dev test does)`)
  })

  it('loses no token a writer reported stored, and the file parses after every kill', async () => {
    const COUNT = 25
    // Victims have far more to store than survivors: on a loaded machine a victim that had only 25
    // could finish (filing is fast) before this process got round to killing it.
    const isVictim = (worker: number): boolean => worker === 1 || worker === 3
    const writers = Array.from({ length: 5 }, (_, worker) => startWriter(file, worker, isVictim(worker) ? 40 * COUNT : COUNT))
    const victims = [writers[1]!, writers[3]!]
    // Each victim dies at a random moment once it has stored a few tokens (maybe holding the lock).
    for (const victim of victims) {
      while (victim.stored.length < 3) await sleep(5)
      await sleep(Math.random() * 30)
      victim.process.kill('SIGKILL')
      expect((await victim.exited).signal).toBe('SIGKILL')
      await storedSecrets(file) // parses: never a partial file
    }
    const survivors = writers.filter((writer) => !victims.includes(writer))
    for (const survivor of survivors) expect(await survivor.exited).toMatchObject({ code: 0, stderr: '' })
    const reported = writers.flatMap((writer) => writer.stored).map((name) => `${name}-secret`)
    const inFile = await storedSecrets(file)
    for (const secret of reported) expect(inFile).toContain(secret)
    for (const survivor of survivors) expect(survivor.stored).toHaveLength(COUNT)
  })
})
