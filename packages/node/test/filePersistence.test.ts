import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { webcrypto, randomBytes } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { threadId } from 'node:worker_threads'
import { compactDecrypt, decodeProtectedHeader } from 'jose'
import { ConfidentialClientApplication } from '@msal-ts/node'
import { FakeIdentityProvider } from '@msal-ts/testing'
import { FilePersistence, type FilePersistenceOptions } from '../src/cache/filePersistence.js'
import { acquireFileLock, observeLock, removeStaleLock } from '../src/cache/fileLock.js'
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

const secretsOf = (cache: SerializableTokenCache): string[] => cache.find('AccessToken').map((token) => token.secret).sort()

/** What the file holds, read as a fresh process would (throws if it does not parse). */
const storedSecrets = async (file: string): Promise<string[]> => {
  const cache = new SerializableTokenCache()
  cache.deserialize(await readFile(file, 'utf8'))
  return secretsOf(cache)
}

/** A cache kept in `file`, as an application would set it up. */
const cacheAt = (file: string, options: FilePersistenceOptions = {}) => {
  const persistence = new FilePersistence(file, options)
  return { persistence, cache: new SerializableTokenCache({ persistence }) }
}

/** One application operation: load, add a token, store. */
const addAndPersist = async ({ persistence, cache }: ReturnType<typeof cacheAt>, name: string): Promise<void> => {
  await persistence.beforeCacheAccess(cache, CONTEXT)
  cache.add(tokenEvent(name))
  await persistence.afterCacheAccess(cache, CONTEXT)
}

const lockRecord = (fields: Record<string, unknown>) => JSON.stringify({ hostname: hostname(), createdAt: new Date().toISOString(), ...fields })

/**
 * A memory file system where there is one: every store flushes the file and its directory to disk
 * (two fsyncs, ~15 ms each on a virtual disk), which the 300 serialized writes below would wait
 * out; what these tests check (locking, atomic replacement) is the same there.
 */
const SCRATCH = existsSync('/dev/shm') && statSync('/dev/shm').isDirectory() ? '/dev/shm' : tmpdir()

let directory: string
let file: string
beforeEach(async () => {
  directory = await mkdtemp(join(SCRATCH, 'msal-file-persistence-'))
  file = join(directory, 'cache.json')
})
afterEach(() => rm(directory, { recursive: true, force: true }))

