import * as E from './either.js'
import { describeValue, isJsonObject as isRecord, type Problem } from './decode.js'

/**
 * Decoders for JSON from the wire and from cache files: io-ts's ideas (a decoder is a name, a
 * guard and a decode that may normalise), in the few combinators core needs. Written here
 * because io-ts 2's module cannot be tree-shaken (16 KB minified, a fifth of a browser app's
 * bundle) while these come to about 1 KB. Problems read "expires_in: expected a number of
 * seconds, got \"soon\"". Objects keep the fields no decoder names (unknown fields round-trip).
 */
export interface Decoder<A> {
  /** What the decoder expects, for problems: "a token response". */
  readonly name: string
  /** Whether `u` is already an A, as it stands (no allocation). */
  is(u: unknown): u is A
  /** The A `u` decodes to (normalised where the decoder says so), or the first problem. */
  decode(u: unknown): E.Either<Problem, A>
}

export type TypeOf<D> = D extends Decoder<infer A> ? A : never

const expected = (name: string, u: unknown): E.Either<Problem, never> => E.left({ path: '', message: `expected ${name}, got ${describeValue(u)}` })


const at = (key: string, problem: Problem): Problem => ({ path: problem.path === '' ? key : `${key}.${problem.path}`, message: problem.message })

/** A decoder from a guard: the value is accepted as it is. */
export const refined = <A>(name: string, is: (u: unknown) => u is A): Decoder<A> => ({
  name,
  is,
  decode: (u) => (is(u) ? E.right(u) : expected(name, u)),
})

/** A decoder that may normalise (e.g. "3600" to 3600): `normalise` answers the value, or undefined when it cannot. */
export const normalising = <A>(name: string, is: (u: unknown) => u is A, normalise: (u: unknown) => A | undefined): Decoder<A> => ({
  name,
  is,
  decode: (u) => {
    if (is(u)) return E.right(u)
    const value = normalise(u)
    return value === undefined ? expected(name, u) : E.right(value)
  },
})

export const string = refined('a string', (u): u is string => typeof u === 'string')
export const number = refined('a number', (u): u is number => typeof u === 'number')
export const boolean = refined('true or false', (u): u is boolean => typeof u === 'boolean')
export const nullValue = refined('null', (u): u is null => u === null)
export const undefinedValue = refined('nothing', (u): u is undefined => u === undefined)
/** A JSON object whose values are all strings (HTTP headers). */
export const stringRecord = refined('an object of strings', (u): u is Record<string, string> => isRecord(u) && Object.values(u).every((v) => typeof v === 'string'))
export const literal = <L extends string>(value: L): Decoder<L> => refined(JSON.stringify(value), (u): u is L => u === value)

type Props = Record<string, Decoder<unknown>>

/** Decodes the named fields of an object; `optional` fields may be absent (or undefined). */
const fields = <P extends Props>(props: P, optional: boolean, name: string) => {
  const keys = Object.keys(props)
  return {
    name,
    is: (u: unknown): boolean => {
      if (!isRecord(u)) return false
      for (const key of keys) {
        const value = u[key]
        if (!(optional && value === undefined) && !props[key]!.is(value)) return false
      }
      return true
    },
    decode: (u: unknown): E.Either<Problem, unknown> => {
      if (!isRecord(u)) return expected(name, u)
      let out: Record<string, unknown> | undefined
      for (const key of keys) {
        const value = u[key]
        if (optional && value === undefined) continue
        const decoded = props[key]!.decode(value)
        if (E.isLeft(decoded)) return E.left(at(key, decoded.left))
        if (decoded.right !== value) (out ??= { ...u })[key] = decoded.right
      }
      return E.right(out ?? u)
    },
  }
}

/** An object with these fields, each required; other fields are kept. */
export const type = <P extends Props>(props: P, name = 'an object'): Decoder<{ [K in keyof P]: TypeOf<P[K]> }> =>
  fields(props, false, name) as Decoder<{ [K in keyof P]: TypeOf<P[K]> }>

/** An object whose fields, where present, are these; other fields are kept. */
export const partial = <P extends Props>(props: P, name = 'an object'): Decoder<{ [K in keyof P]?: TypeOf<P[K]> }> =>
  fields(props, true, name) as Decoder<{ [K in keyof P]?: TypeOf<P[K]> }>

/** Both decoders' fields (required and optional parts of one object); their normalisations combined. */
export const intersection = <A, B>([a, b]: readonly [Decoder<A>, Decoder<B>], name = 'an object'): Decoder<A & B> => ({
  name,
  is: (u): u is A & B => a.is(u) && b.is(u),
  decode: (u) => {
    if (!isRecord(u)) return expected(name, u)
    const first = a.decode(u)
    if (E.isLeft(first)) return first
    const second = b.decode(first.right)
    return second as E.Either<Problem, A & B>
  },
})

/** Any one of the decoders; a problem names the union, not its members. */
export const union = <Ds extends readonly Decoder<unknown>[]>(members: Ds, name = members.map((member) => member.name).join(' or ')): Decoder<TypeOf<Ds[number]>> => ({
  name,
  is: (u): u is TypeOf<Ds[number]> => members.some((member) => member.is(u)),
  decode: (u) => {
    for (const member of members) {
      const decoded = member.decode(u)
      if (E.isRight(decoded)) return decoded as E.Either<Problem, TypeOf<Ds[number]>>
    }
    return expected(name, u)
  },
})

/** An array whose items all decode; a bad item is named by its index. */
export const array = <A>(item: Decoder<A>, name = `an array of ${item.name}`): Decoder<A[]> => ({
  name,
  is: (u): u is A[] => Array.isArray(u) && u.every((value) => item.is(value)),
  decode: (u) => {
    if (!Array.isArray(u)) return expected(name, u)
    let out: unknown[] | undefined
    for (let i = 0; i < u.length; i++) {
      const decoded = item.decode(u[i])
      if (E.isLeft(decoded)) return E.left(at(String(i), decoded.left))
      if (decoded.right !== u[i]) (out ??= [...u])[i] = decoded.right
    }
    return E.right((out ?? u) as A[])
  },
})
