import * as t from '../util/decoder.js'

/**
 * MSAL's unified token cache schema, as MSAL Python and MSAL for Node write it. Field names are
 * the wire's (snake_case). Timestamps are strings of epoch seconds. Unknown fields are kept
 * (decoders do not strip), so an entry round-trips whatever other fields its writer added.
 */

/**
 * Epoch seconds as a string of 1 to 15 digits; whole numbers (some writers) are accepted and
 * normalised to strings. Anything else ("1e+308", a fraction, 400 digits) does not fit: MSAL
 * Python's int() and MSAL for Node's parseInt read these fields.
 */
export const EpochSecondsString = t.normalising(
  'epoch seconds',
  (u): u is string => typeof u === 'string' && /^\d{1,15}$/.test(u),
  (u) => (typeof u === 'number' && Number.isSafeInteger(u) && u >= 0 && u < 1e15 ? String(u) : undefined),
)

/** null (MSAL Python) or "" (MSAL for Node) mark an app's own token, which has no account. */
const HomeAccountId = t.union([t.string, t.nullValue])
const OptionalString = t.union([t.string, t.nullValue])
/**
 * null: MSAL Python files a system-assigned managed identity's tokens (and app metadata) with no
 * client id.
 */
const ClientId = t.union([t.string, t.nullValue])

export const AccessTokenEntity = t.intersection(
  [
    t.type({
      credential_type: t.literal('AccessToken'),
      secret: t.string,
      environment: t.string,
      client_id: ClientId,
      target: t.string,
      realm: t.string,
      cached_at: EpochSecondsString,
      expires_on: EpochSecondsString,
    }),
    t.partial({
      home_account_id: HomeAccountId,
      token_type: t.string,
      extended_expires_on: EpochSecondsString,
      refresh_on: EpochSecondsString,
      key_id: t.string,
      /** MSAL Python's cache isolation for FMI tokens: a hash of the request's fmi_path. */
      ext_cache_key: t.string,
      /** MSAL.NET's and MSAL for Node's: on-behalf-of tokens belong to the assertion they were obtained with. */
      user_assertion_hash: t.string,
    }),
  ],
  'an access token entry',
)
export type AccessTokenEntity = t.TypeOf<typeof AccessTokenEntity> & { readonly [extra: string]: unknown }

/**
 * An on-behalf-of token's assertion hash: MSAL.NET writes `user_assertion_hash`, MSAL for Node
 * `userAssertionHash` (we write both).
 */
export const userAssertionHashOf = (entity: { readonly [field: string]: unknown }): string | undefined => {
  const hash = entity['user_assertion_hash'] ?? entity['userAssertionHash']
  return typeof hash === 'string' && hash !== '' ? hash : undefined
}

const isEpochSeconds = (u: unknown): boolean => {
  if (typeof u !== 'string' || u.length === 0 || u.length > 15) return false
  for (let i = 0; i < u.length; i++) {
    const c = u.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}
const isOptional = (u: unknown, check: (v: unknown) => boolean): boolean => u === undefined || check(u)
const isString = (u: unknown): boolean => typeof u === 'string'

/**
 * AccessTokenEntity.is, written out: a large cache is mostly access tokens, and this guard runs
 * once per entry on every load. A property test keeps it in agreement with the codec.
 */
export const isAccessTokenEntity = (u: unknown): u is AccessTokenEntity => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return false
  const at = u as Record<string, unknown>
  return (
    at['credential_type'] === 'AccessToken' &&
    isString(at['secret']) &&
    isString(at['environment']) &&
    (at['client_id'] === null || isString(at['client_id'])) &&
    isString(at['target']) &&
    isString(at['realm']) &&
    isEpochSeconds(at['cached_at']) &&
    isEpochSeconds(at['expires_on']) &&
    isOptional(at['home_account_id'], (v) => v === null || isString(v)) &&
    isOptional(at['token_type'], isString) &&
    isOptional(at['extended_expires_on'], isEpochSeconds) &&
    isOptional(at['refresh_on'], isEpochSeconds) &&
    isOptional(at['key_id'], isString) &&
    isOptional(at['ext_cache_key'], isString) &&
    isOptional(at['user_assertion_hash'], isString)
  )
}

