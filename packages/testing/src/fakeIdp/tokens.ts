import { compactVerify, exportJWK, generateKeyPair, importJWK, importPKCS8, SignJWT, type JWK } from 'jose'
import { createPublicKey } from 'node:crypto'

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey']

/** Signs the fake provider's tokens with one RS256 key, published at its JWKS endpoint. */
export class TokenSigner {
  private keys: Promise<{ privateKey: SigningKey; jwk: JWK }> | undefined
  readonly kid = 'fake-idp-key-1'

  /** A PKCS#8 PEM RSA key makes signatures repeatable (RS256 is deterministic); default: a fresh key. */
  constructor(private readonly pkcs8Pem?: string) {}

  private load(): Promise<{ privateKey: SigningKey; jwk: JWK }> {
    this.keys ??= this.pkcs8Pem === undefined ? this.freshKey() : this.givenKey(this.pkcs8Pem)
    return this.keys
  }

  private freshKey(): Promise<{ privateKey: SigningKey; jwk: JWK }> {
    return generateKeyPair('RS256', { extractable: true }).then(async ({ privateKey, publicKey }) => ({
      privateKey,
      jwk: { ...(await exportJWK(publicKey)), kid: this.kid, use: 'sig', alg: 'RS256' },
    }))
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
