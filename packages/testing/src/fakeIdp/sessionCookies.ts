import { bytesToBase64Url } from '@msal-ts/core/protocol'
import type { RandomSource } from '../random.js'
import { BrowserSessions } from './browserSessions.js'
import type { IdpAnswer, IdpRequest } from './types.js'
import type { RegisteredUser, UserDirectory } from './users.js'

/** The session cookie's name: Entra's (ESTSAUTH), on the identity provider's origin. */
export const SESSION_COOKIE = 'ESTSAUTH'

/**
 * HttpOnly: page scripts never read it. `SameSite=None; Secure`: sent in a cross-site iframe
 * (`prompt=none`) where the browser allows third-party cookies, as Entra's is. Browsers keep a
 * Secure cookie from plain http only on potentially trustworthy hosts (localhost, 127.0.0.1),
 * where the fake listens. No expiry: it ends with the browser session, as ESTSAUTH does.
 */
const ATTRIBUTES = 'Path=/; HttpOnly; Secure; SameSite=None'

const setCookie = (value: string): string => `${SESSION_COOKIE}=${value}; ${ATTRIBUTES}`
const clearCookie = `${SESSION_COOKIE}=; Max-Age=0; ${ATTRIBUTES}`

/** The session cookie's value in a request's Cookie header, if the browser sent it. */
export const sessionCookieOf = (cookieHeader: string | undefined): string | undefined => {
  for (const pair of (cookieHeader ?? '').split(';')) {
    const eq = pair.indexOf('=')
    if (eq > 0 && pair.slice(0, eq).trim() === SESSION_COOKIE) return pair.slice(eq + 1).trim()
  }
  return undefined
}

const withSetCookie = (answer: IdpAnswer, cookie: string): IdpAnswer =>
  answer.kind === 'response' ? { ...answer, headers: { ...answer.headers, 'set-cookie': cookie } } : answer

/**
 * Real browsers, each known by the session cookie it sends back, each with its own signed-in
 * users. A browser without the cookie (a new one, or one that blocks third-party cookies in an
 * iframe) has nobody signed in.
 */
export class CookieBrowsers {
  private readonly browsers = new Map<string, BrowserSessions>()

  constructor(
    private readonly users: UserDirectory,
    private readonly random: RandomSource,
  ) {}

  /**
   * Answers a request as the browser it comes from: `step` sees the sessions of the browser its
   * cookie names (else of a new one). The answer sets the cookie when that browser's first user
   * signs in, and clears it when its last signs out or the cookie names no browser the provider knows.
   */
  async answer(request: IdpRequest, step: (sessions: BrowserSessions) => IdpAnswer | Promise<IdpAnswer>): Promise<IdpAnswer> {
    const id = sessionCookieOf(request.headers['cookie'])
    const known = id === undefined ? undefined : this.browsers.get(id)
    const sessions = known ?? new BrowserSessions(this.users, this.random)
    const answer = await step(sessions)
    if (known === undefined && !sessions.isEmpty) return withSetCookie(answer, setCookie(this.keep(sessions)))
    if (known !== undefined && sessions.isEmpty) this.browsers.delete(id!)
    return id !== undefined && sessions.isEmpty ? withSetCookie(answer, clearCookie) : answer
  }

  /** A new browser with the user signed in now: the value of its session cookie. */
  signIn(user: RegisteredUser, nowMs: number): string {
    const sessions = new BrowserSessions(this.users, this.random)
    sessions.start(user, nowMs)
    return this.keep(sessions)
  }

  /** Forgets every browser: their cookies name nobody any more. */
  clear(): void {
    this.browsers.clear()
  }

  private keep(sessions: BrowserSessions): string {
    const id = bytesToBase64Url(this.random(32))
    this.browsers.set(id, sessions)
    return id
  }
}