describe('FilePersistence: loading and storing', () => {
  it('stores the cache as MSAL unified JSON (mode 0600, directory 0700 created) and loads it into another cache', async () => {
    file = join(directory, 'nested', 'msal', 'cache.json')
    const writer = cacheAt(file)
    await addAndPersist(writer, 'graph')
    expect(writer.cache.pendingChangeCount).toBe(0)
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')) as object).sort()).toEqual(['AccessToken', 'Account', 'AppMetadata', 'IdToken', 'RefreshToken'])
    expect(await storedSecrets(file)).toEqual(['graph-secret'])
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await stat(join(directory, 'nested', 'msal'))).mode & 0o777).toBe(0o700)
    expect(existsSync(`${file}.lock`)).toBe(false)

    const reader = cacheAt(file)
    await reader.persistence.beforeCacheAccess(reader.cache, CONTEXT)
    expect(secretsOf(reader.cache)).toEqual(['graph-secret'])
  })

  it('lets a second cache in this process see the first one’s tokens, keeping its own unstored ones', async () => {
    const first = cacheAt(file)
    const second = cacheAt(file)
    await addAndPersist(first, 'one')
    await second.persistence.beforeCacheAccess(second.cache, CONTEXT)
    expect(secretsOf(second.cache)).toEqual(['one-secret'])

    second.cache.add(tokenEvent('two-unstored'))
    await addAndPersist(first, 'three')
    await second.persistence.beforeCacheAccess(second.cache, CONTEXT)
    expect(secretsOf(second.cache)).toEqual(['one-secret', 'three-secret', 'two-unstored-secret'])
    expect(second.cache.pendingChangeCount).toBe(1)
    await second.persistence.afterCacheAccess(second.cache, CONTEXT)
    expect(await storedSecrets(file)).toEqual(['one-secret', 'three-secret', 'two-unstored-secret'])
  })

  it('pays one stat and no read for a cache hit on an unchanged file, and reads once after another writer', async () => {
    const mine = cacheAt(file)
    await addAndPersist(mine, 'mine')
    const readsAfterWrite = mine.persistence.reads
    for (let i = 0; i < 100; i += 1) expect(mine.persistence.beforeCacheAccess(mine.cache, CONTEXT)).toBeUndefined()
    expect(mine.persistence.afterCacheAccess(mine.cache, CONTEXT)).toBeUndefined() // nothing changed: nothing to store
    expect(mine.persistence.reads).toBe(readsAfterWrite)

    await addAndPersist(cacheAt(file), 'theirs')
    await mine.persistence.beforeCacheAccess(mine.cache, CONTEXT)
    expect(mine.persistence.reads).toBe(readsAfterWrite + 1)
    expect(secretsOf(mine.cache)).toEqual(['mine-secret', 'theirs-secret'])
    expect(mine.persistence.beforeCacheAccess(mine.cache, CONTEXT)).toBeUndefined()
    expect(mine.persistence.reads).toBe(readsAfterWrite + 1)
  })

  it('keeps a change made while the file was being written for the next write', async () => {
    /** Adds a token right after the state is serialized, while the file is still being written. */
    class ChangedDuringWrite extends SerializableTokenCache {
      lateToken: string | undefined
      override serialize(): string {
        const text = super.serialize()
        const name = this.lateToken
        this.lateToken = undefined
        if (name !== undefined) setImmediate(() => this.add(tokenEvent(name)))
        return text
      }
    }
    const persistence = new FilePersistence(file)
    const cache = new ChangedDuringWrite({ persistence })
    cache.lateToken = 'late'
    cache.add(tokenEvent('early'))
    await persistence.afterCacheAccess(cache, CONTEXT)
    expect(secretsOf(cache)).toEqual(['early-secret', 'late-secret'])
    expect(await storedSecrets(file)).toEqual(['early-secret'])
    expect(cache.pendingChangeCount).toBeGreaterThan(0) // the late change is not stored yet: not forgotten
    await persistence.afterCacheAccess(cache, CONTEXT)
    expect(await storedSecrets(file)).toEqual(['early-secret', 'late-secret'])
    expect(cache.pendingChangeCount).toBe(0)
  })

  it('treats a missing file as an empty cache, and a deleted one as emptied', async () => {
    const mine = cacheAt(file)
    await mine.persistence.beforeCacheAccess(mine.cache, CONTEXT)
    expect(secretsOf(mine.cache)).toEqual([])
    await addAndPersist(mine, 'a')
    await rm(file)
    await mine.persistence.beforeCacheAccess(mine.cache, CONTEXT)
    expect(secretsOf(mine.cache)).toEqual([])
  })

  it('refuses a corrupt file with an MsalError naming it, and never overwrites it', async () => {
    const corrupt = '{"AccessToken": {"k": '
    await writeFile(file, corrupt)
    const mine = cacheAt(file)
    const onLoad = await rejectionOf(mine.persistence.beforeCacheAccess(mine.cache, CONTEXT))
    expect(onLoad).toMatchObject({ kind: 'CacheError', error: 'invalid_cache' })
    expect(onLoad.message).toContain(file)
    expect(onLoad.message).toMatch(/not valid JSON.*left untouched/)

    mine.cache.add(tokenEvent('new'))
    const onStore = await rejectionOf(mine.persistence.afterCacheAccess(mine.cache, CONTEXT))
    expect(onStore.kind).toBe('CacheError')
    expect(await readFile(file, 'utf8')).toBe(corrupt)
    expect(mine.cache.pendingChangeCount).toBe(1) // kept for when the file is repaired
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it('reports a file it cannot read as an MsalError', async () => {
    await mkdir(file) // a directory where the file should be
    const mine = cacheAt(file)
    const error = await rejectionOf(mine.persistence.beforeCacheAccess(mine.cache, CONTEXT))
    expect(error.kind).toBe('CacheError')
    expect(error.message).toContain(`cannot read ${file}`)
  })

  it('checks its options when constructed', () => {
    expect(() => new FilePersistence('')).toThrow(expect.objectContaining({ kind: 'ConfigurationError', field: 'path' }))
    expect(() => new FilePersistence(file, { lockTimeoutMs: -1 })).toThrow(expect.objectContaining({ field: 'lockTimeoutMs' }))
    expect(() => new FilePersistence(file, { staleLockMs: Number.NaN })).toThrow(expect.objectContaining({ field: 'staleLockMs' }))
  })

  it('removes temporary files a killed writer left, once they are older than a stale lock', async () => {
    const abandoned = `${file}.4242-0123456789ab.tmp`
    const fresh = `${file}.4243-0123456789ab.tmp`
    const graveyard = `${file}.lock.break.4244-0123456789ab.stale`
    const unrelated = join(directory, 'notes.tmp')
    for (const path of [abandoned, fresh, graveyard, unrelated]) await writeFile(path, 'x')
    const longAgo = new Date(Date.now() - 120_000)
    for (const path of [abandoned, graveyard, unrelated]) await utimes(path, longAgo, longAgo)
    await addAndPersist(cacheAt(file), 'a')
    expect((await readdir(directory)).sort()).toEqual(['cache.json', 'cache.json.4243-0123456789ab.tmp', 'notes.tmp'])
  })
})

