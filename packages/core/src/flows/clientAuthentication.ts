import * as E from '../util/either.js'
import type { ClientContext } from '../app/context.js'
import type { HttpOutcome, HttpRequest } from '../effects/effect.js'
import { clientAssertion, commit, log, randomBytes, signJwt, type Program } from '../effects/program.js'
import { configurationError, type MsalError } from '../errors.js'
import { sendThrottled } from '../http/throttling.js'
import { ASSERTION_REUSE_SECONDS, buildAssertionClaims, buildAssertionHeader } from '../protocol/clientAssertion.js'
import { assertionAuth, NO_CLIENT_AUTH, secretAuth, withClientAuth } from '../protocol/clientAuth.js'
import { uuidFromBytes } from '../util/uuid.js'
import type { AuthenticatedExchange, ClientAuthentication, ClientAuthenticator } from './clientAuthenticator.js'

export type { ClientAuthentication, AuthenticatedExchange } from './clientAuthenticator.js'

const problem = (message: string): E.Either<MsalError, never> => E.left(configurationError('clientCredential', message))

/**
 * How the client authenticates a request to `tokenEndpoint` (the assertion's audience): its
 * secret, its pre-signed assertion, its callback's assertion (asked every time, as MSAL Python
 * does), or an assertion its certificate signs, reused for up to 540 s per endpoint unless
 * `fresh`, reuse is off (a generic OpenID provider's default: see reuseClientAssertion), or the
 * endpoint has refused a reused one. Public clients send nothing.
 */
export function* clientAuthFor(ctx: ClientContext, tokenEndpoint: string, nowMs: number, fresh = false): Program<E.Either<MsalError, ClientAuthentication>> {
  const { credential, clientId } = ctx.config
  if (credential === undefined) return E.right({ auth: NO_CLIENT_AUTH, reused: false })
  switch (credential._tag) {
    case 'ClientSecret':
      return E.right({ auth: secretAuth(clientId, credential.secret, credential.method), reused: false })
    case 'ClientAssertion':
      return E.right({ auth: assertionAuth(credential.assertion), reused: false })
    case 'ClientAssertionCallback': {
      const outcome = yield* clientAssertion(clientId, tokenEndpoint)
      if (outcome._tag === 'CredentialFailure') return problem(`the clientAssertion callback failed: ${outcome.message}`)
      if (typeof outcome.assertion !== 'string' || outcome.assertion === '') return problem('the clientAssertion callback must return a non-empty string')
      return E.right({ auth: assertionAuth(outcome.assertion), reused: false })
    }
    case 'Certificate': {
      const nowSec = Math.floor(nowMs / 1000)
      const kept = ctx.state.assertions.get(tokenEndpoint)
      const reuse = !fresh && ctx.config.reuseClientAssertion !== false && !ctx.state.assertionReuseRefused.has(tokenEndpoint)
      if (reuse && kept !== undefined && nowSec - kept.mintedAtSec < ASSERTION_REUSE_SECONDS) {
        return E.right({ auth: assertionAuth(kept.assertion), reused: true })
      }
      const header = buildAssertionHeader({ ...credential, isAdfs: ctx.config.authority.kind === 'ADFS' })
      if (header === undefined) return problem('AD FS takes only RS256 assertions: give the certificate\'s SHA-1 thumbprint (thumbprint)')
      const jti = uuidFromBytes(yield* randomBytes(16))
      const claims = buildAssertionClaims({ clientId, tokenEndpoint, nowSec, jti, clientClaims: ctx.config.clientClaims })
      const signed = yield* signJwt(header, claims)
      if (signed._tag === 'CredentialFailure') return problem(`signing the client assertion failed: ${signed.message}`)
      // Kept only where it may be sent again.
      if (ctx.config.reuseClientAssertion !== false) yield* commit({ _tag: 'AssertionSigned', tokenEndpoint, assertion: signed.assertion, mintedAtSec: nowSec })
      return E.right({ auth: assertionAuth(signed.assertion), reused: false })
    }
  }
}

/** Statuses a token endpoint refuses a client's authentication with (RFC 6749 §5.2 uses 400 and 401; providers also answer 403). */
const REFUSAL_STATUSES = new Set([400, 401, 403])

/**
 * Whether the token endpoint may have refused the assertion itself: a 400, 401 or 403 that is
 * RFC 6749 §5.2's invalid_client, or carries no OAuth2 error at all (a bare 403 with an empty body,
 * an HTML page). Another OAuth2 error (invalid_grant, invalid_scope...) is about the request.
 */
const isClientRefusal = (outcome: HttpOutcome): boolean => {
  if (outcome._tag !== 'HttpResponse' || !REFUSAL_STATUSES.has(outcome.status)) return false
  let error: unknown
  try {
    const body = JSON.parse(outcome.body) as unknown
    error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined
  } catch {
    return true
  }
  return error === undefined || error === 'invalid_client'
}


/**
 * Sends a token request with the client's authentication added, throttled as MSAL throttles. A
 * provider that refuses a reused assertion (some refuse any `jti` seen before, with invalid_client
 * or with a bare 400, 401 or 403) gets one retry with a freshly signed one, and no reused
 * assertion again.
 */
export function* sendAuthenticated(ctx: ClientContext, request: HttpRequest, nowMs: number, defaultRetryAfterMs: number): Program<E.Either<MsalError, AuthenticatedExchange>> {
  const first = yield* clientAuthFor(ctx, request.url, nowMs)
  if (E.isLeft(first)) return first
  const sent = withClientAuth(request, first.right.auth)
  const outcome = yield* sendThrottled(ctx.httpCache, sent, nowMs, defaultRetryAfterMs)
  if (!first.right.reused || !isClientRefusal(outcome)) return E.right({ request: sent, outcome })

  yield* log(
    'warning',
    `the token endpoint refused a client assertion sent before (HTTP ${outcome._tag === 'HttpResponse' ? outcome.status : '?'}; replay detection?); signing a new one, and a new one for every request from now on`,
  )
  yield* commit({ _tag: 'AssertionReuseRefused', tokenEndpoint: request.url })
  const second = yield* clientAuthFor(ctx, request.url, nowMs, true)
  if (E.isLeft(second)) return second
  const resent = withClientAuth(request, second.right.auth)
  return E.right({ request: resent, outcome: yield* sendThrottled(ctx.httpCache, resent, nowMs, defaultRetryAfterMs) })
}

/** A confidential client: its secret, assertion or certificate on every token request. */
export const CONFIDENTIAL_CLIENT: ClientAuthenticator = { send: sendAuthenticated, authFor: (ctx, tokenEndpoint, nowMs) => clientAuthFor(ctx, tokenEndpoint, nowMs) }
