import * as E from '../util/either.js'
import { usageError, type UsageError } from '../errors.js'
import { describeValue } from '../util/decode.js'

/**
 * Checks a caller's scopes: a non-empty array of non-empty strings without white space.
 * Returns them de-duplicated (case-insensitively, first spelling kept) in the caller's order.
 */
export const validateScopes = (scopes: unknown): E.Either<UsageError, readonly string[]> => {
  if (!Array.isArray(scopes)) return E.left(usageError('scopes', `expected an array of scope strings, got ${describeValue(scopes)}`))
  if (scopes.length === 0) return E.left(usageError('scopes', 'expected at least one scope, got an empty array'))
  // Every call checks its scopes, cache hits included: the usual single scope makes one array,
  // and a few scopes are compared in a list (no set).
  for (const scope of scopes as unknown[]) {
    if (!isScope(scope)) return E.left(usageError('scopes', `each scope must be a non-empty string without spaces, got ${describeValue(scope)}`))
  }
  if (scopes.length === 1) return E.right([scopes[0] as string])
  const folded: string[] = []
  const unique: string[] = []
  for (const scope of scopes as string[]) {
    const lower = scope.toLowerCase()
    if (!folded.includes(lower)) {
      folded.push(lower)
      unique.push(scope)
    }
  }
  return E.right(unique)
}

const WHITE_SPACE = /\s/

const isScope = (scope: unknown): scope is string => typeof scope === 'string' && scope !== '' && !WHITE_SPACE.test(scope)

/** The cache `target`: scopes sorted in code-point order and space-joined (MSAL's unified schema). */
export const scopesToTarget = (scopes: readonly string[]): string => [...scopes].sort(compareCodePoints).join(' ')

/** Splits a `target` or a response's `scope` field; tolerant of repeated spaces. */
export const targetToScopes = (target: string): string[] => target.split(' ').filter((scope) => scope !== '')

// Sorting by UTF-16 code units equals code-point order for the ASCII that scopes are made of,
// and matches Python's sorted() on the same strings.
const compareCodePoints = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
