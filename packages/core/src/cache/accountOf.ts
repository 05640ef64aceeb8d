import * as E from '../util/either.js'
import { base64UrlToText } from '../util/base64url.js'
import { parseJson } from '../util/decode.js'

/** The claims of an ID token that the cache reads. */
export interface IdTokenClaims {
  /** Subject (OpenID Connect Core 1.0 §2; RFC 7519 §4.1.2): the home account id when there is no client_info (AD FS), the local account id when there is no oid. */
  readonly sub?: string
  /** Entra's object id of the user in the tenant: the account's local_account_id. */
  readonly oid?: string
  /** Entra's tenant id (a GUID): the realm the ID token and account are filed under. */
  readonly tid?: string
  /** The sign-in name (OpenID Connect Core 1.0 §5.1): the account's username. */
  readonly preferred_username?: string
  /** The user principal name (AD FS 2019): the username when there is no preferred_username. */
  readonly upn?: string
  /** The user's display name (OpenID Connect Core 1.0 §5.1): the account's name. */
  readonly name?: string
  readonly [claim: string]: unknown
}

/** Decodes an ID token's payload (no signature check: it came straight from the token endpoint over TLS). RFC 7519 §7.2. */
export const decodeIdTokenClaims = (idToken: string): E.Either<string, IdTokenClaims> => {
  const parts = typeof idToken === 'string' ? idToken.split('.') : []
  if (parts.length !== 3) return E.left(`the ID token is not a JWT (expected three parts separated by dots, got ${parts.length})`)
  const text = base64UrlToText(parts[1]!)
  const payload = text === undefined ? undefined : parseJson(text)
  if (payload === undefined || E.isLeft(payload) || typeof payload.right !== 'object' || payload.right === null || Array.isArray(payload.right)) {
    return E.left('the ID token is not a JWT (its payload is not base64url-encoded JSON object)')
  }
  return E.right(payload.right as IdTokenClaims)
}

export interface ClientInfo {
  /** The user's object id in their home tenant (Entra's client_info). */
  readonly uid: string
  /** The home tenant's id (Entra's client_info); `uid.utid` is the home account id. */
  readonly utid: string
}

/** Decodes Entra's `client_info` (base64url JSON of uid and utid). Undefined when it lacks them. */
export const decodeClientInfo = (clientInfo: string): E.Either<string, ClientInfo | undefined> => {
  const text = base64UrlToText(clientInfo)
  const json = text === undefined ? E.left('not base64url') : parseJson(text)
  if (E.isLeft(json) || typeof json.right !== 'object' || json.right === null) return E.left('client_info is not base64url-encoded JSON')
  const { uid, utid } = json.right as { uid?: unknown; utid?: unknown }
  // MSAL Python ignores a client_info without both ids (its issue #387) and falls back to the ID token.
  return E.right(typeof uid === 'string' && typeof utid === 'string' ? { uid, utid } : undefined)
}

/**
 * The home account id: `uid.utid` from client_info, else the ID token's `sub` (ADFS), else none
 * (client credentials).
 */
export const homeAccountIdOf = (clientInfo: ClientInfo | undefined, claims: IdTokenClaims | undefined): string | null =>
  clientInfo !== undefined ? `${clientInfo.uid}.${clientInfo.utid}` : typeof claims?.sub === 'string' ? claims.sub : null

/** `preferred_username` (Entra), else `upn` (ADFS 2019). */
export const usernameOf = (claims: IdTokenClaims | undefined): string | undefined =>
  typeof claims?.preferred_username === 'string' ? claims.preferred_username : typeof claims?.upn === 'string' ? claims.upn : undefined