export const RefreshTokenEntity = t.intersection(
  [
    t.type({
      credential_type: t.literal('RefreshToken'),
      secret: t.string,
      environment: t.string,
      client_id: t.string,
    }),
    t.partial({
      home_account_id: HomeAccountId,
      /** Optional per schema: Entra's refresh tokens are scope-independent. */
      target: OptionalString,
      realm: OptionalString,
      /** "1" for refresh tokens of Microsoft's family of client ids (FOCI). */
      family_id: OptionalString,
      last_modification_time: EpochSecondsString,
      /** When the refresh token itself expires (from `refresh_token_expires_in`), epoch seconds; MSAL for JS's field. */
      expires_on: EpochSecondsString,
    }),
  ],
  'a refresh token entry',
)
export type RefreshTokenEntity = t.TypeOf<typeof RefreshTokenEntity> & { readonly [extra: string]: unknown }

export const IdTokenEntity = t.intersection(
  [
    t.type({
      credential_type: t.literal('IdToken'),
      secret: t.string,
      environment: t.string,
      client_id: t.string,
    }),
    t.partial({ home_account_id: HomeAccountId, realm: OptionalString }),
  ],
  'an ID token entry',
)
export type IdTokenEntity = t.TypeOf<typeof IdTokenEntity> & { readonly [extra: string]: unknown }

export const AccountEntity = t.intersection(
  [
    t.type({ home_account_id: t.string, environment: t.string }),
    t.partial({
      realm: OptionalString,
      local_account_id: OptionalString,
      username: OptionalString,
      /** MSSTS (Entra, Microsoft accounts) or ADFS. */
      authority_type: t.string,
      /** The grant that created the account (MSAL Python 1.22+). */
      account_source: OptionalString,
      name: OptionalString,
      client_info: OptionalString,
    }),
  ],
  'an account entry',
)
export type AccountEntity = t.TypeOf<typeof AccountEntity> & { readonly [extra: string]: unknown }

export const AppMetadataEntity = t.intersection(
  [t.type({ client_id: ClientId, environment: t.string }), t.partial({ family_id: OptionalString })],
  'an app metadata entry',
)
export type AppMetadataEntity = t.TypeOf<typeof AppMetadataEntity> & { readonly [extra: string]: unknown }

/** The cache's sections, named as the serialized JSON names them. */
export const CREDENTIAL_TYPES = ['AccessToken', 'RefreshToken', 'IdToken', 'Account', 'AppMetadata'] as const
export type CredentialType = (typeof CREDENTIAL_TYPES)[number]

export interface EntityOf {
  /** An access token entry (unified cache schema, the "AccessToken" section). */
  AccessToken: AccessTokenEntity
  /** A refresh token entry (unified cache schema, the "RefreshToken" section). */
  RefreshToken: RefreshTokenEntity
  /** An ID token entry (unified cache schema, the "IdToken" section). */
  IdToken: IdTokenEntity
  /** An account entry (unified cache schema, the "Account" section). */
  Account: AccountEntity
  /** An app metadata entry, the app's family_id (unified cache schema, the "AppMetadata" section). */
  AppMetadata: AppMetadataEntity
}

export const ENTITY_CODECS: { readonly [K in CredentialType]: t.Decoder<EntityOf[K]> } = {
  AccessToken: AccessTokenEntity as t.Decoder<AccessTokenEntity>,
  RefreshToken: RefreshTokenEntity as t.Decoder<RefreshTokenEntity>,
  IdToken: IdTokenEntity as t.Decoder<IdTokenEntity>,
  Account: AccountEntity as t.Decoder<AccountEntity>,
  AppMetadata: AppMetadataEntity as t.Decoder<AppMetadataEntity>,
}
