import * as E from './either.js'
import type { Decoder } from './decoder.js'

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

export interface Problem {
  /** Dotted path to the offending value, "" for the value itself. */
  readonly path: string
  /** What was wrong, without the path. */
  readonly message: string
}

export const formatProblem = (problem: Problem): string => (problem.path ? `${problem.path}: ${problem.message}` : problem.message)

/** Decodes with a decoder and turns failure into the caller's error. */
export const decodeOr = <A, L>(decoder: Decoder<A>, value: unknown, onError: (problem: string, detail: Problem) => L): E.Either<L, A> => {
  const decoded = decoder.decode(value)
  return E.isRight(decoded) ? decoded : E.left(onError(formatProblem(decoded.left), decoded.left))
}

/** JSON.parse as an Either. */
/** Whether a value is a JSON object: an object that is neither null nor an array. */
export const isJsonObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

export const parseJson = (text: string): E.Either<string, unknown> => {
  try {
    return E.right(JSON.parse(text) as unknown)
  } catch (error) {
    return E.left(error instanceof Error ? error.message : 'not JSON')
  }
}