describe('FilePersistence: encryption at rest', () => {
  const key = randomBytes(32)

  it('writes a standard JWE (dir, A256GCM) that holds no token in the clear, and reads it back', async () => {
    const mine = cacheAt(file, { encryptionKey: key })
    await addAndPersist(mine, 'top-secret-token')
    const text = await readFile(file, 'utf8')
    expect(text).not.toContain('top-secret-token')
    expect(text).not.toContain('AccessToken')
    // The purpose binding (a hash of the file's path) travels in the authenticated header.
    expect(decodeProtectedHeader(text)).toEqual({ alg: 'dir', enc: 'A256GCM', 'msal-ts-ctx': expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) })
    const { plaintext } = await compactDecrypt(text, key)
    expect(Object.keys(JSON.parse(new TextDecoder().decode(plaintext)) as object)).toContain('AccessToken')

    const sameKeyAsText = cacheAt(file, { encryptionKey: key.toString('base64url') })
    await sameKeyAsText.persistence.beforeCacheAccess(sameKeyAsText.cache, CONTEXT)
    expect(secretsOf(sameKeyAsText.cache)).toEqual(['top-secret-token-secret'])
  })

  it('accepts a WebCrypto AES-GCM key', async () => {
    const cryptoKey = await webcrypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
    await addAndPersist(cacheAt(file, { encryptionKey: cryptoKey as CryptoKey }), 'a')
    const reader = cacheAt(file, { encryptionKey: cryptoKey as CryptoKey })
    await reader.persistence.beforeCacheAccess(reader.cache, CONTEXT)
    expect(secretsOf(reader.cache)).toEqual(['a-secret'])
  })

  it.each([
    ['a wrong key', async (text: string) => text, randomBytes(32), /could not be decrypted: the encryptionKey is wrong or the file was altered/],
    ['an altered file', async (text: string) => { const parts = text.split('.'); parts[3] = `${parts[3]!.startsWith('A') ? 'B' : 'A'}${parts[3]!.slice(1)}`; return parts.join('.') }, key, /wrong or the file was altered/],
    ['a truncated file', async (text: string) => text.slice(0, text.length - 10), key, /wrong or the file was altered/],
    ['a plaintext file', async () => JSON.stringify({ AccessToken: {} }), key, /is not encrypted, but an encryptionKey is configured/],
    ['an encrypted file without a key', async (text: string) => text, undefined, /is encrypted: configure the encryptionKey/],
  ])('refuses %s with an MsalError and leaves the file untouched', async (_name, tamper, readKey, message) => {
    await addAndPersist(cacheAt(file, { encryptionKey: key }), 'a')
    const stored = await tamper(await readFile(file, 'utf8'))
    await writeFile(file, stored)
    const reader = cacheAt(file, { encryptionKey: readKey })
    const onLoad = await rejectionOf(reader.persistence.beforeCacheAccess(reader.cache, CONTEXT))
    expect(onLoad).toMatchObject({ kind: 'CacheError', message: expect.stringMatching(message) })
    expect(onLoad.message).toContain(file)
    reader.cache.add(tokenEvent('b'))
    expect((await rejectionOf(reader.persistence.afterCacheAccess(reader.cache, CONTEXT))).message).toMatch(message)
    expect(await readFile(file, 'utf8')).toBe(stored)
  })

  it('refuses another cache file’s ciphertext under the same key (each file is bound to its path), and says so', async () => {
    const other = join(directory, 'other-cache.json')
    await addAndPersist(cacheAt(other, { encryptionKey: key }), 'other-app-token')
    await addAndPersist(cacheAt(file, { encryptionKey: key }), 'mine')
    const mine = await readFile(file, 'utf8')
    // Someone who can write files, but not read the key, swaps the other file's ciphertext in.
    await writeFile(file, await readFile(other, 'utf8'))
    const reader = cacheAt(file, { encryptionKey: key })
    const error = await rejectionOf(reader.persistence.beforeCacheAccess(reader.cache, CONTEXT))
    expect(error).toMatchObject({ kind: 'CacheError', message: expect.stringContaining(`${file} holds a cache encrypted for another file or encryptionContext`) })
    expect(reader.cache.find('AccessToken')).toEqual([])
    reader.cache.add(tokenEvent('b'))
    await rejectionOf(reader.persistence.afterCacheAccess(reader.cache, CONTEXT))
    expect(await readFile(file, 'utf8')).not.toBe(mine)
    expect(await readFile(file, 'utf8')).toBe(await readFile(other, 'utf8'))
  })

  it('binds a file to an encryptionContext instead of its path when given one, so a moved file still opens', async () => {
    const context = 'contoso daemon token cache'
    await addAndPersist(cacheAt(file, { encryptionKey: key, encryptionContext: context }), 'a')
    const moved = join(directory, 'moved.json')
    await writeFile(moved, await readFile(file))
    const reader = cacheAt(moved, { encryptionKey: key, encryptionContext: context })
    await reader.persistence.beforeCacheAccess(reader.cache, CONTEXT)
    expect(secretsOf(reader.cache)).toEqual(['a-secret'])
    const byPath = cacheAt(moved, { encryptionKey: key })
    expect((await rejectionOf(byPath.persistence.beforeCacheAccess(byPath.cache, CONTEXT))).message).toMatch(/encrypted for another file or encryptionContext/)
    expect(() => new FilePersistence(file, { encryptionContext: context })).toThrow(expect.objectContaining({ kind: 'ConfigurationError', field: 'encryptionContext' }))
    expect(() => new FilePersistence(file, { encryptionKey: key, encryptionContext: '' })).toThrow(expect.objectContaining({ field: 'encryptionContext' }))
  })

  it.each([
    ['cut in half', (text: string) => text.slice(0, Math.floor(text.length / 2))],
    ['cut after its header', (text: string) => text.split('.')[0]!],
    ['missing its last part', (text: string) => text.split('.').slice(0, 4).join('.')],
  ])('says a truncated encrypted file (%s) is damaged, not that it is not encrypted', async (_name, truncate) => {
    await addAndPersist(cacheAt(file, { encryptionKey: key }), 'a')
    await writeFile(file, truncate(await readFile(file, 'utf8')))
    const reader = cacheAt(file, { encryptionKey: key })
    const error = await rejectionOf(reader.persistence.beforeCacheAccess(reader.cache, CONTEXT))
    expect(error.message).toMatch(/is an encrypted cache that is damaged|could not be decrypted/)
    expect(error.message).not.toMatch(/is not encrypted/)
    const keyless = cacheAt(file)
    expect((await rejectionOf(keyless.persistence.beforeCacheAccess(keyless.cache, CONTEXT))).message).toMatch(/is encrypted: configure the encryptionKey/)
  })

  it('rejects a key that is not AES-256 when constructed', async () => {
    const aesCbc = await webcrypto.subtle.generateKey({ name: 'AES-CBC', length: 256 }, false, ['encrypt', 'decrypt'])
    for (const encryptionKey of [randomBytes(16), 'not base64url!', randomBytes(32).toString('base64url').slice(2), aesCbc as CryptoKey, 42]) {
      expect(() => new FilePersistence(file, { encryptionKey } as FilePersistenceOptions)).toThrow(
        expect.objectContaining({ kind: 'ConfigurationError', field: 'encryptionKey' }),
      )
    }
  })
})

