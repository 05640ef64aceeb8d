import type { ResponseMode } from '../authCode.js'

/**
 * What the browser flows need to know of the page and the app's options. Plain data: a flow run
 * in a test gets a fixed one.
 */
export interface BrowserEnv {
  /** This tab's id (random, kept in the tab's session Web Storage): whose interaction a flag is. */
  readonly tabId: string
  /** Prefix of every storage key of this app ("msal-ts.<client id>."). */
  readonly keyPrefix: string
  /** Where the identity provider sends responses: the app's redirect URI (or its bridge page). */
  readonly redirectUri: string
  /** Where logout returns to. */
  readonly postLogoutRedirectUri?: string | undefined
  /** How responses come back: "fragment" (default, kept out of servers' logs) or "query". */
  readonly responseMode: Extract<ResponseMode, 'query' | 'fragment'>
  /** An interaction flag older than this no longer blocks a new one, in milliseconds. */
  readonly interactionTimeoutMs: number
  /** How long a popup may take, in milliseconds. */
  readonly popupTimeoutMs: number
  /** How long a hidden iframe may take, in milliseconds. */
  readonly iframeTimeoutMs: number
  /** Whether silent acquisition may fall back to a hidden iframe with prompt=none. */
  readonly silentIframe: boolean
}

/**
 * Session Web Storage key of the flow a response with this state belongs to. Not per app: the bridge
 * page finds it by the response's state alone (states are random).
 */
export const flowKey = (_env: BrowserEnv, state: string): string => `msal-ts.flow.${state}`
/** Session Web Storage key of this tab's interaction flag. */
export const interactionKey = (env: BrowserEnv): string => `${env.keyPrefix}interaction`
/** Session Web Storage key where the bridge page stashes a full-page redirect's response. */
export const RESPONSE_STASH_KEY = 'msal-ts.response'
