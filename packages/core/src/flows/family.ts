import * as E from '../util/either.js'
import { selectAppMetadata, selectRefreshTokens } from '../cache/selectors.js'
import type { Program } from '../effects/program.js'
import { isTransportError, type MsalError } from '../errors.js'
import type { TokenResult } from '../result.js'
import { tryRefreshTokens, type RefreshAttempt } from './silent.js'

/** A silent refresh's attempt with the application's own refresh tokens (see FamilyRefresh). */
type Refreshed = E.Either<MsalError, TokenResult> | undefined

/**
 * How a silent refresh uses the refresh tokens of the app's family of client ids (FOCI:
 * Microsoft's first-party public clients share them), around `own`, the attempt with the app's
 * own. Injected by MSAL Python's classes (AppAbilities.familyRefresh); a browser app, which no
 * family takes in, leaves it out.
 */
export type FamilyRefresh = (a: RefreshAttempt, own: () => Program<Refreshed>) => Program<Refreshed>

const FAMILY = '1'

/**
 * Entra's "this app is not in the token's family": MSAL Python reads it from
 * error_additional_info, MSAL.NET from the suberror; either stops the family attempts.
 */
const isClientMismatch = (error: MsalError): boolean =>
  (error.kind === 'ServerError' || error.kind === 'ThrottledError') &&
  (error.suberror === 'client_mismatch' || (error.errorAdditionalInfo ?? []).includes('client_mismatch'))

const settles = (result: Refreshed): boolean => result !== undefined && (E.isRight(result) || isTransportError(result.left))

/**
 * MSAL Python's `_acquire_token_silent_by_finding_rt_belongs_to_me_or_my_family`. An app never
 * seen before tries the family's refresh tokens (stopping when Entra says client_mismatch); an
 * app known to be in a family tries the family's, then its own; any other app its own.
 */
export const familyRefresh: FamilyRefresh = function* (a, own) {
  const { ctx, environment, account } = a
  const metadata = selectAppMetadata(ctx.tokenCache, environment, ctx.config.clientId)
  const query = { environment, homeAccountId: account.homeAccountId }
  if (metadata === undefined) {
    const tried = yield* tryRefreshTokens(a, selectRefreshTokens(ctx.tokenCache, { ...query, familyId: FAMILY }), isClientMismatch)
    if (settles(tried)) return tried
  }
  let last: Refreshed
  const family = metadata?.family_id
  if (family !== undefined && family !== null && family !== '') {
    last = yield* tryRefreshTokens(a, selectRefreshTokens(ctx.tokenCache, { ...query, familyId: family }))
    if (settles(last)) return last
  }
  return (yield* own()) ?? last
}
