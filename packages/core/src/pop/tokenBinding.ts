import * as E from '../util/either.js'
import { decodeIdTokenClaims } from '../cache/accountOf.js'
import { now, popKey, randomBytes, signPop, type Program } from '../effects/program.js'
import { configurationError, usageError, type MsalError, type UsageError } from '../errors.js'
import { invalidResponseError } from '../wireErrors.js'
import type { TokenSuccessResponse } from '../protocol/tokenResponse.js'
import type { TokenResult } from '../result.js'
import { uuidFromBytes } from '../util/uuid.js'
import { checkPopAuthScheme, type PopRequest } from './popAuthScheme.js'
import { reqCnfOf, shrClaims, shrHeader } from './signedHttpRequest.js'
import { withPreparedBinding, type BoundRequest, type PrepareBinding } from './binding.js'

/**
 * MSAL Python's `data` keyword for a key-bound token, its keys in camelCase: an SSH certificate
 * for a public key (token_type "ssh-cert"), or a proof-of-possession token for a key the app
 * holds and signs with itself (token_type "pop"). The three are sent in the token request as
 * `token_type`, `key_id` and `req_cnf`, as MSAL Python sends them; the token is cached under
 * `keyId`, so another key never gets it.
 */
export interface KeyBoundTokenData {
  /** "ssh-cert" (an OpenSSH certificate) or "pop" (a proof-of-possession token for your own key); sent as `token_type`. */
  readonly tokenType: 'ssh-cert' | 'pop'
  /** Identifies the key in `reqCnf` (sent as `key_id`); the token is cached under it (the cache entry's `key_id`). */
  readonly keyId: string
  /**
   * The key, sent as `req_cnf` as it is: for "ssh-cert" the public key as a JWK's JSON text
   * (RFC 7517); for "pop" base64url of `{"kid": ...}` (RFC 7800 confirmation), not raw JSON.
   */
  readonly reqCnf: string
}

/** The options that bind a token to a key, on the methods that take them. */
export interface TokenBindingOptions {
  /**
   * MSAL Python's `auth_scheme`: a `PopAuthScheme(httpMethod, url, nonce)`. The token is a
   * proof-of-possession token bound (RFC 7800 `cnf`) to this application's own key, and the
   * result's `accessToken` a signed HTTP request for that resource request, signed afresh on
   * every call (send it as `Authorization: PoP <accessToken>`); `tokenType` is "pop".
   */
  readonly authScheme?: PopRequest | undefined
  /** MSAL Python's `data` for an SSH certificate or a PoP token for your own key (see KeyBoundTokenData). */
  readonly data?: KeyBoundTokenData | undefined
}

/** How a request binds its token: to the application's PoP key (signed on every call), or as `data` says. */
export type TokenBinding =
  | { readonly _tag: 'Pop'; readonly request: PopRequest }
  | { readonly _tag: 'Data'; readonly data: KeyBoundTokenData }


const SSH_REQ_CNF =
  "When requesting an SSH certificate, you must include a string parameter named 'req_cnf' containing the public key in JWK format (https://tools.ietf.org/html/rfc7517)."
const SSH_KEY_ID = "When requesting an SSH certificate, you must include a string parameter named 'key_id' which identifies the key in the 'req_cnf' argument."
const POP_REQ_CNF =
  "When requesting a proof-of-possession token for your own key, you must include a string parameter named 'req_cnf' containing base64url of {\"kid\": ...} (https://tools.ietf.org/html/rfc7800)."
const POP_KEY_ID = "When requesting a proof-of-possession token for your own key, you must include a string parameter named 'key_id' which identifies the key in the 'req_cnf' argument."

/** MSAL Python's spelling of each `data` key, which msal-ts takes in camelCase. */
const SNAKE_CASE: Readonly<Record<string, string>> = { token_type: 'tokenType', key_id: 'keyId', req_cnf: 'reqCnf' }
const DATA_KEYS: ReadonlySet<string> = new Set(['tokenType', 'keyId', 'reqCnf'])

const given = (value: unknown): value is string => typeof value === 'string' && value !== ''

/**
 * Checks `data` as MSAL Python's _validate_ssh_cert_input_data does (its messages, req_cnf
 * first), and likewise for "pop": only the three keys, in camelCase.
 */
export const checkKeyBoundData = (value: unknown): E.Either<UsageError, KeyBoundTokenData> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return E.left(usageError('data', "expected { tokenType: 'ssh-cert', keyId, reqCnf } (MSAL Python's data, in camelCase)"))
  }
  for (const [name, field] of Object.entries(value)) {
    if (field === undefined || DATA_KEYS.has(name)) continue
    const camel = Object.prototype.hasOwnProperty.call(SNAKE_CASE, name) ? SNAKE_CASE[name] : undefined
    return E.left(usageError(`data.${name}`, camel !== undefined ? `msal-ts takes MSAL Python's data keys in camelCase: write ${camel}` : 'data takes tokenType, keyId and reqCnf only'))
  }
  const { tokenType, keyId, reqCnf } = value as { tokenType?: unknown; keyId?: unknown; reqCnf?: unknown }
  if (tokenType !== 'ssh-cert' && tokenType !== 'pop') return E.left(usageError('data.tokenType', `expected "ssh-cert" or "pop", got ${JSON.stringify(tokenType) ?? 'nothing'}`))
  if (!given(reqCnf)) return E.left(usageError('data.reqCnf', tokenType === 'ssh-cert' ? SSH_REQ_CNF : POP_REQ_CNF))
  if (!given(keyId)) return E.left(usageError('data.keyId', tokenType === 'ssh-cert' ? SSH_KEY_ID : POP_KEY_ID))
  return E.right({ tokenType, keyId, reqCnf })
}

