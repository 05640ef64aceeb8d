import type { RandomSource } from '../random.js'
import { uuidFrom } from './ids.js'
import type { RegisteredUser, UserDirectory } from './users.js'

/** A user signed in to a browser (the provider's imaginary one, or a real one's session cookie): what single sign-on and prompt=none rely on. */
export interface BrowserSession {
  readonly username: string
  /** When the user last entered their credentials (epoch ms): the ID token's `auth_time`. */
  readonly authTimeMs: number
  /** Entra's `session_state`: one id per browser session. */
  readonly sessionState: string
  /** The user's session generation when they signed in: revoking sessions ends this one. */
  readonly generation: number
}

/**
 * The sessions of one browser: the imaginary one the fake signs users in with, or a real one
 * known by its session cookie (sessionCookies.ts). An interactive sign-in starts (or reuses)
 * one; `prompt=none` succeeds only with one; revoking a user's sessions ends theirs; signing out
 * ends them here.
 */
export class BrowserSessions {
  private readonly sessions = new Map<string, BrowserSession>()

  constructor(
    private readonly users: UserDirectory,
    private readonly random: RandomSource,
  ) {}

  /** The user enters their credentials now: a new session (and `auth_time`). */
  start(user: RegisteredUser, nowMs: number): BrowserSession {
    const session = {
      username: user.username,
      authTimeMs: nowMs,
      sessionState: uuidFrom(this.random(16)),
      generation: this.users.sessionsValidFrom(user.username).generation,
    }
    this.sessions.set(user.username.toLowerCase(), session)
    return session
  }

  /** The user's session, unless it was revoked. */
  find(username: string): BrowserSession | undefined {
    const session = this.sessions.get(username.toLowerCase())
    return session !== undefined && this.isLive(session) ? session : undefined
  }

  /** Every session not revoked, oldest sign-in first. */
  live(): BrowserSession[] {
    return [...this.sessions.values()].filter((session) => this.isLive(session)).sort((a, b) => a.authTimeMs - b.authTimeMs)
  }

  /** The user signs out of this browser; answers whether they were signed in. */
  end(username: string): boolean {
    return this.sessions.delete(username.toLowerCase())
  }

  /** Whether nobody is signed in (revoked sessions count until they are ended or cleared). */
  get isEmpty(): boolean {
    return this.sessions.size === 0
  }

  clear(): void {
    this.sessions.clear()
  }

  private isLive(session: BrowserSession): boolean {
    return session.generation >= this.users.sessionsValidFrom(session.username).generation
  }
}
