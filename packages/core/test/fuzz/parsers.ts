/**
 * Every parser of data from outside (servers, files, callers), with inputs fast-check makes up:
 * random text and values, JSON with the right field names and wrong values, absurd numbers,
 * keys named like Object.prototype's members, deep nesting, and mutations of real documents.
 * For each input: no exception but an MsalError (or the parser's documented error value), no
 * state changed on failure, and Object.prototype untouched. properties.fuzz.test.ts runs a few
 * thousand cases of each inside `./dev test`; bench/fuzz.ts runs 10^5 of each and prints the
 * counts. Plain node:assert, so the bench can run it outside jest.
 */
import { strict as assert } from 'node:assert'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import * as E from '#fp-ts/Either'
import {
  acquireTokenByAuthCodeFlow,
  createClientContext,
  decodePublicClientConfig,
  HttpCache,
  initiateAuthCodeFlow,
  isMsalError,
  parseAuthority,
  runFlow,
  SerializableTokenCache,
  type AuthCodeFlow,
  type Authority,
  type ClientContext,
  type Effect,
  type HttpResponse,
} from '@msal-ts/core'
import {
  decodeClientInfo,
  MAX_EPOCH_SECONDS,
  MAX_LIFETIME_SECONDS,
  MAX_POLL_INTERVAL_SECONDS,
  parseHttpDate,
  parseRetryAfter,
  processDeviceAuthorizationResponse,
  processInstanceDiscovery,
  processMexResponse,
  processOpenIdConfiguration,
  processTokenResponse,
  processUserRealmResponse,
  processWsTrustResponse,
  reduceTokenResponse,
  validateIdToken,
} from '@msal-ts/core/protocol'

/** What one input came to: the parser took it, refused it (an Either's left or a thrown MsalError). */
export type Outcome = 'accepted' | 'refused'

export interface ParserCase {
  readonly name: string
  readonly input: fc.Arbitrary<unknown>
  /** Runs the parser on one input and checks the properties; throws (an assertion) when one fails. */
  readonly check: (input: unknown) => Outcome
}

// ---- the properties every parser keeps ----

const PROTOTYPE = Object.getOwnPropertyNames(Object.prototype).sort().join(',')

/** Object.prototype has the members it had, and none was added (a `__proto__` key merged into a plain object would). */
const prototypeUntouched = (): void => {
  assert.equal(Object.getOwnPropertyNames(Object.prototype).sort().join(','), PROTOTYPE)
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined)
}

/** An MsalError fit for a log line: a kind, a message of bounded length. */
const isCleanError = (error: unknown): void => {
  assert.ok(isMsalError(error), `expected an MsalError, got ${String(error)}`)
  assert.equal(typeof error.message, 'string')
  assert.ok(error.message.length < 16_384, `a message of ${error.message.length} characters`)
}

/** An Either from a parser: its left an MsalError. */
const either = (result: E.Either<unknown, unknown>): Outcome => {
  prototypeUntouched()
  if (E.isRight(result)) return 'accepted'
  isCleanError(result.left)
  return 'refused'
}

/** A call that may throw only an MsalError. */
const throwsOnlyMsalError = (work: () => void): Outcome => {
  try {
    work()
    return 'accepted'
  } catch (error) {
    isCleanError(error)
    return 'refused'
  } finally {
    prototypeUntouched()
  }
}

// ---- inputs ----

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__']

