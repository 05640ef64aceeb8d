import { refined } from './decoder.js'

/** Small decoders shared by every package's response decoding. */
export { refined }

export const NonEmptyString = refined('a non-empty string', (u): u is string => typeof u === 'string' && u.trim() !== '')

export const functionType = (name: string) => refined(name, (u): u is (...args: never[]) => unknown => typeof u === 'function')

export const instanceOf = <T>(ctor: abstract new (...args: never[]) => T, name: string) => refined(name, (u): u is T => u instanceof ctor)

export const PositiveNumber = (name: string) => refined(name, (u): u is number => typeof u === 'number' && Number.isFinite(u) && u > 0)
