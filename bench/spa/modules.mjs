/**
 * What each module of an SPA bundle weighs: its bytes in the minified bundle (esbuild's metafile)
 * and what the gzipped bundle loses without it (gzip -9 of the whole minified bundle, less that of
 * the bundle with the module's code left out: what the module really costs once compressed beside
 * the rest). Run after a build:
 *   node bench/spa/modules.mjs ['msal-ts full SPA'] [how many rows, default all]
 */
import { gzipSync } from 'node:zlib'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'
import { ENTRIES } from './entries.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const [name = 'msal-ts full SPA', limit = 'Infinity'] = process.argv.slice(2)
const source = ENTRIES[name]
if (source === undefined) throw new Error(`no entry named ${name}; entries: ${Object.keys(ENTRIES).join(', ')}`)

const stdin = { contents: source, resolveDir: join(here, '..'), loader: 'js', sourcefile: 'entry.mjs' }
const common = { stdin, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent' }
const minified = await esbuild.build({ ...common, minify: true, metafile: true })
const output = Object.values(minified.metafile.outputs)[0]
const gzip = (text) => gzipSync(text, { level: 9 }).length
const total = gzip(minified.outputFiles[0].contents)

// The same bundle with identifiers and syntax minified but not whitespace, so esbuild keeps its
// "// path" comment before each module's code: the bundle cut into modules.
const marked = (await esbuild.build({ ...common, minifyIdentifiers: true, minifySyntax: true })).outputFiles[0].text
const parts = marked.split(/^(?=\/\/ [^\n]*\n)/m).map((text) => ({ path: /^\/\/ ([^\n]*)\n/.exec(text)?.[1] ?? '(prelude)', text }))
const squeeze = async (text) => (await esbuild.transform(text, { minifyWhitespace: true, format: 'esm', target: 'es2022', logLevel: 'silent' })).code
const whole = gzip(await squeeze(marked))
const rows = []
for (const [i, part] of parts.entries()) {
  const without = parts.filter((_, j) => j !== i).map((p) => p.text).join('')
  const path = part.path.replace(/^(\.\.\/)+/, '')
  const input = Object.entries(output.inputs).find(([key]) => key.replace(/^(\.\.\/)+/, '') === path)?.[1]
  rows.push({ path, minified: input?.bytesInOutput ?? part.text.length, gzip: whole - gzip(await squeeze(without).catch(() => without)) })
}
rows.sort((a, b) => b.gzip - a.gzip)
console.log(`${name}: ${total} bytes gzip -9, ${minified.outputFiles[0].contents.length} minified, ${rows.length} modules`)
console.log(`${'minified'.padStart(9)} ${'gzip'.padStart(6)}  module (gzip: what the bundle loses without it)`)
for (const row of rows.slice(0, Number(limit))) console.log(`${String(row.minified).padStart(9)} ${String(row.gzip).padStart(6)}  ${row.path}`)
