import type { AuthResponseOutcome, Effect, Interpret } from '@msal-ts/core'
import type { AuthorizationOutcome } from './fakeIdp/authorizationResponses.js'

/** Where the identity provider's page was shown: a popup, or a hidden iframe (prompt=none). */
export type ShownIn = 'popup' | 'iframe'

export interface ScriptedBrowserOptions {
  /** Every effect that is not a page's own (Http, Now, RandomBytes, Sleep…): createTestInterpreter's `interpret`, say. */
  readonly inner: Interpret
  /** The page's address when the first program runs (CurrentUrl). */
  readonly url: string
  /**
   * What comes back from a popup or hidden iframe sent to `url` (AwaitAuthResponse, LoadIframe):
   * the authorization response (`authResponseFrom(await idp.authorize(url))`), the user closing the
   * popup (`{ _tag: 'WindowClosed' }`), or nothing in time (`{ _tag: 'NoResponse' }`). Default: nothing.
   */
  readonly respond?: ((url: string, shownIn: ShownIn) => AuthResponseOutcome | Promise<AuthResponseOutcome>) | undefined
  /** The browser refuses popups (OpenPopup answers undefined), as without a user gesture. */
  readonly popupsBlocked?: boolean | undefined
  /** What SyncCache does (re-read a token cache another tab wrote). Default: nothing. */
  readonly syncCache?: (() => void) | undefined
}

/** A popup the program opened: where it was sent, and whether it was closed. */
export interface ScriptedPopup {
  /** Where the popup was last sent (NavigatePopup); undefined while it is blank. */
  url: string | undefined
  /** Whether the program closed it (ClosePopup). */
  closed: boolean
}

export interface ScriptedBrowser {
  /** Hand this to runFlow (or record() it): it performs a page's effects, and gives the rest to `inner`. */
  readonly interpret: Interpret
  /** The page's address now (ReplaceUrl and load change it). */
  readonly url: string
  /** The tab's sessionStorage (kept across load, as a tab keeps it). */
  readonly sessionStorage: Map<string, string>
  /** The origin's localStorage. */
  readonly localStorage: Map<string, string>
  /** Every full-page navigation the page asked for (Navigate), in order. */
  readonly navigations: readonly string[]
  /** Every popup the program opened (OpenPopup), in order. */
  readonly popups: readonly ScriptedPopup[]
  /** Every URL loaded in a hidden iframe. */
  readonly iframes: readonly string[]
  /** Every message sent to the app's other tabs (Broadcast). */
  readonly broadcasts: readonly unknown[]
  /** Names of the locks held now. */
  readonly locksHeld: readonly string[]
  /** A new page load in this tab at `url` (sessionStorage kept): where the identity provider sent the browser back to. */
  load(url: string): void
  /**
   * The next full-page navigation's URL. A program that navigates never resumes (its page
   * unloads), so wait for this instead of for the program.
   */
  nextNavigation(): Promise<string>
}

/**
 * What a popup or iframe brings back from FakeIdentityProvider.authorize's outcome: the
 * response's parameters when it redirects (or posts) back, nothing when it shows an error page.
 */
export const authResponseFrom = (outcome: AuthorizationOutcome): AuthResponseOutcome =>
  'params' in outcome ? { _tag: 'AuthResponse', params: outcome.params } : { _tag: 'NoResponse' }

/** The URL FakeIdentityProvider.authorize's outcome sends the browser back to (a redirect), for `load`. Throws for anything else. */
export const landingOf = (outcome: AuthorizationOutcome): string => {
  if (!('redirect' in outcome)) throw new Error('the identity provider did not redirect back to the app')
  return outcome.redirect.toString()
}

/**
 * A browser tab for tests of the browser flows without a browser: it answers a page's effects
 * (CurrentUrl, ReplaceUrl, Navigate, Storage*, OpenPopup, NavigatePopup, ClosePopup,
 * AwaitAuthResponse, LoadIframe, AcquireLock, ReleaseLock, SyncCache, Broadcast) from its own
 * state and the `respond` script, and sends requests as a page does: with the page's `Origin`
 * when cross-origin (what a single-page application's redirect URI requires at Entra). Every
 * other effect goes to `inner`.
 */
