import type { AuthorizationOutcome } from './authorizationResponses.js'

/** What the simulated browser did, for tests that look. */
export interface BrowserVisit {
  /** The authorization URL it was sent to. */
  readonly authorizeUrl: string
  /** How it brought the response back: GET (query or fragment) or POST (form_post). */
  readonly method: 'GET' | 'POST'
  /** The redirect URI the response was brought to. */
  readonly redirectUri: string
  /** The app's answer (its success or error page). */
  readonly status: number
  /** The app's answer's body, as text. */
  readonly body: string
}

/**
 * Carries an authorization response to the app's redirect URI as a browser would: follows the
 * 302 (GET) or submits the form_post page (POST). A fragment response is not sent (browsers keep
 * the fragment to themselves). An error page is thrown: a browser would stop there.
 */
export const deliverAuthorizationResponse = async (authorizeUrl: string, outcome: AuthorizationOutcome): Promise<BrowserVisit> => {
  if ('errorPage' in outcome) throw new Error(`the identity provider showed an error page instead of redirecting: ${outcome.errorPage.message}`)
  if ('formPost' in outcome) {
    const response = await fetch(outcome.formPost.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(outcome.formPost.fields as Record<string, string>).toString(),
      redirect: 'manual',
    })
    return { authorizeUrl, method: 'POST', redirectUri: outcome.formPost.action, status: response.status, body: await response.text() }
  }
  const target = new URL(outcome.redirect)
  target.hash = ''
  const response = await fetch(target, { redirect: 'manual' })
  return { authorizeUrl, method: 'GET', redirectUri: `${target.origin}${target.pathname}`, status: response.status, body: await response.text() }
}
