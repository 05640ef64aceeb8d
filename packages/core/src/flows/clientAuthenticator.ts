import * as E from '../util/either.js'
import type { ClientContext } from '../app/context.js'
import type { HttpOutcome, HttpRequest } from '../effects/effect.js'
import type { Program } from '../effects/program.js'
import type { MsalError } from '../errors.js'
import { sendThrottled } from '../http/throttling.js'
import { NO_CLIENT_AUTH, type ClientAuth } from '../protocol/clientAuth.js'

/** A request's client authentication, and whether it repeats an assertion already sent (which a provider may refuse). */
export interface ClientAuthentication {
  /** The form fields and headers that authenticate the request (RFC 6749 §2.3; RFC 7523 §2.2). */
  readonly auth: ClientAuth
  /** true: the assertion was signed for an earlier request (reused for up to 540 s); a refusal gets a fresh one. */
  readonly reused: boolean
}

/** A token request as sent (authentication included), and its answer. */
export interface AuthenticatedExchange {
  /** The request as sent, the client's authentication included (redact it before logging). */
  readonly request: HttpRequest
  /** The token endpoint's response, or why there is none. */
  readonly outcome: HttpOutcome
}

/**
 * How an application authenticates itself at the token endpoint. Injected into the context by the
 * application class, so a public client (a browser SPA) never carries the code that signs
 * assertions or sends secrets.
 */
export interface ClientAuthenticator {
  /** Sends a token request with the client's authentication added, throttled as MSAL throttles. */
  readonly send: (ctx: ClientContext, request: HttpRequest, nowMs: number, defaultRetryAfterMs: number) => Program<E.Either<MsalError, AuthenticatedExchange>>
  /** The client's authentication for one request whose assertion audience is `tokenEndpoint`. */
  readonly authFor: (ctx: ClientContext, tokenEndpoint: string, nowMs: number) => Program<E.Either<MsalError, ClientAuthentication>>
}

const NONE: ClientAuthentication = { auth: NO_CLIENT_AUTH, reused: false }

/** A public client proves nothing: its requests go as they are. */
export const PUBLIC_CLIENT: ClientAuthenticator = {
  *send(ctx, request, nowMs, defaultRetryAfterMs) {
    return E.right({ request, outcome: yield* sendThrottled(ctx.httpCache, request, nowMs, defaultRetryAfterMs) })
  },
  // eslint-disable-next-line require-yield
  *authFor() {
    return E.right(NONE)
  },
}

/**
 * The context's authenticator: a public client's when none was injected (the context leaves the
 * default out, so a browser page that never sends a request loads no sending code).
 */
export const authenticatorOf = (ctx: ClientContext): ClientAuthenticator => ctx.clientAuthentication ?? PUBLIC_CLIENT
