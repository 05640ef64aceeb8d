import { cacheError, MsalError } from '@msal-ts/core'

/** A problem with the persisted cache, thrown as the MsalError (kind CacheError) applications catch. */
export const cacheFailure = (message: string): MsalError => cacheError(message)

/** The errno code of a failed fs call (ENOENT, EEXIST…), if it is one. */
export const errnoOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined

/** An fs failure as an MsalError saying what could not be done to which file; MsalErrors pass through. */
export const asCacheFailure = (action: string, error: unknown): MsalError =>
  error instanceof MsalError ? error : cacheFailure(`cannot ${action}: ${error instanceof Error ? error.message : String(error)}`)
