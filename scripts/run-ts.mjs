#!/usr/bin/env node
// Runs a TypeScript file of this repository (scripts, fixture recorders) without a build:
// esbuild bundles it, with @msal-ts/* taken from the packages' sources, and Node imports it.
import { build } from 'esbuild'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const [entry, ...args] = process.argv.slice(2)
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs FILE.ts [ARGS...]')
  process.exit(2)
}
const root = resolve(import.meta.dirname, '..')
const workspaceSources = {
  name: 'workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@msal-ts\/(core|node|browser|testing)$/ }, (args) => ({
      path: join(root, 'packages', args.path.slice('@msal-ts/'.length), 'src', 'index.ts'),
    }))
    // The subpath exports: @msal-ts/core/protocol, /spa and /spa-flows (file spaFlows.ts), @msal-ts/browser/redirect and /pop.
    b.onResolve({ filter: /^@msal-ts\/(core\/(protocol|spa|spa-flows)|browser\/(redirect|pop|http))$/ }, (args) => {
      const [name, entry] = args.path.slice('@msal-ts/'.length).split('/')
      return { path: join(root, 'packages', name, 'src', `${entry === 'http' ? 'httpEntry' : entry.replace(/-(\w)/g, (_, c) => c.toUpperCase())}.ts`) }
    })
  },
}
const dir = mkdtempSync(join(tmpdir(), 'msal-ts-run-'))
const outfile = join(dir, 'script.mjs')
try {
  await build({
    entryPoints: [resolve(entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    plugins: [workspaceSources],
    // CommonJS dependencies bundled into ESM need a require().
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  })
  process.argv = [process.argv[0], resolve(entry), ...args]
  await import(pathToFileURL(outfile).href)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
