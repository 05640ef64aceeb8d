import type { MsalError, PrepareBinding, SpaRequest } from '@msal-ts/core/spa'
import type { either as E } from '@msal-ts/core/spa'
import type { PopKeys } from '../popKeys.js'

/**
 * What a single-page app needs to get key-bound tokens, brought in with the `proofOfPossession`
 * option (`proofOfPossession` from @msal-ts/browser/pop), so an app without it bundles none of it.
 */
export interface SpaKeyBinding {
  /**
   * msal-browser's PoP and SSH request fields checked (a UsageError naming the field) and readied
   * for the flows; undefined for a bearer request.
   */
  readonly bindingFor: (request: SpaRequest) => E.Either<MsalError, PrepareBinding | undefined>
  /** The app's proof-of-possession key, by client id. */
  readonly popKeys: (clientId: string) => PopKeys
}
