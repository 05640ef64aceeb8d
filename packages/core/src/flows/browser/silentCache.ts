import * as E from '../../util/either.js'
import type { ClientContext } from '../../app/context.js'
import type { Program } from '../../effects/program.js'
import type { MsalError } from '../../errors.js'
import type { TokenResult } from '../../result.js'
import { acquireTokenSilentFromCache } from '../silentCache.js'
import type { SpaRequest } from './request.js'
import { spaBinding, type SpaBindingFor } from '../../pop/binding.js'

/**
 * acquireTokenSilent's first look: the in-memory cache (no storage read, no lock, no request).
 * Right(undefined) when it cannot answer (no account, no fresh token): then silentAfterMiss
 * (flows/browser/silent.ts), which a browser page loads only then.
 */
export function* silentFromCache(
  ctx: ClientContext,
  request: SpaRequest,
  /** The app's key-binding code (PoP, SSH certificates): a bound token is looked up under its key id. */
  bindingFor?: SpaBindingFor,
): Program<E.Either<MsalError, TokenResult | undefined>> {
  const prepare = spaBinding(request, bindingFor)
  if (E.isLeft(prepare)) return prepare
  return yield* acquireTokenSilentFromCache(ctx, request.scopes, request.account, { forceRefresh: request.forceRefresh, claimsChallenge: request.claims }, prepare.right)
}
