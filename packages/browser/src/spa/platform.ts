import type { Effect, Interpret, StorageArea } from '@msal-ts/core/spa'
import type { PageState } from './pageState.js'
import type * as PageEffectsModule from './pageEffects.js'

type PageEffects = Pick<typeof PageEffectsModule, 'corsSafeRequest' | 'performPageEffect'>

/**
 * pageEffects.ts did not load (a chunk of the app's bundle not served; the flows that ask for
 * these effects come in the same load, so this hardly happens): requests go as they are, waits end
 * without a response, locks are not taken.
 */
const UNLOADED_PAGE_EFFECTS: PageEffects = {
  corsSafeRequest: (request) => request,
  performPageEffect: (effect) => (effect._tag === 'AcquireLock' ? 'unlocked' : { _tag: 'NoResponse' }),
}

/** What the browser platform needs besides the page's globals. */
export interface BrowserPlatformOptions {
  /** Re-reads the token cache from storage (SyncCache); an encrypted cache answers once it has decrypted what it read. */
  readonly syncCache: () => void | Promise<void>
  /** The channel other tabs of this app listen on (Broadcast). */
  readonly channel: string
  /**
   * The prefix of the app's keys in localStorage, when tabs share their tokens there: a tab that
   * waited for a lock another tab held then waits for that tab's writes to reach it.
   */
  readonly sharedKeys?: string | undefined
}

/** A memory stand-in for a storage the browser refuses (privacy modes, a sandboxed frame). */
const memoryStorage = (): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> => {
  const map = new Map<string, string>()
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) }
}

const storageOf = (area: StorageArea): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> => {
  try {
    const storage = area === 'session' ? window.sessionStorage : window.localStorage
    storage.getItem('msal-ts')
    return storage
  } catch {
    return memoryStorage()
  }
}

/**
 * Performs the browser's effects (navigation, storage, popups, hidden iframes, Web Locks,
 * BroadcastChannel) and hands every other effect to `inner`, with token and discovery requests
 * made CORS-safe. Only a page has these: the SPA's runtime.
 */
export const browserPlatform = (inner: Interpret, options: BrowserPlatformOptions): Interpret => {
  const state: PageState = { popups: new Map(), locks: new Map(), next: 0, sharedKeys: options.sharedKeys }
  const { popups, locks } = state
  // The code of the effects only sign-ins and refreshes ask for, loaded when one first does.
  let pageEffects: Promise<PageEffects> | undefined
  const later = (): Promise<PageEffects> => (pageEffects ??= import('./pageEffects.js').catch(() => UNLOADED_PAGE_EFFECTS))
  return (effect: Effect) => {
    switch (effect._tag) {
      case 'Http':
        return later().then((page) => inner({ _tag: 'Http', request: page.corsSafeRequest(effect.request) }))
      case 'AwaitAuthResponse':
      case 'LoadIframe':
      case 'AcquireLock':
        return later().then((page) => page.performPageEffect(effect, state))
      case 'CurrentUrl':
        return window.location.href
      case 'ReplaceUrl':
        if (new URL(effect.url, window.location.href).origin === window.location.origin) window.history.replaceState(window.history.state, '', effect.url)
        return undefined
      case 'Navigate':
        window.location.assign(effect.url)
        // The page unloads: nothing answers.
        return new Promise<never>(() => undefined)
      case 'StorageGet':
        return storageOf(effect.area).getItem(effect.key)
      case 'StorageSet':
        storageOf(effect.area).setItem(effect.key, effect.value)
        return undefined
      case 'StorageRemove':
        storageOf(effect.area).removeItem(effect.key)
        return undefined
      case 'OpenPopup': {
        const width = 483
        const height = 600
        const left = Math.max(0, window.screenX + (window.outerWidth - width) / 2)
        const top = Math.max(0, window.screenY + (window.outerHeight - height) / 2)
        const opened = window.open('about:blank', `msal-ts.popup.${++state.next}`, `popup,width=${width},height=${height},left=${left},top=${top}`)
        if (opened === null) return undefined
        const id = String(state.next)
        popups.set(id, opened)
        return id
      }
      case 'NavigatePopup': {
        popups.get(effect.popup)?.location.assign(effect.url)
        return undefined
      }
      case 'ClosePopup': {
        const popup = popups.get(effect.popup)
        popups.delete(effect.popup)
        try {
          popup?.close()
        } catch {
          // A popup cut off by COOP cannot be closed from here; its bridge page closes itself.
        }
        return undefined
      }
      case 'ReleaseLock':
        locks.get(effect.lock)?.()
        locks.delete(effect.lock)
        return undefined
      case 'SyncCache':
        return options.syncCache()
      case 'Broadcast':
        if (typeof BroadcastChannel === 'function') {
          const channel = new BroadcastChannel(options.channel)
          channel.postMessage(effect.message)
          channel.close()
        }
        return undefined
      default:
        return inner(effect)
    }
  }
}
