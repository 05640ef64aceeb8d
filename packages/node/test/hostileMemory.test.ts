/**
 * Memory stays bounded against a 1 GiB, an endless and a gzip-bomb response: each call runs in a
 * child process (hostile/memory.mjs, on the built packages, with --expose-gc) that measures its
 * peak memory above a baseline taken just before the call; the jest worker's own heap would
 * blur the figure. The acceptance bound is 64 MiB above baseline; the limit read is 1 MiB.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { FakeIdentityProvider } from '@msal-ts/testing'
import { startHostileServer, type HostileServer, type Hostility } from './support/hostileServer.js'

const CLIENT = 'd9e5c3f4-2a61-4c7d-9eaf-9a8b7c6d5e4f'
const SECRET = 'hostile-memory-secret'
const HOSTILE_SCOPE = 'api://hostile-memory/.default'
const CHILD = join(import.meta.dirname, 'hostile', 'memory.mjs')
const BOUND_MIB = 64

interface Measured {
  readonly outcome: { readonly kind?: string; readonly message?: string; readonly resolved?: boolean }
  readonly ms: number
  readonly rssDeltaMiB: number
  readonly heapDeltaMiB: number
  readonly externalDeltaMiB: number
}

const measure = (baseUrl: string, authorityKind: 'entra' | 'oidc'): Promise<Measured> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', CHILD, baseUrl, CLIENT, SECRET, authorityKind, 'api://warm/.default', HOSTILE_SCOPE], { stdio: 'pipe' })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('close', (code, signal) =>
      code === 0 ? resolve(JSON.parse(stdout) as Measured) : reject(new Error(`memory.mjs ended with ${code ?? signal}: ${stderr}`)),
    )
  })

let idp: FakeIdentityProvider
let hostile: HostileServer

beforeAll(async () => {
  for (const path of ['../dist/index.js', '../../testing/dist/index.js']) {
    if (!existsSync(join(import.meta.dirname, path))) throw new Error(`${path} is missing: run the build first (./dev test does)`)
  }
  idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET })
  hostile = await startHostileServer(await idp.listen())
})
afterAll(async () => {
  await hostile.close()
  await idp.close()
})

describe.each<[string, 'entra' | 'oidc', (path: string, scope: string | undefined) => boolean]>([
  ['a token response', 'entra', (path, scope) => path.endsWith('/token') && scope === HOSTILE_SCOPE],
  ['a discovery document', 'oidc', (path) => path.endsWith('/.well-known/openid-configuration')],
])('%s that is hostile, in a process of its own', (_name, authorityKind, target) => {
  it.each<Hostility>(['huge', 'gzipBomb', 'endless'])(`%s: an InvalidResponseError, with memory under ${BOUND_MIB} MiB above the baseline`, async (hostility) => {
    hostile.answer((r) => target(r.path, r.form['scope']), hostility)
    try {
      const measured = await measure(hostile.url, authorityKind)
      expect(measured.outcome).toMatchObject({ kind: 'InvalidResponseError', message: expect.stringMatching(/larger than 1048576 bytes/) })
      expect(measured.rssDeltaMiB).toBeLessThan(BOUND_MIB)
      expect(measured.heapDeltaMiB + measured.externalDeltaMiB).toBeLessThan(BOUND_MIB)
    } finally {
      hostile.clear()
    }
  })
})
