/**
 * The part of WebCrypto the interpreter uses. Structural, so a browser's Crypto, Node's
 * webcrypto and @peculiar/webcrypto all fit, and the published declarations need neither the
 * DOM library nor Node's types (a Node app's tsconfig has no DOM; a browser app's no Node).
 */
export interface WebCrypto {
  getRandomValues<T extends Uint8Array<ArrayBuffer>>(array: T): T
  readonly subtle: {
    digest(algorithm: 'SHA-256', data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>
  }
}
