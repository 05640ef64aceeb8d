import { bytesToBase64Url } from '@msal-ts/core/protocol'
import type { RandomSource } from '../random.js'
import type { ChallengeMethod } from './pkce.js'
import type { RedirectPlatform } from './redirectUris.js'

/** Entra's authorization codes live about 10 minutes. */
export const AUTHORIZATION_CODE_LIFETIME_MS = 10 * 60 * 1000

/** What the provider remembers about an authorization code it issued. */
export interface AuthorizationCodeRecord {
  readonly clientId: string
  /** The redirect URI the authorization request named (undefined: it named none). Redemption must name the same. */
  readonly redirectUri: string | undefined
  /** The platform the redirect URI the response went to is registered under: how the code may be redeemed. */
  readonly platform: RedirectPlatform
  readonly scopes: readonly string[]
  readonly username: string
  readonly nonce: string | undefined
  /** The PKCE challenge, when the request sent one, and how it was made from the verifier. */
  readonly codeChallenge: string | undefined
  readonly codeChallengeMethod: ChallengeMethod | undefined
  /** When the user authenticated (epoch ms). */
  readonly authTimeMs: number
  /** The request asked for `max_age`: the ID token then carries `auth_time`. */
  readonly maxAgeAsked: boolean
  readonly issuedAtMs: number
}

/**
 * Authorization codes are opaque to clients, so the provider keeps what each stands for. A code
 * is redeemed once; it stays known afterwards so a second redemption gets Entra's own error.
 */
export class AuthorizationCodeStore {
  private readonly records = new Map<string, AuthorizationCodeRecord>()
  private readonly redeemed = new Set<string>()

  constructor(private readonly random: RandomSource) {}

  issue(record: AuthorizationCodeRecord): string {
    // Entra's codes are long opaque strings beginning with a version ("1.A…").
    const code = `1.A${bytesToBase64Url(this.random(96))}`
    this.records.set(code, record)
    return code
  }

  find(code: string): AuthorizationCodeRecord | undefined {
    return this.records.get(code)
  }

  isRedeemed(code: string): boolean {
    return this.redeemed.has(code)
  }

  redeem(code: string): void {
    this.redeemed.add(code)
  }
}
