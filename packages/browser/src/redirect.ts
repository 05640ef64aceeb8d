/**
 * @msal-ts/browser/redirect: the bridge page for the redirect URI. It hands the raw
 * authorization response back and does nothing else (no parsing, no redemption), so it is tiny
 * and can be served without a Cross-Origin-Opener-Policy:
 * - in a popup: posts the response on BroadcastChannel `msal-ts.<state>` (which survives COOP)
 *   and to its opener where that link survives, then closes;
 * - in a hidden iframe: posts it to its parent (and the channel);
 * - after a full-page redirect: stashes it in sessionStorage and returns to the page the user
 *   was on (`location.replace`), whose handleRedirectPromise() redeems it.
 *
 * Returns false when the page holds no response (then it is an ordinary page).
 */
export const handleRedirectBridge = (): boolean => {
  const raw = location.hash.length > 1 ? location.hash : location.search
  const state = new URLSearchParams(raw.slice(1)).get('state')
  if (state === null) return false
  const message = { msalTs: state, response: raw }
  const storedFlow = sessionStorage.getItem(`msal-ts.flow.${state}`)
  if (parent !== window) {
    parent.postMessage(message, location.origin)
  } else if (storedFlow !== null) {
    // This tab started the sign-in (its flow is here): a full-page redirect, even in a tab that
    // has an opener. (A popup's flow is never here: the popup's sessionStorage is a copy made
    // when it opened, before its flow began.)
    sessionStorage.setItem('msal-ts.response', raw)
    location.replace((JSON.parse(storedFlow) as { returnTo?: string }).returnTo ?? '/')
    return true
  }
  try {
    opener?.postMessage(message, location.origin)
  } catch {
    // The opener link may be cut off; the channel still reaches it.
  }
  const channel = new BroadcastChannel(`msal-ts.${state}`)
  channel.postMessage(message)
  channel.close()
  if (parent === window) close()
  return true
}
