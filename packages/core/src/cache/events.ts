import * as E from '../util/either.js'
import { usageError, type UsageError } from '../errors.js'
import { TokenSuccessResponse } from '../protocol/tokenResponse.js'
import { decodeOr } from '../util/decode.js'
import { decodeClientInfo, decodeIdTokenClaims, type ClientInfo, type IdTokenClaims } from './accountOf.js'
import type { TokenResponseEvent } from './filing.js'

/**
 * A token-obtaining event, as MSAL Python's TokenCache.add takes it (keys in camelCase): the
 * token endpoint's response, who asked and for what.
 */
export interface TokenCacheEvent {
  /** client_id (RFC 6749 §2.2) of the application the tokens were issued to. */
  readonly clientId: string
  /** The scopes requested; the response's `scope`, when present, wins. */
  readonly scope?: readonly string[] | undefined
  /** Where the tokens came from; its host and first path segment give environment and realm. */
  readonly tokenEndpoint?: string | undefined
  /** The host the tokens are filed under (the cache entities' environment); default: the token endpoint's host. */
  readonly environment?: string | undefined
  /** The tenant the tokens are filed under (the cache entities' realm); default: the token endpoint's first path segment. */
  readonly realm?: string | undefined
  /** The token endpoint's JSON response, as received. */
  readonly response: unknown
  /** grant_type (RFC 6749 §4) of the request, e.g. "authorization_code"; account-creating grants become the account's account_source. */
  readonly grantType?: string | undefined
  /** The request's form data; `username` (ROPC) and `key_id` are read from it. */
  readonly data?: Readonly<Record<string, unknown>> | undefined
  /** The account's sign-in name when the ID token names none; `data`'s `username` wins over it. */
  readonly username?: string | undefined
  /** true: file the tokens without creating or updating an account entry (a refresh racing removeAccount). */
  readonly skipAccountCreation?: boolean | undefined
  /** The account's authority_type: "MSSTS" or "ADFS"; default "ADFS" when the realm is "adfs", else "MSSTS". */
  readonly authorityType?: string | undefined
}

const NOWHERE: { environment?: string; realm?: string } = Object.freeze({})

const where = (event: TokenCacheEvent): { environment?: string; realm?: string } => {
  if (event.tokenEndpoint === undefined) return NOWHERE
  try {
    const url = new URL(event.tokenEndpoint)
    return { environment: url.host.toLowerCase(), realm: url.pathname.split('/').find((part) => part !== '') }
  } catch {
    return NOWHERE
  }
}

const stringField = (data: TokenCacheEvent['data'], name: string): string | undefined =>
  typeof data?.[name] === 'string' ? (data[name] as string) : undefined

/** Decodes client_info; a cache passes a memo (client_info is stable per user). */
export type ClientInfoDecoder = (clientInfo: string) => E.Either<string, ClientInfo | undefined>

/** Decodes an ID token's claims; a cache passes a memo (an app files many responses with one ID token: one per API it calls for the user). */
export type IdTokenClaimsDecoder = (idToken: string) => E.Either<string, IdTokenClaims>

/** Checks an add() event and turns it into what the reducer files. */
export const tokenResponseEventOf = (
  event: TokenCacheEvent,
  decodeInfo: ClientInfoDecoder = decodeClientInfo,
  decodeClaims: IdTokenClaimsDecoder = decodeIdTokenClaims,
): E.Either<UsageError, TokenResponseEvent> => {
  if (typeof event !== 'object' || event === null) return E.left(usageError('event', 'expected an object with clientId and response'))
  if (typeof event.clientId !== 'string' || event.clientId === '') return E.left(usageError('event.clientId', 'expected a non-empty string'))
  const located = where(event)
  const environment = event.environment ?? located.environment
  const realm = event.realm ?? located.realm ?? ''
  if (environment === undefined) return E.left(usageError('event', 'expected an environment or a tokenEndpoint to take it from'))
  // The type guard allocates nothing; decode (which copies) only to normalise or to explain.
  let response: TokenSuccessResponse
  if (TokenSuccessResponse.is(event.response)) response = event.response as TokenSuccessResponse
  else {
    const decoded = decodeOr(TokenSuccessResponse, event.response, (problem) => usageError('event.response', problem))
    if (E.isLeft(decoded)) return decoded
    response = decoded.right
  }
  let claims: IdTokenClaims | undefined
  if (response.id_token !== undefined) {
    const decoded = decodeClaims(response.id_token)
    if (E.isLeft(decoded)) return E.left(usageError('event.response.id_token', decoded.left))
    claims = decoded.right
  }
  let clientInfo: ClientInfo | undefined
  if (response.client_info !== undefined) {
    const decoded = decodeInfo(response.client_info)
    if (E.isLeft(decoded)) return E.left(usageError('event.response.client_info', decoded.left))
    clientInfo = decoded.right
  }
  return E.right({
    clientId: event.clientId,
    environment,
    realm,
    scopes: event.scope ?? [],
    response,
    clientInfo,
    idTokenClaims: claims,
    grantType: event.grantType,
    skipAccountCreation: event.skipAccountCreation,
    username: stringField(event.data, 'username') ?? event.username,
    authorityType: event.authorityType,
    keyId: stringField(event.data, 'key_id'),
  })
}
