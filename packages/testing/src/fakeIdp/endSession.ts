import { errorPage, renderAuthorization } from './authorizationResponses.js'
import type { BrowserSessions } from './browserSessions.js'
import type { ErrorContext } from './entraErrors.js'
import { isRegisteredRedirectUri } from './redirectUris.js'
import type { IdpAnswer, RegisteredApp } from './types.js'

/** One request to the end-session endpoint, as received, and what came of it: for tests that look. */
export interface EndSessionRequest {
  /** Epoch milliseconds on the provider's clock. */
  readonly at: number
  /** client_id (OpenID Connect RP-Initiated Logout 1.0 §2), when the request sent one. */
  readonly clientId: string | undefined
  /** post_logout_redirect_uri (OpenID Connect RP-Initiated Logout 1.0 §2), when the request sent one. */
  readonly postLogoutRedirectUri: string | undefined
  /** The user to sign out, by sign-in name (Entra's is the ID token's `login_hint` claim, which the fake's tokens do not carry). */
  readonly logoutHint: string | undefined
  /** An ID token the app was issued: names the user (and, without `client_id`, the app: its `aud`). */
  readonly idTokenHint: string | undefined
  /** state (OpenID Connect RP-Initiated Logout 1.0 §2), echoed to the post-logout redirect URI. */
  readonly state: string | undefined
  /** Who was signed out of the browser that asked: the hinted user, or everyone when none is hinted. */
  readonly signedOut: readonly string[]
  /** Where the browser was sent back to; undefined when it was shown the signed-out page or an error page. */
  readonly redirectedTo: string | undefined
}

export interface EndSessionContext extends ErrorContext {
  readonly apps: ReadonlyMap<string, RegisteredApp>
  /** The sessions of the browser that asked. */
  readonly sessions: BrowserSessions
  /** The claims of an ID token the provider signed (expired ones included), or undefined. */
  readonly idTokenClaims: (token: string) => Promise<Record<string, unknown> | undefined>
}

const HTML_HEADERS = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store, no-cache' }

const signedOutPage = (): IdpAnswer => ({
  kind: 'response',
  status: 200,
  headers: HTML_HEADERS,
  body: '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign out</title></head><body><h1 id="signed-out">You signed out of your account</h1><p>It\'s a good idea to close all browser windows.</p></body></html>',
})

/** Signs the user out of the browser, or everyone when nobody is named; answers who was signed in. */
const signOut = (sessions: BrowserSessions, username: string | undefined): string[] => {
  const leaving = sessions.live().filter((session) => username === undefined || session.username.toLowerCase() === username.toLowerCase())
  if (username === undefined) sessions.clear()
  else sessions.end(username)
  return leaving.map((session) => session.username)
}

const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

/**
 * The end-session endpoint (OpenID Connect RP-initiated logout, `/{tenant}/oauth2/v2.0/logout`):
 * signs the hinted user (`logout_hint`, or `id_token_hint`'s) out of the browser that asked, or
 * everyone in it when none is hinted, then sends the browser to `post_logout_redirect_uri` (with
 * `state`) when it is a redirect URI the app (`client_id`, or `id_token_hint`'s audience)
 * registered, and shows Entra's error page, signing nobody out, when it is not.
 */
export const endSession = async (url: URL, ctx: EndSessionContext): Promise<{ readonly answer: IdpAnswer; readonly record: EndSessionRequest }> => {
  const param = (name: string): string | undefined => url.searchParams.get(name) ?? undefined
  const idTokenHint = param('id_token_hint')
  const hinted = idTokenHint === undefined ? undefined : await ctx.idTokenClaims(idTokenHint)
  const clientId = param('client_id') ?? asString(hinted?.['aud'])
  const postLogoutRedirectUri = param('post_logout_redirect_uri')
  const logoutHint = param('logout_hint')
  const state = param('state')
  const received = { at: ctx.nowMs, clientId: param('client_id'), postLogoutRedirectUri, logoutHint, idTokenHint, state }
  const refused = (code: number, text: string) => ({
    answer: renderAuthorization(errorPage(400, code, text, ctx)),
    record: { ...received, signedOut: [], redirectedTo: undefined },
  })

  if (postLogoutRedirectUri !== undefined) {
    if (clientId === undefined) return refused(900144, "The request body must contain the following parameter: 'client_id'.")
    const app = ctx.apps.get(clientId.toLowerCase())
    if (app === undefined) return refused(700016, `Application with identifier '${clientId}' was not found in the directory.`)
    if (!isRegisteredRedirectUri(app, postLogoutRedirectUri) || !URL.canParse(postLogoutRedirectUri)) {
      return refused(50011, `The post_logout_redirect_uri '${postLogoutRedirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'.`)
    }
  }

  const signedOut = signOut(ctx.sessions, logoutHint ?? asString(hinted?.['preferred_username']))

  if (postLogoutRedirectUri === undefined) return { answer: signedOutPage(), record: { ...received, signedOut, redirectedTo: undefined } }
  const back = new URL(postLogoutRedirectUri)
  if (state !== undefined) back.searchParams.set('state', state)
  return {
    answer: { kind: 'response', status: 302, headers: { ...HTML_HEADERS, location: back.toString() }, body: '' },
    record: { ...received, signedOut, redirectedTo: back.toString() },
  }
}
