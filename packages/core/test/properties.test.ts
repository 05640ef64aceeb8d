import fc from 'fast-check'
import * as E from '#fp-ts/Either'
import { canonicalKey, isCanonicalAccessTokenKey } from '../src/cache/keys.js'
import type { AccessTokenEntity as AccessTokenEntry } from '../src/cache/schema.js'
import { decodeConfidentialClientConfig, parseAuthority, TokenCache, type Authority } from '@msal-ts/core'
import { AccessTokenCodec as AccessTokenEntity, isAccessTokenEntity, mergeClaimsAndCapabilities, parseHttpDate, parseRetryAfter, processOpenIdConfiguration, processTokenResponse, reduceTokenResponse, selectAccessToken, validateScopes } from '@msal-ts/core/protocol'

const isEither = (value: unknown): boolean => E.isLeft(value as E.Either<unknown, unknown>) || E.isRight(value as E.Either<unknown, unknown>)

const jsonBody = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        access_token: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        expires_in: fc.oneof(fc.integer(), fc.string(), fc.double()),
        error: fc.oneof(fc.string(), fc.integer()),
        error_codes: fc.oneof(fc.array(fc.integer()), fc.string()),
        scope: fc.oneof(fc.string(), fc.integer()),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
)

describe('properties: parsers never throw, they answer an MsalError', () => {
  it('processTokenResponse, for any status, headers and body', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.option(fc.string()), jsonBody, (status, retryAfter, body) => {
        const headers: Record<string, string> = retryAfter === null ? {} : { 'retry-after': retryAfter }
        const result = processTokenResponse({ _tag: 'HttpResponse', status, headers, body }, { url: 'u', nowMs: 0, defaultRetryAfterMs: 5000 })
        expect(isEither(result)).toBe(true)
        if (E.isLeft(result)) {
          expect(typeof result.left.message).toBe('string')
          if (result.left.kind !== 'ThrottledError' && result.left.kind !== 'ServerError') expect(result.left.kind).toBe('InvalidResponseError')
        } else {
          expect(status >= 200 && status < 300).toBe(true)
          expect(result.right.access_token.length).toBeGreaterThan(0)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('processOpenIdConfiguration, for any body', () => {
    const authority = (parseAuthority('https://id.example/t') as E.Right<Authority>).right
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), jsonBody, (status, body) => {
        expect(isEither(processOpenIdConfiguration({ _tag: 'HttpResponse', status, headers: {}, body }, authority, { url: 'u', nowMs: 0, defaultRetryAfterMs: 0 }))).toBe(true)
      }),
    )
  })

  it('parseAuthority, for any string or URL; what it accepts re-parses to itself', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.anything()), (input) => {
        const result = parseAuthority(input)
        expect(isEither(result)).toBe(true)
        if (E.isRight(result)) {
          const again = parseAuthority(result.right.url)
          expect(E.isRight(again) && again.right).toEqual({ ...result.right, query: '' })
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('validateScopes, mergeClaimsAndCapabilities and the config decoder, for anything', () => {
    fc.assert(
      fc.property(fc.anything(), fc.array(fc.string({ minLength: 1 })), fc.option(fc.string()), (anything, capabilities, challenge) => {
        expect(isEither(validateScopes(anything))).toBe(true)
        expect(isEither(decodeConfidentialClientConfig(anything))).toBe(true)
        const merged = mergeClaimsAndCapabilities(capabilities, challenge ?? undefined)
        if (E.isRight(merged) && merged.right !== undefined && capabilities.length > 0) {
          expect(JSON.parse(merged.right).access_token.xms_cc.values).toEqual(capabilities)
        }
      }),
    )
  })

  it('parseHttpDate agrees with Date.parse on every IMF-fixdate', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(0), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }), (date) => {
        const text = date.toUTCString()
        expect(parseHttpDate(text)).toBe(Date.parse(text))
      }),
      { numRuns: 2000 },
    )
  })

  it('parseRetryAfter never goes negative', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.nat().map(String)), fc.nat(), (value, now) => {
        const ms = parseRetryAfter(value, now)
        expect(ms === undefined || ms >= 0).toBe(true)
      }),
    )
  })
})

