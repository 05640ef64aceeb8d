/**
 * What the page shows. Everything is written with textContent (never HTML): tokens, claims and
 * error messages come from outside and are shown as text.
 */
import { MsalError, type Account, type EventMessage, type TokenResult } from '@msal-ts/browser'

/** The page's state, on <body data-state>: what the buttons may do, and what a test waits for. */
export type PageState = 'starting' | 'signed-in' | 'signed-out' | 'busy'

const element = (id: string): HTMLElement => {
  const found = document.getElementById(id)
  if (found === null) throw new Error(`index.html has no #${id}`)
  return found
}

/** Fills a <dl> with term/description pairs (undefined values are left out). */
const describe = (id: string, pairs: ReadonlyArray<readonly [string, string | number | undefined]>): void => {
  const list = element(id)
  list.replaceChildren()
  for (const [term, value] of pairs) {
    if (value === undefined) continue
    const dt = document.createElement('dt')
    dt.textContent = term
    const dd = document.createElement('dd')
    dd.textContent = String(value)
    list.append(dt, dd)
  }
}

const SIGNED_IN_BUTTONS = ['call-api', 'refresh', 'logout-redirect', 'logout-popup']
const SIGNED_OUT_BUTTONS = ['login-redirect', 'login-popup']

/** Sets the page's state; the buttons that make sense in it are enabled, the others disabled. */
export const setState = (state: PageState): void => {
  document.body.dataset['state'] = state
  for (const id of SIGNED_IN_BUTTONS) (element(id) as HTMLButtonElement).disabled = state !== 'signed-in'
  for (const id of SIGNED_OUT_BUTTONS) (element(id) as HTMLButtonElement).disabled = state !== 'signed-out'
}

/** The signed-in account (or nobody): the status line and the account's details. */
export const showAccount = (account: Account | null): void => {
  element('status').textContent = account === null ? 'Not signed in' : `Signed in as ${account.name ?? account.username} (${account.username})`
  describe('account', account === null ? [] : [
    ['name', account.name],
    ['username', account.username],
    ['home account id', account.homeAccountId],
    ['tenant', account.realm],
    ['signed in at', account.environment],
  ])
}

/** What the last action did, in one sentence. */
export const said = (text: string): void => {
  element('last-action').textContent = text
}

/** An operation's error: its kind and message (an MsalError names what was wrong). */
export const failed = (what: string, error: unknown): void => {
  said(error instanceof MsalError ? `${what} failed: ${error.kind}: ${error.message}` : `${what} failed: ${String(error)}`)
}

/** The access token the last call got, and where it came from (never the token itself, which is a secret). */
export const showToken = (result: TokenResult | null): void => {
  describe('token', result === null ? [] : [
    ['source', result.tokenSource],
    ['scopes', result.scopes.join(' ')],
    ['expires', new Date(result.expiresOn * 1000).toLocaleTimeString()],
    ['length', `${result.accessToken.length} characters`],
  ])
}

/** The API's answer. */
export const showApi = (status: number | null, body: unknown): void => {
  element('api').textContent = status === null ? '' : `${status}\n${JSON.stringify(body, null, 2)}`
}

/** msal-browser's event names, as the app's event callback received them. */
export const logEvent = (message: EventMessage): void => {
  const item = document.createElement('li')
  item.textContent = `${new Date(message.timestamp).toLocaleTimeString()} ${message.eventType}${message.interactionType !== null ? ` (${message.interactionType})` : ''}${message.error !== null ? `: ${message.error.kind}` : ''}`
  element('events').prepend(item)
}
