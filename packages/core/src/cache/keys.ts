/** Cache keys as MSAL Python 1.31 writes them: parts joined by "-", lower-cased. */

export interface AccessTokenKeyParts {
  readonly home_account_id?: string | null | undefined
  readonly environment: string
  readonly client_id: string
  readonly realm: string
  readonly target: string
  readonly key_id?: string | undefined
}

/**
 * `{home}-{env}-accesstoken-{client_id}-{realm}-{target}`, plus `-{key_id}` for key-bound
 * tokens so that they never overwrite a bearer token for the same scopes (MSAL Python's key
 * leaves key_id out and lets them collide).
 */
export const accessTokenKey = (at: AccessTokenKeyParts): string =>
  `${at.home_account_id ?? ''}-${at.environment}-accesstoken-${at.client_id}-${at.realm}-${at.target}${at.key_id ? `-${at.key_id}` : ''}`.toLowerCase()