describe('properties: the hand-written access-token guard agrees with the codec', () => {
  it('for any value, including near-misses of a valid entry', () => {
    const valid = { credential_type: 'AccessToken', secret: 's', environment: 'e', client_id: 'c', target: 't', realm: 'r', cached_at: '1', expires_on: '2' }
    const nearMiss = fc.record({
      field: fc.constantFrom(...Object.keys(valid), 'home_account_id', 'token_type', 'extended_expires_on', 'refresh_on', 'key_id'),
      value: fc.oneof(fc.anything(), fc.constantFrom(undefined, null, '', '12', 'x1', 12, -1)),
    }).map(({ field, value }) => ({ ...valid, [field]: value }))
    fc.assert(
      fc.property(fc.oneof(fc.anything(), nearMiss), (value) => {
        expect(isAccessTokenEntity(value)).toBe(AccessTokenEntity.is(value))
      }),
      { numRuns: 5000 },
    )
  })
})

describe('properties: the cache never loses an entry and always finds what it filed', () => {
  const scope = fc.stringMatching(/^[A-Za-z][A-Za-z0-9.:/_-]{0,20}$/)
  const tokenEvent = fc.record({
    clientId: fc.constantFrom('c1', 'c2'),
    environment: fc.constantFrom('login.microsoftonline.com', 'login.microsoftonline.us'),
    realm: fc.constantFrom('t1', 't2', 'T1'),
    scopes: fc.uniqueArray(scope, { minLength: 1, maxLength: 4, comparator: (a, b) => a.toLowerCase() === b.toLowerCase() }),
    response: fc.record({ access_token: fc.string({ minLength: 1 }), expires_in: fc.integer({ min: 301, max: 100_000 }) }),
    homeAccountId: fc.constantFrom(null, 'uid.utid'),
  })

  it('after any sequence of responses, each latest one is found, and the count matches the distinct keys', () => {
    fc.assert(
      fc.property(fc.array(tokenEvent, { minLength: 1, maxLength: 40 }), (events) => {
        const cache = new TokenCache()
        const keys = new Set<string>()
        for (const event of events) {
          const change = reduceTokenResponse(event, 1000)
          change.puts.filter((put) => put.type === 'AccessToken').forEach((put) => keys.add(put.key))
          cache.apply(change)
        }
        expect(cache.accessTokenCount).toBe(keys.size)
        const last = events[events.length - 1]!
        const found = selectAccessToken(cache, { ...last, scopes: last.scopes }, 1000)
        expect(found._tag).toBe('Fresh')
        if (found._tag === 'Fresh') {
          expect(found.entity.client_id).toBe(last.clientId)
          expect(found.entity.realm.toLowerCase()).toBe(last.realm.toLowerCase())
        }
      }),
    )
  })
})

describe('properties: the in-place canonical-key check agrees with canonicalKey', () => {
  // Parts as caches write them: mixed case, other writers' separators, non-ASCII now and then.
  const part = fc.oneof(fc.stringMatching(/^[A-Za-z0-9.:/_-]{1,20}$/), fc.constantFrom('Ünïcödé', 'İ', 'ẞ', ''))
  const entity = fc.record({
    home_account_id: fc.oneof(part, fc.constant(null)),
    environment: part,
    client_id: fc.oneof(part, fc.constant(null)),
    realm: part,
    target: fc.oneof(part, fc.constantFrom('b a', 'User.Read openid')),
    key_id: fc.option(part, { nil: undefined }),
    ext_cache_key: fc.option(part, { nil: undefined }),
    user_assertion_hash: fc.option(part, { nil: undefined }),
  })

  it('says a key is canonical exactly when it is canonicalKey, or that it cannot tell', () => {
    fc.assert(
      fc.property(entity, fc.oneof(fc.constant('canonical'), fc.constant('upper'), fc.constant('suffix'), part), (fields, keyKind) => {
        const at = { credential_type: 'AccessToken', secret: 's', cached_at: '1', expires_on: '2', ...fields } as unknown as AccessTokenEntry
        const canonical = canonicalKey('AccessToken', at)
        const key = keyKind === 'canonical' ? canonical : keyKind === 'upper' ? canonical.toUpperCase() : keyKind === 'suffix' ? `${canonical}-` : keyKind
        const told = isCanonicalAccessTokenKey(key, at)
        if (told !== undefined) expect(told).toBe(key === canonical)
        // Every plain (ASCII, one-scope, user) token's own key is recognised without building it.
        if (keyKind === 'canonical' && fields.home_account_id && !fields.target.includes(' ') && /^[ -~]*$/.test(canonical)) expect(told).toBe(true)
      }),
    )
  })
})
