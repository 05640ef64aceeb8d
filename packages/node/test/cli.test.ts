import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AppServiceEmulation, FakeIdentityProvider, faults, ImdsEmulation, type ManagedIdentityEmulation } from '@msal-ts/testing'
import { main } from '../src/cli/main.js'
import { runLogin } from '../src/cli/login.js'

const capture = () => {
  const out: string[] = []
  const err: string[] = []
  return { output: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err }
}

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

describe('msal-ts token --managed-identity', () => {
  const running: ManagedIdentityEmulation[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((emulation) => emulation.close()))
  })
  const serve = async <E extends ManagedIdentityEmulation>(emulation: E): Promise<E> => {
    running.push(emulation)
    await emulation.listen()
    return emulation
  }

  it('prints the system-assigned identity\'s token from the source the environment names', async () => {
    const appService = await serve(new AppServiceEmulation())
    const { output, out } = capture()
    expect(await main(['token', '--managed-identity', 'system', '--resource', 'https://vault.azure.net/.default'], output, appService.env)).toBe(0)
    expect(JSON.parse(out.join('\n'))).toMatchObject({ tokenSource: 'identity_provider', scopes: ['https://vault.azure.net'], accessToken: appService.issued[0]!.accessToken })
  })

  it.each([
    ['client-id', 'clientId', 'client_id'],
    ['resource-id', 'resourceId', 'msi_res_id'],
    ['object-id', 'objectId', 'object_id'],
  ] as const)('names a user-assigned identity by %s=', async (flag, field, parameter) => {
    const imds = await serve(new ImdsEmulation())
    const id = imds.userAssigned[0]![field]
    const { output, out } = capture()
    expect(await main(['token', '--managed-identity', `${flag}=${id}`, '--resource', 'https://vault.azure.net', '--access-token-only'], output, imds.env)).toBe(0)
    expect(out).toEqual([imds.issued[0]!.accessToken])
    expect(imds.requests[0]!.query).toMatchObject({ [parameter]: id })
  })

  it('keeps the token in --cache between runs', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'msal-ts-cli-mi-'))
    try {
      const imds = await serve(new ImdsEmulation())
      const argv = ['token', '--managed-identity', 'system', '--resource', 'https://vault.azure.net', '--cache', join(folder, 'mi.json')]
      expect(await main(argv, capture().output, imds.env)).toBe(0)
      const second = capture()
      expect(await main(argv, second.output, imds.env)).toBe(0)
      expect(JSON.parse(second.out.join('\n'))).toMatchObject({ tokenSource: 'cache' })
      expect(imds.requests).toHaveLength(1)
      expect(JSON.parse(readFileSync(join(folder, 'mi.json'), 'utf8'))).toMatchObject({ AccessToken: { '-localhost-accesstoken--managed_identity-https://vault.azure.net': { client_id: null } } })
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })

  it.each([
    [['token', '--managed-identity', 'user', '--resource', 'r'], 2, 'expected system, client-id=ID, resource-id=ID or object-id=ID'],
    [['token', '--managed-identity', 'client-id=', '--resource', 'r'], 2, 'the id is missing'],
    [['token', '--managed-identity', 'system'], 2, 'missing --resource'],
    [['token', '--resource', 'r'], 2, '--resource goes with --managed-identity'],
    [['token', '--managed-identity', 'system', '--resource', 'r', '--client-id', 'x'], 2, '--managed-identity does not take --client-id'],
    [['token', '--managed-identity', 'system', '--resource', ''], 2, 'resource: expected the resource\'s URI'],
  ])('fails clearly on bad input: %j', async (argv, code, message) => {
    const { output, err } = capture()
    expect(await main(argv, output, {})).toBe(code)
    expect(err.join('\n')).toContain(message)
  })

  it('reports the source\'s error, exit code 1', async () => {
    const appService = await serve(new AppServiceEmulation())
    const { output, err } = capture()
    expect(await main(['token', '--managed-identity', 'system', '--resource', 'https://vault.azure.net', '--no-retries'], output, { ...appService.env, IDENTITY_HEADER: 'wrong' })).toBe(1)
    expect(err[0]).toBe('msal-ts: invalid_scope: 401, The X-IDENTITY-HEADER header is missing or wrong.')
    expect(err[1]).toMatch(/^ {2}correlation id: [0-9a-f-]{36}$/)
  })

  it('reports a malformed endpoint variable, naming it, exit code 1', async () => {
    const { output, err } = capture()
    expect(await main(['token', '--managed-identity', 'system', '--resource', 'https://vault.azure.net'], output, { MSI_ENDPOINT: 'no url', MSI_SECRET: 's' })).toBe(1)
    expect(err[0]).toContain('the environment variable MSI_ENDPOINT is not a URL')
  })
})
