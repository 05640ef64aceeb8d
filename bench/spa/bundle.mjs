import { gzipSync } from 'node:zlib'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))

/** Bundles one entry as an app's bundler would (esbuild, ESM, minified, browser, es2022) and gzips it at level 9. */
export const measure = async (source) => {
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir: join(here, '..'), loader: 'js', sourcefile: 'entry.mjs' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const bytes = result.outputFiles[0].contents
  // The modules that put code in the bundle (esbuild also lists modules it visited and shook off).
  const output = Object.values(result.metafile.outputs)[0]
  const inputs = Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path)
  return { minified: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, inputs }
}
