import * as t from 'io-ts'

/**
 * MSAL's unified token cache schema, as MSAL Python and MSAL for Node write it. Field names are
 * the wire's (snake_case). Timestamps are strings of epoch seconds. Unknown fields are kept
 * (io-ts `type` does not strip), so an entry round-trips whatever other fields its writer added.
 */

/** Epoch seconds as a string; numbers (some writers) are accepted and normalised to strings. */
export const EpochSecondsString = new t.Type<string, string, unknown>(
  'epoch seconds',
  (u): u is string => typeof u === 'string' && /^\d+$/.test(u),
  (u, c) => {
    if (typeof u === 'string' && /^\d+$/.test(u)) return t.success(u)
    if (typeof u === 'number' && Number.isInteger(u) && u >= 0) return t.success(String(u))
    return t.failure(u, c)
  },
  t.identity,
)

/** null (MSAL Python) or "" (MSAL for Node) mark an app's own token, which has no account. */
const HomeAccountId = t.union([t.string, t.null])
const OptionalString = t.union([t.string, t.null])

export const AccessTokenEntity = t.intersection(
  [
    t.type({
      credential_type: t.literal('AccessToken'),
      secret: t.string,
      environment: t.string,
      client_id: t.string,
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
    }),
  ],
  'an access token entry',
)
export type AccessTokenEntity = t.TypeOf<typeof AccessTokenEntity> & { readonly [extra: string]: unknown }

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
  [t.type({ client_id: t.string, environment: t.string }), t.partial({ family_id: OptionalString })],
  'an app metadata entry',
)
export type AppMetadataEntity = t.TypeOf<typeof AppMetadataEntity> & { readonly [extra: string]: unknown }

/** The cache's sections, named as the serialized JSON names them. */
export const CREDENTIAL_TYPES = ['AccessToken', 'RefreshToken', 'IdToken', 'Account', 'AppMetadata'] as const
export type CredentialType = (typeof CREDENTIAL_TYPES)[number]

export interface EntityOf {
  AccessToken: AccessTokenEntity
  RefreshToken: RefreshTokenEntity
  IdToken: IdTokenEntity
  Account: AccountEntity
  AppMetadata: AppMetadataEntity
}

export const ENTITY_CODECS: { readonly [K in CredentialType]: t.Type<EntityOf[K], unknown, unknown> } = {
  AccessToken: AccessTokenEntity as t.Type<AccessTokenEntity, unknown, unknown>,
  RefreshToken: RefreshTokenEntity as t.Type<RefreshTokenEntity, unknown, unknown>,
  IdToken: IdTokenEntity as t.Type<IdTokenEntity, unknown, unknown>,
  Account: AccountEntity as t.Type<AccountEntity, unknown, unknown>,
  AppMetadata: AppMetadataEntity as t.Type<AppMetadataEntity, unknown, unknown>,
}
