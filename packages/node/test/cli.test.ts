import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FakeIdentityProvider, faults } from '@msal-ts/testing'
import { main } from '../src/cli/main.js'
import { runLogin } from '../src/cli/login.js'

const capture = () => {
  const out: string[] = []
  const err: string[] = []
  return { output: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err }
}

const BUILT_CLI = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js')

/** Runs a command to its end, without blocking the event loop (spawnSync would). */
const run = (args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { timeout: 60_000 })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('error', reject)
    child.once('close', (status) => resolve({ status, stdout, stderr }))
  })

describe('msal-ts demo', () => {
  // The built command's demo runs in its own process while the in-process one runs: each waits
  // out a real device-code poll interval.
  let builtDemo: ReturnType<typeof run> | undefined
  beforeAll(() => {
    if (existsSync(BUILT_CLI)) builtDemo = run([join(import.meta.dirname, '..', 'bin', 'msal-ts.js'), 'demo'])
  })
  afterAll(() => builtDemo)

  it('shows the first token from the identity provider, the second from the cache, and one request for 50 callers', async () => {
    const { output, out, err } = capture()
    expect(await main(['demo'], output)).toBe(0)
    const text = out.join('\n')
    expect(err).toEqual([])
    expect(text).toMatch(/1\. acquireTokenForClient.*\n\s+source: identity_provider .* HTTP requests: 2 \(tenant discovery \+ token\)/)
    expect(text).toMatch(/2\. the same call again\n\s+source: cache .* HTTP requests: 0/)
    expect(text).toMatch(/3\. 50 concurrent calls .*\n\s+took: .* token requests: 1 .* same token for all: true/)
    expect(text).toMatch(/4\. initiateDeviceFlow.*\n.*enter the code \w+ to authenticate\.\n.*\n\s+acquireTokenByDeviceFlow: signed in as alice@contoso\.onmicrosoft\.com/)
    expect(text).toMatch(/5\. acquireTokenInteractive.*\n\s+the browser \(simulated\) signed in and came back by POST to http:\/\/localhost:\d+\n\s+signed in as bob@contoso\.onmicrosoft\.com/)
    expect(text).toMatch(/6\. getAccounts\(\): alice@contoso\.onmicrosoft\.com, bob@contoso\.onmicrosoft\.com\n\s+acquireTokenSilent for each: cache, cache {3}HTTP requests: 0/)
    expect(text).toMatch(/7\. acquireTokenOnBehalfOf.*\n\s+source: identity_provider {3}Graph token for alice@contoso\.onmicrosoft\.com\n\s+the API authenticated with private_key_jwt: \{"alg":"PS256","typ":"JWT","x5t#S256":"[\w-]{43}","x5c":\[…\]\}/)
    expect(text).toMatch(/8\. the same incoming token again: cache; bob@contoso\.onmicrosoft\.com's token: identity_provider \(Graph token for bob@contoso\.onmicrosoft\.com\)\n\s+on-behalf-of requests: 2/)
    expect(text).toContain('demo complete')
  })

  it('runs from the built command as the README says', async () => {
    expect(builtDemo !== undefined ? 'built' : 'packages/node/dist is missing: run the build first (./dev test does)').toBe('built')
    const result = await builtDemo!
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
    [['token'], {}, 2, 'missing --client-id, --scope'],
    [['token', '--client-secret-env', 'X'], {}, 2, 'missing --authority, --client-id, --scope'],
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

describe('msal-ts login, token, accounts and logout on a persisted cache', () => {
  const CLIENT = 'c11-public-app'
  let idp: FakeIdentityProvider
  let base: string
  let dir: string
  beforeAll(async () => {
    idp = new FakeIdentityProvider({ autoApproveDeviceCodes: { user: 'ann@contoso.onmicrosoft.com', afterPolls: 1 }, deviceCodeIntervalSeconds: 1, interactiveUser: 'ben@contoso.onmicrosoft.com' })
      .registerApp({ clientId: CLIENT, redirectUris: ['http://localhost'] })
      .registerUser({ username: 'ann@contoso.onmicrosoft.com' })
      .registerUser({ username: 'ben@contoso.onmicrosoft.com' })
    base = await idp.listen()
    dir = mkdtempSync(join(tmpdir(), 'msal-ts-cli-'))
  })
  afterAll(async () => {
    await idp.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const common = () => ['--client-id', CLIENT, '--authority', `${base}/organizations`, '--cache', join(dir, 'cache.json')]

  it('login --device-code shows the code and a live countdown, then keeps the tokens in the cache file', async () => {
    const { output, out, err } = capture()
    const statuses: string[] = []
    const code = await main(['login', '--device-code', ...common(), '--scope', 'User.Read'], { ...output, status: (text) => statuses.push(text), endStatus: () => undefined })
    expect(err.join('\n')).toMatch(/enter the code \w+ to authenticate/)
    expect(code).toBe(0)
    expect(out).toEqual(['signed in as ann@contoso.onmicrosoft.com'])
    expect(statuses[0]).toMatch(/^waiting for you to sign in with code \w+; it expires in 1[45]:\d\d$/)
    expect(JSON.parse(readFileSync(join(dir, 'cache.json'), 'utf8'))).toHaveProperty('RefreshToken')
  })

  it('login --interactive signs the second user in through the browser', async () => {
    const { output, out } = capture()
    expect(await runLogin(['--interactive', ...common()], output, {}, { openBrowser: idp.openBrowser })).toBe(0)
    expect(out).toEqual(['signed in as ben@contoso.onmicrosoft.com'])
  })

  it('accounts lists both; token serves a user from the cache (no request) and needs --username when several are signed in', async () => {
    const listed = capture()
    expect(await main(['accounts', ...common()], listed.output, {})).toBe(0)
    expect(listed.out.map((line) => line.split('\t')[0]).sort()).toEqual(['ann@contoso.onmicrosoft.com', 'ben@contoso.onmicrosoft.com'])

    const ambiguous = capture()
    expect(await main(['token', ...common(), '--scope', 'User.Read'], ambiguous.output, {})).toBe(1)
    expect(ambiguous.err[0]).toContain('several accounts are signed in')

    const before = idp.requests.length
    const token = capture()
    expect(await main(['token', ...common(), '--scope', 'User.Read', '--username', 'ANN@contoso.onmicrosoft.com'], token.output, {})).toBe(0)
    expect(JSON.parse(token.out.join('\n'))).toMatchObject({ tokenSource: 'cache', account: { username: 'ann@contoso.onmicrosoft.com' } })
    expect(idp.requests.length).toBe(before)

    const forced = capture()
    expect(await main(['token', ...common(), '--scope', 'User.Read', '--username', 'ann@contoso.onmicrosoft.com', '--force-refresh', '--access-token-only'], forced.output, {})).toBe(0)
    expect(forced.out).toHaveLength(1)
    expect(idp.tokenRequests.at(-1)!.form['grant_type']).toBe('refresh_token')
  })

  it('logout forgets the account; its token is then gone', async () => {
    const { output, out } = capture()
    expect(await main(['logout', ...common(), '--username', 'ann@contoso.onmicrosoft.com'], output, {})).toBe(0)
    expect(out).toEqual(['signed out ann@contoso.onmicrosoft.com'])
    const after = capture()
    expect(await main(['token', ...common(), '--scope', 'User.Read', '--username', 'ann@contoso.onmicrosoft.com'], after.output, {})).toBe(1)
    expect(after.err[0]).toContain('no signed-in account ann@contoso.onmicrosoft.com')
  })

  it.each([
    [['login', '--client-id', 'x'], 'choose one of --device-code and --interactive'],
    [['login', '--device-code', '--interactive', '--client-id', 'x'], 'choose one of --device-code and --interactive'],
    [['login', '--device-code'], 'missing --client-id'],
    [['accounts'], 'missing --client-id'],
  ])('fails clearly on bad input: %j', async (argv, message) => {
    const { output, err } = capture()
    expect(await main(argv, output, {})).toBe(2)
    expect(err.join('\n')).toContain(message)
  })
})
