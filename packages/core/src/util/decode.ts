import * as E from '#fp-ts/Either'
import type * as t from 'io-ts'

/** Describes a value briefly for an error message, never dumping a whole (possibly secret) payload. */
export const describeValue = (value: unknown): string => {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value === 'function') return 'a function'
  return 'an object'
}

type Tagged = { readonly _tag?: string; readonly name: string }
const tagOf = (type: unknown): string | undefined => (type as Tagged)._tag

/**
 * The path to the first problem and what was expected there. Keys that only index the members
 * of an intersection are skipped; a failed union is reported by its own name, not its members'.
 */
const locate = (context: t.Context): { path: string; expected: string } => {
  const parts: string[] = []
  for (let i = 1; i < context.length; i++) {
    const parent = context[i - 1]!.type
    if (tagOf(parent) === 'UnionType') return { path: parts.join('.'), expected: parent.name }
    if (tagOf(parent) !== 'IntersectionType') parts.push(context[i]!.key)
  }
  return { path: parts.join('.'), expected: context[context.length - 1]?.type.name ?? 'a valid value' }
}

export interface Problem {
  /** Dotted path to the offending value, "" for the value itself. */
  readonly path: string
  /** What was wrong, without the path. */
  readonly message: string
}

/**
 * The first problem io-ts found, readable: { path: "expires_in", message: "expected a number of
 * seconds, got \"soon\"" }. Codecs name what they expect; refinements name themselves.
 */
export const firstProblem = (errors: t.Errors): Problem => {
  const error = errors[0]
  if (!error) return { path: '', message: 'invalid value' }
  const { path, expected } = locate(error.context)
  return { path, message: error.message ?? `expected ${expected}, got ${describeValue(error.value)}` }
}

export const formatProblem = (problem: Problem): string => (problem.path ? `${problem.path}: ${problem.message}` : problem.message)

/** Decodes with a codec and turns failure into the caller's error. */
export const decodeOr = <A, L>(codec: t.Decoder<unknown, A>, value: unknown, onError: (problem: string, detail: Problem) => L): E.Either<L, A> => {
  const decoded = codec.decode(value)
  if (E.isRight(decoded)) return decoded
  const problem = firstProblem(decoded.left)
  return E.left(onError(formatProblem(problem), problem))
}

/** JSON.parse as an Either. */
export const parseJson = (text: string): E.Either<string, unknown> => {
  try {
    return E.right(JSON.parse(text) as unknown)
  } catch (error) {
    return E.left(error instanceof Error ? error.message : 'not JSON')
  }
}
