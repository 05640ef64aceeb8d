import * as E from '../util/either.js'
import { configurationError, usageError, type ConfigurationError, type UsageError } from '../errors.js'
import { validateScopes } from './scopes.js'

/** Scopes MSAL adds to every user sign-in; a caller passing one is a usage error (MSAL Python's rule). */
export const RESERVED_SCOPES: readonly string[] = ['openid', 'profile', 'offline_access']
const RESERVED = new Set(RESERVED_SCOPES)

/** Checks the `excludeScopes` option: openid cannot be excluded (sign-in needs it). */
export const validateExcludeScopes = (exclude: readonly string[]): E.Either<ConfigurationError, readonly string[]> =>
  exclude.some((scope) => scope.toLowerCase() === 'openid')
    ? E.left(configurationError('excludeScopes', 'openid cannot be excluded: a sign-in without it has no ID token'))
    : E.right(exclude)

/**
 * The scopes a user flow asks for: the caller's (which may be none), then openid, profile and
 * offline_access, minus the app's excludeScopes. A reserved scope from the caller is refused,
 * as MSAL Python refuses it.
 */
export const decorateScopes = (scopes: unknown, excludeScopes: readonly string[] = []): E.Either<UsageError, readonly string[]> => {
  const own = callerScopes(scopes)
  if (E.isLeft(own)) return own
  const decorated = [...own.right, ...RESERVED_SCOPES]
  return E.right(excludeScopes.length === 0 ? decorated : decorated.filter((scope) => !excluded(scope, excludeScopes)))
}

/**
 * The caller's scopes as a user flow checks them (see decorateScopes), without MSAL's own: what
 * a cached token is looked up by (`undecoratedScopes(decorateScopes(...))`, with no list made
 * but the checked one; every silent and on-behalf-of call, cache hits included, starts here).
 */
export const lookupScopes = (scopes: unknown, excludeScopes: readonly string[] = []): E.Either<UsageError, readonly string[]> => {
  const own = callerScopes(scopes)
  if (E.isLeft(own) || excludeScopes.length === 0) return own
  return E.right(own.right.filter((scope) => !excluded(scope, excludeScopes)))
}

const NO_SCOPES: E.Either<UsageError, readonly string[]> = E.right([])

/** The caller's scopes, checked; a reserved one is refused. None is allowed (a sign-in for MSAL's scopes alone). */
const callerScopes = (scopes: unknown): E.Either<UsageError, readonly string[]> => {
  if (Array.isArray(scopes) && scopes.length === 0) return NO_SCOPES
  const checked = validateScopes(scopes)
  if (E.isLeft(checked) || !checked.right.some(isReserved)) return checked
  const reserved = checked.right.filter(isReserved)
  return E.left(
    usageError('scopes', `${reserved.join(', ')} ${reserved.length === 1 ? 'is' : 'are'} reserved: MSAL adds openid, profile and offline_access itself`),
  )
}

const isReserved = (scope: string): boolean => RESERVED.has(scope.toLowerCase())

const excluded = (scope: string, excludeScopes: readonly string[]): boolean =>
  excludeScopes.some((exclude) => exclude.toLowerCase() === scope.toLowerCase())

/** The caller's scopes without the ones MSAL added (for results and scope-subset checks). */
export const undecoratedScopes = (scopes: readonly string[]): string[] => scopes.filter((scope) => !isReserved(scope))
