import type { StateChange } from '../app/stateChange.js'

/**
 * The effect algebra: every kind of I/O a flow can ask for, as plain JSON-serialisable data.
 * A flow never performs I/O itself; an interpreter (node, browser, replay) carries these out.
 */

export type LogLevel = 'error' | 'warning' | 'info' | 'verbose'

export interface HttpRequest {
  readonly method: 'GET' | 'POST'
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  /** An application/x-www-form-urlencoded body, kept as fields so replays can compare it order-free. */
  readonly form?: Readonly<Record<string, string>>
  /**
   * Any other body (a WS-Trust SOAP envelope), its content-type among the headers. Only when
   * there is no `form`.
   */
  readonly body?: string
  /** A shorter timeout than the application's, for probes that must not hang (IMDS). */
  readonly timeoutMs?: number
}

/** A response as the interpreter received it. Header names are lower-case. */
export interface HttpResponse {
  readonly _tag: 'HttpResponse'
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * The request produced no usable response. Interpreters report this as a value, never by
 * throwing. `connection`: no response at all (refused, reset, DNS), retried once. `timeout`: no
 * whole response in time (the timeout covers the body). `body`: a response whose body could not
 * be taken: larger than the limit (counted after decompression), cut off, or not UTF-8; its
 * `status` is the response's. Neither of the last two is retried.
 */
export interface HttpFailure {
  readonly _tag: 'HttpFailure'
  readonly kind: 'connection' | 'timeout' | 'body'
  readonly message: string
  /** The HTTP status of the response whose body could not be taken (kind `body`). */
  readonly status?: number
}

export type HttpOutcome = HttpResponse | HttpFailure

/**
 * A small file's text, or why there is none. Interpreters check the size before reading: a file
 * larger than the effect's `maxBytes` is refused unread.
 */
export type FileOutcome =
  | { readonly _tag: 'FileContent'; readonly text: string }
  /** Refused unread: the file has `sizeBytes` bytes, more than the effect's `maxBytes`. */
  | { readonly _tag: 'FileTooLarge'; readonly sizeBytes: number }
  /** Missing, unreadable, not a regular file, or a runtime with no file system. */
  | { readonly _tag: 'FileUnavailable'; readonly reason: string }

/** A signed JWT or an assertion, or why there is none (a callback threw, a key cannot sign): values, never throws. */
export type AssertionOutcome =
  | { readonly _tag: 'Assertion'; readonly assertion: string }
  | { readonly _tag: 'CredentialFailure'; readonly message: string }

export type Effect =
  | { readonly _tag: 'Http'; readonly request: HttpRequest }
  | { readonly _tag: 'Now' }
  | { readonly _tag: 'RandomBytes'; readonly length: number }
  | { readonly _tag: 'Sha256'; readonly data: string }
  | { readonly _tag: 'Sleep'; readonly ms: number }
  | { readonly _tag: 'ReadEnv'; readonly name: string }
  /**
   * Read a small UTF-8 text file, at most `maxBytes` bytes: the size is checked before any byte
   * is read, and the read itself is bounded. For managed identity's key and agent files only.
   */
  | { readonly _tag: 'ReadFile'; readonly path: string; /** The largest file read, in bytes. */ readonly maxBytes: number }
  /** Whether a file exists and can be read (Azure Arc's agent is detected by its executable). */
  | { readonly _tag: 'FileExists'; readonly path: string }
  | { readonly _tag: 'Log'; readonly level: LogLevel; readonly message: string; readonly pii: boolean }
  /**
   * Sign a JWT with the application's certificate key. The key never appears in the effect: the
   * interpreter the application built around its credential holds it.
   */
  | { readonly _tag: 'SignJwt'; readonly header: Readonly<Record<string, unknown>>; readonly claims: Readonly<Record<string, unknown>> }
  /** Ask the application's assertion callback for a client assertion (MSAL Python's callable `client_assertion`). */
  | { readonly _tag: 'ClientAssertion'; readonly clientId: string; readonly tokenEndpoint: string }
  /**
   * Change the application's state (its token cache, telemetry, what it learned): a flow
   * describes what it changes as data, and the application shell applies it with one reducer
   * (`applyStateChange`). Runtime interpreters never see it; like Log, replays do not record it.
   */
  | { readonly _tag: 'Commit'; readonly change: StateChange }
  // ---- The browser: what only a page can do. Other runtimes refuse them. ----
  /** The page's own URL (location.href). */
  | { readonly _tag: 'CurrentUrl' }
  /** Replace the page's URL without a navigation (history.replaceState), e.g. to remove a response's parameters. */
  | { readonly _tag: 'ReplaceUrl'; readonly url: string }
  /** Leave the page for `url` (a full-page redirect); never answered, the page unloads. */
  | { readonly _tag: 'Navigate'; readonly url: string }
  /** Read a key of sessionStorage or localStorage. */
  | { readonly _tag: 'StorageGet'; readonly area: StorageArea; readonly key: string }
  | { readonly _tag: 'StorageSet'; readonly area: StorageArea; readonly key: string; readonly value: string }
  | { readonly _tag: 'StorageRemove'; readonly area: StorageArea; readonly key: string }
  /**
   * Open a blank popup window, synchronously in the caller's task (before any await) so popup
   * blockers allow it. Answers its id, or undefined when the browser refused.
   */
  | { readonly _tag: 'OpenPopup' }
  | { readonly _tag: 'NavigatePopup'; readonly popup: string; readonly url: string }
  | { readonly _tag: 'ClosePopup'; readonly popup: string }
  /**
   * Wait for the authorization response carrying `state` (from the bridge page, over a
   * BroadcastChannel or the opener), or for the popup to be closed while its handle is intact,
   * or for `timeoutMs` to pass.
   */
  | { readonly _tag: 'AwaitAuthResponse'; readonly state: string; readonly popup?: string | undefined; readonly timeoutMs: number }
  /** Load `url` in a hidden iframe and wait for the response carrying `state`, at most `timeoutMs`. */
  | { readonly _tag: 'LoadIframe'; readonly url: string; readonly state: string; readonly timeoutMs: number }
  /** Take a lock shared by every tab of the origin (Web Locks); answers its id. Released by ReleaseLock. */
  | { readonly _tag: 'AcquireLock'; readonly name: string }
  | { readonly _tag: 'ReleaseLock'; readonly lock: string }
  /** Re-read the token cache from storage (another tab may have written it while this one waited). */
  | { readonly _tag: 'SyncCache' }
  /** Tell the app's other tabs (BroadcastChannel): an account or sign-out event. */
  | { readonly _tag: 'Broadcast'; readonly message: Readonly<Record<string, unknown>> }

/** What an interpreter hands back for each effect. */
export interface EffectResults {
  Http: HttpOutcome
  /** Epoch milliseconds. */
  Now: number
  RandomBytes: Uint8Array
  Sha256: Uint8Array
  Sleep: undefined
  ReadEnv: string | undefined
  ReadFile: FileOutcome
  FileExists: boolean
  Log: undefined
  SignJwt: AssertionOutcome
  ClientAssertion: AssertionOutcome
  Commit: undefined
  CurrentUrl: string
  ReplaceUrl: undefined
  Navigate: never
  StorageGet: string | null
  StorageSet: undefined
  StorageRemove: undefined
  OpenPopup: string | undefined
  NavigatePopup: undefined
  ClosePopup: undefined
  AwaitAuthResponse: AuthResponseOutcome
  LoadIframe: AuthResponseOutcome
  AcquireLock: string
  ReleaseLock: undefined
  SyncCache: undefined
  Broadcast: undefined
}

/** Web Storage: sessionStorage (one tab) or localStorage (every tab of the origin). */
export type StorageArea = 'session' | 'local'

/** How a wait for an authorization response ended. */
export type AuthResponseOutcome =
  /** The response's parameters, as the redirect URI received them (query or fragment). */
  | { readonly _tag: 'AuthResponse'; readonly params: Readonly<Record<string, string>> }
  /** The user closed the popup (seen only while its window handle is intact). */
  | { readonly _tag: 'WindowClosed' }
  /** Nothing came back within the timeout. */
  | { readonly _tag: 'NoResponse' }

export type EffectTag = Effect['_tag']
export type EffectOf<K extends EffectTag> = Extract<Effect, { _tag: K }>
