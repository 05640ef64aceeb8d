import type { AuthResponseOutcome, Effect } from '@msal-ts/core/spa'
export { corsSafeRequest } from './corsSafe.js'
import type { PageState } from './pageState.js'

// The browser effects only sign-ins and refreshes ask for (waiting for a response, the hidden
// iframe, the refresh lock, CORS-safe requests): browserPlatform (platform.ts) loads this file
// when one first does, so a page that answers from its cache never loads it.

/** The parameters of a raw response (a URL's fragment or query) if they carry `state`. */
const paramsFor = (raw: string, state: string): Record<string, string> | undefined => {
  const params = Object.fromEntries(new URLSearchParams(raw.replace(/^[#?]/, '')))
  return params['state'] === state ? params : undefined
}

/** The response a bridge page (or a page acting as one) sent for `state`. */
const responseOf = (data: unknown, state: string): Record<string, string> | undefined => {
  const message = data as { msalTs?: unknown; response?: unknown } | null
  return typeof message === 'object' && message !== null && message.msalTs === state && typeof message.response === 'string' ? paramsFor(message.response, state) : undefined
}

/** How long a response may still arrive after the popup reads closed: the bridge page posts it, then closes itself. */
const CLOSE_GRACE_MS = 300

/**
 * Waits for the response for `state`: over BroadcastChannel `msal-ts.<state>` (which survives a
 * Cross-Origin-Opener-Policy) or a postMessage from the popup or iframe (same origin only), or
 * read off the popup's address once it is back on this origin (any page: a post-logout page need
 * not run anything); or until the user closed the popup; or until `timeoutMs`.
 *
 * A popup that reads closed was closed by the user only if its handle was seen intact on the
 * identity provider's page (cross-origin: its location unreadable). A Cross-Origin-Opener-Policy
 * there cuts the handle off as that page arrives, so it reads closed without ever showing it:
 * then only a response (over the channel) or the timeout ends the wait, however long that page
 * took to load.
 */
const awaitResponse = (state: string, timeoutMs: number, popup?: Window): Promise<AuthResponseOutcome> =>
  new Promise((resolve) => {
    const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`msal-ts.${state}`) : undefined
    const finish = (outcome: AuthResponseOutcome): void => {
      channel?.close()
      window.removeEventListener('message', onMessage)
      clearTimeout(timer)
      clearInterval(poll)
      resolve(outcome)
    }
    const found = (params: Record<string, string> | undefined): void => {
      if (params !== undefined) finish({ _tag: 'AuthResponse', params })
    }
    const onMessage = (event: MessageEvent): void => {
      if (event.origin === window.location.origin) found(responseOf(event.data, state))
    }
    if (channel !== undefined) channel.onmessage = (event) => found(responseOf(event.data, state))
    window.addEventListener('message', onMessage)
    const timer = setTimeout(() => finish({ _tag: 'NoResponse' }), timeoutMs)
    // Seen intact on the provider's page by two polls in a row, so that the moment while a COOP
    // cut-off is still reaching this page is not taken for that page.
    let inARow = 0
    let seenAtProvider = false
    const poll =
      popup === undefined
        ? undefined
        : setInterval(() => {
            if (popup.closed) {
              if (!seenAtProvider) return
              clearInterval(poll)
              setTimeout(() => finish({ _tag: 'WindowClosed' }), CLOSE_GRACE_MS)
              return
            }
            try {
              const at = popup.location
              // Reading a cross-origin window's address throws: the identity provider's page.
              found(paramsFor(at.hash.length > 1 ? at.hash : at.search, state))
              inARow = 0
            } catch {
              seenAtProvider ||= ++inARow >= 2
            }
          }, 250)
  })

/** How long another tab's first write may take to reach this page after its lock came free, in milliseconds; then how long without another write means it wrote everything. */
const FIRST_WRITE_MS = 500
const QUIET_MS = 25

/**
 * Waits until another tab's writes to keys starting with `prefix` have reached this page.
 * Chromium hands a lock to a waiting tab and that tab's localStorage changes over separate
 * channels, so a tab granted the lock can still read what was there before the holder wrote:
 * it would refresh a second time. `sawWrites`: some already arrived while this tab waited.
 */
const othersWrites = (prefix: string, sawWrites: boolean): Promise<void> =>
  new Promise((done) => {
    const finish = (): void => {
      window.removeEventListener('storage', onStorage)
      done()
    }
    let timer = setTimeout(finish, sawWrites ? QUIET_MS : FIRST_WRITE_MS)
    const onStorage = (event: StorageEvent): void => {
      if (event.key?.startsWith(prefix) !== true) return
      clearTimeout(timer)
      timer = setTimeout(finish, QUIET_MS)
    }
    window.addEventListener('storage', onStorage)
  })

/** Performs AwaitAuthResponse, LoadIframe and AcquireLock for browserPlatform, with its popups and locks. */
export const performPageEffect = (effect: Effect, state: PageState): unknown => {
  const { popups, locks } = state
  switch (effect._tag) {
      case 'AwaitAuthResponse':
        return awaitResponse(effect.state, effect.timeoutMs, effect.popup === undefined ? undefined : popups.get(effect.popup))
      case 'LoadIframe': {
        const frame = document.createElement('iframe')
        frame.setAttribute('aria-hidden', 'true')
        frame.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden'
        frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-forms')
        frame.src = effect.url
        const answer = awaitResponse(effect.state, effect.timeoutMs)
        document.body.appendChild(frame)
        return answer.finally(() => frame.remove())
      }
      case 'AcquireLock': {
        const id = String(++state.next)
        const lockManager = (navigator as Navigator & { locks?: LockManager }).locks
        if (lockManager === undefined) return id
        const hold = (granted: (id: string) => void) => () =>
          new Promise<void>((release) => {
            locks.set(id, release)
            granted(id)
          })
        const prefix = state.sharedKeys
        if (prefix === undefined) return new Promise<string>((granted) => void lockManager.request(effect.name, hold(granted)))
        return new Promise<string>((granted) => {
          void lockManager.request(effect.name, { ifAvailable: true }, (free) => {
            if (free !== null) return hold(granted)()
            // Another tab holds it (refreshing): wait for the lock, then for its writes.
            let sawWrites = false
            const onStorage = (event: StorageEvent): void => void (sawWrites ||= event.key?.startsWith(prefix) === true)
            window.addEventListener('storage', onStorage)
            void lockManager.request(effect.name, () => {
              window.removeEventListener('storage', onStorage)
              return othersWrites(prefix, sawWrites).then(hold(granted))
            })
            return undefined
          })
        })
      }
    default:
      return Promise.reject(new TypeError(`not a page effect: ${effect._tag}`))
  }
}
