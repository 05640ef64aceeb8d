import type { MsalError, TokenResult, Account } from '@msal-ts/core/spa'

/** msal-browser's event names (its EventType values), so handlers port unchanged. */
export const EventType = {
  INITIALIZE_START: 'msal:initializeStart',
  INITIALIZE_END: 'msal:initializeEnd',
  ACCOUNT_ADDED: 'msal:accountAdded',
  ACCOUNT_REMOVED: 'msal:accountRemoved',
  ACTIVE_ACCOUNT_CHANGED: 'msal:activeAccountChanged',
  LOGIN_START: 'msal:loginStart',
  LOGIN_SUCCESS: 'msal:loginSuccess',
  LOGIN_FAILURE: 'msal:loginFailure',
  ACQUIRE_TOKEN_START: 'msal:acquireTokenStart',
  ACQUIRE_TOKEN_SUCCESS: 'msal:acquireTokenSuccess',
  ACQUIRE_TOKEN_FAILURE: 'msal:acquireTokenFailure',
  SSO_SILENT_START: 'msal:ssoSilentStart',
  SSO_SILENT_SUCCESS: 'msal:ssoSilentSuccess',
  SSO_SILENT_FAILURE: 'msal:ssoSilentFailure',
  HANDLE_REDIRECT_START: 'msal:handleRedirectStart',
  HANDLE_REDIRECT_END: 'msal:handleRedirectEnd',
  LOGOUT_START: 'msal:logoutStart',
  LOGOUT_SUCCESS: 'msal:logoutSuccess',
  LOGOUT_FAILURE: 'msal:logoutFailure',
} as const
export type EventType = (typeof EventType)[keyof typeof EventType]

/** An event's name without msal-browser's "msal:" prefix, as the application class raises it ("loginStart"). */
export type EventName = EventType extends `msal:${infer Name}` ? Name : never

/** The operations whose events come in threes: msal:<operation>Start, Success and Failure. */
export type Operation = 'login' | 'acquireToken' | 'ssoSilent' | 'logout'

/** How the event's operation was done. */
export type InteractionType = 'redirect' | 'popup' | 'silent' | 'none'

/** What an event callback receives (msal-browser's EventMessage, with msal-ts's payloads). */
export interface EventMessage {
  /** Which event, as msal-browser names it (e.g. "msal:loginSuccess"). */
  readonly eventType: EventType
  /** How the operation was done; null for account events outside one (active account changed, account removed). */
  readonly interactionType: InteractionType | null
  /** The token result (success events), the account (account events), or null. */
  readonly payload: TokenResult | Account | null
  /** The failure (failure events), or null. */
  readonly error: MsalError | null
  /** Epoch milliseconds. */
  readonly timestamp: number
  /** True when another tab of the app raised it (localStorage mode: tabs share the cache). */
  readonly fromOtherTab?: boolean
}

export type EventCallback = (message: EventMessage) => void

/** Events that describe the shared cache, so other tabs that share it are told (localStorage mode). */
export const SHARED_EVENTS: ReadonlySet<EventName> = new Set<EventName>(['loginSuccess', 'logoutSuccess', 'accountAdded', 'accountRemoved', 'activeAccountChanged'])
