#!/usr/bin/env node
// Checks the packages as a user gets them (run after the build; ./dev test does):
//   1. packs packages/* with pnpm (workspace: ranges become versions) and reads the manifests;
//   2. installs the tarballs in a fresh project in a temporary directory;
//   3. type-checks consumer.ts with moduleResolution node16, bundler and node10, and browser.ts
//      with the DOM library and no Node types, all strict with skipLibCheck false;
//   4. runs consumer.ts on Node (the node16 build) against the fake identity provider, and
//      bundles browser.ts for the browser platform with esbuild.
//   node scripts/published-packages/check.mjs [--keep]   (--keep leaves the temporary directory)
import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { build } from 'esbuild'

const here = import.meta.dirname
const root = resolve(here, '..', '..')
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const keep = process.argv.includes('--keep')

const pnpmCommand = () => {
  // "pnpm@10.34.9" (the version ./dev installs with), run through npx as ./dev does.
  const packageManager = rootManifest.packageManager
  if (!/^pnpm@\d/.test(packageManager ?? '')) throw new Error(`package.json packageManager is not pnpm@<version>: ${packageManager}`)
  return ['npx', ['--yes', packageManager]]
}

/** Runs a command; resolves with its output, rejects with the output in the message. */
const exec = async (file, args, options) => {
  try {
    return await promisify(execFile)(file, args, { maxBuffer: 64 * 1024 * 1024, ...options })
  } catch (error) {
    const output = [error.stdout, error.stderr].filter(Boolean).join('\n').trim()
    throw new Error(`${basename(file)} ${args.join(' ')} failed (exit ${error.code}):\n${output}`)
  }
}

const pnpm = (args, cwd) => {
  const [file, prefix] = pnpmCommand()
  return exec(file, [...prefix, ...args], { cwd, env: { ...process.env, npm_config_update_notifier: 'false' } })
}

const timed = async (label, work) => {
  const start = performance.now()
  const value = await work()
  console.log(`  ${label} (${((performance.now() - start) / 1000).toFixed(1)} s)`)
  return value
}

