/**
 * The fuzz suite's share of `./dev test`: each parser of outside data (fuzz/parsers.ts) meets a
 * few thousand generated inputs (FUZZ_RUNS overrides; bench/fuzz.ts runs 10^5 each and prints
 * the counts). A failure prints fast-check's seed and the shrunk input that broke the property.
 */
import fc from 'fast-check'
import { parserCases } from './fuzz/parsers.js'

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 2000)

describe.each(parserCases())('$name', ({ input, check }) => {
  it(`holds for ${RUNS} generated inputs: no exception but an MsalError, no state changed on failure, Object.prototype untouched`, () => {
    const outcomes = { accepted: 0, refused: 0 }
    fc.assert(
      fc.property(input, (value) => {
        outcomes[check(value)] += 1
      }),
      { numRuns: RUNS },
    )
    // The generators reach both sides: inputs taken and inputs refused.
    expect(outcomes.refused).toBeGreaterThan(0)
  })
})
