import { describeLayer, type AssertionOutcome, type Interpret, type PopKeyOutcome, type PopPublicJwk, bytesToBase64Url } from '@msal-ts/core/spa'

/**
 * The application's proof-of-possession key, as the interpreter answers the PopKey and SignPop
 * effects: made with WebCrypto on first use (RSASSA-PKCS1-v1_5, 2048 bits, e = 65537, SHA-256,
 * the private key non-extractable, as msal-browser makes its keys), kept by a store, and used
 * only here: core sees its public JWK and thumbprint, never the key.
 */
export interface PopKeys {
  /** The key's public JWK and RFC 7638 thumbprint (the key made and stored on first use). */
  key(): Promise<PopKeyOutcome>
  /** RS256 over base64url(JSON header) "." base64url(JSON payload), with the key whose thumbprint is `kid`. */
  sign(kid: string, header: Readonly<Record<string, unknown>>, payload: Readonly<Record<string, unknown>>): Promise<AssertionOutcome>
}

/** The effects the PoP key layer answers (the rest pass through it). */
const POP_EFFECTS = ['PopKey', 'SignPop'] as const

/**
 * The interpreter with the application's PoP key: PopKey and SignPop answered by `keys`, every
 * other effect by `inner` (as withClientCredential holds the credential's key).
 */
export const withPopKeys = (inner: Interpret, keys: PopKeys): Interpret =>
  describeLayer((effect) => (effect._tag === 'PopKey' ? keys.key() : effect._tag === 'SignPop' ? keys.sign(effect.kid, effect.header, effect.payload) : inner(effect)), {
    inner,
    handles: POP_EFFECTS,
  })

/** The WebCrypto calls a PoP key needs (structural, as WebCrypto is: no DOM library needed). */
export interface PopSubtleCrypto {
  /** SubtleCrypto.generateKey: makes the RSA 2048 key pair (RSASSA-PKCS1-v1_5, SHA-256). */
  generateKey(algorithm: RsaKeyAlgorithm, extractable: boolean, usages: readonly string[]): Promise<unknown>
  /** SubtleCrypto.exportKey: the public key as a JWK (RFC 7517). */
  exportKey(format: 'jwk', key: unknown): Promise<unknown>
  /** SubtleCrypto.sign: an RS256 signature (RFC 7518 §3.3) over the signing input. */
  sign(algorithm: { readonly name: string }, key: unknown, data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>
  /** SubtleCrypto.digest: SHA-256, for the key's RFC 7638 thumbprint. */
  digest(algorithm: 'SHA-256', data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>
}

interface RsaKeyAlgorithm {
  readonly name: 'RSASSA-PKCS1-v1_5'
  readonly modulusLength: number
  readonly publicExponent: Uint8Array<ArrayBuffer>
  readonly hash: 'SHA-256'
}

/** A key pair as WebCrypto makes it (CryptoKeyPair): IndexedDB can keep it, private key unextractable. */
export interface PopKeyPair {
  /** The public half (a WebCrypto CryptoKey), exported as the JWK tokens are bound to. */
  readonly publicKey: unknown
  /** The private half (a non-extractable WebCrypto CryptoKey), which signs the requests. */
  readonly privateKey: unknown
}

/** Where the key pair is kept between uses: memory, or (in a browser) IndexedDB. */
export interface PopKeyStore {
  /** The stored pair, if any. */
  load(): Promise<PopKeyPair | undefined>
  /** Keeps `pair` unless another was stored first (another tab): answers the one kept. */
  keep(pair: PopKeyPair): Promise<PopKeyPair>
}

/** msal-browser's key (BrowserCrypto's RSA_KEYGEN_ALGORITHM_OPTIONS); a function, so a bundle that never makes one leaves it out. */
const rsaKey = (): RsaKeyAlgorithm => ({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' })

const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** A store that keeps the pair in this object (a server's process, a worker): gone when it is. */
export const memoryPopKeyStore = (): PopKeyStore => {
  let kept: PopKeyPair | undefined
  return {
    load: () => Promise.resolve(kept),
    keep: (pair) => Promise.resolve((kept ??= pair)),
  }
}

interface ReadyKey {
  readonly pair: PopKeyPair
  readonly kid: string
  readonly jwk: PopPublicJwk
}

/** The RFC 7638 thumbprint of an RSA key: SHA-256 of its required members, sorted, no whitespace; base64url. */
const thumbprint = async (subtle: PopSubtleCrypto, jwk: PopPublicJwk): Promise<string> =>
  bytesToBase64Url(new Uint8Array(await subtle.digest('SHA-256', utf8(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })))))

const ready = async (subtle: PopSubtleCrypto, pair: PopKeyPair): Promise<ReadyKey> => {
  const exported = (await subtle.exportKey('jwk', pair.publicKey)) as { n?: unknown; e?: unknown }
  if (typeof exported.n !== 'string' || typeof exported.e !== 'string') throw new Error('the public key did not export as an RSA JWK')
  const jwk: PopPublicJwk = { alg: 'RS256', e: exported.e, kty: 'RSA', n: exported.n }
  return { pair, kid: await thumbprint(subtle, jwk), jwk }
}

/**
 * The application's PoP key over WebCrypto (`subtle`, resolved on first use), kept in `store`.
 * Concurrent first uses make one key; a failure is answered as a value (and tried again next time).
 */
export const webPopKeys = (subtle: () => PopSubtleCrypto | Promise<PopSubtleCrypto>, store: PopKeyStore = memoryPopKeyStore()): PopKeys => {
  let current: Promise<ReadyKey> | undefined
  const load = (): Promise<ReadyKey> => {
    current ??= (async () => {
      const crypto = await subtle()
      const stored = await store.load()
      const pair = stored ?? (await store.keep((await crypto.generateKey(rsaKey(), false, ['sign', 'verify'])) as PopKeyPair))
      return ready(crypto, pair)
    })()
    current.catch(() => (current = undefined))
    return current
  }
  return {
    key: async () => {
      try {
        const { kid, jwk } = await load()
        return { _tag: 'PopKey', kid, jwk }
      } catch (error) {
        return { _tag: 'CredentialFailure', message: messageOf(error) }
      }
    },
    sign: async (kid, header, payload) => {
      try {
        const key = await load()
        if (key.kid !== kid) return { _tag: 'CredentialFailure', message: `no proof-of-possession key ${kid} here (this application's is ${key.kid})` }
        const input = `${bytesToBase64Url(utf8(JSON.stringify(header)))}.${bytesToBase64Url(utf8(JSON.stringify(payload)))}`
        const signature = await (await subtle()).sign({ name: 'RSASSA-PKCS1-v1_5' }, key.pair.privateKey, utf8(input))
        return { _tag: 'Assertion', assertion: `${input}.${bytesToBase64Url(new Uint8Array(signature))}` }
      } catch (error) {
        return { _tag: 'CredentialFailure', message: messageOf(error) }
      }
    },
  }
}
