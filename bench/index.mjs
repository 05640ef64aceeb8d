/**
 * Every benchmark, each in its own process (npm run bench, ./dev bench): cache hits on every path
 * (hits.mjs), the cache itself (cache.mjs: filing, serialization, the journal, heap), then the
 * cold-cache request counts of client credentials and managed identity. Exits 1 if any fails.
 * Run after a build:  npm run build && npm run bench
 */
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const BENCHES = [
  ['hits.mjs', []],
  ['cache.mjs', ['--expose-gc']],
  ['client-credentials.mjs', []],
  ['managed-identity.mjs', []],
]

let failed = []
for (const [script, flags] of BENCHES) {
  console.log(`\n==> bench/${script}\n`)
  const { status } = spawnSync(process.execPath, [...flags, join(here, script)], { stdio: 'inherit' })
  if (status !== 0) failed = [...failed, script]
}
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`)
  process.exit(1)
}
