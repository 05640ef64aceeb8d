import { importPKCS8 } from 'jose'
import { base64UrlToBytes, bytesToBase64Url } from '@msal-ts/core/protocol'
import type { SigningKey } from './credentialInterpreter.js'
import type { Pkcs8RsaKey } from './pkcs8.js'

/** The certificate a key's thumbprints must be of: `publicCertificate`'s leaf (base64 DER) and the thumbprints given (base64url). */
export interface ThumbprintCheck {
  readonly leaf: string
  readonly sha1Thumbprint?: string | undefined
  readonly sha256Thumbprint?: string | undefined
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const digest = async (algorithm: 'SHA-1' | 'SHA-256', der: Uint8Array): Promise<string> =>
  bytesToBase64Url(new Uint8Array(await crypto.subtle.digest(algorithm, der as Uint8Array<ArrayBuffer>)))

/** Rejects when a given thumbprint is not the leaf certificate's: the identity provider would look for another key. */
const checkThumbprints = async ({ leaf, sha1Thumbprint, sha256Thumbprint }: ThumbprintCheck): Promise<void> => {
  const der = base64UrlToBytes(leaf)
  if (der === undefined) throw new Error('clientCredential.publicCertificate: a certificate in it is not valid base64')
  if (sha256Thumbprint !== undefined && sha256Thumbprint !== (await digest('SHA-256', der))) {
    throw new Error("clientCredential.thumbprintSha256: the thumbprint is not publicCertificate's: the identity provider would not find the key")
  }
  if (sha1Thumbprint !== undefined && sha1Thumbprint !== (await digest('SHA-1', der))) {
    throw new Error("clientCredential.thumbprint: the thumbprint is not publicCertificate's: the identity provider would not find the key")
  }
}

/**
 * The key of a web runtime's certificate credential, as the credential interpreter asks for it:
 * imported by WebCrypto (through jose) on the first signature, for the algorithm the assertion's
 * header names (RS256: RSASSA-PKCS1-v1_5, PS256: RSA-PSS, both SHA-256), once per algorithm.
 * With `publicCertificate`, the thumbprints are checked against its leaf once, first.
 */
export const webSigningKey = (key: Pkcs8RsaKey, check: ThumbprintCheck | undefined): ((header: Readonly<Record<string, unknown>>) => Promise<SigningKey>) => {
  const imported = new Map<string, Promise<SigningKey>>()
  let checked: Promise<void> | undefined
  return async (header) => {
    const alg = String(header['alg'])
    if (alg !== 'RS256' && alg !== 'PS256') throw new Error(`clientCredential.privateKey: an RSA key signs RS256 or PS256, not ${alg}`)
    if (check !== undefined) await (checked ??= checkThumbprints(check))
    let signingKey = imported.get(alg)
    if (signingKey === undefined) {
      signingKey = importPKCS8(key.pem, alg).catch((error: unknown) => {
        throw new Error(`clientCredential.privateKey: WebCrypto cannot import the key for ${alg} (${messageOf(error)})`)
      })
      imported.set(alg, signingKey)
    }
    return signingKey
  }
}
