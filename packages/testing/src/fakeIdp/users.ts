import { FederatedDomains } from './federation.js'
import { guidFor, tenantIdOf } from './ids.js'

/** The home tenant of a user registered without one. */
export const DEFAULT_USER_TENANT = 'contoso.onmicrosoft.com'

export interface UserRegistration {
  /** The sign-in name (UPN), e.g. 'alice@contoso.onmicrosoft.com'. */
  readonly username: string
  /** Needed only for the password grant; a user without one cannot use it. */
  readonly password?: string | undefined
  /** Default: the part of the username before '@'. */
  readonly displayName?: string | undefined
  /** The home tenant, by domain name or id. Default 'contoso.onmicrosoft.com'. */
  readonly tenant?: string | undefined
  /** Default: a GUID derived from the tenant and the username, stable across runs. */
  readonly objectId?: string | undefined
}

/** A managed (cloud-only) user of one home tenant. */
export interface RegisteredUser {
  /** The sign-in name (UPN), e.g. "alice@contoso.onmicrosoft.com": the ID token's preferred_username. */
  readonly username: string
  /** The password, for the password grant and the sign-in page; undefined: the password grant refuses the user. */
  readonly password: string | undefined
  /** The name shown for the user: the ID token's `name` claim. */
  readonly displayName: string
  /** The home tenant as registered, by domain name or id. */
  readonly tenant: string
  /** Home tenant id (`tid`, `utid`). */
  readonly tid: string
  /** Object id (`oid`, `uid`). */
  readonly oid: string
  /** The part of the username after '@': what user realm discovery is asked about. */
  readonly domain: string
}

/**
 * When a user's sign-in sessions were last revoked (Graph's revokeSignInSessions, a password
 * reset). Refresh tokens issued in an earlier generation stop working.
 */
export interface SessionsValidFrom {
  readonly generation: number
  /** Epoch milliseconds, for the error text. */
  readonly atMs: number
}

export const domainOf = (username: string): string => username.slice(username.lastIndexOf('@') + 1).toLowerCase()

export const makeUser = (registration: UserRegistration): RegisteredUser => {
  const tenant = registration.tenant ?? DEFAULT_USER_TENANT
  const tid = tenantIdOf(tenant)
  const username = registration.username
  const at = username.indexOf('@')
  return {
    username,
    password: registration.password,
    displayName: registration.displayName ?? (at > 0 ? username.slice(0, at) : username),
    tenant,
    tid,
    oid: (registration.objectId ?? guidFor(`user:${tid}:${username}`)).toLowerCase(),
    domain: domainOf(username),
  }
}

/** The provider's users, found by sign-in name without regard to case (as Entra does). */
export class UserDirectory {
  private readonly users = new Map<string, RegisteredUser>()
  /** Domains whose users sign in at their own AD FS (user realm discovery's 'Federated'). */
  readonly federation = new FederatedDomains()
  private readonly revocations = new Map<string, SessionsValidFrom>()

  register(registration: UserRegistration): RegisteredUser {
    const user = makeUser(registration)
    this.users.set(user.username.toLowerCase(), user)
    return user
  }

  find(username: string): RegisteredUser | undefined {
    return this.users.get(username.toLowerCase())
  }

  /** The user with this object id (`oid`), without regard to case. */
  findByObjectId(objectId: string): RegisteredUser | undefined {
    return [...this.users.values()].find((user) => user.oid === objectId.toLowerCase())
  }

  /** Every user, in the order they were registered. */
  all(): RegisteredUser[] {
    return [...this.users.values()]
  }

  /** Whether any user signs in with a name in this domain (user realm discovery's question). */
  knowsDomain(domain: string): boolean {
    return [...this.users.values()].some((user) => user.domain === domain.toLowerCase())
  }

  /** Ends every sign-in session of the user so far: its refresh tokens stop working. */
  revokeSessions(username: string, atMs: number): void {
    const key = username.toLowerCase()
    this.revocations.set(key, { generation: this.sessionsValidFrom(username).generation + 1, atMs })
  }

  sessionsValidFrom(username: string): SessionsValidFrom {
    return this.revocations.get(username.toLowerCase()) ?? { generation: 0, atMs: 0 }
  }
}
