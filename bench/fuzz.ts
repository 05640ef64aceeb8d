/**
 * The fuzz suite at full length: 10^5 generated inputs for each parser of outside data (the
 * cases of packages/core/test/fuzz/parsers.ts, which `./dev test` runs a few thousand times
 * each), printing how many each parser took and refused. Any property that fails stops the run
 * with fast-check's seed and the shrunk input.
 *
 *   node scripts/run-ts.mjs bench/fuzz.ts [runs per parser, default 100000]   (npm run bench:fuzz)
 */
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import fc from 'fast-check'
import { parserCases } from '../packages/core/test/fuzz/parsers.js'

const runs = Number(process.argv[2] ?? 100_000)
const fixtures = join(process.cwd(), 'packages', 'core', 'test', 'fixtures', 'wsTrust')
const fmt = (n: number): string => n.toLocaleString('en-US')

console.log(`Fuzzing every parser of outside data: ${fmt(runs)} inputs each (Node ${process.version})\n`)
console.log(`${'parser'.padEnd(68)} ${'inputs'.padStart(9)} ${'accepted'.padStart(9)} ${'refused'.padStart(9)} ${'seconds'.padStart(8)}`)
let total = 0
const started = performance.now()
for (const { name, input, check } of parserCases(fixtures)) {
  const counts = { accepted: 0, refused: 0 }
  const t0 = performance.now()
  fc.assert(
    fc.property(input, (value) => {
      counts[check(value)] += 1
    }),
    { numRuns: runs },
  )
  total += counts.accepted + counts.refused
  console.log(`${name.padEnd(68)} ${fmt(counts.accepted + counts.refused).padStart(9)} ${fmt(counts.accepted).padStart(9)} ${fmt(counts.refused).padStart(9)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(8)}`)
}
console.log(`\n${fmt(total)} inputs in ${((performance.now() - started) / 1000).toFixed(1)} s: no exception but an MsalError, no state changed on a failure, Object.prototype untouched.`)
