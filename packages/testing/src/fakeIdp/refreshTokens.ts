import { bytesToBase64Url } from '@msal-ts/core/protocol'
import type { RandomSource } from '../random.js'
import type { RedirectPlatform } from './redirectUris.js'

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
  /**
   * The platform of the redirect URI the sign-in came through, kept on rotation: a single-page
   * application's refresh tokens are redeemed cross-origin only, others never cross-origin.
   * Undefined for sign-ins through no redirect URI (device code, password, `issueRefreshToken`).
   */
  readonly platform: RedirectPlatform | undefined
  /** When a single-page application's refresh token stops working (epoch ms): fixed at sign-in, kept on rotation. */
  readonly expiresAtMs: number | undefined
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
