import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey']

/** Signs the fake provider's tokens with one RS256 key, published at its JWKS endpoint. */
export class TokenSigner {
  private keys: Promise<{ privateKey: SigningKey; jwk: JWK }> | undefined
  readonly kid = 'fake-idp-key-1'

  private load(): Promise<{ privateKey: SigningKey; jwk: JWK }> {
    this.keys ??= generateKeyPair('RS256', { extractable: true }).then(async ({ privateKey, publicKey }) => ({
      privateKey,
      jwk: { ...(await exportJWK(publicKey)), kid: this.kid, use: 'sig', alg: 'RS256' },
    }))
    return this.keys
  }

  async sign(claims: Record<string, unknown>): Promise<string> {
    const { privateKey } = await this.load()
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid }).sign(privateKey)
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.load()).jwk] }
  }
}
