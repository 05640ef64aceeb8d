import { compactVerify, exportJWK, generateKeyPair, importJWK, importPKCS8, SignJWT, type JWK } from 'jose'
import { createPublicKey } from 'node:crypto'

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>
type SigningKey = KeyPair['privateKey']

/**
 * Where a signer's RSA key comes from: a PKCS#8 PEM (repeatable signatures: RS256 is
 * deterministic), a key of its own, or the key every `'shared'` signer in this process uses.
 */
export type SigningKeySource = { readonly pkcs8Pem: string } | 'unique' | 'shared'

const freshKeyPair = (): Promise<KeyPair> => generateKeyPair('RS256', { extractable: true })

// Generating an RSA-2048 key takes 70–300 ms: one per process (per test file under jest) is enough.
let sharedKeyPair: Promise<KeyPair> | undefined
const sharedKey = (): Promise<KeyPair> => (sharedKeyPair ??= freshKeyPair())

/** Signs the fake provider's tokens with one RS256 key, published at its JWKS endpoint. */
export class TokenSigner {
  private keys: Promise<{ privateKey: SigningKey; jwk: JWK }> | undefined
  readonly kid = 'fake-idp-key-1'

  /** The key is read or generated on first use. */
  constructor(private readonly source: SigningKeySource) {}

  private load(): Promise<{ privateKey: SigningKey; jwk: JWK }> {
    this.keys ??=
      typeof this.source === 'object'
        ? this.givenKey(this.source.pkcs8Pem)
        : this.generatedKey(this.source === 'shared' ? sharedKey() : freshKeyPair())
    return this.keys
  }

  private async generatedKey(pair: Promise<KeyPair>): Promise<{ privateKey: SigningKey; jwk: JWK }> {
    const { privateKey, publicKey } = await pair
    return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: this.kid, use: 'sig', alg: 'RS256' } }
  }

  private async givenKey(pem: string): Promise<{ privateKey: SigningKey; jwk: JWK }> {
    const privateKey = await importPKCS8(pem, 'RS256')
    return { privateKey, jwk: { ...(await exportJWK(createPublicKey(pem))), kid: this.kid, use: 'sig', alg: 'RS256' } }
  }

  async sign(claims: Record<string, unknown>): Promise<string> {
    const { privateKey } = await this.load()
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid }).sign(privateKey)
  }

  /**
   * The claims of a token this signer signed (any of its JWS, unaltered), or `undefined`. Only
   * the signature is checked: lifetimes and audiences are the caller's to judge.
   */
  async verify(token: string): Promise<Record<string, unknown> | undefined> {
    const { jwk } = await this.load()
    try {
      const { payload } = await compactVerify(token, await importJWK(jwk, 'RS256'), { algorithms: ['RS256'] })
      const claims = JSON.parse(new TextDecoder().decode(payload)) as unknown
      return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined
    } catch {
      return undefined
    }
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.load()).jwk] }
  }
}
