import { entraDescription, entraErrorUri, entraTimestamp, type ErrorContext } from './entraErrors.js'
import type { IdpAnswer } from './types.js'

/** How the authorization response travels back to the app (OpenID Connect's response_mode). */
export type ResponseMode = 'query' | 'fragment' | 'form_post'

/**
 * What the authorization endpoint decided, as a browser would see it:
 * - `redirect`: a 302 to the redirect URI, the response in its query or fragment;
 * - `formPost`: a page that posts the response to the redirect URI (response_mode=form_post);
 * - `errorPage`: Entra's own error page, for requests it cannot safely send back (an unknown
 *   app, a redirect URI the app did not register: redirecting there would be an open redirect).
 * `params` is the authorization response itself, however it travels.
 */
export type AuthorizationOutcome =
  | { readonly redirect: URL; readonly params: Readonly<Record<string, string>> }
  | { readonly formPost: { readonly action: string; readonly fields: Readonly<Record<string, string>> }; readonly params: Readonly<Record<string, string>> }
  | { readonly errorPage: ErrorPage }

export interface ErrorPage {
  /** The HTTP status of the error page (RFC 9110 §15), e.g. 400. */
  readonly status: number
  /** The AADSTS code the page shows (undefined for pages that are not Entra's, such as a 404). */
  readonly errorCode: number | undefined
  /** The text the page shows, beginning with the AADSTS code. */
  readonly message: string
  /** The page as HTML, the message escaped. */
  readonly html: string
}

/** Where and how to send an authorization response: known once the redirect URI is trusted. */
export interface ReplyTo {
  readonly redirectUri: string
  readonly responseMode: ResponseMode
  readonly state: string | undefined
}

/** Sends `params`, then `state`, then `after` (Entra's order: code, state, session_state) back to the app the way it asked. */
export const reply = (to: ReplyTo, params: Readonly<Record<string, string>>, after: Readonly<Record<string, string>> = {}): AuthorizationOutcome => {
  const all = { ...params, ...(to.state !== undefined ? { state: to.state } : {}), ...after }
  if (to.responseMode === 'form_post') return { formPost: { action: to.redirectUri, fields: all }, params: all }
  const redirect = new URL(to.redirectUri)
  if (to.responseMode === 'fragment') {
    redirect.hash = new URLSearchParams(all).toString()
  } else {
    for (const [name, value] of Object.entries(all)) redirect.searchParams.append(name, value)
  }
  return { redirect, params: all }
}

/** An OAuth2 error sent back to the app, in Entra's words (`error_description` with the AADSTS code, `error_uri`). */
export const replyError = (to: ReplyTo, error: string, code: number, text: string, ctx: ErrorContext): AuthorizationOutcome =>
  reply(to, { error, error_description: entraDescription(code, text, ctx), error_uri: entraErrorUri(code, ctx) })

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** Entra's sign-in error page: the AADSTS message, then the request's ids and time, and no way back to the app. */
export const errorPage = (status: number, code: number | undefined, text: string, ctx: ErrorContext): AuthorizationOutcome => {
  const message = code === undefined ? text : `AADSTS${code}: ${text}`
  const html =
    '<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body>' +
    "<h1>Sign in</h1><p>Sorry, but we're having trouble signing you in.</p>" +
    `<p id="error-message">${escapeHtml(message)}</p>` +
    `<p>Request Id: ${ctx.traceId}</p><p>Correlation Id: ${ctx.correlationId}</p><p>Timestamp: ${entraTimestamp(ctx.nowMs)}</p>` +
    '</body></html>'
  return { errorPage: { status, errorCode: code, message, html } }
}

const HTML_HEADERS = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store, no-cache' }

/** The page Entra answers response_mode=form_post with: a hidden form the browser submits at once. */
const formPostHtml = (action: string, fields: Readonly<Record<string, string>>): string =>
  '<html><head><title>Working...</title></head><body>' +
  `<form method="POST" name="hiddenform" action="${escapeHtml(action)}">` +
  Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}" />`)
    .join('') +
  '<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form>' +
  '<script language="javascript">document.forms[0].submit();</script></body></html>'

/** The HTTP response for an outcome: a 302 with a Location, a 200 auto-submitting form, or an error page. */
export const renderAuthorization = (outcome: AuthorizationOutcome): IdpAnswer => {
  if ('redirect' in outcome) {
    return { kind: 'response', status: 302, headers: { ...HTML_HEADERS, location: outcome.redirect.toString() }, body: '', authorization: outcome }
  }
  if ('formPost' in outcome) {
    return { kind: 'response', status: 200, headers: HTML_HEADERS, body: formPostHtml(outcome.formPost.action, outcome.formPost.fields), authorization: outcome }
  }
  return { kind: 'response', status: outcome.errorPage.status, headers: HTML_HEADERS, body: outcome.errorPage.html, authorization: outcome }
}
