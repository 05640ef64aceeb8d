import type { AuthorizationCodeStore } from './authorizationCodes.js'
import { parseAuthorizeRequest, type AuthorizeRequest } from './authorizationRequest.js'
import { errorPage, reply, replyError, type AuthorizationOutcome, type ReplyTo } from './authorizationResponses.js'
import type { BrowserSession, BrowserSessions } from './browserSessions.js'
import type { ErrorContext } from './entraErrors.js'
import { clientInfoOf } from './idTokens.js'
import type { SignInPrompt } from './signInPage.js'
import type { RegisteredApp } from './types.js'
import type { RegisteredUser, UserDirectory } from './users.js'

/** What an `onAuthorize` rule decides: who signs in, or the error the user ends up with. */
export type AuthorizeDecision =
  | { readonly user: string }
  | {
      /** An OAuth2 error code: access_denied, login_required, interaction_required, consent_required… */
      readonly error: string
      /** Default: Entra's text for the error. */
      readonly errorDescription?: string
      /** The AADSTS number. Default: Entra's for the error (access_denied: 65004, login_required: 50058…). */
      readonly errorCode?: number
    }

/** Decides one authorization request; `undefined` leaves it to the provider's defaults. */
export type AuthorizeRule = (request: AuthorizeRequest) => AuthorizeDecision | undefined

export interface AuthorizeContext extends ErrorContext {
  readonly tenant: string
  readonly apps: ReadonlyMap<string, RegisteredApp>
  readonly users: UserDirectory
  /** The sessions of the browser that asked. */
  readonly sessions: BrowserSessions
  /** A person signs in on the sign-in page (the `signInPage` option), instead of the fake choosing who. */
  readonly signInPage: boolean
  readonly authorizationCodes: AuthorizationCodeStore
  /** The provider's `interactiveUser` option. */
  readonly interactiveUser: string | undefined
  readonly rule: AuthorizeRule | undefined
}

interface Refusal {
  readonly error: string
  readonly code: number
  readonly text: string
}

/** Entra's code and text for the errors a sign-in ends with. */
const KNOWN_REFUSALS: Readonly<Record<string, (clientId: string) => Omit<Refusal, 'error'>>> = {
  access_denied: () => ({ code: 65004, text: 'User declined to consent to access the app.' }),
  login_required: () => ({ code: 50058, text: 'A silent sign-in request was sent but no user is signed in.' }),
  interaction_required: () => ({ code: 50076, text: 'Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.' }),
  consent_required: (clientId) => ({ code: 65001, text: `The user or administrator has not consented to use the application with ID '${clientId}'. Send an interactive authorization request for this user and resource.` }),
}

type SignIn =
  | { readonly session: BrowserSession }
  | { readonly refusal: Refusal }
  | { readonly problem: string }
  | { readonly signInPage: SignInPrompt }

/** What the authorization endpoint answers: the response to the app (or an error page), or the sign-in page. */
export type AuthorizeStep = AuthorizationOutcome | { readonly signInPage: SignInPrompt }

const replyTo = (request: AuthorizeRequest): ReplyTo => ({ redirectUri: request.redirectUri, responseMode: request.responseMode, state: request.state })

/**
 * The authorization endpoint: checks the request, decides who signs in (a rule, the browser's
 * session, the sign-in page; or with no page: the provider's options or the request's hints) and
 * answers with a code, as Entra would after the user signed in, or with an error.
 */
export const authorize = (url: URL, ctx: AuthorizeContext): AuthorizeStep => {
  const parsed = parseAuthorizeRequest(url, ctx.tenant, ctx.apps, ctx)
  if ('outcome' in parsed) return parsed.outcome
  const { request } = parsed
  const signIn = signInFor(request, ctx)
  if ('problem' in signIn) return errorPage(400, undefined, signIn.problem, ctx)
  if ('refusal' in signIn) return replyError(replyTo(request), signIn.refusal.error, signIn.refusal.code, signIn.refusal.text, ctx)
  if ('signInPage' in signIn) return signIn
  return respondWithCode(request, signIn.session, ctx)
}

/**
 * The sign-in page was submitted: the user signs in to the browser (a new session, and
 * `auth_time`) with a registered name and, when the user has one, the right password, and the
 * app gets its code. A failed try shows the page again with Entra's error.
 */
export const signInOnPage = (url: URL, credentials: { readonly username: string; readonly password: string }, ctx: AuthorizeContext): AuthorizeStep => {
  const parsed = parseAuthorizeRequest(url, ctx.tenant, ctx.apps, ctx)
  if ('outcome' in parsed) return parsed.outcome
  const { request } = parsed
  const user = ctx.users.find(credentials.username)
  const again = (error: string): AuthorizeStep => ({ signInPage: { request, username: credentials.username, error } })
  if (user === undefined) {
    return again(`AADSTS50034: The user account ${credentials.username} does not exist in the '${ctx.tenant}' directory. To sign into this application, the account must be added to the directory.`)
  }
  if (user.password !== undefined && user.password !== credentials.password) return again('AADSTS50126: Error validating credentials due to invalid username or password.')
  return respondWithCode(request, ctx.sessions.start(user, ctx.nowMs), ctx)
}

