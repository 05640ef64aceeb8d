/**
 * The pure parts of key-bound tokens, table-driven: msal-browser's signed HTTP request (msal-common's
 * PopTokenGenerator.spec: "Generates the req_cnf correctly", "Signs the proof-of-possession JWT
 * token with all PoP parameters in the request", "...when PoP parameters are undefined"), its
 * reading of a resource URL, MSAL Python's `data` checks, msal-browser's request fields, and a
 * PoP silent flow recorded against the fake identity provider and replayed.
 */
import { createPublicKey, verify } from 'node:crypto'
import * as E from '#fp-ts/Either'
import { createClientContext, decodePublicClientConfig, HttpCache, runFlow, TokenCache, type ClientContext, type TokenResult } from '@msal-ts/core'
import {
  acquireTokenByRefreshToken,
  acquireTokenSilentWithError,
} from '@msal-ts/core'
import { checkKeyBoundData, checkPopAuthScheme, reqCnfOf, shrClaims, shrHeader, shrUrlParts, spaBindingOf, spaPreparerOf } from '@msal-ts/core/protocol'
import { createTestInterpreter, FakeIdentityProvider, fixedClock, record, replay, testPopKey, TEST_POP_KEY_PKCS8 } from '@msal-ts/testing'

const b64uJson = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const KEY = testPopKey()

