/**
 * A target's identity for exact lookups: its scopes lower-cased (scopes are case-insensitive),
 * sorted and space-joined. One lower-case scope, the usual target, is its own key: nothing is
 * built (V8's toLowerCase returns the very string when nothing changes).
 */
export const targetKeyOfTarget = (target: string): string =>
  target.includes(' ') ? keyOfLowerCased(target.split(' ').filter((scope) => scope !== '').map(lower)) : target.toLowerCase()

/** The same key for requested scopes (validated: non-empty, no white space). */
export const targetKeyOfScopes = (scopes: readonly string[]): string =>
  scopes.length === 1 ? scopes[0]!.toLowerCase() : keyOfLowerCased(scopes.map(lower))

const lower = (scope: string): string => scope.toLowerCase()

const keyOfLowerCased = (scopes: string[]): string => scopes.sort(compareCodeUnits).join(' ')

const compareCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
