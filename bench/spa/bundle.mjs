import { gzipSync } from 'node:zlib'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length

/**
 * Bundles one entry as an app's bundler would (esbuild, ESM, minified, browser, es2022, code
 * splitting on) and gzips each output at level 9. A library's dynamic `import()`s become chunks
 * the page fetches when first needed, so two sizes are reported:
 * - `gzip` / `minified`: what the page loads up front, the entry chunk and every chunk it
 *   imports statically (the budget applies to this);
 * - `totalGzip` / `totalMinified`: every output, the lazy chunks included (so lazy loading
 *   never hides growth).
 * `chunks` counts the outputs; `inputs` are the modules that put code in any of them.
 */
export const measure = async (source) => {
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir: join(here, '..'), loader: 'js', sourcefile: 'entry.mjs' },
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: true,
    outdir: join(here, 'out'),
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const outputs = result.metafile.outputs
  const bytesOf = new Map(result.outputFiles.map((file) => [file.path, file.contents]))
  const pathOf = (name) => [...bytesOf.keys()].find((path) => path.endsWith(`/${name.replace(/^.*\//, '')}`))
  // The up-front set: the entry chunk and, transitively, what it imports statically.
  const entry = Object.keys(outputs).find((name) => outputs[name].entryPoint !== undefined)
  const upFront = new Set()
  const visit = (name) => {
    if (upFront.has(name)) return
    upFront.add(name)
    for (const imported of outputs[name].imports) if (imported.kind === 'import-statement' && outputs[imported.path] !== undefined) visit(imported.path)
  }
  visit(entry)
  const scripts = Object.keys(outputs).filter((name) => name.endsWith('.js'))
  const sum = (names, size) => names.reduce((total, name) => total + size(bytesOf.get(pathOf(name))), 0)
  const inputs = [...new Set(scripts.flatMap((name) => Object.entries(outputs[name].inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path)))]
  return {
    minified: sum([...upFront], (bytes) => bytes.length),
    gzip: sum([...upFront], gzip),
    totalMinified: sum(scripts, (bytes) => bytes.length),
    totalGzip: sum(scripts, gzip),
    chunks: scripts.length,
    inputs,
  }
}
