/**
 * The certificate credentials the private_key_jwt daemons hold: a PEM private key, its X.509
 * certificate, the certificate's thumbprints, and the public JWK the provider registers.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** packages/testing/test/fixtures/certificates (openssl-made keys, certificates and PFX files; generate.sh makes them). */
export const CERTIFICATE_FIXTURES = join(import.meta.dirname, '..', '..', '..', 'testing', 'test', 'fixtures', 'certificates')

export interface CertificateCredential {
  readonly privateKeyPem: string
  readonly certificatePem: string
  /** The certificate's SHA-1 and SHA-256 thumbprints, hex (as portals show them). */
  readonly sha1Hex: string
  readonly sha256Hex: string
  /** base64url of the same raw digests: the x5t and x5t#S256 an assertion's header carries. */
  readonly x5t: string
  readonly x5tS256: string
  /** The certificate, base64 DER (an x5c entry). */
  readonly certificateBase64: string
  /** The public key as a JWK with the certificate's x5c, x5t and x5t#S256 (what a client registers). */
  readonly publicJwk: Record<string, unknown>
}

export const credentialOf = (privateKeyPem: string, certificatePem: string): CertificateCredential => {
  const certificate = new X509Certificate(certificatePem)
  const hexOf = (fingerprint: string): string => fingerprint.replace(/:/g, '').toLowerCase()
  const sha1Hex = hexOf(certificate.fingerprint)
  const sha256Hex = hexOf(certificate.fingerprint256)
  const x5t = Buffer.from(sha1Hex, 'hex').toString('base64url')
  const x5tS256 = Buffer.from(sha256Hex, 'hex').toString('base64url')
  const certificateBase64 = certificate.raw.toString('base64')
  if (!certificate.checkPrivateKey(createPrivateKey(privateKeyPem))) throw new Error('the certificate is not the private key\'s')
  return {
    privateKeyPem,
    certificatePem,
    sha1Hex,
    sha256Hex,
    x5t,
    x5tS256,
    certificateBase64,
    publicJwk: { ...certificate.publicKey.export({ format: 'jwk' }), use: 'sig', x5c: [certificateBase64], x5t, 'x5t#S256': x5tS256 },
  }
}

/** A key and certificate of the fixtures: <name>.key.pkcs8.pem and <name>.cert.pem (leaf, issued, ca, other). */
export const fixtureCredential = (name: string): CertificateCredential =>
  credentialOf(readFileSync(fixturePath(`${name}.key.pkcs8.pem`), 'utf8'), readFileSync(fixturePath(`${name}.cert.pem`), 'utf8'))

export const fixturePath = (file: string): string => join(CERTIFICATE_FIXTURES, file)

/** The passphrase of the fixtures' encrypted keys and PFX files (generate.sh). */
export const FIXTURE_PASSPHRASE = 'correct horse'

/** thumbprints.txt: each certificate's x5t and x5t#S256 as openssl computed them. */
export const fixtureThumbprints = (): Record<string, { x5t: string; x5tS256: string }> =>
  Object.fromEntries(
    readFileSync(fixturePath('thumbprints.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const [name = '', x5t = '', x5tS256 = ''] = line.split(' ')
        return [name, { x5t: x5t.replace(/^x5t=/, ''), x5tS256: x5tS256.replace(/^x5t#S256=/, '') }]
      }),
  )
