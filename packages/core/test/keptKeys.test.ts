/**
 * KeptKeys (filing's memo of the keys an account's entries were last filed under) gives the
 * keys keyFor and canonicalKey build, whatever the order of the entries: a memo only.
 */
import fc from 'fast-check'
import { SerializableTokenCache } from '@msal-ts/core'
import { canonicalKey, KeptKeys, keyFor, reduceTokenResponse } from '@msal-ts/core/protocol'

type Kind = 'RefreshToken' | 'IdToken' | 'Account' | 'AppMetadata'

/** Few values per field, mixed case and spelled as new strings, so that entries repeat, differ in one field, or differ only in case. */
const value = (choices: readonly string[]) => fc.constantFrom(...choices).map((text) => text.split('').join(''))
const entry = fc.record({
  kind: fc.constantFrom<Kind>('RefreshToken', 'IdToken', 'Account', 'AppMetadata'),
  home: value(['uid-1.utid', 'uid-2.utid', 'UID-1.utid']),
  environment: value(['login.microsoftonline.com', 'login.windows.net']),
  client: value(['client-a', 'Client-A', 'client-b']),
  realm: value(['tenant-1', 'tenant-2']),
  target: value(['user.read', 'b a', 'User.Read openid']),
})

const entityOf = ({ kind, home, environment, client, realm, target }: { kind: Kind; home: string; environment: string; client: string; realm: string; target: string }) => {
  switch (kind) {
    case 'RefreshToken':
      return { credential_type: 'RefreshToken', secret: 's', home_account_id: home, environment, client_id: client, target }
    case 'IdToken':
      return { credential_type: 'IdToken', secret: 's', home_account_id: home, environment, client_id: client, realm }
    case 'Account':
      return { home_account_id: home, environment, realm, local_account_id: 'l', username: 'u', authority_type: 'MSSTS' }
    case 'AppMetadata':
      return { client_id: client, environment }
  }
}

describe('KeptKeys', () => {
  it('gives the key and canonical key keyFor and canonicalKey build, over any sequence of entries', () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 40 }), (entries) => {
        const keys = new KeptKeys()
        for (const fields of entries) {
          const entity = entityOf(fields) as never
          const kept = keys.keysOf(fields.kind, entity)
          expect(kept.key).toBe(keyFor(fields.kind, entity))
          expect(kept.canonical).toBe(canonicalKey(fields.kind, entity))
          expect(keys.ownerKey(fields.environment, fields.home)).toBe(`${fields.environment}\u0000${fields.home}`.toLowerCase())
        }
      }),
      { numRuns: 500 },
    )
  })

  it('files responses into a store exactly as filing each with no memo does', () => {
    const cache = new SerializableTokenCache()
    const alone = new SerializableTokenCache()
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    for (let i = 0; i < 60; i++) {
      const user = i % 3
      const response = { token_type: 'Bearer', access_token: `at-${i}`, expires_in: 3600, scope: i % 2 === 0 ? 'User.Read' : 'Mail.Read', refresh_token: `rt-${i}`, client_info: b64({ uid: `uid-${user}`, utid: 'utid' }), id_token: `${b64({ alg: 'none' })}.${b64({ oid: `oid-${user}`, tid: 'utid', preferred_username: `user${user}@contoso.com` })}.` }
      const event = { clientId: i % 4 === 0 ? 'Client-A' : 'client-a', environment: 'login.microsoftonline.com', realm: 'utid', scopes: ['User.Read'], response, clientInfo: { uid: `uid-${user}`, utid: 'utid' }, idTokenClaims: { oid: `oid-${user}`, tid: 'utid' }, grantType: 'authorization_code' }
      // `cache` keeps its memo from response to response; `alone` has none, so filing builds every key.
      const decided = reduceTokenResponse(event, 1_700_000_000 + i, cache)
      expect(decided.puts.map((put) => [put.key, put.canonical])).toEqual(decided.puts.map((put) => [keyFor(put.type, put.entity as never), canonicalKey(put.type, put.entity as never)]))
      cache.apply(decided)
      alone.filingKeys = undefined
      alone.apply(reduceTokenResponse(event, 1_700_000_000 + i, alone))
    }
    expect(cache.serialize()).toBe(alone.serialize())
  })
})