describe('FilePersistence: the cross-process lock', () => {
  const deadPid = (): number => {
    const child = spawnSync(process.execPath, ['-e', ''])
    expect(child.status).toBe(0)
    return child.pid!
  }

  it.each([
    ['a dead process', () => lockRecord({ pid: deadPid() })],
    ['an earlier process with this pid (a restarted container)', () => lockRecord({ pid: process.pid, threadId, nonce: 'from-before-the-restart' })],
    ['another host, long ago', () => lockRecord({ pid: 1, hostname: 'elsewhere.invalid', createdAt: new Date(Date.now() - 120_000).toISOString() })],
  ])('recovers a lock left by %s at once', async (_name, record) => {
    await writeFile(`${file}.lock`, record())
    const started = Date.now()
    await addAndPersist(cacheAt(file, { lockTimeoutMs: 5_000 }), 'a')
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(await storedSecrets(file)).toEqual(['a-secret'])
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it('removes a stale lock only if it is still the one judged stale, never a fresh lock that replaced it', async () => {
    const lockPath = `${file}.lock`
    await writeFile(lockPath, lockRecord({ pid: deadPid() }))
    const judgedStale = (await observeLock(lockPath))!
    // Meanwhile another waiter removed it and a new holder took the lock.
    await rm(lockPath)
    const fresh = await acquireFileLock(lockPath, { timeoutMs: 1_000, staleMs: 60_000 })
    const freshRecord = await readFile(lockPath, 'utf8')
    await removeStaleLock(lockPath, judgedStale)
    expect(await readFile(lockPath, 'utf8')).toBe(freshRecord)
    await fresh.assertHeld()
    await fresh.release()
    expect(await readdir(directory)).toEqual([])
  })

  it('recovers a stale lock that many writers wait on, and stores all their tokens', async () => {
    await writeFile(`${file}.lock`, lockRecord({ pid: deadPid() }))
    const writers = Array.from({ length: 12 }, () => cacheAt(file, { lockTimeoutMs: 5_000 }))
    const outcomes = await Promise.allSettled(writers.map((writer, i) => addAndPersist(writer, `w${i}`)))
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([])
    expect(await storedSecrets(file)).toEqual(Array.from({ length: 12 }, (_, i) => `w${i}-secret`).sort())
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it('recovers a stale lock whose remover died while removing it (an abandoned breaker)', async () => {
    await writeFile(`${file}.lock`, lockRecord({ pid: deadPid() }))
    await writeFile(`${file}.lock.break`, lockRecord({ pid: deadPid() }))
    await addAndPersist(cacheAt(file, { lockTimeoutMs: 1_000 }), 'a')
    expect(await storedSecrets(file)).toEqual(['a-secret'])
    expect(await readdir(directory)).toEqual(['cache.json'])
  })

  it('recovers an empty lock file whose holder died before writing it', async () => {
    await writeFile(`${file}.lock`, '')
    const aWhileAgo = new Date(Date.now() - 5_000)
    await utimes(`${file}.lock`, aWhileAgo, aWhileAgo)
    await addAndPersist(cacheAt(file, { lockTimeoutMs: 1_000 }), 'a')
    expect(await storedSecrets(file)).toEqual(['a-secret'])
  })

  it('makes a writer wait for a live holder (this process), then fail after lockTimeoutMs naming the lock file', async () => {
    const held = await acquireFileLock(`${file}.lock`, { timeoutMs: 1_000, staleMs: 60_000 })
    const mine = cacheAt(file, { lockTimeoutMs: 200 })
    mine.cache.add(tokenEvent('a'))
    const started = Date.now()
    const error = await rejectionOf(mine.persistence.afterCacheAccess(mine.cache, CONTEXT))
    expect(Date.now() - started).toBeGreaterThanOrEqual(195)
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(error.kind).toBe('CacheError')
    expect(error.message).toContain(`could not lock ${file}.lock within 200 ms: it is held by process ${process.pid} on ${hostname()}`)
    expect(existsSync(file)).toBe(false)
    expect(mine.cache.pendingChangeCount).toBe(1)

    await held.release()
    await mine.persistence.afterCacheAccess(mine.cache, CONTEXT)
    expect(await storedSecrets(file)).toEqual(['a-secret'])
  })

  it('makes a writer wait for a live holder in another process, and proceed once it lets go', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'])
    try {
      await writeFile(`${file}.lock`, lockRecord({ pid: holder.pid }))
      const mine = cacheAt(file, { lockTimeoutMs: 2_000 })
      mine.cache.add(tokenEvent('a'))
      const started = Date.now()
      const stored = mine.persistence.afterCacheAccess(mine.cache, CONTEXT)
      await sleep(150)
      expect(existsSync(file)).toBe(false)
      await rm(`${file}.lock`)
      await stored
      expect(Date.now() - started).toBeGreaterThanOrEqual(150)
      expect(await storedSecrets(file)).toEqual(['a-secret'])
    } finally {
      holder.kill('SIGKILL')
    }
  })
})

const CLIENT = '5d1c6a1e-2f4b-4c3d-9e8f-7a6b5c4d3e2f'
const SECRET = 'file-persistence-secret'
const AUTHORITY = 'https://login.microsoftonline.com/contoso.onmicrosoft.com'
const SCOPE = 'api://shared/.default'

const newIdp = () => new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET })

/** An application whose cache is kept in `path`, talking to the in-process fake identity provider. */
const appOn = (path: string, idp: FakeIdentityProvider) =>
  new ConfidentialClientApplication({
    clientId: CLIENT,
    clientCredential: SECRET,
    authority: AUTHORITY,
    httpClient: idp.fetch,
    tokenCache: new SerializableTokenCache({ persistence: new FilePersistence(path) }),
  })

describe('FilePersistence: two applications on the in-process FakeIdentityProvider', () => {
  it('gives the second application the first one’s token from the file, with no request', async () => {
    const idp = newIdp()
    const first = await appOn(file, idp).acquireTokenForClient([SCOPE])
    expect(first.tokenSource).toBe('identity_provider')
    expect(idp.requests).toHaveLength(1)
    const second = await appOn(file, idp).acquireTokenForClient([SCOPE])
    expect(second).toMatchObject({ tokenSource: 'cache', accessToken: first.accessToken })
    expect(idp.requests).toHaveLength(1)
  })
})

// ---- Across processes: children load the built package (packages/node/dist) ----

const BUILT = ['filePersistence', 'fileLock', 'fileSnapshot', 'atomicWrite', 'cacheEncryption', 'cacheFailure', 'siblingFiles', 'tokenCaches']

/** The children run the build: fail clearly when it is missing or older than these sources. */
const requireFreshBuild = (): void => {
  const packageRoot = join(import.meta.dirname, '..')
  const buildInfo = join(packageRoot, 'dist', '.tsbuildinfo')
  for (const name of BUILT) {
    const built = join(packageRoot, 'dist', 'cache', `${name}.js`)
    if (!existsSync(built)) throw new Error(`${built} is missing: run the build first (npm run build; ./dev test does)`)
    const builtAt = Math.max(statSync(built).mtimeMs, existsSync(buildInfo) ? statSync(buildInfo).mtimeMs : 0)
    if (statSync(join(packageRoot, 'src', 'cache', `${name}.ts`)).mtimeMs > builtAt) {
      throw new Error(`${built} is older than its source: run the build first (npm run build; ./dev test does)`)
    }
  }
}

interface Child {
  readonly process: ChildProcessWithoutNullStreams
  /** Resolves when the child prints this line. */
  line(text: string): Promise<void>
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>
}

const startChild = (script: string, args: readonly string[]): Child => {
  const child = spawn(process.execPath, [join(CHILDREN, script), ...args], { stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  const waiters: Array<{ text: string; resolve: () => void }> = []
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    for (const waiter of waiters) if (stdout.split('\n').includes(waiter.text)) waiter.resolve()
  })
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  )
  return {
    process: child,
    exited,
    line: (text) =>
      new Promise<void>((resolve, reject) => {
        if (stdout.split('\n').includes(text)) return resolve()
        waiters.push({ text, resolve })
        void exited.then(({ code, signal, stderr: err }) => reject(new Error(`${script} exited (${code ?? signal}) before printing "${text}": ${err}`)))
      }),
  }
}