const publishedPackages = () =>
  readdirSync(join(root, 'packages'))
    .map((dir) => ({ dir: join(root, 'packages', dir), manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true)

/** The manifest inside a tarball, as the registry would serve it. */
const packedManifest = async (tarball) => JSON.parse((await exec('tar', ['-xOzf', tarball, 'package/package.json'])).stdout)

const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies']

/** What is wrong with a packed manifest, as sentences (empty: nothing). */
const manifestProblems = (manifest, consumerSources) => {
  const problems = []
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${manifest.name}: ${field} ${name} is still ${range}`)
      if (name === '@msal-ts/testing' && manifest.name !== '@msal-ts/testing') {
        problems.push(`${manifest.name}: ${field} lists @msal-ts/testing (the testing kit is for tests and examples)`)
      }
    }
  }
  for (const subpath of Object.keys(manifest.exports ?? {})) {
    if (subpath === '.' || subpath === './package.json') continue
    const specifier = `${manifest.name}/${subpath.slice(2)}`
    if (!consumerSources.includes(`'${specifier}'`)) {
      problems.push(`${manifest.name} exports ${subpath}: import '${specifier}' in scripts/published-packages/consumer.ts (node10 also needs typesVersions for it)`)
    }
  }
  return problems
}

/** The consumer project: the tarballs, also for each other's dependencies (they are not on the registry). */
const consumerManifest = (tarballs) => {
  const local = Object.fromEntries(tarballs.map(({ name, file }) => [name, `file:${file}`]))
  return {
    name: 'msal-ts-consumer',
    private: true,
    type: 'module',
    dependencies: { ...local, '@types/node': rootManifest.devDependencies['@types/node'] },
    pnpm: { overrides: local },
  }
}

// skipLibCheck false: every declaration file is checked, ours and our dependencies'. Only
// TypeScript's own lib files are not (skipDefaultLibCheck): they hold nothing of ours, and
// checking the DOM library alone would double the time.
const COMMON = { strict: true, skipLibCheck: false, skipDefaultLibCheck: true, target: 'ES2022', lib: ['ES2022'], types: ['node'], noEmit: true }
/** Each compilation: [name, compilerOptions, file]. The node16 one emits, to be run. */
const COMPILATIONS = [
  ['node16', { ...COMMON, module: 'node16', moduleResolution: 'node16', noEmit: false, outDir: 'out' }, 'consumer.ts'],
  ['bundler', { ...COMMON, module: 'preserve', moduleResolution: 'bundler' }, 'consumer.ts'],
  ['node10', { ...COMMON, module: 'commonjs', moduleResolution: 'node10' }, 'consumer.ts'],
  ['browser (bundler, DOM, no Node types)', { ...COMMON, module: 'esnext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] }, 'browser.ts'],
]

const typecheck = async (dir) => {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  const failures = []
  await Promise.all(
    COMPILATIONS.map(async ([name, compilerOptions, file], index) => {
      const config = `tsconfig.${index}.json`
      writeFileSync(join(dir, config), JSON.stringify({ compilerOptions, files: [file] }, null, 2))
      try {
        await exec(process.execPath, [tsc, '-p', config, '--pretty', 'false'], { cwd: dir })
      } catch (error) {
        failures.push(`${file} with ${name}:\n${error.message}`)
      }
    }),
  )
  if (failures.length > 0) throw new Error(failures.join('\n\n'))
}

/** Bundles browser.ts as a browser app would be; returns the fp-ts modules the bundle took. */
const bundleForBrowser = async (dir) => {
  const result = await build({
    entryPoints: [join(dir, 'browser.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  return Object.keys(result.metafile.inputs).filter((input) => input.includes('/fp-ts/'))
}

const main = async () => {
  const packages = publishedPackages()
  for (const { dir, manifest } of packages) {
    if (!existsSync(join(dir, manifest.types ?? 'dist/index.d.ts'))) throw new Error(`${manifest.name} is not built: run the build first (./dev test does)`)
  }
  const temp = mkdtempSync(join(tmpdir(), 'msal-ts-published-'))
  try {
    const tarballDir = join(temp, 'tarballs')
    await timed(`packed ${packages.map(({ manifest }) => manifest.name).join(', ')}`, () =>
      pnpm(['--recursive', ...packages.flatMap(({ dir }) => ['--filter', `./${join('packages', basename(dir))}`]), 'pack', '--pack-destination', tarballDir], root),
    )
    const tarballs = await Promise.all(
      readdirSync(tarballDir).map(async (name) => ({ file: join(tarballDir, name), name: (await packedManifest(join(tarballDir, name))).name })),
    )
    const consumerSources = readFileSync(join(here, 'consumer.ts'), 'utf8')
    const problems = (await Promise.all(tarballs.map(async ({ file }) => manifestProblems(await packedManifest(file), consumerSources)))).flat()
    if (problems.length > 0) throw new Error(`the packed manifests:\n${problems.map((p) => `  ${p}`).join('\n')}`)

    const project = join(temp, 'consumer')
    mkdirSync(project)
    writeFileSync(join(project, 'package.json'), JSON.stringify(consumerManifest(tarballs), null, 2))
    for (const file of ['consumer.ts', 'browser.ts']) copyFileSync(join(here, file), join(project, file))
    // The workspace's store (pnpm records it in node_modules/.modules.yaml): its packages are reused, not downloaded.
    const storeDir = /^storeDir: (.+)$/m.exec(readFileSync(join(root, 'node_modules', '.modules.yaml'), 'utf8'))?.[1]
    await timed('installed them in a fresh project', () =>
      pnpm(['install', '--prefer-offline', '--no-frozen-lockfile', '--reporter=append-only', ...(storeDir ? ['--store-dir', storeDir] : [])], project),
    )

    await timed(`type-checked: ${COMPILATIONS.map(([name, , file]) => `${file} with ${name}`).join('; ')}`, () => typecheck(project))

    const run = await timed('ran consumer.ts on Node', () =>
      exec(process.execPath, ['--input-type=module', '-e', "const { main } = await import('./out/consumer.js'); await main()"], { cwd: project }),
    )
    console.log(run.stdout.trimEnd().replace(/^/gm, '    '))

    const fpTs = await timed('bundled browser.ts for the browser', () => bundleForBrowser(project))
    const notEs6 = fpTs.filter((input) => !input.includes('/fp-ts/es6/'))
    if (fpTs.length === 0 || notEs6.length > 0) throw new Error(`the browser bundle should take fp-ts as ES modules (fp-ts/es6), took: ${fpTs.join(', ')}`)
  } finally {
    if (keep) console.log(`  kept ${temp}`)
    else rmSync(temp, { recursive: true, force: true })
  }
}

const start = performance.now()
main().then(
  () => console.log(`published packages: OK (${((performance.now() - start) / 1000).toFixed(1)} s)`),
  (error) => {
    console.error(`published packages: FAILED\n${error.message}`)
    process.exitCode = 1
  },
)
