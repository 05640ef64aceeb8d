/**
 * The test app's page script (bundled by esbuild from the packages' sources): what a real SPA
 * does with @msal-ts/browser, plus the probes a test reads. Each browser context sets
 * `window.__spaConfig` with an init script; on every page load the page builds a
 * PublicClientApplication from it and calls handleRedirectPromise() (twice when asked), as an
 * app's start-up code does, before anything else.
 */
import { EventType, PublicClientApplication, sessionCacheEncryption, type BrowserApplicationOptions, type EventMessage, type TokenResult } from '@msal-ts/browser'
import { proofOfPossession, POP_KEY_DATABASE, POP_KEY_OBJECT_STORE } from '@msal-ts/browser/pop'

/** What a test reads back from an operation: its value, or the error as plain data. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Record<string, unknown> }

export interface PageConfig {
  /** The application's options (the page adds nothing else). */
  readonly options: BrowserApplicationOptions
  /** How many concurrent handleRedirectPromise() calls the page makes at start-up. Default 1; 0 for none. */
  readonly handleCalls?: number
  /** Called at start-up, before the test can touch the page (so without a user gesture): its outcome is `spa.atLoad`. */
  readonly atLoad?: 'loginPopup'
  /** "session": the application gets `cacheEncryption: sessionCacheEncryption` (a function: it cannot travel in `options`). */
  readonly cacheEncryption?: 'session'
  /** Give the application proofOfPossession (from @msal-ts/browser/pop), as an app asking for PoP tokens does. */
  readonly proofOfPossession?: boolean
}

/** An event as the test sees it. */
export interface SeenEvent {
  readonly eventType: string
  readonly interactionType: string | null
  readonly fromOtherTab: boolean
  readonly username: string | undefined
}

const plain = (error: unknown): Record<string, unknown> => {
  if (typeof error !== 'object' || error === null) return { message: String(error) }
  const out: Record<string, unknown> = { message: (error as Error).message, name: (error as Error).name }
  for (const [key, value] of Object.entries(error)) out[key] = value
  if ('kind' in error) out['kind'] = (error as { kind: unknown }).kind
  return out
}

const settle = <T>(promise: Promise<T>): Promise<Outcome<T>> =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error: plain(error) }),
  )

// Storage reads, counted: a cache hit must not touch Web Storage.
let storageReads = 0
for (const name of ['getItem', 'key'] as const) {
  const original = Storage.prototype[name] as (...args: unknown[]) => unknown
  Object.defineProperty(Storage.prototype, name, {
    configurable: true,
    value: function (this: Storage, ...args: unknown[]) {
      storageReads++
      return original.apply(this, args)
    },
  })
}

const events: SeenEvent[] = []
const record = (message: EventMessage): void => {
  const payload = message.payload as { username?: string; account?: { username?: string } } | null
  events.push({
    eventType: message.eventType,
    interactionType: message.interactionType,
    fromOtherTab: message.fromOtherTab === true,
    username: payload?.username ?? payload?.account?.username,
  })
}

const config = (window as unknown as { __spaConfig?: PageConfig }).__spaConfig

/** Builds an application as the page's script does (the context's options, overridden). */
const create = (overrides: Partial<BrowserApplicationOptions> = {}): PublicClientApplication => {
  if (config === undefined) throw new Error('no __spaConfig: the test context sets it with an init script')
  const encryption = config.cacheEncryption === 'session' ? { cacheEncryption: sessionCacheEncryption } : {}
  const app = new PublicClientApplication({ ...config.options, ...encryption, ...(config.proofOfPossession === true ? { proofOfPossession } : {}), ...overrides })
  app.addEventCallback(record)
  return app
}

export interface SpaPage {
  /** The context's configuration (an init script set it). */
  readonly config: PageConfig
  readonly PublicClientApplication: typeof PublicClientApplication
  /** The application the page built at start-up. */
  readonly app: PublicClientApplication
  readonly EventType: typeof EventType
  readonly create: typeof create
  readonly settle: typeof settle
  /** The start-up handleRedirectPromise() calls' outcomes, and whether they were one promise. */
  readonly startup: Promise<{ readonly outcomes: Outcome<TokenResult | null>[]; readonly samePromise: boolean }>
  readonly events: SeenEvent[]
  /** The storage events this page received (after the application handled each): the key, and whether it was set (else removed). */
  readonly storageEvents: Array<{ readonly key: string | null; readonly set: boolean }>
  /** The outcome of the start-up action (PageConfig.atLoad). */
  readonly atLoad: Promise<Outcome<unknown>> | undefined
  storageReads(): number
  /** The PoP key pair the app keeps in IndexedDB, as stored (CryptoKeys), if any. */
  storedPopKey(): Promise<{ readonly publicKey: CryptoKey; readonly privateKey: CryptoKey } | undefined>
}

const storedPopKey = (): Promise<{ readonly publicKey: CryptoKey; readonly privateKey: CryptoKey } | undefined> =>
  new Promise((resolve, reject) => {
    const opened = indexedDB.open(POP_KEY_DATABASE)
    // No database yet: do not create one (the app's own open would then find no object store).
    let absent = false
    opened.onupgradeneeded = () => {
      absent = true
      opened.transaction?.abort()
    }
    opened.onerror = () => (absent ? resolve(undefined) : reject(opened.error))
    opened.onsuccess = () => {
      const db = opened.result
      if (!db.objectStoreNames.contains(POP_KEY_OBJECT_STORE)) return resolve(undefined)
      const read = db.transaction(POP_KEY_OBJECT_STORE).objectStore(POP_KEY_OBJECT_STORE).get(config?.options.clientId ?? '')
      read.onsuccess = () => resolve(read.result as { publicKey: CryptoKey; privateKey: CryptoKey } | undefined)
      read.onerror = () => reject(read.error)
    }
  })

const app = create()
// After the application's own listener (registered by its constructor).
const storageEvents: Array<{ key: string | null; set: boolean }> = []
window.addEventListener('storage', (event) => storageEvents.push({ key: event.key, set: event.newValue !== null }))
// The start-up action runs on the tab's first page load only (a redirect comes back to this page).
const firstLoad = sessionStorage.getItem('test.loaded') === null
sessionStorage.setItem('test.loaded', 'yes')
const calls = Array.from({ length: config?.handleCalls ?? 1 }, () => app.handleRedirectPromise())

const page: SpaPage = {
  config: config!,
  PublicClientApplication,
  app,
  EventType,
  create,
  settle,
  startup: Promise.all(calls.map(settle)).then((outcomes) => ({ outcomes, samePromise: calls.every((call) => call === calls[0]) })),
  events,
  storageEvents,
  atLoad: config?.atLoad === 'loginPopup' && firstLoad ? settle(app.loginPopup({ scopes: ['User.Read'] })) : undefined,
  storageReads: () => storageReads,
  storedPopKey,
}
;(window as unknown as { spa: SpaPage }).spa = page