export const scriptedBrowser = (options: ScriptedBrowserOptions): ScriptedBrowser => {
  let url = options.url
  const sessionStorage = new Map<string, string>()
  const localStorage = new Map<string, string>()
  const navigations: string[] = []
  const popups: ScriptedPopup[] = []
  const iframes: string[] = []
  const broadcasts: unknown[] = []
  const held = new Map<string, string>()
  const waiting = new Map<string, Array<() => void>>()
  const navigationWaiters: Array<(url: string) => void> = []
  let lockIds = 0
  const respond = (to: string, shownIn: ShownIn): AuthResponseOutcome | Promise<AuthResponseOutcome> =>
    options.respond === undefined ? { _tag: 'NoResponse' } : options.respond(to, shownIn)
  const areaOf = (area: 'session' | 'local'): Map<string, string> => (area === 'session' ? sessionStorage : localStorage)

  const interpret: Interpret = (effect: Effect) => {
    switch (effect._tag) {
      case 'Http': {
        const origin = new URL(url).origin
        if (new URL(effect.request.url).origin === origin) return options.inner(effect)
        return options.inner({ _tag: 'Http', request: { ...effect.request, headers: { ...effect.request.headers, origin } } })
      }
      case 'CurrentUrl':
        return url
      case 'ReplaceUrl':
        url = new URL(effect.url, url).toString()
        return undefined
      case 'Navigate':
        navigations.push(effect.url)
        for (const wake of navigationWaiters.splice(0)) wake(effect.url)
        // The page unloads: nothing answers.
        return new Promise<never>(() => undefined)
      case 'StorageGet':
        return areaOf(effect.area).get(effect.key) ?? null
      case 'StorageSet':
        areaOf(effect.area).set(effect.key, effect.value)
        return undefined
      case 'StorageRemove':
        areaOf(effect.area).delete(effect.key)
        return undefined
      case 'OpenPopup':
        if (options.popupsBlocked === true) return undefined
        popups.push({ url: undefined, closed: false })
        return String(popups.length)
      case 'NavigatePopup':
        popups[Number(effect.popup) - 1]!.url = effect.url
        return undefined
      case 'ClosePopup':
        popups[Number(effect.popup) - 1]!.closed = true
        return undefined
      case 'AwaitAuthResponse': {
        const popup = effect.popup === undefined ? undefined : popups[Number(effect.popup) - 1]
        return popup?.url === undefined ? { _tag: 'NoResponse' } : respond(popup.url, 'popup')
      }
      case 'LoadIframe':
        iframes.push(effect.url)
        return respond(effect.url, 'iframe')
      case 'AcquireLock': {
        const id = String(++lockIds)
        const take = (): string => {
          held.set(effect.name, id)
          return id
        }
        if (!held.has(effect.name)) return take()
        return new Promise<string>((resolve) => {
          const queue = waiting.get(effect.name) ?? []
          queue.push(() => resolve(take()))
          waiting.set(effect.name, queue)
        })
      }
      case 'ReleaseLock':
        for (const [name, id] of held) {
          if (id !== effect.lock) continue
          held.delete(name)
          waiting.get(name)?.shift()?.()
        }
        return undefined
      case 'SyncCache':
        options.syncCache?.()
        return undefined
      case 'Broadcast':
        broadcasts.push(effect.message)
        return undefined
      default:
        return options.inner(effect)
    }
  }

  return {
    interpret,
    get url() {
      return url
    },
    sessionStorage,
    localStorage,
    navigations,
    popups,
    iframes,
    broadcasts,
    get locksHeld() {
      return [...held.keys()]
    },
    load: (next) => {
      url = new URL(next, url).toString()
    },
    nextNavigation: () => new Promise((resolve) => navigationWaiters.push(resolve)),
  }
}
