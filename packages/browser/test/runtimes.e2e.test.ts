/**
 * One confidential-client scenario, bundled once for the web platform, on five real runtimes:
 * Node, Deno, Bun, Cloudflare's workerd and headless Chromium, each against the fake identity
 * provider on loopback over real HTTP. The certificate's assertions are signed with each
 * runtime's WebCrypto and verified by the fake as Entra verifies them. Prints, per runtime, the
 * cache-hit time and the bundle it ran.
 */
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FakeIdentityProvider } from '@msal-ts/testing'
import { certificateFixture } from '../../testing/test/fixtures/certificates/index.js'
import { bundleScenario, CHROMIUM, runInChromium, runInWorkerd, runScript, runtimeBinary, writeScriptEntry, type Bundle, type RuntimeRun } from './runtimes/harness.js'
import type { ScenarioConfig, ScenarioReport } from './runtimes/scenario.js'

const TENANT = 'contoso.onmicrosoft.com'
const ALICE = 'alice@contoso.onmicrosoft.com'
const APP_SCOPES = ['api://orders/.default']
const USER_SCOPES = ['User.Read']
const SECRET = 'web-s3cret'
/** The certificate's SHA-256 thumbprint in hex, as the portal shows it. */
const LEAF_SHA256 = new X509Certificate(certificateFixture('leaf.cert.pem')).fingerprint256.replace(/:/g, '')

const idp = new FakeIdentityProvider().registerUser({ username: ALICE })
let dir: string
let bundle: Bundle
const figures: string[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'msal-ts-runtimes-'))
  await idp.listen()
  bundle = await bundleScenario(dir)
})

afterAll(async () => {
  await idp.close()
  rmSync(dir, { recursive: true, force: true })
  if (figures.length > 0) {
    console.log(
      [`web scenario bundle: ${bundle.bytes} bytes minified, ${bundle.gzipBytes} bytes gzip -9`, 'runtime    cache hit (median µs)   scenario in the runtime / launch to report', ...figures].join('\n'),
    )
  }
})

/** Each runtime gets its own two apps and its own user's refresh token: its requests and authentications are its own. */
const configFor = (runtime: string): ScenarioConfig => {
  const certificateClient = `${runtime}-certificate-app`
  const secretClient = `${runtime}-secret-app`
  idp.registerApp({ clientId: certificateClient, certificates: [certificateFixture('leaf.cert.pem')] }).registerApp({ clientId: secretClient, clientSecret: SECRET })
  return {
    authority: `${idp.url}/${TENANT}`,
    certificateApp: { clientId: certificateClient, clientCredential: { privateKey: certificateFixture('leaf.key.pkcs8.pem'), thumbprintSha256: LEAF_SHA256 } },
    secretApp: { clientId: secretClient, clientCredential: SECRET },
    appScopes: APP_SCOPES,
    userScopes: USER_SCOPES,
    refreshToken: idp.issueRefreshToken({ username: ALICE, clientId: certificateClient, scopes: [...USER_SCOPES, 'openid', 'profile', 'offline_access'] }),
    warmupHits: 5000,
    batches: 10,
    batchSize: 2000,
  }
}

/** What every runtime must report: each step, from where it must come. */
const expectScenario = (report: ScenarioReport, config: ScenarioConfig): void => {
  expect(report.failure).toBeUndefined()
  expect(report).toMatchObject({
    secretApp: { tokenSource: 'identity_provider' },
    first: { tokenSource: 'identity_provider' },
    second: { tokenSource: 'cache', sameToken: true },
    cacheHits: { count: config.warmupHits + config.batches * config.batchSize, notFromCache: 0 },
    refreshTokenSignIn: { tokenSource: 'identity_provider', username: ALICE },
    accounts: [ALICE],
    silent: { tokenSource: 'cache', sameToken: true, username: ALICE },
  })
  // The identity provider saw three token requests from this runtime's apps: both app tokens and the refresh token sign-in.
  const certificateClient = config.certificateApp.clientId
  const tokenRequests = idp.tokenRequests.filter((request) => request.form['client_id'] === certificateClient || request.form['client_id'] === config.secretApp.clientId)
  expect(tokenRequests.map((request) => `${request.form['client_id']} ${request.form['grant_type']}`)).toEqual([
    `${config.secretApp.clientId} client_credentials`,
    `${certificateClient} client_credentials`,
    `${certificateClient} refresh_token`,
  ])
  // The certificate's assertions, signed PS256 with this runtime's WebCrypto, verified against the registered certificate.
  const authentications = idp.clientAuthentications.filter((a) => a.clientId === certificateClient || a.clientId === config.secretApp.clientId)
  expect(authentications.map((a) => [a.method, a.header?.['alg'], a.keySource])).toEqual([
    ['client_secret_post', undefined, undefined],
    ['private_key_jwt', 'PS256', 'x5t#S256'],
    ['private_key_jwt', 'PS256', 'x5t#S256'],
  ])
}

