import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { FakeIdentityProvider, faults } from '@msal-ts/testing'
import { main } from '../src/cli/main.js'

const capture = () => {
  const out: string[] = []
  const err: string[] = []
  return { output: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err }
}

describe('msal-ts demo', () => {
  it('shows the first token from the identity provider, the second from the cache, and one request for 50 callers', async () => {
    const { output, out, err } = capture()
    expect(await main(['demo'], output)).toBe(0)
    const text = out.join('\n')
    expect(err).toEqual([])
    expect(text).toMatch(/1\. acquireTokenForClient.*\n\s+source: identity_provider .* HTTP requests: 2 \(tenant discovery \+ token\)/)
    expect(text).toMatch(/2\. the same call again\n\s+source: cache .* HTTP requests: 0/)
    expect(text).toMatch(/3\. 50 concurrent calls .*\n\s+took: .* token requests: 1 .* same token for all: true/)
    expect(text).toContain('demo complete')
  })

  it('runs from the built command as the README says', () => {
    const built = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js')
    expect(existsSync(built) ? 'built' : 'packages/node/dist is missing: run the build first (./dev test does)').toBe('built')
    const cli = join(import.meta.dirname, '..', 'bin', 'msal-ts.js')
    const result = spawnSync(process.execPath, [cli, 'demo'], { encoding: 'utf8', timeout: 60_000 })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('demo complete')
  })
})

describe('msal-ts token', () => {
  let idp: FakeIdentityProvider
  let base: string
  beforeAll(async () => {
    idp = new FakeIdentityProvider().registerApp({ clientId: 'cli-app', clientSecret: 'cli-secret' })
    base = await idp.listen()
  })
  afterAll(() => idp.close())

  const args = (extra: string[] = []) => ['token', '--authority', `${base}/contoso.onmicrosoft.com`, '--client-id', 'cli-app', '--client-secret-env', 'CLI_SECRET', '--scope', 'api://cli/.default', ...extra]

  it('prints the token result as JSON, reading the secret from the environment', async () => {
    const { output, out } = capture()
    expect(await main(args(), output, { CLI_SECRET: 'cli-secret' })).toBe(0)
    const result = JSON.parse(out.join('\n')) as { accessToken: string; tokenSource: string; scopes: string[] }
    expect(result).toMatchObject({ tokenSource: 'identity_provider', scopes: ['api://cli/.default'] })
    expect(result.accessToken.split('.')).toHaveLength(3)
  })

  it('prints only the access token when asked', async () => {
    const { output, out } = capture()
    expect(await main(args(['--access-token-only']), output, { CLI_SECRET: 'cli-secret' })).toBe(0)
    expect(out).toHaveLength(1)
    expect(out[0]!.split('.')).toHaveLength(3)
  })

  it.each([
    [['token'], {}, 2, 'missing --authority, --client-id, --client-secret-env, --scope'],
    [null, {}, 2, 'the environment variable CLI_SECRET (named by --client-secret-env) is not set'],
    [['token', '--authority', 'http://example.com/t', '--client-id', 'a', '--client-secret-env', 'S', '--scope', 'x'], { S: 'v' }, 2, 'authority: must use https'],
    [['token', '--bogus'], {}, 2, "Unknown option '--bogus'"],
    [['frobnicate'], {}, 2, 'unknown command "frobnicate"'],
  ])('fails clearly on bad input: %j', async (argv, env, code, message) => {
    const { output, err } = capture()
    expect(await main(argv ?? args(), output, env)).toBe(code)
    expect(err.join('\n')).toContain(message)
  })

  it('reports an identity provider error with its correlation id, exit code 1', async () => {
    const { output, err } = capture()
    expect(await main(args(), output, { CLI_SECRET: 'wrong' })).toBe(1)
    expect(err[0]).toMatch(/^msal-ts: invalid_client: AADSTS7000215: Invalid client secret provided/)
    expect(err[1]).toMatch(/^ {2}correlation id: [0-9a-f-]{36}$/)
  })

  it('reports a network failure, exit code 1', async () => {
    idp.injectFault(faults.connectionError(), { times: 2 })
    const { output, err } = capture()
    expect(await main(args(['--scope', 'api://fresh/.default']), output, { CLI_SECRET: 'cli-secret' })).toBe(1)
    expect(err[0]).toMatch(/^msal-ts: network error calling http:\/\/127\.0\.0\.1:\d+\/contoso\.onmicrosoft\.com\/v2\.0\/\.well-known\/openid-configuration/)
  })
})
