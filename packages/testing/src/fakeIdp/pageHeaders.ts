import type { IdpAnswer } from './types.js'

/**
 * Interactive pages refuse to be framed (clickjacking): Entra sends both headers on its sign-in
 * page. Pages that only carry a response back (redirects, form_post) stay frameable, so a hidden
 * iframe's `prompt=none` request gets its answer.
 */
export const NOT_FRAMEABLE: Readonly<Record<string, string>> = { 'x-frame-options': 'DENY', 'content-security-policy': "frame-ancestors 'none'" }

/** The values of Cross-Origin-Opener-Policy the provider's pages may send (the `crossOriginOpenerPolicy` option). */
export type OpenerPolicy = 'same-origin' | 'same-origin-allow-popups'

/**
 * A page's answer with `Cross-Origin-Opener-Policy`, when the provider sends one: a popup that
 * loads it loses its link to the app's window (`window.opener` is null, the app sees `closed`),
 * as with an identity provider that isolates its pages.
 */
export const withOpenerPolicy = (answer: IdpAnswer, policy: OpenerPolicy | undefined): IdpAnswer =>
  policy === undefined || answer.kind !== 'response' ? answer : { ...answer, headers: { ...answer.headers, 'cross-origin-opener-policy': policy } }