const note = (runtime: string, run: RuntimeRun, extra = ''): void => {
  figures.push(`${runtime.padEnd(10)} ${String(run.report.cacheHits?.medianMicros ?? '-').padStart(21)}   ${run.report.elapsedMs ?? '-'} ms / ${Math.round(run.wallMs)} ms${extra}`)
}

describe('the web scenario on five runtimes (bundled once, minified ESM for the browser platform)', () => {
  it('bundles for the browser platform with web APIs only: no Node built-in, jose\'s browser build', () => {
    expect(bundle.inputs.filter((input) => input.startsWith('node:'))).toEqual([])
    expect(bundle.inputs.some((input) => /jose\/dist\/webapi\//.test(input))).toBe(true)
    expect(bundle.inputs.some((input) => input.includes('fp-ts/lib/'))).toBe(false)
    expect(bundle.bytes).toBeGreaterThan(10_000)
  })

  it('Node: imports the bundle', async () => {
    const config = configFor('node')
    const run = await runScript(process.execPath, [writeScriptEntry(dir, 'node', config)], { cwd: dir })
    expect(run.report.userAgent).toMatch(/^(none|Node\.js\/)/) // Node 20 has no navigator; 21+ says Node.js/<major>
    expectScenario(run.report, config)
    note('Node', run)
  })

  it('Deno: with network access to the identity provider only', async () => {
    const config = configFor('deno')
    const port = new URL(idp.url).port
    const run = await runScript(runtimeBinary('deno'), ['run', '--no-prompt', '--no-config', '--no-lock', `--allow-net=127.0.0.1:${port}`, writeScriptEntry(dir, 'deno', config)], {
      cwd: dir,
      env: { DENO_DIR: join(dir, '.deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    })
    expect(run.report.userAgent).toMatch(/^Deno\//)
    expectScenario(run.report, config)
    note('Deno', run)
  })

  it('Deno: without that permission, the scenario fails at its first request (the permission is real)', async () => {
    const config = configFor('deno-denied')
    const seen = idp.requests.length
    const run = await runScript(runtimeBinary('deno'), ['run', '--no-prompt', '--no-config', '--no-lock', '--allow-net=127.0.0.1:1', writeScriptEntry(dir, 'deno-denied', config)], {
      cwd: dir,
      env: { DENO_DIR: join(dir, '.deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    })
    expect(run.report.failure).toMatchObject({ step: 'secretApp', kind: 'NetworkError', message: expect.stringMatching(/NotCapable|Requires net access/) })
    expect(idp.requests.length).toBe(seen)
  })

  it('Bun: runs the plain script entry', async () => {
    const config = configFor('bun')
    const run = await runScript(runtimeBinary('bun'), ['run', writeScriptEntry(dir, 'bun', config)], { cwd: dir, env: { DO_NOT_TRACK: '1', NO_COLOR: '1' } })
    expect(run.report.userAgent).toMatch(/^Bun\//)
    expectScenario(run.report, config)
    note('Bun', run)
  })

  it('workerd: a module worker whose fetch reaches loopback only', async () => {
    const config = configFor('workerd')
    const run = await runInWorkerd(dir, config)
    expect(run.report.userAgent).toBe('Cloudflare-Workers')
    expectScenario(run.report, config)
    note('workerd', run)
  })

  it(`Chromium (${CHROMIUM}): a page on another loopback origin, every call cross-origin with CORS, nothing beyond loopback`, async () => {
    const config = configFor('chromium')
    const run = await runInChromium(dir, config)
    expect(run.report.userAgent).toMatch(/HeadlessChrome\//)
    expectScenario(run.report, config)
    // The page's requests came cross-origin, and preflights reached the identity provider itself.
    const fromPage = idp.requests.filter((request) => request.headers['origin'] === run.pageOrigin)
    expect(fromPage.filter((request) => request.method === 'OPTIONS').map((request) => request.path)).toEqual(
      expect.arrayContaining([`/${TENANT}/v2.0/.well-known/openid-configuration`, `/${TENANT}/oauth2/v2.0/token`]),
    )
    expect(fromPage.filter((request) => request.method === 'POST')).toHaveLength(3)
    note('Chromium', run, ` (Chromium ${run.browserVersion}; ${run.refusedRequests.length} non-loopback requests refused${run.refusedRequests.length > 0 ? `: ${run.refusedRequests.join(', ')}` : ''})`)
  })
})
