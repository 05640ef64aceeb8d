import * as E from '../util/either.js'
import type { ClientContext } from '../app/context.js'
import type { HttpOutcome, HttpRequest } from '../effects/effect.js'
import type { Program } from '../effects/program.js'
import type { MsalError } from '../errors.js'
import { sendThrottled } from '../http/throttling.js'
import { NO_CLIENT_AUTH, type ClientAuth } from '../protocol/clientAuth.js'

/** A request's client authentication, and whether it repeats an assertion already sent (which a provider may refuse). */
export interface ClientAuthentication {
  readonly auth: ClientAuth
  readonly reused: boolean
}

/** A token request as sent (authentication included), and its answer. */
export interface AuthenticatedExchange {
  readonly request: HttpRequest
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
