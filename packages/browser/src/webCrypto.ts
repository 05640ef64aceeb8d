/**
 * The part of WebCrypto the interpreter uses. Structural, so a browser's Crypto, Node's
 * webcrypto and @peculiar/webcrypto all fit, and the published declarations need neither the
 * DOM library nor Node's types (a Node app's tsconfig has no DOM; a browser app's no Node).
 */
export interface WebCrypto {
  /** Fills `array` with cryptographically random bytes and returns it (Web Cryptography API, Crypto.getRandomValues). */
  getRandomValues<T extends Uint8Array<ArrayBuffer>>(array: T): T
  /** SHA-256 (FIPS 180-4) through SubtleCrypto.digest (Web Cryptography API): PKCE challenges and nonces. */
  readonly subtle: {
    digest(algorithm: 'SHA-256', data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>
  }
}