/** The binding the options ask for (undefined: a bearer token), or a UsageError naming the option. */
export const bindingOf = (options: TokenBindingOptions): E.Either<UsageError, TokenBinding | undefined> => {
  const { authScheme, data } = options
  if (authScheme !== undefined && data !== undefined) return E.left(usageError('data', 'give authScheme (a PoP token for this application\'s key) or data, not both'))
  if (authScheme !== undefined) return E.map((request: PopRequest): TokenBinding => ({ _tag: 'Pop', request }))(checkPopAuthScheme(authScheme))
  if (data !== undefined) return E.map((checked: KeyBoundTokenData): TokenBinding => ({ _tag: 'Data', data: checked }))(checkKeyBoundData(data))
  return E.right(undefined)
}

/** What a key failure is: the runtime's, not the caller's arguments. */
const keyError = (message: string): MsalError => configurationError('authScheme', `the proof-of-possession key is not usable in this runtime: ${message}`)

/**
 * Readies a binding: `data` as given (MSAL Python posts its fields as they are); PoP with the
 * application's key (asked of the interpreter, made on first use), the answer checked and the
 * result signed for its request.
 */
export function* prepareBinding(binding: TokenBinding): Program<E.Either<MsalError, BoundRequest>> {
  if (binding._tag === 'Data') {
    const { tokenType, keyId, reqCnf } = binding.data
    return E.right({ form: { token_type: tokenType, key_id: keyId, req_cnf: reqCnf }, keyId })
  }
  const key = yield* popKey()
  if (key._tag !== 'PopKey') return E.left(keyError(key.message))
  const { kid } = key
  return E.right({
    form: { token_type: 'pop', req_cnf: reqCnfOf(kid) },
    keyId: kid,
    check: (response, url, status) => checkPopResponse(kid, response, url, status),
    present: (result) => presentPop(kid, binding.request, result),
  })
}

/**
 * Checks a token response to a PoP request for the application's key: a "pop" token whose
 * confirmation names that key (RFC 7800 `cnf.kid`, which msal-browser requires too). An identity
 * provider that ignored `req_cnf` sent a bearer token, which the signed request would not make
 * usable. Responses to `data` requests are taken as they come, as MSAL Python takes them.
 */
export const checkPopResponse = (expectedKid: string, response: TokenSuccessResponse, url: string, status: number): E.Either<MsalError, undefined> => {
  const invalid = (problem: string) => E.left(invalidResponseError(url, status, problem, ''))
  const tokenType = response.token_type ?? 'Bearer'
  if (tokenType.toLowerCase() !== 'pop') return invalid(`a proof-of-possession token was asked for (token_type=pop), and the answer is a ${tokenType} token`)
  const claims = decodeIdTokenClaims(response.access_token)
  const cnf = E.isRight(claims) ? claims.right['cnf'] : undefined
  const kid = typeof cnf === 'object' && cnf !== null ? (cnf as { kid?: unknown }).kid : undefined
  if (typeof kid !== 'string') return invalid('the proof-of-possession access token has no cnf.kid claim (RFC 7800): it is bound to no key')
  if (kid !== expectedKid) return invalid('the proof-of-possession access token is bound (cnf.kid) to another key than the one this application asked for')
  return E.right(undefined)
}

/**
 * A PoP token presented for its resource request: the signed HTTP request, signed now with the
 * application's key `kid`, as the result's `accessToken` (`tokenType` "pop").
 */
export function* presentPop(kid: string, request: PopRequest, result: TokenResult): Program<E.Either<MsalError, TokenResult>> {
  const key = yield* popKey()
  if (key._tag !== 'PopKey') return E.left(keyError(key.message))
  // The token is bound to the key it was asked for; one replaced meanwhile could not present it.
  if (key.kid !== kid) return E.left(keyError('the key changed while the token was being acquired; try again'))
  const fallbackNonce = request.nonce !== undefined && request.nonce !== '' ? '' : uuidFromBytes(yield* randomBytes(16))
  const claims = shrClaims({ accessToken: result.accessToken, nowSec: Math.floor((yield* now()) / 1000), request, fallbackNonce, jwk: key.jwk })
  const signed = yield* signPop(key.kid, shrHeader(key.kid), claims)
  if (signed._tag === 'CredentialFailure') return E.left(keyError(`signing the request failed (${signed.message})`))
  return E.right({ ...result, accessToken: signed.assertion, tokenType: 'pop' })
}

/**
 * Runs a token flow with the binding the options ask for: checked first (a UsageError before
 * anything else), readied, handed to the flow (which sends it and files the token under its key
 * id), and the result presented (a PoP token signed for its request). Without a binding the flow
 * runs as it is.
 */
export function* withTokenBinding<A extends TokenResult | undefined>(
  options: TokenBindingOptions,
  flow: (bound: BoundRequest | undefined) => Program<E.Either<MsalError, A>>,
): Program<E.Either<MsalError, A>> {
  const binding = bindingOf(options)
  if (E.isLeft(binding)) return binding
  return yield* withPreparedBinding(preparerOf(binding.right), flow)
}

/** How to ready a binding, for the flows (undefined: a bearer token). */
export const preparerOf = (binding: TokenBinding | undefined): PrepareBinding | undefined => (binding === undefined ? undefined : () => prepareBinding(binding))
