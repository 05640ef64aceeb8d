import type { AuthorizeRequest } from './authorizationRequest.js'
import { escapeHtml, renderAuthorization } from './authorizationResponses.js'
import type { AuthorizeStep } from './authorize.js'
import { NOT_FRAMEABLE } from './pageHeaders.js'
import type { IdpAnswer, IdpRequest } from './types.js'

/** The sign-in page's form posts here (Entra's is /common/login). */
export const signInPath = (tenant: string): string => `/${encodeURIComponent(tenant)}/login`

/** The form field that carries the authorization request (its query) through the sign-in page. */
export const SIGN_IN_REQUEST_FIELD = 'request'

/** What the sign-in page shows: the request it signs in for, the name to fill in, and why the last try failed. */
export interface SignInPrompt {
  readonly request: AuthorizeRequest
  /** The login_hint, the session's user or the interactiveUser option: filled in for the person. */
  readonly username: string | undefined
  /** The AADSTS message of a failed try (unknown user, wrong password). */
  readonly error?: string | undefined
}

/**
 * A page a person, or a browser test, fills in: labelled username and password fields (ids
 * `username`, `password`) and a "Sign in" button (id `sign-in`); a failed try shows its error
 * in `#error` (role alert). It posts to the sign-in path with the authorization request.
 */
export const signInPage = (prompt: SignInPrompt): IdpAnswer => {
  const { request } = prompt
  const html =
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign in to your account</title></head><body>' +
    '<h1>Sign in</h1>' +
    (prompt.error !== undefined ? `<p id="error" role="alert">${escapeHtml(prompt.error)}</p>` : '') +
    `<form method="post" action="${escapeHtml(signInPath(request.tenant))}">` +
    `<input type="hidden" name="${SIGN_IN_REQUEST_FIELD}" value="${escapeHtml(request.url.search.slice(1))}">` +
    `<p><label for="username">Username</label> <input id="username" name="username" type="email" autocomplete="username" value="${escapeHtml(prompt.username ?? '')}"></p>` +
    '<p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password"></p>' +
    '<p><button id="sign-in" type="submit">Sign in</button></p>' +
    '</form></body></html>'
  return {
    kind: 'response',
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store, no-cache', ...NOT_FRAMEABLE },
    body: html,
  }
}

/** The authorization request a sign-in form carries, as the URL it was first asked at. */
export const signedInRequestUrl = (request: IdpRequest, tenant: string): URL =>
  new URL(`/${encodeURIComponent(tenant)}/oauth2/v2.0/authorize?${request.form[SIGN_IN_REQUEST_FIELD] ?? ''}`, request.url.origin)

/** The HTTP response for an authorization step: the sign-in page, or the authorization outcome. */
export const renderAuthorizeStep = (step: AuthorizeStep): IdpAnswer => ('signInPage' in step ? signInPage(step.signInPage) : renderAuthorization(step))