/** The authorization response for a signed-in user: a code (with client_info when asked) and the session's state. */
const respondWithCode = (request: AuthorizeRequest, session: BrowserSession, ctx: AuthorizeContext): AuthorizationOutcome => {
  const code = ctx.authorizationCodes.issue({
    clientId: request.clientId,
    redirectUri: request.redirectUriAsked ? request.redirectUri : undefined,
    platform: request.redirectPlatform,
    scopes: request.scopes,
    username: session.username,
    nonce: request.nonce,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    authTimeMs: session.authTimeMs,
    maxAgeAsked: request.maxAge !== undefined,
    issuedAtMs: ctx.nowMs,
  })
  // Entra sends client_info with the code when asked, so an app knows the account before redeeming it.
  const clientInfo: Record<string, string> = request.clientInfo ? { client_info: clientInfoOf(ctx.users.find(session.username)!) } : {}
  return reply(replyTo(request), { code, ...clientInfo }, { session_state: session.sessionState })
}

/** Who signs in: the rule's choice, else a silent sign-in for prompt=none, else an interactive one. */
const signInFor = (request: AuthorizeRequest, ctx: AuthorizeContext): SignIn => {
  const ruled = ctx.rule?.(request)
  if (ruled !== undefined && 'error' in ruled) {
    const known = KNOWN_REFUSALS[ruled.error]?.(request.clientId)
    return {
      refusal: {
        error: ruled.error,
        code: ruled.errorCode ?? known?.code ?? 90023,
        text: ruled.errorDescription ?? known?.text ?? 'The authentication service request is not valid.',
      },
    }
  }
  if (ruled !== undefined) {
    const user = ctx.users.find(ruled.user)
    if (user === undefined) throw new Error(`FakeIdentityProvider: onAuthorize chose '${ruled.user}', who is not registered; registerUser first`)
    return { session: sessionFor(user, request, ctx) }
  }
  if (request.prompt === 'none') return silentSignIn(request, ctx)
  if (ctx.signInPage) return singleSignOnOrPage(request, ctx)
  const user = interactiveUserFor(request, ctx)
  if (user === undefined) {
    const count = ctx.users.all().length
    return {
      problem: `FakeIdentityProvider cannot tell who signs in: ${count} users are registered and the request names none of them in login_hint. Set the interactiveUser option or an onAuthorize rule.`,
    }
  }
  return { session: sessionFor(user, request, ctx) }
}

/**
 * Who signs in when a person would: the provider's `interactiveUser`, else the login_hint's user,
 * else the one user already signed in to the browser (single sign-on), else the only user.
 */
const interactiveUserFor = (request: AuthorizeRequest, ctx: AuthorizeContext): RegisteredUser | undefined => {
  if (ctx.interactiveUser !== undefined) {
    const user = ctx.users.find(ctx.interactiveUser)
    if (user === undefined) throw new Error(`FakeIdentityProvider: interactiveUser '${ctx.interactiveUser}' is not registered; registerUser first`)
    return user
  }
  const hinted = request.loginHint !== undefined ? ctx.users.find(request.loginHint) : undefined
  if (hinted !== undefined) return hinted
  const sessions = ctx.sessions.live()
  const picksAgain = request.prompt === 'login' || request.prompt === 'select_account' || request.prompt === 'create'
  if (sessions.length === 1 && !picksAgain) return ctx.users.find(sessions[0]!.username)
  const users = ctx.users.all()
  return users.length === 1 ? users[0] : undefined
}

const withinMaxAge = (session: BrowserSession, request: AuthorizeRequest, nowMs: number): boolean =>
  request.maxAge === undefined || nowMs - session.authTimeMs <= request.maxAge * 1000

/** The user's browser session: reused (single sign-on) unless prompt=login or max_age asks for fresh credentials. */
const sessionFor = (user: RegisteredUser, request: AuthorizeRequest, ctx: AuthorizeContext): BrowserSession => {
  const session = ctx.sessions.find(user.username)
  const reuse = session !== undefined && request.prompt !== 'login' && request.prompt !== 'create' && withinMaxAge(session, request, ctx.nowMs)
  return reuse ? session : ctx.sessions.start(user, ctx.nowMs)
}

/** The browser's sessions that may answer the request: live, the login_hint's user's if one is named, within max_age. */
const usableSessions = (request: AuthorizeRequest, ctx: AuthorizeContext): BrowserSession[] => {
  const hint = request.loginHint?.toLowerCase()
  return ctx.sessions
    .live()
    .filter((session) => hint === undefined || session.username.toLowerCase() === hint)
    .filter((session) => withinMaxAge(session, request, ctx.nowMs))
}

/**
 * With the sign-in page: the browser's one usable session signs in (single sign-on), unless the
 * request asks to pick or authenticate again (prompt=login, select_account, create); otherwise
 * the page, with the hinted, signed-in or `interactiveUser` name filled in.
 */
const singleSignOnOrPage = (request: AuthorizeRequest, ctx: AuthorizeContext): SignIn => {
  const picksAgain = request.prompt === 'login' || request.prompt === 'select_account' || request.prompt === 'create'
  const sessions = usableSessions(request, ctx)
  if (sessions.length === 1 && !picksAgain) return { session: sessions[0]! }
  const username = request.loginHint ?? ctx.sessions.live()[0]?.username ?? ctx.interactiveUser
  return { signInPage: { request, username } }
}

/** prompt=none: only a live browser session (the login_hint's, if one is named) signs in; nobody is asked anything. */
const silentSignIn = (request: AuthorizeRequest, ctx: AuthorizeContext): SignIn => {
  const candidates = usableSessions(request, ctx)
  if (candidates.length === 0) return { refusal: { error: 'login_required', ...KNOWN_REFUSALS['login_required']!(request.clientId) } }
  if (candidates.length > 1) {
    return { refusal: { error: 'interaction_required', code: 16000, text: 'Either multiple user identities are available for the current request or selected account is not supported for the scenario.' } }
  }
  return { session: candidates[0]! }
}
