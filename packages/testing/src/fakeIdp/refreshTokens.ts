import { bytesToBase64Url } from '@msal-ts/core/protocol'
import type { RandomSource } from '../random.js'

/** What the provider remembers about a refresh token it issued. */
export interface RefreshTokenRecord {
  /** The user's sign-in name. */
  readonly username: string
  readonly clientId: string
  /** The family of the app it was issued to, if any: family members may redeem it. */
  readonly familyId: string | undefined
  readonly scopes: readonly string[]
  /** Epoch milliseconds. */
  readonly issuedAtMs: number
  /** The user's session generation at issue: revoking sessions starts a new one. */
  readonly generation: number
}

/**
 * Refresh tokens are opaque to clients (Entra's are encrypted blobs), so the provider keeps
 * what each one stands for. Redeeming one does not use it up: Entra's stay valid until they
 * expire or the user's sessions are revoked, even after a newer one is issued.
 */
export class RefreshTokenStore {
  private readonly records = new Map<string, RefreshTokenRecord>()

  constructor(private readonly random: RandomSource) {}

  issue(record: RefreshTokenRecord): string {
    const token = bytesToBase64Url(this.random(48))
    this.records.set(token, record)
    return token
  }

  find(token: string): RefreshTokenRecord | undefined {
    return this.records.get(token)
  }
}
