import * as t from 'io-ts'

/**
 * MSAL's unified token cache schema, as MSAL Python and MSAL for Node write it.
 * Timestamps are strings of epoch seconds. Unknown fields are kept (io-ts `type` does not strip).
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
      /** null (MSAL Python) or "" (MSAL for Node) for tokens that belong to the app, not a user. */
      home_account_id: t.union([t.string, t.null]),
      token_type: t.string,
      extended_expires_on: EpochSecondsString,
      refresh_on: EpochSecondsString,
      key_id: t.string,
    }),
  ],
  'an access token entry',
)
export type AccessTokenEntity = t.TypeOf<typeof AccessTokenEntity> & { readonly [extra: string]: unknown }
