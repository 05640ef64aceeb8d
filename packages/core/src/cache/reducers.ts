import type { TokenSuccessResponse } from '../protocol/tokenResponse.js'
import { scopesToTarget, targetToScopes } from '../protocol/scopes.js'
import type { CacheChange } from './change.js'
import type { TokenCache } from './tokenCache.js'
import { accessTokenKey } from './keys.js'
import type { AccessTokenEntity } from './schema.js'

/** A token response and where it came from: what the cache needs to file it. */
export interface TokenResponseEvent {
  readonly clientId: string
  readonly environment: string
  readonly realm: string
  /** The scopes asked for; the response's own `scope`, when present, wins. */
  readonly scopes: readonly string[]
  readonly response: TokenSuccessResponse
  /** null for tokens that belong to the app (client credentials). */
  readonly homeAccountId: string | null
  readonly keyId?: string | undefined
}

const DEFAULT_EXPIRES_IN = 600

/** How long the access token lives: `expires_in`, else `expires_on - now`, else 600 s (RFC 6749 §5.1). */
export const expiresInOf = (response: TokenSuccessResponse, nowSec: number): number =>
  response.expires_in ?? (response.expires_on !== undefined ? response.expires_on - nowSec : DEFAULT_EXPIRES_IN)

/** The target the cache files a response under. */
export const grantedTarget = (response: TokenSuccessResponse, requested: readonly string[]): string =>
  scopesToTarget(response.scope !== undefined && response.scope.trim() !== '' ? targetToScopes(response.scope) : requested)

/** The access-token entry of a token response (MSAL's unified schema). */
export const accessTokenEntityOf = (event: TokenResponseEvent, nowSec: number): AccessTokenEntity => {
  const { response } = event
  const expiresIn = expiresInOf(response, nowSec)
  const extExpiresIn = response.ext_expires_in ?? expiresIn
  return {
    credential_type: 'AccessToken',
    secret: response.access_token,
    home_account_id: event.homeAccountId,
    environment: event.environment,
    client_id: event.clientId,
    target: grantedTarget(response, event.scopes),
    realm: event.realm,
    token_type: response.token_type ?? 'Bearer',
    cached_at: String(nowSec),
    expires_on: String(nowSec + expiresIn),
    extended_expires_on: String(nowSec + extExpiresIn),
    ...(response.refresh_in !== undefined ? { refresh_on: String(nowSec + response.refresh_in) } : {}),
    ...(event.keyId !== undefined ? { key_id: event.keyId } : {}),
  }
}

/** Files a successful token response: its access token replaces any entry under the same key. */
export const reduceTokenResponse = (event: TokenResponseEvent, nowSec: number): CacheChange => {
  const entity = accessTokenEntityOf(event, nowSec)
  return { puts: [{ type: 'AccessToken', key: accessTokenKey(entity), entity }], deletes: [] }
}

/** Deletes the app's own access tokens (no home account) for this client in these environments. */
export const removeClientTokens = (cache: TokenCache, clientId: string, environments: readonly string[]): CacheChange => {
  const lowerClient = clientId.toLowerCase()
  const deletes = environments.flatMap((environment) =>
    [...cache.accessTokenKeysOf(environment, null)]
      .filter((key) => cache.getAccessToken(key)?.entity.client_id.toLowerCase() === lowerClient)
      .map((key) => ({ type: 'AccessToken' as const, key })),
  )
  return { puts: [], deletes }
}
