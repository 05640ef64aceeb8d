// An application whose cache file lives on a small tmpfs of its own (mounted by the test in a
// private mount namespace): the disk fills up (ENOSPC), then turns read-only (EROFS), then
// recovers. Each step prints one JSON line: what the call returned, and what the file holds.
import { spawnSync } from 'node:child_process'
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ConfidentialClientApplication, FilePersistence, SerializableTokenCache } from './built.mjs'

const { loopbackFetch } = await import(new URL('../../../testing/dist/index.js', import.meta.url).href)
const [dir, idpUrl, clientId, clientCredential, authority] = process.argv.slice(2)
const file = join(dir, 'msal', 'cache.json')
const warnings = []
const app = new ConfidentialClientApplication({
  clientId,
  clientCredential,
  authority,
  httpClient: loopbackFetch(idpUrl),
  tokenCache: new SerializableTokenCache({ persistence: new FilePersistence(file, { lockTimeoutMs: 2_000 }) }),
  logger: (level, message) => {
    if (level === 'warning') warnings.push(message)
  },
})

const call = (scope) =>
  app.acquireTokenForClient([`api://${scope}/.default`]).then(
    (result) => ({ tokenSource: result.tokenSource }),
    (error) => ({ error: error.kind, message: error.message }),
  )
/** The scopes the file holds, read as another process would; or why it cannot be read. */
const stored = () => {
  try {
    const cache = new SerializableTokenCache()
    cache.deserialize(readFileSync(file, 'utf8'))
    return cache.find('AccessToken').map((token) => token.target).sort()
  } catch (error) {
    return `unreadable: ${error.message}`
  }
}
const report = (step, fields) => process.stdout.write(`${JSON.stringify({ step, ...fields })}\n`)
const newWarnings = () => warnings.splice(0)
const mount = (options) => {
  const result = spawnSync('mount', ['-o', options, dir], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`mount -o ${options} ${dir}: ${result.stderr}`)
}

report('first', { call: await call('a'), stored: stored(), warnings: newWarnings() })

// Fill the file system to the last page.
mkdirSync(join(dir, 'msal'), { recursive: true })
let full = ''
try {
  for (;;) appendFileSync(join(dir, 'filler'), Buffer.alloc(4096, 0x66))
} catch (error) {
  full = error.code
}
report('disk full', { errno: full })
report('new token on a full disk', { call: await call('b'), stored: stored(), warnings: newWarnings() })
report('cache hit on a full disk', { call: await call('b'), stored: stored(), warnings: newWarnings() })
report('accounts on a full disk', { accounts: await app.getAccounts().then((accounts) => accounts.length, (error) => error.kind), warnings: newWarnings() })
rmSync(join(dir, 'filler'))
report('cache hit after space is freed', { call: await call('b'), stored: stored(), warnings: newWarnings() })

mount('remount,ro')
report('new token on a read-only file system', { call: await call('c'), stored: stored(), warnings: newWarnings() })
report('cache hit on a read-only file system', { call: await call('c'), stored: stored(), warnings: newWarnings() })
mount('remount,rw')
report('cache hit after it is writable again', { call: await call('c'), stored: stored(), warnings: newWarnings() })
