import * as E from '../util/either.js'
import type { ClientContext } from '../app/context.js'
import { isMultiTenant } from '../authority/endpoints.js'
import { resultScopes, userParts } from '../cache/hitParts.js'
import { selectAccessTokenIn, type Account, type AccessTokenLookup } from '../cache/selectors.js'
import { prepareBucket, type AccessTokenBucket, type IndexedAccessToken } from '../cache/tokenStore.js'
import { commit, now, type Program } from '../effects/program.js'
import { usageError, type MsalError } from '../errors.js'
import { CACHE_HIT } from '../app/commits.js'
import { mergeClaimsAndCapabilities } from '../protocol/claims.js'
import { lookupScopes } from '../protocol/scopeDecoration.js'
import { resultFromHit, type TokenResult } from '../result.js'
import { newCorrelationId } from './correlation.js'
import type { TokenBindingOptions } from '../pop/tokenBinding.js'
import { withPreparedBinding, type BoundRequest, type PrepareBinding } from '../pop/binding.js'

// A silent call's cache look: everything a hit needs, and nothing a miss needs (flows/silent.ts
// has that), so a browser page loads the refresh code only when the cache cannot answer.

export interface SilentOptions extends TokenBindingOptions {
  /** Skip the access-token cache and redeem a refresh token. */
  readonly forceRefresh?: boolean | undefined
  /** A claims challenge from a resource; it skips the access-token cache. */
  readonly claimsChallenge?: string | undefined
}

/** The parts of an account a silent call needs: getAccounts() returns them. */
export type SilentAccount = Pick<Account, 'homeAccountId' | 'environment'> & Partial<Pick<Account, 'realm' | 'username' | 'authorityType'>>


/**
 * The realms an account's access tokens for this authority may be filed under: the authority's
 * tenant (MSAL Python files them so), and the tenant id the ID token named (MSAL for Node, and
 * us): the account's own for a multi-tenant authority, the learned one for a domain name.
 */
const realmsFor = (ctx: ClientContext, account: SilentAccount, reach: 'cache' | 'network'): string[] => {
  const tenant = ctx.config.authority.tenant
  const lower = tenant.toLowerCase()
  const realms = [tenant]
  const learned = ctx.state.tenantIds.get(lower)
  if (learned !== undefined) realms.push(learned)
  const accountRealm = account.realm !== undefined && account.realm !== '' ? account.realm : undefined
  // A multi-tenant authority's user tokens are filed under the user's tenant.
  if (accountRealm !== undefined && isMultiTenant(lower)) realms.push(accountRealm)
  // A browser tab's first look (no request may follow it) in a page that has not learned the
  // domain's tenant id yet (a new tab, a reload): the account's own realm, the tenant id its
  // sign-in to this authority filed it under. Otherwise that tab would take the refresh lock,
  // re-read storage and ask discovery for a token already in memory.
  if (accountRealm !== undefined && reach === 'cache' && learned === undefined && namesTenantByDomain(ctx)) realms.push(accountRealm)
  return [...new Set(realms)]
}

/**
 * Where an account's access tokens may be: every environment × realm, with keys computed once per
 * account and kept (a silent hit is the hot path; building the keys would cost more than the
 * lookup). Kept by home account id, valid while the account's realm, the learned tenant id and
 * the reach (see realmsFor) are the ones they were made for.
 */
export const bucketsFor = (ctx: ClientContext, account: SilentAccount, reach: 'cache' | 'network' = 'network'): readonly AccessTokenBucket[] => {
  const learned = ctx.state.tenantIds.get(ctx.config.authority.tenant.toLowerCase())
  const kept = ctx.memo.silentBuckets.get(account.homeAccountId)
  if (kept !== undefined && kept.realm === account.realm && kept.learned === learned && kept.reach === reach) return kept.buckets
  const realms = realmsFor(ctx, account, reach)
  const buckets = ctx.environments.flatMap((environment) =>
    realms.map((realm) => prepareBucket({ clientId: ctx.config.clientId, environment, realm, homeAccountId: account.homeAccountId })),
  )
  // Bounded: a web app serving many users keeps the recent ones.
  if (ctx.memo.silentBuckets.size >= MAX_KEPT_BUCKETS) ctx.memo.silentBuckets.clear()
  ctx.memo.silentBuckets.set(account.homeAccountId, { realm: account.realm, learned, reach, buckets })
  return buckets
}

const MAX_KEPT_BUCKETS = 10_000

/** The buckets of tokens bound to a key (PoP, SSH certificates): beside the bearer tokens', never among them. */
export const boundBuckets = (buckets: readonly AccessTokenBucket[], bound: BoundRequest | undefined): readonly AccessTokenBucket[] =>
  bound === undefined
    ? buckets
    : buckets.map((bucket) =>
        prepareBucket({ clientId: bucket.clientId, environment: bucket.environment, realm: bucket.realm, homeAccountId: bucket.homeAccountId, keyId: bound.keyId }),
      )

