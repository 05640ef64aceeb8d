import type { StateChange } from '../app/stateChange.js'

/**
 * The effect algebra: every kind of I/O a flow can ask for, as plain JSON-serialisable data.
 * A flow never performs I/O itself; an interpreter (node, browser, replay) carries these out.
 */

export type LogLevel = 'error' | 'warning' | 'info' | 'verbose'

export interface HttpRequest {
  /** The HTTP method (RFC 9110 §9.3): GET (discovery, metadata, most managed identity sources) or POST (token requests, WS-Trust, Cloud Shell). */
  readonly method: 'GET' | 'POST'
  /** The absolute URL, query included. */
  readonly url: string
  /** Request headers, name to value, sent as given; the interpreter adds a `form`'s content-type. */
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
  /** Tells a response from an `HttpFailure`. */
  readonly _tag: 'HttpResponse'
  /** The HTTP status code (RFC 9110 §15), any one: a 4xx/5xx is a response too. */
  readonly status: number
  /** Response headers, names lower-cased, values as received. */
  readonly headers: Readonly<Record<string, string>>
  /** The whole body decoded as UTF-8, at most the interpreter's `maxResponseBytes` bytes. */
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
  /** Tells a failure from an `HttpResponse`. */
  readonly _tag: 'HttpFailure'
  /** Why there is no usable response: no connection, no whole response in time, or a body that could not be taken. */
  readonly kind: 'connection' | 'timeout' | 'body'
  /** What went wrong, for the error shown to the application (never a secret). */
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

/** A proof-of-possession key's public half (RFC 7517 JWK; RSA members only, plus its `alg`). */
export interface PopPublicJwk {
  /** The key type (RFC 7518 §6.1): RSA. */
  readonly kty: 'RSA'
  /** The modulus, base64url. */
  readonly n: string
  /** The public exponent, base64url ("AQAB": 65537). */
  readonly e: string
  /** The algorithm the key signs with (RFC 7518 §3.3): RS256. */
  readonly alg: 'RS256'
}

/**
 * The application's proof-of-possession key, or why there is none (an interpreter that keeps no
 * key, a runtime without WebCrypto's RSA, a storage that refused it): values, never throws.
 */
export type PopKeyOutcome =
  | {
      readonly _tag: 'PopKey'
      /** The key's RFC 7638 JWK thumbprint (SHA-256, base64url): the `kid` its tokens are bound to (RFC 7800 `cnf`). */
      readonly kid: string
      readonly jwk: PopPublicJwk
    }
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
  | {
      readonly _tag: 'ReadFile'
      /** The file's absolute path. */
      readonly path: string
      /** The largest file read, in bytes. */
      readonly maxBytes: number
    }
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
   * The application's proof-of-possession key: its public JWK and RFC 7638 thumbprint. The
   * interpreter makes the key pair on first use (RSA 2048, RS256) and keeps it; the private key
   * never leaves it.
   */
  | { readonly _tag: 'PopKey' }
  /**
   * Sign a signed HTTP request (draft-ietf-oauth-signed-http-request) with the proof-of-possession
   * key whose thumbprint is `kid`: RS256 over base64url(JSON header) "." base64url(JSON payload),
   * each serialised as given (JSON.stringify, keys in their order).
   */
  | {
      readonly _tag: 'SignPop'
      readonly kid: string
      readonly header: Readonly<Record<string, unknown>>
      readonly payload: Readonly<Record<string, unknown>>
    }
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
  /** Read a key of session or local Web Storage. */
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
  /** The response, whatever its status, or why there is none. */
  Http: HttpOutcome
  /** Epoch milliseconds. */
  Now: number
  /** Cryptographically random bytes, `length` of them. */
  RandomBytes: Uint8Array
  /** The 32-byte SHA-256 digest of `data` encoded as UTF-8. */
  Sha256: Uint8Array
  /** Answered once `ms` milliseconds (virtual ones in tests) have passed. */
  Sleep: undefined
  /** The environment variable's value; undefined when unset or the runtime has none. */
  ReadEnv: string | undefined
  /** The file's text, or why there is none. */
  ReadFile: FileOutcome
  /** Whether the file exists and can be read; false where there is no file system. */
  FileExists: boolean
  /** Answered once the line is written (or dropped by the level or PII setting). */
  Log: undefined
  /** The compact JWS (RFC 7515 §7.1) signed with the application's key, or why there is none. */
  SignJwt: AssertionOutcome
  /** The assertion the application's callback returned, or why there is none. */
  ClientAssertion: AssertionOutcome
  /** The application's proof-of-possession public key (JWK) and its RFC 7638 thumbprint, or why there is none. */
  PopKey: PopKeyOutcome
  /** The signed HTTP request (compact JWS, RS256) made with the application's PoP key, or why there is none. */
  SignPop: AssertionOutcome
  /** Answered by the application shell once the change is applied. */
  Commit: undefined
  /** The page's absolute URL (location.href). */
  CurrentUrl: string
  /** Answered once the URL is replaced (same-origin URLs only). */
  ReplaceUrl: undefined
  /** Never answered: the page unloads. */
  Navigate: never
  /** The stored string, or null when the key is absent. */
  StorageGet: string | null
  /** Answered once the value is stored. */
  StorageSet: undefined
  /** Answered once the key is removed. */
  StorageRemove: undefined
  /** An id for the popup, for NavigatePopup, ClosePopup and AwaitAuthResponse; undefined when the browser blocked it. */
  OpenPopup: string | undefined
  /** Answered once the popup is sent to `url`. */
  NavigatePopup: undefined
  /** Answered once the popup is closed (or could not be: its bridge page closes itself). */
  ClosePopup: undefined
  /** The authorization response, a closed popup, or nothing within `timeoutMs`. */
  AwaitAuthResponse: AuthResponseOutcome
  /** The authorization response from the hidden iframe, or nothing within `timeoutMs`. */
  LoadIframe: AuthResponseOutcome
  /** The held lock's id, for ReleaseLock; answered once this tab holds it. */
  AcquireLock: string
  /** Answered once the lock is released. */
  ReleaseLock: undefined
  /** Answered once the token cache is re-read. */
  SyncCache: undefined
  /** Answered once the message is posted (where BroadcastChannel exists). */
  Broadcast: undefined
}

/** Web Storage: the session area (one tab) or the local area (every tab of the origin). */
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
