/**
 * A cache file with pathological content (nested 10,000 deep) reaches an application through
 * FilePersistence and the CLI: the operation fails with a clear CacheError before any token
 * request is sent, the file is left as it was, and the CLI says so in one line (no stack trace).
 * Before, the file loaded, the token request went out, and storing its result threw a raw
 * RangeError.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfidentialClientApplication, FilePersistence, SerializableTokenCache } from '@msal-ts/node'
import { FakeIdentityProvider } from '@msal-ts/testing'
import { main } from '../src/cli/main.js'
import { rejectionOf } from './support/rejection.js'

const CLIENT = 'a3b4c5d6-e7f8-4a9b-8c0d-1e2f3a4b5c6d'
const SECRET = 'hostile-cache-secret'
const AUTHORITY = 'https://login.microsoftonline.com/contoso.onmicrosoft.com'

const DEEP = `{"AccessToken":{},"RefreshToken":{},"IdToken":{},"Account":{},"AppMetadata":{},"XFuture":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`

let directory: string
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'msal-hostile-cache-'))
})
afterEach(() => rm(directory, { recursive: true, force: true }))

describe('a cache file nested 10,000 deep', () => {
  it('fails the call with a CacheError before any request, and leaves the file as it was', async () => {
    const file = join(directory, 'cache.json')
    await writeFile(file, DEEP)
    const idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT, clientSecret: SECRET })
    const app = new ConfidentialClientApplication({
      clientId: CLIENT,
      clientCredential: SECRET,
      authority: AUTHORITY,
      httpClient: idp.fetch,
      tokenCache: new SerializableTokenCache({ persistence: new FilePersistence(file) }),
    })
    const error = await rejectionOf(app.acquireTokenForClient(['api://x/.default']))
    expect(error).toMatchObject({ kind: 'CacheError', message: expect.stringMatching(/holds no usable token cache \(nested deeper than 32 levels/) })
    expect(error.message).toContain(file)
    expect(idp.requests).toEqual([])
    expect(await readFile(file, 'utf8')).toBe(DEEP)
  })

  it('makes the CLI print one clear line and exit 1, not a RangeError with a stack trace', async () => {
    const file = join(directory, 'cli-cache.json')
    await writeFile(file, DEEP)
    const out: string[] = []
    const err: string[] = []
    const code = await main(['accounts', '--client-id', CLIENT, '--cache', file], { out: (line) => out.push(line), err: (line) => err.push(line) }, {})
    expect(code).toBe(1)
    expect(err.join('\n')).toMatch(/^msal-ts: token cache: .*holds no usable token cache \(nested deeper than 32 levels/)
    expect(err.join('\n')).not.toMatch(/RangeError|\n\s+at /)
    expect(await readFile(file, 'utf8')).toBe(DEEP)
  })
})