const isAccount = (value: unknown): value is SilentAccount =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { homeAccountId?: unknown }).homeAccountId === 'string' &&
  typeof (value as { environment?: unknown }).environment === 'string'


/** Kinds whose tenants may be named by a domain and whose issuer names the tenant's id. */
const DOMAIN_NAMED = new Set(['Entra', 'CIAM', 'B2C'])

/** Whether the authority names its tenant by a domain (contoso.onmicrosoft.com) rather than its id. */
export const namesTenantByDomain = (ctx: ClientContext): boolean =>
  DOMAIN_NAMED.has(ctx.config.authority.kind) && ctx.config.authority.tenant.includes('.')


/** What a silent call does after the cache could not answer at first (flows/silent.ts's afterAMiss). */
export type AfterAMiss = (
  ctx: ClientContext,
  scopesInput: readonly string[],
  scopes: readonly string[],
  claims: string | undefined,
  account: SilentAccount,
  reach: 'cache' | 'network',
  lookup: AccessTokenLookup | undefined,
  correlationId: string,
  nowMs: number,
  bound: BoundRequest | undefined,
) => Program<E.Either<MsalError, TokenResult | undefined>>

/**
 * A silent call that answers from the cache or not at all (Right(undefined)): a browser tab's
 * first look, before it takes the refresh lock or loads the code that refreshes.
 */
export const acquireTokenSilentFromCache = (
  ctx: ClientContext,
  scopesInput: readonly string[],
  accountInput: unknown,
  options: Omit<SilentOptions, 'authScheme' | 'data'>,
  prepare: PrepareBinding | undefined,
): Program<E.Either<MsalError, TokenResult | undefined>> =>
  prepare === undefined
    ? silently(ctx, scopesInput, accountInput, options, 'cache', undefined, undefined)
    : withPreparedBinding(prepare, (bound) => silently(ctx, scopesInput, accountInput, options, 'cache', bound, undefined))

export function* silently(
  ctx: ClientContext,
  scopesInput: readonly string[],
  accountInput: unknown,
  options: SilentOptions,
  reach: 'cache' | 'network',
  bound: BoundRequest | undefined,
  /** What a miss goes on to (flows/silent.ts: the tenant's id, Cloud Shell, a refresh token); absent, a miss answers Right(undefined). */
  afterAMiss: AfterAMiss | undefined,
): Program<E.Either<MsalError, TokenResult | undefined>> {
  // This generator holds only what a cache hit needs (a generator object carries its whole frame);
  // the rest is afterAMiss, in its own file: a browser tab's page loads it only when it needs it.
  if (accountInput === undefined || accountInput === null) return E.right(undefined)
  if (!isAccount(accountInput)) return E.left(usageError('account', 'expected an account from getAccounts() (with homeAccountId and environment)'))
  // Scopes are checked as user flows check them (reserved ones refused), before any cache look.
  const scopes = lookupScopes(scopesInput, ctx.config.excludeScopes)
  if (E.isLeft(scopes)) return scopes
  const claims = mergeClaimsAndCapabilities(ctx.config.clientCapabilities, options.claimsChallenge)
  if (E.isLeft(claims)) return claims

  const nowMs = yield* now()
  const nowSec = Math.floor(nowMs / 1000)
  const skipCache = options.forceRefresh === true || (options.claimsChallenge !== undefined && options.claimsChallenge !== '')
  const lookup = skipCache ? undefined : selectAccessTokenIn(ctx.tokenCache, boundBuckets(bucketsFor(ctx, accountInput, reach), bound), scopes.right, nowSec)
  const correlationId = yield* newCorrelationId()
  if (lookup?._tag === 'Fresh') {
    yield* commit(CACHE_HIT)
    return E.right(cachedResult(ctx, lookup.token, accountInput, nowSec, correlationId))
  }
  if (afterAMiss === undefined) return E.right(undefined)
  return yield* afterAMiss(ctx, scopesInput, scopes.right, claims.right, accountInput, reach, lookup, correlationId, nowMs, bound)
}


/**
 * A cached token as a result, with the account and (when cached) its ID token. `token` is the
 * entry's record: when it is the stored one, its bucket keeps those parts for the next hit (see
 * hitParts.ts).
 */
export const cachedResult = (ctx: ClientContext, token: IndexedAccessToken, account: SilentAccount, nowSec: number, correlationId: string): TokenResult => {
  const user = userParts(ctx.tokenCache, token)
  return resultFromHit(token, resultScopes(token, 'user'), nowSec, correlationId, user.account ?? accountFromInput(account), user)
}

/** The account as the caller described it (every field it gave), when the cache holds no entry for it. */
const accountFromInput = (account: SilentAccount): Account => Object.assign({}, account, { authorityType: 'MSSTS', username: account.username ?? '' })

