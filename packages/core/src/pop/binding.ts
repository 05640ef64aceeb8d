import type * as E from '../util/either.js'
import type { Program } from '../effects/program.js'
import { configurationError, type ConfigurationError, type MsalError } from '../errors.js'
import type { TokenSuccessResponse } from '../protocol/tokenResponse.js'
import type { TokenResult } from '../result.js'
import { asksForKeyBinding, type SpaRequest } from '../flows/browser/request.js'

/**
 * What the token flows need of a key-bound request (PoP, SSH certificate), whatever binds it:
 * the fields the token request adds, the key id the token is filed and looked up under, and,
 * for PoP with the application's key, how the answer is checked and the result presented. The
 * flows know only this; what makes one (pop/tokenBinding.ts) is brought in by the entry points
 * that take the options, so a bundle without them leaves it out.
 */
export interface BoundRequest {
  /** Added to the token request's form (`token_type`, `req_cnf`, and `key_id` for MSAL Python's `data`). */
  readonly form: Readonly<Record<string, string>>
  /** The cache entry's `key_id`: where the token is filed, and where lookups for this key look. */
  readonly keyId: string
  /** Refuses an answer the binding cannot use (a bearer token to a PoP request), before anything is cached. */
  readonly check?: ((response: TokenSuccessResponse, url: string, status: number) => E.Either<MsalError, undefined>) | undefined
  /** Turns a result into what the caller gets (a PoP token: the signed HTTP request for its resource request). */
  readonly present?: ((result: TokenResult) => Program<E.Either<MsalError, TokenResult>>) | undefined
}

/** Readies a binding (PoP: asks the interpreter for the application's key). */
export type PrepareBinding = () => Program<E.Either<MsalError, BoundRequest>>

/**
 * Runs a token flow bound as `prepare` says (readied first, the result presented last); without
 * one, the flow as it is.
 */
export function* withPreparedBinding<A extends TokenResult | undefined>(
  prepare: PrepareBinding | undefined,
  flow: (bound: BoundRequest | undefined) => Program<E.Either<MsalError, A>>,
): Program<E.Either<MsalError, A>> {
  if (prepare === undefined) return yield* flow(undefined)
  const bound = yield* prepare()
  if (bound._tag === 'Left') return bound
  const result = yield* flow(bound.right)
  const { present } = bound.right
  if (result._tag === 'Left' || result.right === undefined || present === undefined) return result
  return (yield* present(result.right)) as E.Either<MsalError, A>
}

/**
 * msal-browser's request fields turned into a readied binding (undefined: a bearer request), or
 * the UsageError naming a bad field: the browser app's injected binding code.
 */
export type SpaBindingFor = (request: SpaRequest) => E.Either<MsalError, PrepareBinding | undefined>

/**
 * A browser request's binding: none for a bearer request; else readied by the injected code,
 * and a ConfigurationError when the app has none.
 */
export const spaBinding = (request: SpaRequest, bindingFor: SpaBindingFor | undefined): E.Either<MsalError, PrepareBinding | undefined> =>
  !asksForKeyBinding(request) ? { _tag: 'Right', right: undefined } : bindingFor === undefined ? { _tag: 'Left', left: keyBindingNotConfigured() } : bindingFor(request)

/** A browser app asked for a key-bound token without the code that makes one. */
export const keyBindingNotConfigured = (): ConfigurationError =>
  configurationError(
    'proofOfPossession',
    "authenticationScheme 'pop' and 'ssh-cert' need the proofOfPossession option (from @msal-ts/browser/pop)",
  )
