import * as E from '../util/either.js'
import { selectAccessTokenIn, EXPIRY_MARGIN_SECONDS, type AccessTokenLookup } from '../cache/selectors.js'
import type { AccessTokenEntity } from '../cache/schema.js'
import { commit, log, now, readFile, sha256, type Program } from '../effects/program.js'
import { usageError, type MsalError } from '../errors.js'
import { managedIdentityError, withCorrelationId } from '../wireErrors.js'
import { transportError } from '../http/send.js'
import { arcChallengePath, arcKeyFilePath, arcSecretOf, ARC_KEY_FILE_MAX_BYTES, confirmArcIdentity } from '../managedIdentity/arc.js'
import { MANAGED_IDENTITY_ENVIRONMENT, MANAGED_IDENTITY_REALM, type ManagedIdentityContext } from '../managedIdentity/context.js'
import { buildManagedIdentityRequest } from '../managedIdentity/requests.js'
import { processManagedIdentityResponse } from '../managedIdentity/responses.js'
import { NO_RETRY_POLICY, RETRY_POLICIES } from '../managedIdentity/retry.js'
import { sendManagedIdentityRequest } from '../managedIdentity/send.js'
import { detectSource, ManagedIdentitySource } from '../managedIdentity/sources.js'
import { resultFromCache, type TokenResult } from '../result.js'
import { resultFromResponse } from '../responseResult.js'
import { bytesToHex } from '../util/base64url.js'
import { describeValue } from '../util/decode.js'
import { originOf } from '../util/redact.js'
import { newCorrelationId } from './correlation.js'
import { logError } from './logging.js'
import { fileTokenResponse } from '../cache/filing.js'

/** ManagedIdentityClient.acquireTokenForClient's argument (MSAL Python's keyword arguments). */
export interface ManagedIdentityTokenOptions {
  /**
   * The resource to get a token for, e.g. "https://vault.azure.net" (an app ID URI; a trailing
   * "/.default" is removed, since sources take resources, not scopes).
   */
  readonly resource: string
  /**
   * A claims challenge from the resource (its WWW-Authenticate header): the cached token is not
   * used, and Service Fabric is told which token was revoked. Its content is never sent.
   */
  readonly claimsChallenge?: string | undefined
}

const DEFAULT_SUFFIX = '/.default'

/** The resource asked for: a non-empty string without white space, a scope's "/.default" removed. */
export const resourceOf = (options: unknown): E.Either<MsalError, string> => {
  if (typeof options !== 'object' || options === null) return E.left(usageError('options', `expected { resource, claimsChallenge? }, got ${describeValue(options)}`))
  const { resource, claimsChallenge } = options as { resource?: unknown; claimsChallenge?: unknown }
  if (claimsChallenge !== undefined && typeof claimsChallenge !== 'string') return E.left(usageError('claimsChallenge', `expected a string, got ${describeValue(claimsChallenge)}`))
  if (typeof resource !== 'string' || resource.trim() === '') return E.left(usageError('resource', `expected the resource's URI (e.g. https://vault.azure.net), got ${describeValue(resource)}`))
  if (/\s/.test(resource)) return E.left(usageError('resource', `expected one resource URI without white space, got ${JSON.stringify(resource)}`))
  const trimmed = resource.endsWith(DEFAULT_SUFFIX) ? resource.slice(0, -DEFAULT_SUFFIX.length) : resource
  return trimmed === '' ? E.left(usageError('resource', `expected a resource URI, got ${JSON.stringify(resource)}`)) : E.right(trimmed)
}

/** A cached token that is not expired (Fresh or Aging): the one a claims challenge revokes. */
const usable = (lookup: AccessTokenLookup): AccessTokenEntity | undefined => (lookup._tag === 'Miss' ? undefined : lookup.entity)

/**
 * MSAL Python's ManagedIdentityClient.acquire_token_for_client: the identity's token for a
 * resource, from the cache (300 s margin) or from the source the environment names. A token past
 * its refresh_on is refreshed, and returned if that fails. A claims challenge skips the cache.
 */
