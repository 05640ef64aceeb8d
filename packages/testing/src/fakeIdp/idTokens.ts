import { bytesToBase64Url, utf8Encode } from '@msal-ts/core/protocol'
import { pairwiseSubject } from './ids.js'
import type { RegisteredUser } from './users.js'

/** Entra's v2.0 ID tokens live an hour. */
const ID_TOKEN_LIFETIME_SECONDS = 3600

export interface IdTokenContext {
  readonly origin: string
  readonly nowMs: number
  /** A fresh random id (for `uti`, `rh`). */
  readonly randomId: () => string
}

/** What an interactive sign-in adds to the ID token. */
export interface SignInClaims {
  /** The authorization request's `nonce`, echoed as sent. */
  readonly nonce?: string | undefined
  /** When the user last authenticated (epoch ms): `auth_time`, which Entra sends when `max_age` was asked. */
  readonly authTimeMs?: number | undefined
}

/**
 * The claims of a v2.0 ID token for one user and one app, in the order Entra writes them. `sub`
 * is pairwise (per app), `oid` is the same for every app. `nonce` only comes back when the
 * authorization request carried one, `auth_time` when it asked for `max_age`.
 */
export const idTokenClaims = (user: RegisteredUser, clientId: string, ctx: IdTokenContext, { nonce, authTimeMs }: SignInClaims = {}): Record<string, unknown> => {
  const iat = Math.floor(ctx.nowMs / 1000)
  return {
    aud: clientId,
    iss: `${ctx.origin}/${user.tid}/v2.0`,
    iat,
    nbf: iat,
    exp: iat + ID_TOKEN_LIFETIME_SECONDS,
    ...(authTimeMs !== undefined ? { auth_time: Math.floor(authTimeMs / 1000) } : {}),
    name: user.displayName,
    ...(nonce !== undefined ? { nonce } : {}),
    oid: user.oid,
    preferred_username: user.username,
    rh: `0.${ctx.randomId()}.`,
    sub: pairwiseSubject(user.oid, clientId),
    tid: user.tid,
    uti: ctx.randomId(),
    ver: '2.0',
  }
}

/**
 * `client_info`: who the user is across tenants and apps (MSAL's home account id is
 * `uid.utid`). Base64url of the JSON, without padding, as Entra sends it.
 */
export const clientInfoOf = (user: RegisteredUser): string =>
  bytesToBase64Url(utf8Encode(JSON.stringify({ uid: user.oid, utid: user.tid })))
