/** How a client authenticated at the token endpoint (the names of RFC 8414's token_endpoint_auth_methods). */
export type ClientAuthenticationMethod = 'client_secret_post' | 'client_secret_basic' | 'private_key_jwt' | 'none'

/** How the key that verified a client assertion was found. */
export type AssertionKeySource = 'x5t' | 'x5t#S256' | 'x5c'

/** One token request's successful client authentication, as a test asserts on it. */
export interface ClientAuthentication {
  /** client_id (RFC 6749 §2.2) of the authenticated app, as registered. */
  readonly clientId: string
  /** How the app authenticated, by its token_endpoint_auth_method name (RFC 7591 §2; OpenID Connect Core 1.0 §9); "none": a public client. */
  readonly method: ClientAuthenticationMethod
  /** The request's grant_type. */
  readonly grantType: string
  /** Epoch milliseconds on the provider's clock. */
  readonly at: number
  /** private_key_jwt: the assertion's `jti`, protected header and claims, and how its key was found. */
  readonly jti?: string | undefined
  /** private_key_jwt: the assertion's JOSE header (RFC 7515 §4), e.g. alg, x5t#S256. */
  readonly header?: Readonly<Record<string, unknown>> | undefined
  /** private_key_jwt: the assertion's claims (RFC 7523 §3: iss, sub, aud, exp, jti...). */
  readonly claims?: Readonly<Record<string, unknown>> | undefined
  /** private_key_jwt: how the verifying key was found: x5t or x5t#S256 (RFC 7515 §4.1.7–8) of a registered certificate, or the x5c chain. */
  readonly keySource?: AssertionKeySource | undefined
}

/**
 * Every client authentication the provider accepted, and the client assertions it has seen.
 * Entra accepts an assertion again until it expires (MSAL reuses one for up to 540 s), so
 * refusing a replay is a provider option, not the default.
 */
export class ClientAuthenticationLedger {
  private readonly accepted: ClientAuthentication[] = []
  private readonly seenAssertions = new Map<string, number>()

  constructor(readonly rejectReplayedAssertions: boolean) {}

  record(authentication: ClientAuthentication): void {
    this.accepted.push(authentication)
    if (authentication.jti !== undefined) this.seenAssertions.set(assertionKey(authentication.clientId, authentication.jti), authentication.at)
  }

  /** When an assertion with this jti was first accepted from this client, if it was. */
  firstUse(clientId: string, jti: string): number | undefined {
    return this.seenAssertions.get(assertionKey(clientId, jti))
  }

  get all(): readonly ClientAuthentication[] {
    return this.accepted
  }

  /** Forgets the record (not the assertions seen: a replay stays a replay). */
  clear(): void {
    this.accepted.length = 0
  }
}

const assertionKey = (clientId: string, jti: string): string => `${clientId.toLowerCase()} ${jti}`
