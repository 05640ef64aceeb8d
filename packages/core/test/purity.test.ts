/**
 * packages/core is runtime-agnostic: no I/O, no globals. The lint rule enforces it on every
 * change; these tests prove the rule bites, and that core bundles for the browser and runs a
 * whole flow in a bare JavaScript context with no Node, browser or clock globals at all.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { build } from 'esbuild'
import { ESLint } from 'eslint'
import type * as Core from '@msal-ts/core'

const root = join(import.meta.dirname, '..', '..', '..')

describe('the purity lint rule', () => {
  const eslint = new ESLint({ cwd: root })
  const problemsIn = async (code: string, filePath: string): Promise<string[]> => {
    const [result] = await eslint.lintText(code, { filePath: join(root, filePath) })
    return result!.messages.map((m) => `${m.ruleId}: ${m.message}`)
  }

  it.each([
    ['Date.now()', 'export const t = Date.now()', 'no-restricted-globals'],
    ['new Date()', 'export const t = new Date()', 'no-restricted-globals'],
    ['Math.random()', 'export const r = Math.random()', 'no-restricted-properties'],
    ['fetch', "export const f = () => fetch('https://x')", 'no-restricted-globals'],
    ['crypto', 'export const c = crypto.getRandomValues(new Uint8Array(1))', 'no-restricted-globals'],
    ['process', 'export const e = process.env.HOME', 'no-restricted-globals'],
    ['setTimeout', 'setTimeout(() => undefined, 1)', 'no-restricted-globals'],
    ['window', 'export const w = window.location', 'no-restricted-globals'],
    ['globalThis', 'export const g = globalThis.fetch', 'no-restricted-globals'],
    ['a Node built-in', "import { readFileSync } from 'fs'\nexport const r = readFileSync", 'no-restricted-imports'],
    ['a node: built-in', "import { readFileSync } from 'node:fs'\nexport const r = readFileSync", 'no-restricted-imports'],
    ['the fp-ts barrel', "import { either } from 'fp-ts'\nexport const e = either", 'no-restricted-imports'],
    ['fp-ts past the imports map', "import * as E from 'fp-ts/Either'\nexport const e = E", 'no-restricted-imports'],
    ["jose's signing", "import { SignJWT } from 'jose'\nexport const s = SignJWT", 'no-restricted-imports'],
  ])('rejects %s in packages/core', async (_, code, rule) => {
    const problems = await problemsIn(code, 'packages/core/src/probe.ts')
    expect(problems.some((p) => p.startsWith(rule))).toBe(true)
  })

  it("allows jose's pure helpers and fp-ts submodules in packages/core", async () => {
    const code = "import { base64url } from 'jose'\nimport * as E from '#fp-ts/Either'\nexport const x = [base64url, E.right(1)]"
    expect(await problemsIn(code, 'packages/core/src/probe.ts')).toEqual([])
  })

  it('allows I/O outside packages/core, but never the fp-ts barrel', async () => {
    expect(await problemsIn('export const t = Date.now()', 'packages/node/src/probe.ts')).toEqual([])
    expect(await problemsIn("import { either } from 'fp-ts'\nexport const e = either", 'packages/node/src/probe.ts')).toHaveLength(1)
    expect(await problemsIn("import * as E from 'fp-ts/lib/Either.js'\nexport const e = E", 'packages/node/src/probe.ts')).toHaveLength(1)
  })

  it.each(['packages/core/src/probe.ts', 'packages/node/src/probe.ts', 'packages/browser/src/probe.ts'])(
    'keeps the testing kit out of the published packages: %s',
    async (file) => {
      const problems = await problemsIn("import { fixedClock } from '@msal-ts/testing'\nexport const c = fixedClock", file)
      expect(problems).toEqual([expect.stringMatching(/^no-restricted-imports: .*@msal-ts\/testing is for tests and examples/)])
    },
  )

  it('allows the testing kit in tests', async () => {
    expect(await problemsIn("import { fixedClock } from '@msal-ts/testing'\nexport const c = fixedClock", 'packages/node/test/probe.test.ts')).toEqual([])
  })

  it.each(['packages/core/src/cache/probe.ts', 'packages/core/src/flows/silent.ts', 'packages/core/src/result.ts', 'packages/browser/src/webInterpreter.ts'])(
    'refuses spread-then-add on a hot path: %s',
    async (file) => {
      const problems = await problemsIn('export const f = (o: object, x: number) => ({ ...o, x })', file)
      expect(problems).toEqual([expect.stringMatching(/^no-restricted-syntax: No spread-then-add on a hot path/)])
    },
  )

  it('allows a plain copy, Object.assign, and spread-then-add off the hot paths', async () => {
    expect(await problemsIn('export const f = (o: object, x: number) => [{ ...o }, Object.assign({}, o, { x })]', 'packages/core/src/cache/probe.ts')).toEqual([])
    expect(await problemsIn('export const f = (o: object, x: number) => ({ ...o, x })', 'packages/core/src/flows/deviceCode.ts')).toEqual([])
  })

  it('finds nothing in the core as it is', async () => {
    // With the cache `pnpm run lint` keeps (package.json): right after it (./dev test), the files are not linted twice.
    const cached = new ESLint({ cwd: root, cache: true, cacheStrategy: 'content', cacheLocation: join(root, 'node_modules/.cache/eslint/') })
    const results = await cached.lintFiles([join(root, 'packages/core/src')])
    expect(results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.message}`))).toEqual([])
  })
})

describe('core in a browser bundle', () => {
  const bundle = () =>
    build({
      entryPoints: [join(root, 'packages/core/src/index.ts')],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'iife',
      globalName: 'msalCore',
      metafile: true,
      minify: true,
      logLevel: 'silent',
    })

  it('bundles for the browser platform without any Node built-in, and without fp-ts or jose at run time (their types only)', async () => {
    const result = await bundle()
    expect(result.errors).toEqual([])
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.filter((path) => path.startsWith('node:') || /(^|\/)node_modules\/@types\/node\//.test(path))).toEqual([])
    expect(inputs.filter((path) => path.includes('/fp-ts/') || path.includes('/jose/'))).toEqual([])
  })

  it('runs the client-credentials flow in a context with no I/O, timer, clock or random globals', async () => {
    const code = (await bundle()).outputFiles[0]!.text
    // A bare JavaScript realm: no fetch, crypto, process, timers, window. Date and Math.random
    // are removed too; TextEncoder/TextDecoder and URL are the only host objects given.
    const sandbox: Record<string, unknown> = { TextEncoder, TextDecoder, URL, URLSearchParams }
    runInNewContext('delete globalThis.Date; Math.random = () => { throw new Error("Math.random used") }', sandbox)
    runInNewContext(code, sandbox)
    const core = sandbox['msalCore'] as typeof Core
    const config = core.decodeConfidentialClientConfig({ clientId: 'c', clientCredential: 's', authority: 'https://login.microsoftonline.com/t' })
    if (config._tag !== 'Right') throw new Error('config')
    const ctx = core.createClientContext({
      config: config.right,
      platform: { sku: 'test', version: '0', os: 'none' },
      tokenCache: new core.TokenCache(),
      httpCache: new core.HttpCache(),
    })
    const effects: string[] = []
    const interpret = (effect: { _tag: string; length?: number }) => {
      effects.push(effect._tag)
      if (effect._tag === 'Now') return 1_767_225_600_000
      if (effect._tag === 'RandomBytes' || effect._tag === 'Sha256') return new Uint8Array(effect.length ?? 32)
      if (effect._tag === 'Http') {
        return { _tag: 'HttpResponse', status: 200, headers: {}, body: JSON.stringify({ access_token: 'from-the-bundle', expires_in: 3599 }) }
      }
      return undefined
    }
    const first = core.runFlow(ctx, core.acquireTokenForClient(ctx, ['api://x/.default']), interpret as never)
    const second = core.runFlow(ctx, core.acquireTokenForClient(ctx, ['api://x/.default']), interpret as never)
    expect(first).toMatchObject({ _tag: 'Right', right: { accessToken: 'from-the-bundle', tokenSource: 'identity_provider' } })
    expect(second).toMatchObject({ _tag: 'Right', right: { accessToken: 'from-the-bundle', tokenSource: 'cache' } })
    expect(effects.filter((e) => e === 'Http')).toHaveLength(1)
  })

  it('stays small', async () => {
    const bytes = (await bundle()).outputFiles[0]!.contents.length
    // Everything core has (the application shell and credential forms included), minified,
    // before gzip; a regression guard, not a benchmark: bundles that matter are measured in bench/.
    // Managed identity's six sources and Cloud Shell took it from about 141 KB to 164 KB; an
    // application that does not use them does not bundle them (sideEffects: false). Hardening
    // (errors scrubbed of the secrets sent and cut to size, cache depth and size limits, what
    // applications and caches print) took it to about 171 KB. Key-bound tokens (PoP signed
    // requests, SSH certificates, MSAL Python's validation messages) to about 181 KB; the cache's
    // hit parts, token records, prepared buckets, shared strings and bounded merge journal, and
    // the closure-free hit path (issue 16) to about 191 KB.
    expect(bytes).toBeLessThan(195_000)
    expect(JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')).sideEffects).toBe(false)
  })
})