/** An object as JSON text with the given entries: text, so that a `__proto__` key stays a key. */
const objectText = (entries: ReadonlyArray<readonly [string, unknown]>): string => `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`).join(',')}}`

/** Numbers a server should never send. */
const absurdNumber = fc.oneof(
  fc.constantFrom(1e308, -1e308, 2 ** 31, 2 ** 53 + 1, -0, 0.5, Number.MAX_VALUE, Number.MIN_VALUE),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom('9'.repeat(400), '1e308', '-1', '0x10', '  5 ', ''),
)

/** Values for a field: anything, an absurd number, a string, a nested thing. */
const fieldValue = fc.oneof(fc.string(), absurdNumber, fc.constantFrom(null, true, false), fc.jsonValue({ maxDepth: 3 }), fc.array(fc.string(), { maxLength: 3 }))

/** JSON text of an object whose keys are mostly the given field names (and Object.prototype's), values anything. */
const nearMiss = (fields: readonly string[]): fc.Arbitrary<string> =>
  fc
    .array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fields) }, { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) }, { weight: 1, arbitrary: fc.string() }), fieldValue), { maxLength: 12 })
    .map(objectText)

/** Text nested `depth` deep, built as text (an object that deep cannot be stringified). */
const deepText = fc.integer({ min: 10, max: 20_000 }).chain((depth) => fc.constantFrom(`${'['.repeat(depth)}${']'.repeat(depth)}`, `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`))

/** Any text a server might send for a JSON document. */
const jsonBody = (fields: readonly string[], valid?: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.string() },
    { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
    { weight: 4, arbitrary: nearMiss(fields) },
    { weight: 1, arbitrary: deepText },
    ...(valid !== undefined ? [{ weight: 2, arbitrary: mutated(valid) }] : []),
  )

/** A real document with a few random cuts, insertions and swaps. */
const mutated = (documents: readonly string[]): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom(...documents),
      fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), cut: fc.integer({ min: 0, max: 40 }), insert: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('<', '>', '&', '"', '&amp;', '<![CDATA[', ']]>', '<!--', '-->', '</', '/>', '\u0000', '\uD800', '{', '}', ':', ',')) }), { maxLength: 4 }),
    )
    .map(([document, edits]) =>
      edits.reduce((text, edit) => {
        const at = Math.floor(edit.at * text.length)
        return text.slice(0, at) + edit.insert + text.slice(at + edit.cut)
      }, document),
    )

const status = fc.oneof({ weight: 3, arbitrary: fc.constant(200) }, { weight: 2, arbitrary: fc.constantFrom(400, 401, 404, 429, 500, 503) }, { weight: 1, arbitrary: fc.integer({ min: 100, max: 599 }) })
const headers = fc.oneof(fc.constant({}), fc.record({ 'retry-after': fc.oneof(fc.string(), fc.constantFrom('5', '7200', '9'.repeat(40), 'Wed, 21 Oct 2015 07:28:00 GMT')) }))
const response = (body: fc.Arbitrary<string>): fc.Arbitrary<HttpResponse> =>
  fc.record({ status, headers, body }).map(({ status: s, headers: h, body: b }) => ({ _tag: 'HttpResponse' as const, status: s, headers: h, body: b }))

const CTX = { url: 'https://login.microsoftonline.com/contoso/oauth2/v2.0/token', nowMs: 1_700_000_000_000, defaultRetryAfterMs: 5000 }
const NOW_SEC = 1_700_000_000
const authorityOf = (url: string): Authority => (parseAuthority(url) as E.Right<Authority>).right

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value) ?? 'null').toString('base64url')

/** The real WS-Trust documents the XML inputs are mutated from. */
export const WS_TRUST_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'wsTrust')

const TOKEN_FIELDS = ['access_token', 'token_type', 'expires_in', 'ext_expires_in', 'refresh_in', 'expires_on', 'scope', 'refresh_token', 'id_token', 'client_info', 'foci', 'error', 'error_description', 'error_codes', 'suberror', 'claims', 'correlation_id', 'error_additional_info']
const VALID_TOKEN = JSON.stringify({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 'at', refresh_token: 'rt', scope: 'User.Read' })
const VALID_ERROR = JSON.stringify({ error: 'invalid_grant', error_description: 'AADSTS50126: bad', error_codes: [50126], suberror: 'bad_token', claims: '{}' })

const endpointValue = fc.oneof(
  fc.constantFrom(
    'https://login.microsoftonline.com/contoso/oauth2/v2.0/token',
    'https://login.microsoftonline.com/contoso/oauth2/v2.0/authorize',
    'https://id.example/realm/token',
    'http://id.example/realm/token',
    'https://login.microsoftonline.com/{tenantid}/v2.0',
    'javascript:alert(1)',
    '',
  ),
  fc.webUrl(),
  fieldValue,
)
const DISCOVERY_DOCUMENTS = [
  JSON.stringify({
    authorization_endpoint: 'https://login.microsoftonline.com/contoso/oauth2/v2.0/authorize',
    token_endpoint: 'https://login.microsoftonline.com/contoso/oauth2/v2.0/token',
    device_authorization_endpoint: 'https://login.microsoftonline.com/contoso/oauth2/v2.0/devicecode',
    issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
  }),
  JSON.stringify({ authorization_endpoint: 'https://id.example/realm/auth', token_endpoint: 'https://id.example/realm/token', issuer: 'https://id.example/realm' }),
]
const HTTP_CACHE_TEXT = (() => {
  const cache = new HttpCache()
  cache.set('GET https://login.microsoftonline.com/common/discovery/instance', { _tag: 'HttpResponse', status: 200, headers: { 'content-type': 'application/json' }, body: '{"a":1}' }, 2_000_000_000_000)
  return cache.serialize()
})()

// ---- the parsers ----

/** A cache with a token, to show a failed load changes nothing. */
const filledCache = (): SerializableTokenCache => {
  const cache = new SerializableTokenCache()
  cache.add({ clientId: 'app', scope: ['api://a/.default'], environment: 'login.microsoftonline.com', realm: 't', response: { access_token: 'at', expires_in: 3600 } }, NOW_SEC)
  return cache
}
const CACHE_TEXT = filledCache().serialize()

/** A public client's context and a flow it started, for redirect parameters. */
const authCodeFixture = (): { ctx: ClientContext; flow: AuthCodeFlow; interpret: (effect: Effect) => unknown } => {
  const config = decodePublicClientConfig({ clientId: 'app', authority: 'https://login.microsoftonline.com/contoso' }) as E.Right<never>
  const ctx = createClientContext({ config: config.right, platform: { sku: 'fuzz', version: '0', os: 'fuzz' }, tokenCache: new SerializableTokenCache(), httpCache: new HttpCache() })
  // Every effect answered at once; the token endpoint refuses, so nothing is ever filed.
  const interpret = (effect: Effect): unknown => {
    switch (effect._tag) {
      case 'Now':
        return CTX.nowMs
      case 'RandomBytes':
        return new Uint8Array(effect.length).fill(7)
      case 'Sha256':
        return new Uint8Array(32).fill(1)
      case 'Http':
        return { _tag: 'HttpResponse', status: 400, headers: { 'content-type': 'application/json' }, body: VALID_ERROR }
      default:
        return undefined
    }
  }
  const flow = runFlow(ctx, initiateAuthCodeFlow(ctx, ['User.Read'], { redirectUri: 'http://localhost' }), interpret) as E.Either<unknown, AuthCodeFlow>
  assert.ok(E.isRight(flow))
  return { ctx, flow: flow.right, interpret }
}

/** The cases; `fixtures` is where the WS-Trust documents are (a bundled bench runs from elsewhere). */
export const parserCases = (fixtures: string = WS_TRUST_FIXTURES): ParserCase[] => {
  const fixture = (name: string): string => readFileSync(join(fixtures, name), 'utf8')
  const entra = authorityOf('https://login.microsoftonline.com/contoso')
  const oidc = authorityOf('https://id.example/realm')
  const privateCloud = authorityOf('https://login.contoso.example/contoso')
  const authCode = authCodeFixture()
  const inSeconds = (value: unknown): void => assert.ok(value === undefined || (Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_EPOCH_SECONDS), `not whole seconds: ${String(value)}`)

  return [
    {
      name: 'token and error responses (processTokenResponse)',
      input: response(
        fc.oneof(
          jsonBody(TOKEN_FIELDS, [VALID_TOKEN, VALID_ERROR]),
          // Well-formed tokens with lifetimes no server should send: taken, and cut to range.
          fc
            .record(
              { access_token: fc.string({ minLength: 1 }), token_type: fc.constant('Bearer'), expires_in: absurdNumber, ext_expires_in: absurdNumber, refresh_in: absurdNumber, expires_on: absurdNumber, scope: fc.string() },
              { requiredKeys: ['access_token'] },
            )
            .map((token) => JSON.stringify(token)),
        ),
      ),
      check: (input) => {
        const result = processTokenResponse(input as HttpResponse, CTX)
        if (E.isRight(result)) {
          // Accepted: lifetimes are whole seconds within range, and what the cache would write are digit strings.
          for (const field of ['expires_in', 'ext_expires_in', 'refresh_in'] as const) assert.ok(result.right[field] === undefined || result.right[field]! <= MAX_LIFETIME_SECONDS)
          for (const field of ['expires_in', 'ext_expires_in', 'refresh_in', 'expires_on'] as const) inSeconds(result.right[field])
          const change = reduceTokenResponse({ clientId: 'app', environment: 'login.microsoftonline.com', realm: 't', scopes: ['s'], response: result.right, homeAccountId: null }, NOW_SEC)
          for (const put of change.puts) {
            for (const field of ['cached_at', 'expires_on', 'extended_expires_on', 'refresh_on', 'last_modification_time']) {
              const value = (put.entity as Record<string, unknown>)[field]
              assert.ok(value === undefined || (typeof value === 'string' && /^\d{1,15}$/.test(value)), `${field}: ${String(value)}`)
            }
          }
        }
        return either(result)
      },
    },
    {
      name: 'OpenID discovery documents (processOpenIdConfiguration)',
      input: fc.tuple(
        fc.constantFrom(entra, oidc),
        response(
          fc.oneof(
            jsonBody(['issuer', 'authorization_endpoint', 'token_endpoint', 'device_authorization_endpoint', 'end_session_endpoint', 'tenant_region_scope', 'error'], DISCOVERY_DOCUMENTS),
            fc.record({ authorization_endpoint: endpointValue, token_endpoint: endpointValue, issuer: endpointValue, device_authorization_endpoint: endpointValue }, { requiredKeys: [] }).map((doc) => JSON.stringify(doc)),
          ),
        ),
      ),
      check: (input) => {
        const [authority, answer] = input as [Authority, HttpResponse]
        return either(processOpenIdConfiguration(answer, authority, CTX))
      },
    },
    {
      name: 'instance metadata (processInstanceDiscovery)',
      input: response(
        jsonBody(['tenant_discovery_endpoint', 'metadata', 'api-version', 'error'], [
          JSON.stringify({ tenant_discovery_endpoint: 'https://login.contoso.example/contoso/v2.0/.well-known/openid-configuration', metadata: [{ preferred_network: 'login.contoso.example', aliases: ['login.contoso.example'] }] }),
        ]),
      ),
      check: (input) => either(processInstanceDiscovery(input as HttpResponse, privateCloud, CTX)),
    },
    {
      name: 'ID tokens (validateIdToken)',
      input: fc.oneof(
        fc.string(),
        fc
          .record(
            {
              aud: fc.oneof(fc.constantFrom('app', ['app', 'other'], 'other', ['other']), fieldValue),
              nonce: fc.oneof(fc.constantFrom('n', 'other'), fieldValue),
              auth_time: fc.oneof(fc.integer({ min: NOW_SEC - 120, max: NOW_SEC + 120 }), absurdNumber),
              tid: fc.oneof(fc.uuid(), fieldValue),
              oid: fc.oneof(fc.uuid(), fieldValue),
              preferred_username: fc.oneof(fc.emailAddress(), fieldValue),
              exp: fc.oneof(fc.integer({ min: NOW_SEC - 600, max: NOW_SEC + 3600 }), absurdNumber),
            },
            { requiredKeys: [] },
          )
          .map((claims) => `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.${b64('signature')}`),
        fc.tuple(fc.oneof(nearMiss(['alg', 'typ', 'kid']), fc.string()), fc.oneof(nearMiss(['aud', 'nonce', 'auth_time', 'tid', 'oid', 'iss', 'exp', 'preferred_username']), fc.string(), deepText), fc.string()).map(([h, p, s]) => `${b64(h)}.${b64(p)}.${b64(s)}`),
      ),
      check: (input) => either(validateIdToken(input as string, { clientId: 'app', nonce: 'n', maxAge: 60, nowSec: NOW_SEC })),
    },
    {
      name: 'client_info (decodeClientInfo)',
      input: fc.oneof(fc.string(), fc.oneof(nearMiss(['uid', 'utid']), deepText).map(b64)),
      check: (input) => {
        const result = decodeClientInfo(input as string)
        prototypeUntouched()
        assert.ok(E.isLeft(result) ? typeof result.left === 'string' : true)
        return E.isRight(result) ? 'accepted' : 'refused'
      },
    },
    {
      name: 'cache text (SerializableTokenCache.deserialize, mergeFrom)',
      input: fc.oneof(
        jsonBody(['AccessToken', 'RefreshToken', 'IdToken', 'Account', 'AppMetadata', 'credential_type', 'secret'], [CACHE_TEXT]),
        fc
          .array(fc.tuple(fc.constantFrom('AccessToken', 'RefreshToken', 'IdToken', 'Account', 'AppMetadata', ...PROTOTYPE_KEYS), fc.array(fc.tuple(fc.oneof(fc.string(), fc.constantFrom(...PROTOTYPE_KEYS)), fc.oneof(nearMiss(['credential_type', 'secret', 'environment', 'client_id', 'target', 'realm', 'cached_at', 'expires_on', 'home_account_id']).map((t) => JSON.parse(t) as unknown), fieldValue)), { maxLength: 4 }).map(objectText)), { maxLength: 6 })
          .map((sections) => `{${sections.map(([name, body]) => `${JSON.stringify(name)}:${body}`).join(',')}}`),
        fc.anything(),
      ),
      check: (input) => {
        const cache = filledCache()
        const before = cache.serialize()
        const outcome = throwsOnlyMsalError(() => cache.deserialize(input as string))
        if (outcome === 'refused') {
          assert.equal(cache.serialize(), before, 'a refused text changed the cache')
          const merging = filledCache()
          assert.equal(throwsOnlyMsalError(() => merging.mergeFrom(input as string)), 'refused')
          assert.equal(merging.serialize(), before)
          return outcome
        }
        // Accepted: serialize() never throws, and what it writes loads again to the same text.
        const written = cache.serialize()
        const again = new SerializableTokenCache()
        again.deserialize(written)
        assert.equal(again.serialize(), written)
        return outcome
      },
    },
    {
      name: 'http cache text (HttpCache.deserialize)',
      input: fc.oneof(jsonBody(['format', 'entries'], [HTTP_CACHE_TEXT]), fc.anything()),
      check: (input) => {
        const cache = new HttpCache()
        cache.set('GET a', { _tag: 'HttpResponse', status: 200, headers: {}, body: '{}' }, 10)
        const before = cache.serialize()
        const outcome = throwsOnlyMsalError(() => cache.deserialize(input as string))
        if (outcome === 'refused') assert.equal(cache.serialize(), before)
        return outcome
      },
    },
    {
      name: 'redirect parameters (acquireTokenByAuthCodeFlow)',
      input: fc.oneof(
        fc.anything(),
        fc
          .array(fc.tuple(fc.constantFrom('code', 'state', 'error', 'error_description', 'error_uri', 'client_info', 'session_state', ...PROTOTYPE_KEYS), fc.oneof(fc.string(), fc.constant(authCode.flow.state), fc.array(fc.string(), { maxLength: 2 }), fieldValue)), { maxLength: 6 })
          .map((entries) => JSON.parse(objectText(entries)) as unknown),
      ),
      check: (input) => {
        const before = (authCode.ctx.tokenCache as SerializableTokenCache).serialize()
        const result = runFlow(authCode.ctx, acquireTokenByAuthCodeFlow(authCode.ctx, authCode.flow, input as Record<string, unknown>), authCode.interpret) as E.Either<unknown, unknown>
        assert.ok(!(result instanceof Promise))
        // The token endpoint here refuses every code: nothing may be filed.
        assert.equal((authCode.ctx.tokenCache as SerializableTokenCache).serialize(), before)
        return either(result)
      },
    },
    {
      name: 'device authorization responses (processDeviceAuthorizationResponse)',
      input: response(jsonBody(['device_code', 'user_code', 'verification_uri', 'verification_url', 'expires_in', 'interval', 'message', 'error'], [JSON.stringify({ device_code: 'd', user_code: 'U', verification_uri: 'https://microsoft.com/devicelogin', expires_in: 900, interval: 5 })])),
      check: (input) => {
        const result = processDeviceAuthorizationResponse(input as HttpResponse, CTX)
        if (E.isRight(result)) {
          assert.ok(result.right.interval >= 1 && result.right.interval <= MAX_POLL_INTERVAL_SECONDS, `interval ${result.right.interval}`)
          inSeconds(result.right.expiresAt)
        }
        return either(result)
      },
    },
    {
      name: 'federation metadata (processMexResponse)',
      input: response(fc.oneof(fc.string(), mutated([fixture('adfs.mex.xml')]), deepText.map((t) => t.replace(/\[/g, '<a>').replace(/\]/g, '</a>')))),
      check: (input) => either(processMexResponse(input as HttpResponse, { url: 'https://fs.example/adfs/services/trust/mex' })),
    },
    {
      name: 'WS-Trust responses (processWsTrustResponse)',
      input: fc.tuple(fc.constantFrom('1.3' as const, '2005' as const), response(fc.oneof(fc.string(), mutated([fixture('rstr-13-saml11.xml'), fixture('fault-13.xml')])))),
      check: (input) => {
        const [version, answer] = input as ['1.3' | '2005', HttpResponse]
        return either(processWsTrustResponse(answer, { url: 'https://fs.example/adfs/services/trust/13/usernamemixed' }, version))
      },
    },
    {
      name: 'user realm responses (processUserRealmResponse)',
      input: response(jsonBody(['account_type', 'federation_protocol', 'federation_metadata_url', 'federation_active_auth_url', 'cloud_audience_urn', 'domain_name'], [JSON.stringify({ account_type: 'Federated', federation_protocol: 'WSTrust', federation_metadata_url: 'https://fs.example/adfs/services/trust/mex' })])),
      check: (input) => either(processUserRealmResponse(input as HttpResponse, CTX)),
    },
    {
      name: 'Retry-After and HTTP dates (parseRetryAfter, parseHttpDate)',
      input: fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((date) => date.toUTCString()), absurdNumber.map(String)),
      check: (input) => {
        const ms = parseRetryAfter(input as string, CTX.nowMs)
        assert.ok(ms === undefined || (ms >= 0 && ms <= 3_600_000), `retry after ${ms}`)
        const date = parseHttpDate(input as string)
        assert.ok(date === undefined || Number.isFinite(date))
        prototypeUntouched()
        return ms === undefined ? 'refused' : 'accepted'
      },
    },
  ]
}
