import { bytesToBase64Url } from '@msal-ts/core/protocol'
import type { RandomSource } from '../random.js'

/** Where Entra sends users to enter a device code. */
export const DEVICE_LOGIN_URI = 'https://microsoft.com/devicelogin'

const USER_CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
/** Entra's user codes are 9 upper-case letters and digits, e.g. "BPPVYQZMA". */
const USER_CODE_LENGTH = 9

export interface DeviceCodeSettings {
  /** Seconds a client must wait between polls (Entra: 5). */
  readonly intervalSeconds: number
  /** Seconds until the code expires (Entra: 900). */
  readonly lifetimeSeconds: number
  /** For demos: approve every code for this user at its (afterPolls + 1)th poll (default: the first). */
  readonly autoApprove: { readonly user: string; readonly afterPolls?: number | undefined } | undefined
}

export type DeviceCodeStatus =
  | { readonly kind: 'pending' }
  | { readonly kind: 'approved'; readonly username: string; readonly authTimeMs: number }
  | { readonly kind: 'declined' }
  | { readonly kind: 'redeemed' }

/** A device code flow in progress. */
export interface DeviceCodeRecord {
  readonly deviceCode: string
  readonly userCode: string
  readonly clientId: string
  readonly scopes: readonly string[]
  readonly issuedAtMs: number
  readonly expiresAtMs: number
  readonly intervalSeconds: number
  /** When the client last polled (epoch ms). */
  lastPollMs: number | undefined
  polls: number
  status: DeviceCodeStatus
}

/** A device code the user has not acted on yet, as tests and demos see it. */
export interface PendingDeviceCode {
  /** user_code (RFC 8628 §3.2): what the user types at the verification URI. */
  readonly userCode: string
  /** client_id (RFC 6749 §2.2) of the app that asked for the code. */
  readonly clientId: string
  /** The scopes the device authorization request asked for (RFC 8628 §3.1). */
  readonly scopes: readonly string[]
  /** Epoch ms. */
  readonly expiresAtMs: number
}

/**
 * Device codes the provider issued, found by the device code (the client's handle) or the user
 * code (what the user types at microsoft.com/devicelogin). The user's side happens through the
 * provider's API: `approve` and `decline`.
 */
export class DeviceCodeStore {
  private readonly byDevice = new Map<string, DeviceCodeRecord>()
  private readonly byUser = new Map<string, DeviceCodeRecord>()

  constructor(
    private readonly random: RandomSource,
    readonly settings: DeviceCodeSettings,
  ) {}

  issue({ clientId, scopes, nowMs }: { clientId: string; scopes: readonly string[]; nowMs: number }): DeviceCodeRecord {
    const record: DeviceCodeRecord = {
      deviceCode: `DAQABIQEAAAD${bytesToBase64Url(this.random(96))}`,
      userCode: this.newUserCode(),
      clientId,
      scopes,
      issuedAtMs: nowMs,
      expiresAtMs: nowMs + this.settings.lifetimeSeconds * 1000,
      intervalSeconds: this.settings.intervalSeconds,
      lastPollMs: undefined,
      polls: 0,
      status: { kind: 'pending' },
    }
    this.byDevice.set(record.deviceCode, record)
    this.byUser.set(record.userCode, record)
    return record
  }

  findByDeviceCode(deviceCode: string): DeviceCodeRecord | undefined {
    return this.byDevice.get(deviceCode)
  }

  /** The user's side: they entered the code and signed in. Throws unless the code is pending and unexpired. */
  approve(userCode: string, username: string, nowMs: number): void {
    this.pendingRecord(userCode, nowMs).status = { kind: 'approved', username, authTimeMs: nowMs }
  }

  /** The user's side: they entered the code and refused. Throws unless the code is pending and unexpired. */
  decline(userCode: string, nowMs: number): void {
    this.pendingRecord(userCode, nowMs).status = { kind: 'declined' }
  }

  /** Codes waiting for the user, oldest first. */
  pending(nowMs: number): PendingDeviceCode[] {
    return [...this.byDevice.values()]
      .filter((record) => record.status.kind === 'pending' && nowMs < record.expiresAtMs)
      .map(({ userCode, clientId, scopes, expiresAtMs }) => ({ userCode, clientId, scopes, expiresAtMs }))
  }

  private pendingRecord(userCode: string, nowMs: number): DeviceCodeRecord {
    // People type codes in any case, sometimes with spaces or dashes.
    const record = this.byUser.get(userCode.toUpperCase().replace(/[\s-]/g, ''))
    if (record === undefined) throw new Error(`FakeIdentityProvider: no device code with user code '${userCode}'`)
    if (nowMs >= record.expiresAtMs) throw new Error(`FakeIdentityProvider: device code '${userCode}' has expired`)
    if (record.status.kind !== 'pending') throw new Error(`FakeIdentityProvider: device code '${userCode}' is already ${record.status.kind}`)
    return record
  }

  private newUserCode(): string {
    for (;;) {
      const code = [...this.random(USER_CODE_LENGTH)].map((byte) => USER_CODE_ALPHABET[byte % USER_CODE_ALPHABET.length]).join('')
      if (!this.byUser.has(code)) return code
    }
  }
}
