/** What browserPlatform keeps between effects, shared with pageEffects.ts. */
export interface PageState {
  /** Open popups, by the id OpenPopup answered. */
  readonly popups: Map<string, Window>
  /** Held Web Locks' release functions, by the id AcquireLock answered. */
  readonly locks: Map<string, () => void>
  /** The last id handed out (popups and locks). */
  next: number
  /** The prefix of the app's keys in localStorage, when tabs share their tokens there (see BrowserPlatformOptions). */
  readonly sharedKeys: string | undefined
}
