import * as t from 'io-ts'

/** Small io-ts codecs shared by every package's option and response decoding. */

export const refined = <A>(name: string, is: (u: unknown) => u is A): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c)), t.identity)

export const NonEmptyString = refined('a non-empty string', (u): u is string => typeof u === 'string' && u.trim() !== '')

export const functionType = (name: string) =>
  refined(name, (u): u is (...args: never[]) => unknown => typeof u === 'function')

export const instanceOf = <T>(ctor: abstract new (...args: never[]) => T, name: string) =>
  refined(name, (u): u is T => u instanceof ctor)

export const PositiveNumber = (name: string) =>
  refined(name, (u): u is number => typeof u === 'number' && Number.isFinite(u) && u > 0)
