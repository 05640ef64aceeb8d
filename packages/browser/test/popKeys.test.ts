/**
 * The application's proof-of-possession key over WebCrypto (msal-browser's SignedHttpRequest.spec:
 * "generates expected kid", "generates expected pop token"): RFC 7638 thumbprints, RS256 signatures
 * that verify against the JWK the key reports, one key per holder, the private key never
 * extractable, failures as values.
 */
import { webcrypto } from 'node:crypto'
import { calculateJwkThumbprint, compactVerify, importJWK } from 'jose'
import { memoryPopKeyStore, webPopKeys, withPopKeys, type PopKeyPair, type PopKeyStore, type PopSubtleCrypto } from '@msal-ts/browser'

const subtle = webcrypto.subtle as unknown as PopSubtleCrypto

/** RFC 7638 §3.1's example key and its thumbprint. */
const RFC_7638_KEY = {
  kty: 'RSA',
  n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
}
const RFC_7638_THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'

describe('webPopKeys', () => {
  it("generates the expected kid: the RFC 7638 thumbprint of the key's e, kty and n", async () => {
    const stub: PopSubtleCrypto = {
      ...subtle,
      generateKey: () => Promise.resolve({ publicKey: 'public', privateKey: 'private' }),
      exportKey: () => Promise.resolve(RFC_7638_KEY),
      digest: (algorithm, data) => subtle.digest(algorithm, data),
    }
    const key = await webPopKeys(() => stub).key()
    expect(key).toEqual({ _tag: 'PopKey', kid: RFC_7638_THUMBPRINT, jwk: { alg: 'RS256', e: 'AQAB', kty: 'RSA', n: RFC_7638_KEY.n } })
  })

  it('makes an RSA 2048 key whose private half cannot be exported, and signs RS256 requests that verify against its JWK', async () => {
    let made: PopKeyPair | undefined
    const store: PopKeyStore = { load: () => Promise.resolve(undefined), keep: (pair) => Promise.resolve((made = pair)) }
    const keys = webPopKeys(() => subtle, store)
    const key = await keys.key()
    if (key._tag !== 'PopKey') throw new Error(key.message)
    expect(key.kid).toBe(await calculateJwkThumbprint(key.jwk, 'sha256'))
    const privateKey = made!.privateKey as CryptoKey
    expect(privateKey.extractable).toBe(false)
    expect(privateKey.algorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, hash: { name: 'SHA-256' } })
    await expect(subtle.exportKey('jwk', privateKey)).rejects.toThrow()
    expect(Buffer.from(key.jwk.n, 'base64url')).toHaveLength(256)

    const header = { typ: 'pop', alg: 'RS256', kid: 'k' }
    const payload = { at: 'token', ts: 1, m: 'GET', cnf: { jwk: key.jwk } }
    const signed = await keys.sign(key.kid, header, payload)
    if (signed._tag !== 'Assertion') throw new Error(signed.message)
    const [encodedHeader, encodedPayload] = signed.assertion.split('.')
    // Each part is the JSON as given, key order kept (what core built is what is signed).
    expect(Buffer.from(encodedHeader!, 'base64url').toString()).toBe(JSON.stringify(header))
    expect(Buffer.from(encodedPayload!, 'base64url').toString()).toBe(JSON.stringify(payload))
    const verified = await compactVerify(signed.assertion, await importJWK(key.jwk, 'RS256'))
    expect(JSON.parse(new TextDecoder().decode(verified.payload))).toEqual(payload)
  })

  it('keeps one key: concurrent first uses make one, and later uses find it in the store', async () => {
    let generated = 0
    const counting: PopSubtleCrypto = { ...subtle, generateKey: (...args) => (generated++, subtle.generateKey(...args)) }
    const store = memoryPopKeyStore()
    const keys = webPopKeys(() => counting, store)
    const [a, b] = await Promise.all([keys.key(), keys.key()])
    expect(a).toEqual(b)
    expect(generated).toBe(1)
    // Another holder over the same store (a reload: IndexedDB's) finds the same key.
    expect(await webPopKeys(() => counting, store).key()).toEqual(a)
    expect(generated).toBe(1)
  })

  it('the first key stored wins: a holder whose store already kept another pair uses that one', async () => {
    const first = (await subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, false, ['sign', 'verify'])) as PopKeyPair
    const store: PopKeyStore = { load: () => Promise.resolve(undefined), keep: () => Promise.resolve(first) }
    const key = await webPopKeys(() => subtle, store).key()
    const expected = (await subtle.exportKey('jwk', first.publicKey)) as { n: string }
    expect(key).toMatchObject({ _tag: 'PopKey', jwk: { n: expected.n } })
  })

  it('answers failures as values: no RSA in the runtime, a signature asked of another key', async () => {
    const broken: PopSubtleCrypto = { ...subtle, generateKey: () => Promise.reject(new Error('RSASSA-PKCS1-v1_5 is not supported')) }
    expect(await webPopKeys(() => broken).key()).toEqual({ _tag: 'CredentialFailure', message: 'RSASSA-PKCS1-v1_5 is not supported' })
    const keys = webPopKeys(() => subtle)
    expect(await keys.sign('someone-elses-kid', {}, {})).toMatchObject({ _tag: 'CredentialFailure', message: expect.stringContaining('no proof-of-possession key someone-elses-kid here') })
  })

  it('withPopKeys answers PopKey and SignPop, and hands every other effect on', async () => {
    const keys = webPopKeys(() => subtle)
    const seen: string[] = []
    const interpret = withPopKeys((effect) => void seen.push(effect._tag), keys)
    const key = (await interpret({ _tag: 'PopKey' })) as { kid: string }
    expect(await interpret({ _tag: 'SignPop', kid: key.kid, header: { alg: 'RS256' }, payload: {} })).toMatchObject({ _tag: 'Assertion' })
    interpret({ _tag: 'Now' })
    expect(seen).toEqual(['Now'])
  })
})
