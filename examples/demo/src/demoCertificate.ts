import { generateKeyPairSync } from 'node:crypto'
import forge from 'node-forge'

/**
 * A throwaway self-signed certificate and its key, made when the demo starts: the demo's API
 * proves itself with a certificate, as a production one should, and no key ships in the package.
 */
export const demoCertificate = (commonName: string): { readonly privateKeyPem: string; readonly certificatePem: string } => {
  // node:crypto makes the key (fast, native); node-forge, which node:crypto cannot replace here, the certificate.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const certificate = forge.pki.createCertificate()
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString())
  certificate.serialNumber = '01'
  certificate.validity.notBefore = new Date(Date.now() - 60_000)
  certificate.validity.notAfter = new Date(Date.now() + 24 * 3600_000)
  const name = [{ name: 'commonName', value: commonName }]
  certificate.setSubject(name)
  certificate.setIssuer(name)
  certificate.sign(forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create())
  return { privateKeyPem, certificatePem: forge.pki.certificateToPem(certificate) }
}
