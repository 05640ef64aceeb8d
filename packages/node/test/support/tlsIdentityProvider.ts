/**
 * A real TLS server on loopback for `verify` tests: a certificate authority made in the test
 * (node:crypto keys, node-forge certificates; no network, no openssl), a server certificate it
 * issues for localhost and 127.0.0.1, and a minimal OpenID provider over https that answers
 * discovery and client-credentials token requests.
 */
import { generateKeyPairSync } from 'node:crypto'
import { createServer, type Server } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import forge from 'node-forge'

export interface CertificateAuthority {
  readonly certificatePem: string
  readonly privateKeyPem: string
}

export interface IssuedCertificate {
  readonly certificatePem: string
  readonly privateKeyPem: string
}

const rsaKeyPem = (): string => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()

const serial = (): string => forge.util.bytesToHex(forge.random.getBytesSync(16)).replace(/^[89a-f]/, '1')

const validity = (certificate: forge.pki.Certificate): void => {
  certificate.validity.notBefore = new Date(Date.now() - 60_000)
  certificate.validity.notAfter = new Date(Date.now() + 24 * 3600_000)
}

/** A self-signed root certificate authority. */
export const makeCertificateAuthority = (commonName: string): CertificateAuthority => {
  const privateKeyPem = rsaKeyPem()
  const key = forge.pki.privateKeyFromPem(privateKeyPem)
  const certificate = forge.pki.createCertificate()
  certificate.publicKey = forge.pki.setRsaPublicKey(key.n, key.e)
  certificate.serialNumber = serial()
  validity(certificate)
  const name = [{ name: 'commonName', value: commonName }]
  certificate.setSubject(name)
  certificate.setIssuer(name)
  certificate.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ])
  certificate.sign(key, forge.md.sha256.create())
  return { certificatePem: forge.pki.certificateToPem(certificate), privateKeyPem }
}

/** A server certificate the authority issues for localhost and 127.0.0.1. */
export const issueServerCertificate = (ca: CertificateAuthority): IssuedCertificate => {
  const privateKeyPem = rsaKeyPem()
  const key = forge.pki.privateKeyFromPem(privateKeyPem)
  const caCertificate = forge.pki.certificateFromPem(ca.certificatePem)
  const certificate = forge.pki.createCertificate()
  certificate.publicKey = forge.pki.setRsaPublicKey(key.n, key.e)
  certificate.serialNumber = serial()
  validity(certificate)
  certificate.setSubject([{ name: 'commonName', value: 'localhost' }])
  certificate.setIssuer(caCertificate.subject.attributes)
  certificate.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
  ])
  certificate.sign(forge.pki.privateKeyFromPem(ca.privateKeyPem), forge.md.sha256.create())
  return { certificatePem: forge.pki.certificateToPem(certificate), privateKeyPem }
}

export interface TlsIdentityProvider {
  /** https://127.0.0.1:<port>: the oidcAuthority (the certificate names it). */
  readonly issuer: string
  readonly port: number
  /** Each request's method and path, in order. */
  readonly requests: string[]
  close(): Promise<void>
}

/** An OpenID provider over https on 127.0.0.1: discovery, and a token for any client-credentials request. */
export const startTlsIdentityProvider = async (certificate: IssuedCertificate): Promise<TlsIdentityProvider> => {
  const requests: string[] = []
  const server: Server = createServer({ cert: certificate.certificatePem, key: certificate.privateKeyPem })
  // Every socket, handshakes that a client refused included (closeAllConnections knows only HTTP ones).
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const issuer = `https://127.0.0.1:${port}`
  server.on('request', (req, res) => {
    requests.push(`${req.method} ${req.url}`)
    req.resume()
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/.well-known/openid-configuration') {
        return json(200, { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token` })
      }
      if (req.method === 'POST' && req.url === '/token') return json(200, { token_type: 'Bearer', expires_in: 3600, access_token: 'tls-access-token' })
      return json(404, { error: 'not_found' })
    })
  })
  return {
    issuer,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      }),
  }
}
