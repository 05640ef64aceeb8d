import { describeValue, type Problem } from './decode.js'

/**
 * Small checks of plain values, for options: each says what it expected, so a problem reads
 * "expected a non-empty string, got 42". Undefined means the value is acceptable.
 */
export type Check = (value: unknown) => Problem | undefined

const problem = (expected: string, value: unknown): Problem => ({ path: '', message: `expected ${expected}, got ${describeValue(value)}` })

/** A value `test` accepts, described as `expected`. */
export const is =
  (expected: string, test: (value: unknown) => boolean): Check =>
  (value) =>
    test(value) ? undefined : problem(expected, value)

/** Any value at all. */
export const anything: Check = () => undefined

export const nonEmptyString: Check = is('a non-empty string', (u) => typeof u === 'string' && u.trim() !== '')
export const aString: Check = is('a string', (u) => typeof u === 'string')
export const aBoolean: Check = is('true or false', (u) => typeof u === 'boolean')
export const aFunction = (expected: string): Check => is(expected, (u) => typeof u === 'function')
export const anInstanceOf = (ctor: abstract new (...args: never[]) => unknown, expected: string): Check => is(expected, (u) => u instanceof ctor)
export const anObject = (expected: string): Check => is(expected, (u) => typeof u === 'object' && u !== null && !Array.isArray(u))

/** One of these strings. */
export const oneOf = (values: readonly string[]): Check => is(`one of ${values.map((v) => `'${v}'`).join(', ')}`, (u) => typeof u === 'string' && values.includes(u))

/** An array whose items all pass `item`; a bad item is named by its index. */
export const arrayOf =
  (item: Check, expected: string): Check =>
  (value) => {
    if (!Array.isArray(value)) return problem(expected, value)
    for (let i = 0; i < value.length; i++) {
      const found = item(value[i])
      if (found !== undefined) return { path: found.path === '' ? String(i) : `${i}.${found.path}`, message: found.message }
    }
    return undefined
  }

/** Accepted by any of `checks`; otherwise described as `expected`. */
export const either =
  (expected: string, ...checks: readonly Check[]): Check =>
  (value) =>
    checks.some((check) => check(value) === undefined) ? undefined : problem(expected, value)
