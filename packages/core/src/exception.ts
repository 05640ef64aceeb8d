import type { MsalError, MsalErrorTag } from './errors.js'

const OWN_FIELDS = new Set(['_tag', 'code', 'error', 'message'])

/**
 * An MsalError as a thrown Error, for Promise-returning public APIs (the node and browser
 * packages export it as `MsalError`). It carries every field of the tagged value, so
 * `err.error`, `err.errorDescription`, `err.correlationId` read as in MSAL Python's error dict.
 */
export class MsalException extends Error {
  /** Which kind of failure: the union's tag. */
  readonly kind: MsalErrorTag
  /** Stable, machine-readable code. */
  readonly code: MsalError['code']
  /** The OAuth2 error when the identity provider sent one, else `code`. */
  readonly error: string
  /** The tagged value itself. */
  readonly detail: MsalError
  declare readonly errorDescription?: string
  declare readonly errorCodes?: readonly number[]
  declare readonly suberror?: string
  declare readonly classification?: string
  declare readonly correlationId?: string
  declare readonly traceId?: string
  declare readonly timestamp?: string
  declare readonly claims?: string
  declare readonly errorUri?: string
  declare readonly status?: number
  declare readonly retryAfterMs?: number
  declare readonly field?: string
  declare readonly argument?: string
  declare readonly url?: string
  declare readonly bodyExcerpt?: string

  constructor(detail: MsalError) {
    super(detail.message)
    this.name = 'MsalError'
    this.detail = detail
    this.kind = detail._tag
    this.code = detail.code
    this.error = 'error' in detail && typeof detail.error === 'string' ? detail.error : detail.code
    for (const [name, value] of Object.entries(detail)) {
      if (value !== undefined && !OWN_FIELDS.has(name)) Object.defineProperty(this, name, { value, enumerable: true })
    }
  }
}

/**
 * MSAL Python's IdTokenError: `error instanceof IdTokenError` holds for every MsalError whose
 * kind is 'IdTokenError' (an ID token failed its audience, nonce or max_age check).
 */
export class IdTokenError extends MsalException {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof MsalException && value.kind === 'IdTokenError'
  }
}