describe('FilePersistence across processes', () => {
  beforeAll(requireFreshBuild)

  it('keeps every token when 6 processes each store 50, one at a time, and readers never see a partial file', async () => {
    const WORKERS = 6
    const TOKENS = 50
    const writers = Array.from({ length: WORKERS }, (_, worker) => startChild('writer.mjs', [file, String(worker), String(TOKENS)]))
    await Promise.all(writers.map((writer) => writer.line('ready')))
    for (const writer of writers) writer.process.stdin.write('go\n')

    let running = true
    let parsedReads = 0
    const reader = (async () => {
      while (running) {
        const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)))
        if (text !== undefined) {
          new SerializableTokenCache().deserialize(text) // throws on a partial file
          parsedReads += 1
        }
        await sleep(0)
      }
    })()
    const results = await Promise.all(writers.map((writer) => writer.exited))
    running = false
    await reader

    for (const result of results) expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' })
    const expected = Array.from({ length: WORKERS }, (_, w) => Array.from({ length: TOKENS }, (_, i) => `w${w}-${i}-secret`)).flat().sort()
    expect(await storedSecrets(file)).toEqual(expected)
    expect(parsedReads).toBeGreaterThan(0)
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it('survives a writer killed (SIGKILL) at a random moment: the file loads and the next writer takes the lock', async () => {
    for (let round = 0; round < 5; round += 1) {
      const writer = startChild('tightLoop.mjs', [file, String(round)])
      await writer.line('wrote')
      await sleep(Math.random() * 40)
      writer.process.kill('SIGKILL')
      expect((await writer.exited).signal).toBe('SIGKILL')

      const survived = await storedSecrets(file)
      expect(survived).toContain(`loop${round}-0-secret`)
      const next = cacheAt(file, { lockTimeoutMs: 5_000 })
      await addAndPersist(next, `after-kill-${round}`)
      expect(await storedSecrets(file)).toEqual([...survived, `after-kill-${round}-secret`].sort())
      expect(existsSync(`${file}.lock`)).toBe(false)
    }
    // Five rounds of a child Node process each: seconds apiece on a loaded 2-core machine.
  }, 120_000)

  it('gives an application in another process the token this one stored, with no request', async () => {
    const idp = newIdp()
    const first = await appOn(file, idp).acquireTokenForClient([SCOPE])
    expect(first.tokenSource).toBe('identity_provider')

    const other = await startChild('acquire.mjs', [file, CLIENT, SECRET, AUTHORITY, SCOPE]).exited
    expect(other.stderr).toBe('')
    expect(JSON.parse(other.stdout)).toEqual({ tokenSource: 'cache', accessToken: first.accessToken, requests: 0 })
    expect(idp.requests).toHaveLength(1)
  })
})