describe("req_cnf (msal-common's generateCnf)", () => {
  it('is base64url of {"kid": <thumbprint>, "xms_ksl": "sw"}', () => {
    expect(reqCnfOf('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')).toBe(b64uJson({ kid: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs', xms_ksl: 'sw' }))
    expect(Buffer.from(reqCnfOf('k'), 'base64url').toString()).toBe('{"kid":"k","xms_ksl":"sw"}')
  })
})

describe("a resource URL as msal-browser signs it (msal-common's UrlString: lower-cased, a '/' appended)", () => {
  it.each([
    ['https://API.Contoso.com/Orders', { host: 'api.contoso.com', path: '/orders/' }],
    ['https://api.contoso.com/orders/', { host: 'api.contoso.com', path: '/orders/' }],
    ['https://api.contoso.com', { host: 'api.contoso.com', path: '/' }],
    ['https://api.contoso.com:8443/orders?status=Open&page=2', { host: 'api.contoso.com:8443', path: '/orders', query: 'status=open&page=2' }],
    ['https://api.contoso.com/orders?', { host: 'api.contoso.com', path: '/orders/' }],
    ['https://api.contoso.com/orders?/', { host: 'api.contoso.com', path: '/orders/' }],
    // A fragment: the URL is taken as it is (msal-common does not canonicalise it).
    ['https://API.contoso.com/Orders?a=1#frag', { host: 'API.contoso.com', path: '/Orders', query: 'a=1' }],
  ])('%s', (url, parts) => {
    expect(shrUrlParts(url)).toEqual(parts)
  })
})

describe("the signed request's header and claims (PopTokenGenerator.spec)", () => {
  it('header: typ pop, alg RS256, kid = base64url {"kid": thumbprint}, in that order', () => {
    expect(JSON.stringify(shrHeader('abc'))).toBe(`{"typ":"pop","alg":"RS256","kid":"${b64uJson({ kid: 'abc' })}"}`)
  })

  it('signs every PoP parameter of the request, in msal-browser\'s order', () => {
    const claims = shrClaims({
      accessToken: 'the-at',
      nowSec: 1_700_000_000,
      request: { httpMethod: 'post', url: 'https://api.contoso.com/orders?id=1', nonce: 'the-nonce', clientClaims: '{"device":"x"}' },
      fallbackNonce: 'unused',
      jwk: KEY.jwk,
    })
    expect(JSON.stringify(claims)).toBe(
      JSON.stringify({ at: 'the-at', ts: 1_700_000_000, m: 'POST', u: 'api.contoso.com', nonce: 'the-nonce', p: '/orders', q: [[], 'id=1'], client_claims: '{"device":"x"}', cnf: { jwk: KEY.jwk } }),
    )
  })

  it('when PoP parameters are undefined: a new nonce (the fallback), no q, no client_claims', () => {
    const claims = shrClaims({ accessToken: 'at', nowSec: 1, request: { httpMethod: 'GET', url: 'https://api.contoso.com/' }, fallbackNonce: 'a-new-guid', jwk: KEY.jwk })
    expect(claims).toEqual({ at: 'at', ts: 1, m: 'GET', u: 'api.contoso.com', nonce: 'a-new-guid', p: '/', cnf: { jwk: KEY.jwk } })
  })
})

describe("MSAL Python's PopAuthScheme checks, for an authScheme given as a plain object", () => {
  it.each([
    [{ httpMethod: 'GET', url: 'https://x.example/', nonce: 'n' }, undefined],
    [{ httpMethod: 'get', url: 'https://x.example/', nonce: 'n' }, 'authScheme.httpMethod: http_method must be uppercase, according to https://datatracker.ietf.org/doc/html/draft-ietf-oauth-signed-http-request-03#section-3'],
    [{ httpMethod: 'GET', url: 'https://x.example/' }, 'authScheme: All http_method, url and nonce are required parameters'],
    [{ httpMethod: 'GET', nonce: 'n' }, 'authScheme: All http_method, url and nonce are required parameters'],
    [{ httpMethod: 'GET', url: 'not a url', nonce: 'n' }, 'authScheme.url: expected the resource\'s absolute URL, such as https://api.contoso.com/items?id=1, got "not a url"'],
    ['GET https://x.example/', 'authScheme: expected a PopAuthScheme(httpMethod, url, nonce)'],
  ])('%j', (value, message) => {
    const checked = checkPopAuthScheme(value)
    if (message === undefined) expect(E.isRight(checked)).toBe(true)
    else expect(checked).toMatchObject({ _tag: 'Left', left: { kind: 'UsageError', message } })
  })
})

describe("MSAL Python's data, camelCase (_validate_ssh_cert_input_data)", () => {
  it('takes the three keys; reqCnf is checked before keyId, as MSAL Python checks req_cnf first', () => {
    expect(checkKeyBoundData({ tokenType: 'ssh-cert', keyId: 'k', reqCnf: '{}' })).toEqual(E.right({ tokenType: 'ssh-cert', keyId: 'k', reqCnf: '{}' }))
    expect(checkKeyBoundData({ tokenType: 'ssh-cert' })).toMatchObject({ _tag: 'Left', left: { argument: 'data.reqCnf' } })
    expect(checkKeyBoundData({ tokenType: 'pop', reqCnf: 'x' })).toMatchObject({ _tag: 'Left', left: { argument: 'data.keyId', message: expect.stringContaining('proof-of-possession token for your own key') } })
    expect(checkKeyBoundData({ tokenType: 'ssh-cert', keyId: 7, reqCnf: '{}' })).toMatchObject({ _tag: 'Left', left: { argument: 'data.keyId' } })
  })
})

describe("msal-browser's request fields (the SPA's proofOfPossession)", () => {
  it.each([
    [{}, 'none'],
    [{ authenticationScheme: 'Bearer' }, 'none'],
    [{ authenticationScheme: 'pop', resourceRequestMethod: 'get', resourceRequestUri: 'https://api.contoso.com/x', shrNonce: 'n' }, { _tag: 'Pop', request: { httpMethod: 'GET', url: 'https://api.contoso.com/x', nonce: 'n' } }],
    [{ authenticationScheme: 'pop', resourceRequestUri: 'https://api.contoso.com/x' }, 'resourceRequestMethod'],
    [{ authenticationScheme: 'pop', resourceRequestMethod: 'GET' }, 'resourceRequestUri'],
    [{ authenticationScheme: 'pop', resourceRequestMethod: 'GET', resourceRequestUri: '/x' }, 'resourceRequestUri'],
    [{ authenticationScheme: 'ssh-cert', sshKid: 'k' }, 'sshJwk'],
    [{ authenticationScheme: 'ssh-cert', sshJwk: '{}' }, 'sshKid'],
    [{ authenticationScheme: 'ssh-cert', sshJwk: '{}', sshKid: 'k' }, { _tag: 'Data', data: { tokenType: 'ssh-cert', keyId: 'k', reqCnf: '{}' } }],
    [{ authenticationScheme: 'PoP' }, 'authenticationScheme'],
  ])('%j', (fields, expected) => {
    const checked = spaBindingOf({ scopes: ['User.Read'], ...(fields as object) })
    if (expected === 'none') expect(checked).toEqual(E.right(undefined))
    else if (typeof expected === 'string') expect(checked).toMatchObject({ _tag: 'Left', left: { kind: 'UsageError', argument: expected } })
    else expect(checked).toEqual(E.right(expect.objectContaining(expected)))
  })

  it("msal-browser's messages for a missing SSH key or key id", () => {
    expect(spaBindingOf({ scopes: [], authenticationScheme: 'ssh-cert' })).toMatchObject({
      left: { message: 'sshJwk: Missing sshJwk in SSH certificate request. A stringified JSON Web Key is required when using the SSH authentication scheme.' },
    })
    expect(spaBindingOf({ scopes: [], authenticationScheme: 'ssh-cert', sshJwk: '{}' })).toMatchObject({
      left: { message: 'sshKid: Missing sshKid in SSH certificate request. A string that uniquely identifies the public SSH key is required when using the SSH authentication scheme.' },
    })
    expect(E.isRight(spaPreparerOf({ scopes: [] }))).toBe(true)
  })
})

describe('a PoP silent flow, recorded against the fake identity provider and replayed', () => {
  const CLIENT = 'c0ffee00-1111-4222-8333-444455556666'
  const ALICE = 'alice@contoso.onmicrosoft.com'
  const SCOPES = ['api://orders/Orders.Read']
  const context = (): ClientContext => {
    const config = decodePublicClientConfig({ clientId: CLIENT, authority: 'https://login.microsoftonline.com/organizations' })
    if (E.isLeft(config)) throw config.left
    return createClientContext({ config: config.right, platform: { sku: 'test', version: '0', os: 'test' }, tokenCache: new TokenCache(), httpCache: new HttpCache() })
  }
  const scheme = { httpMethod: 'GET', url: 'https://orders.example/v1/orders', nonce: 'nonce-1' }
  const play = async (interpret: Parameters<typeof runFlow>[2], refreshToken: string): Promise<[TokenResult, TokenResult]> => {
    const ctx = context()
    const signedIn = await runFlow(ctx, acquireTokenByRefreshToken(ctx, refreshToken, SCOPES), interpret)
    if (E.isLeft(signedIn)) throw signedIn.left
    const first = await runFlow(ctx, acquireTokenSilentWithError(ctx, SCOPES, signedIn.right.account, { authScheme: scheme }), interpret)
    const second = await runFlow(ctx, acquireTokenSilentWithError(ctx, SCOPES, signedIn.right.account, { authScheme: { ...scheme, nonce: 'nonce-2' } }), interpret)
    if (E.isLeft(first) || E.isLeft(second) || first.right === undefined || second.right === undefined) throw new Error('no token')
    return [first.right, second.right]
  }

  it('signs the same bytes again on replay (PopKey and SignPop answered from the transcript), the access token redacted in the SignPop steps', async () => {
    const clock = fixedClock()
    const idp = new FakeIdentityProvider({ clock: clock.now }).registerApp({ clientId: CLIENT }).registerUser({ username: ALICE })
    const refreshToken = idp.issueRefreshToken({ username: ALICE, clientId: CLIENT, scopes: [...SCOPES, 'openid', 'profile', 'offline_access'] })
    const recorder = record(createTestInterpreter({ http: idp.http, clock }).interpret)
    const recorded = await play(recorder.interpret, refreshToken)
    const transcript = JSON.parse(JSON.stringify(recorder.transcript('pop silent')))
    const tags = (transcript.steps as Array<{ effect: { _tag: string } }>).map((step) => step.effect._tag)
    expect(tags.filter((tag) => tag === 'SignPop')).toHaveLength(2)
    expect(tags.filter((tag) => tag === 'Http')).toHaveLength(2) // the migration and one PoP refresh; the second call is a cache hit
    const signSteps = (transcript.steps as Array<{ effect: { _tag: string; payload?: Record<string, unknown> } }>).filter((step) => step.effect._tag === 'SignPop')
    expect(signSteps.map((step) => step.effect.payload?.['at'])).toEqual(['<redacted>', '<redacted>'])

    const replayer = replay(transcript)
    const replayed = await play(replayer.interpret, refreshToken)
    replayer.assertComplete()
    expect(replayed.map((result) => result.accessToken)).toEqual(recorded.map((result) => result.accessToken))
    // And it is a real RS256 signature by the test key.
    const [header, payload, signature] = replayed[1].accessToken.split('.')
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), createPublicKey(TEST_POP_KEY_PKCS8), Buffer.from(signature!, 'base64url'))).toBe(true)
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({ nonce: 'nonce-2', cnf: { jwk: KEY.jwk } })
  })
})