export function* acquireTokenForManagedIdentity(ctx: ManagedIdentityContext, options: ManagedIdentityTokenOptions): Program<E.Either<MsalError, TokenResult>> {
  const resource = resourceOf(options)
  if (E.isLeft(resource)) return resource
  // A fresh list, not one kept on the context: writing a new object into a long-lived one costs more than making it.
  const scopes = [resource.right]
  const nowMs = yield* now()
  const nowSec = Math.floor(nowMs / 1000)
  // Searched even for a claims challenge: the token it finds is the one being revoked.
  const lookup = selectAccessTokenIn(ctx.tokenCache, ctx.buckets, scopes, nowSec)
  const challenged = options.claimsChallenge !== undefined && options.claimsChallenge !== ''
  const correlationId = yield* newCorrelationId()
  if (!challenged && lookup._tag === 'Fresh') return E.right(resultFromCache(lookup.entity, nowSec, correlationId, lookup.token))

  // Only past this point is anything logged: a cache hit is the hot path.
  const fallback = !challenged && lookup._tag === 'Aging' ? lookup.entity : undefined
  const why = challenged
    ? 'a claims challenge skips the cache'
    : lookup._tag === 'Aging'
      ? 'the cached token is past its refresh_on'
      : lookup._tag === 'Miss' && lookup.reason === 'expired'
        ? `the cached token expires within ${EXPIRY_MARGIN_SECONDS} s`
        : 'no cached token for this resource'
  yield* log('info', `managed identity: ${why}; asking the source for ${resource.right} (correlation id ${correlationId})`)
  const fromSource = yield* requestToken(ctx, resource.right, challenged ? usable(lookup) : undefined, correlationId, nowMs)
  if (E.isRight(fromSource)) return fromSource
  if (fallback === undefined) {
    yield* logError('info', `managed identity: acquireTokenForClient failed (correlation id ${correlationId})`, fromSource.left)
    return E.left(withCorrelationId(fromSource.left, correlationId))
  }
  yield* logError('warning', `managed identity: acquireTokenForClient (correlation id ${correlationId}) returns the cached token: refreshing it failed`, fromSource.left)
  return E.right(resultFromCache(fallback, nowSec, correlationId))
}

/** The network half: detect the source, ask it (Azure Arc: answer its challenge), file the token. */
function* requestToken(
  ctx: ManagedIdentityContext,
  resource: string,
  revoked: AccessTokenEntity | undefined,
  correlationId: string,
  nowMs: number,
): Program<E.Either<MsalError, TokenResult>> {
  const { identity } = ctx.config
  const detected = yield* detectSource(ctx.platform.os)
  const { source } = detected
  // Only Service Fabric is told which token a claims challenge revoked (MSAL Python's choice).
  const revokedTokenSha256 = revoked !== undefined && source === ManagedIdentitySource.SERVICE_FABRIC ? bytesToHex(yield* sha256(revoked.secret)) : undefined
  const built = buildManagedIdentityRequest({
    source,
    env: detected.env,
    arcByAgentFile: detected.arcByAgentFile,
    identity,
    resource,
    caller: { platform: ctx.platform, correlationId },
    revokedTokenSha256,
    clientCapabilities: ctx.config.clientCapabilities,
  })
  if (E.isLeft(built)) return built
  if (built.right.idIgnored) yield* log('warning', `managed identity: ${source} serves the identity its host assigned; the ${identity.idType} given is not sent`)
  yield* log('verbose', `managed identity: ${source}, ${built.right.request.method} ${originOf(built.right.request.url)}`)
  const policy = ctx.config.retries ? RETRY_POLICIES[source] : NO_RETRY_POLICY
  const first = built.right.request
  let outcome = yield* sendManagedIdentityRequest(ctx.httpCache, first, policy)
  let url = first.url
  if (source === ManagedIdentitySource.AZURE_ARC && outcome._tag === 'HttpResponse') {
    // Only a 401 is a challenge: no other answer makes this process read a file.
    const realm = outcome.status === 401 ? arcChallengePath(outcome) : undefined
    if (realm === undefined && outcome.status === 401) {
      return E.left(managedIdentityError('Azure Arc answered 401 without a WWW-Authenticate: Basic realm=<key file> challenge', source))
    }
    if (realm !== undefined) {
      // Decided before anything is read: only a .key file in the agent's folder, on Linux or Windows.
      const path = arcKeyFilePath(ctx.platform.os, detected.env, realm)
      if (E.isLeft(path)) return path
      const secret = arcSecretOf(path.right, yield* readFile(path.right, ARC_KEY_FILE_MAX_BYTES))
      if (E.isLeft(secret)) return secret
      const answered = Object.assign({}, first, { headers: Object.assign({}, first.headers, { Authorization: `Basic ${secret.right}` }) })
      url = answered.url
      outcome = yield* sendManagedIdentityRequest(ctx.httpCache, answered, policy)
    }
  }
  if (outcome._tag === 'HttpFailure') return E.left(transportError(url, outcome))
  const answer = processManagedIdentityResponse(source, outcome, { url, nowMs })
  if (E.isLeft(answer)) return answer
  if (source === ManagedIdentitySource.AZURE_ARC) {
    const confirmed = confirmArcIdentity(identity, answer.right.body)
    if (E.isLeft(confirmed)) return confirmed
  }
  const { token } = answer.right
  const nowSec = Math.floor(nowMs / 1000)
  const scopes = [resource]
  yield* commit(
    fileTokenResponse({ clientId: identity.cacheClientId, environment: MANAGED_IDENTITY_ENVIRONMENT, realm: MANAGED_IDENTITY_REALM, scopes, response: token, homeAccountId: null }, nowSec),
  )
  yield* log('verbose', `managed identity: token for ${resource} received from ${source} and cached (expires in ${token.expires_in ?? 0} s)`)
  return E.right(resultFromResponse(token, scopes, nowSec, correlationId))
}

/** MSAL Python's get_managed_identity_source(): the source the environment names now. */
export function* managedIdentitySource(ctx: Pick<ManagedIdentityContext, 'platform'>): Program<ManagedIdentitySource> {
  return (yield* detectSource(ctx.platform.os)).source
}
