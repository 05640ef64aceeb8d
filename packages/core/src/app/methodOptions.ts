import * as E from '../util/either.js'
import { usageError, type UsageError } from '../errors.js'

/** Every option of `T`, no more and no fewer: the list and the type cannot drift apart. */
export type KnownOptions<T> = { readonly [K in keyof Required<T>]-?: true }

/** Keyword arguments of MSAL Python's methods that msal-ts refuses everywhere, with what to do instead. */
const REFUSED_EVERYWHERE: Readonly<Record<string, string>> = {
  authScheme:
    'as MSAL Python, this method takes no auth_scheme: proof-of-possession tokens come from acquireTokenSilent(WithError), acquireTokenInteractive, acquireTokenByUsernamePassword and the auth code flow',
  data: 'as MSAL Python, this method takes no data for key-bound tokens (SSH certificates, PoP): the methods that acquire tokens take it',
}

/** No options: one shared, frozen answer. */
const NONE: E.Either<never, Readonly<Record<string, never>>> = E.right(Object.freeze({}))

/**
 * Checks a method's options object: undefined counts as none; anything else must be an object
 * whose every option is known. An unknown one, or one of MSAL Python's that this method refuses
 * (`refused`, with what to do instead), is a UsageError naming it, so a ported call never silently
 * behaves otherwise than it asked. Options set to undefined count as not given.
 */
export const checkMethodOptions = <T>(
  method: string,
  options: unknown,
  known: KnownOptions<T>,
  refused: Readonly<Record<string, string>> = {},
): E.Either<UsageError, T> => {
  if (options === undefined) return NONE as E.Either<UsageError, T>
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return E.left(usageError('options', `${method} takes an options object as its last argument, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`))
  }
  // for...in, not Object.entries: every call checks its options, cache hits included.
  for (const name in options) {
    if (!Object.prototype.hasOwnProperty.call(options, name)) continue
    const value = (options as Record<string, unknown>)[name]
    if (value === undefined || Object.prototype.hasOwnProperty.call(known, name)) continue
    const instead = Object.prototype.hasOwnProperty.call(refused, name) ? refused[name] : Object.prototype.hasOwnProperty.call(REFUSED_EVERYWHERE, name) ? REFUSED_EVERYWHERE[name] : undefined
    const names = Object.keys(known)
    return E.left(usageError(name, instead ?? `${method} has no such option (${names.length === 0 ? 'it takes none' : `its options are ${names.join(', ')}`})`))
  }
  return E.right(options as T)
}
