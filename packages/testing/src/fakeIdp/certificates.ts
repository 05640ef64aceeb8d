import { createHash, X509Certificate } from 'node:crypto'

/** A certificate registered on an app (Entra's keyCredentials), known by both its thumbprints. */
export interface RegisteredCertificate {
  readonly certificate: X509Certificate
  /** base64url SHA-1 of the DER: what an assertion's `x5t` header names. */
  readonly x5t: string
  /** base64url SHA-256 of the DER: `x5t#S256`. */
  readonly x5tS256: string
}

const thumbprint = (algorithm: 'sha1' | 'sha256', der: Buffer): string => createHash(algorithm).update(der).digest('base64url')

export const registeredCertificate = (pem: string): RegisteredCertificate => {
  const certificate = new X509Certificate(pem)
  return { certificate, x5t: thumbprint('sha1', certificate.raw), x5tS256: thumbprint('sha256', certificate.raw) }
}

/** A PEM certificate's thumbprints as assertion headers carry them: `x5t` (SHA-1) and `x5t#S256` (SHA-256), base64url. */
export const certificateThumbprints = (pem: string): { readonly x5t: string; readonly x5tS256: string } => {
  const { x5t, x5tS256 } = registeredCertificate(pem)
  return { x5t, x5tS256 }
}

/** The registered certificate an assertion's header names by thumbprint, and which header named it. */
export const certificateNamedBy = (
  header: Readonly<Record<string, unknown>>,
  pems: readonly string[],
): { readonly registered: RegisteredCertificate; readonly by: 'x5t' | 'x5t#S256' } | undefined => {
  const certificates = pems.map(registeredCertificate)
  const byS256 = certificates.find((c) => c.x5tS256 === header['x5t#S256'])
  if (byS256 !== undefined) return { registered: byS256, by: 'x5t#S256' }
  const bySha1 = certificates.find((c) => c.x5t === header['x5t'])
  return bySha1 !== undefined ? { registered: bySha1, by: 'x5t' } : undefined
}

/** The thumbprint a header gives, in hex as Entra's AADSTS700027 text shows it. */
export const presentedThumbprintHex = (header: Readonly<Record<string, unknown>>): string => {
  const named = header['x5t#S256'] ?? header['x5t']
  return typeof named === 'string' ? Buffer.from(named, 'base64url').toString('hex').toUpperCase() : ''
}

/** Why an `x5c` chain does not authenticate an app by subject name and issuer. */
export type ChainRefusal = 'malformed' | 'subject' | 'untrusted'

/**
 * Checks an `x5c` header (base64 DER, leaf first; RFC 7515 §4.1.6) for subject name / issuer
 * authentication: the leaf's subject names the app's configured subject, each certificate is
 * signed by the next, and the chain ends at (or under) one of the trusted issuers. Answers the
 * leaf, whose key must then verify the assertion. Validity periods are not checked: the
 * fixtures would expire, and MSAL does not look at them either.
 */
export const verifyChain = (
  x5c: unknown,
  { subject, trustedIssuers }: { readonly subject: string; readonly trustedIssuers: readonly string[] },
): X509Certificate | ChainRefusal => {
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((entry) => typeof entry === 'string')) return 'malformed'
  let chain: X509Certificate[]
  try {
    chain = (x5c as string[]).map((entry) => new X509Certificate(Buffer.from(entry, 'base64')))
  } catch {
    return 'malformed'
  }
  const leaf = chain[0]!
  if (!subjectMatches(leaf.subject, subject)) return 'subject'
  for (let i = 0; i + 1 < chain.length; i += 1) {
    if (!issuedBy(chain[i]!, chain[i + 1]!)) return 'untrusted'
  }
  const trusted = trustedIssuers.map((pem) => new X509Certificate(pem))
  const top = chain[chain.length - 1]!
  const anchored = trusted.some((anchor) => anchor.fingerprint256 === top.fingerprint256 || issuedBy(top, anchor))
  return anchored ? leaf : 'untrusted'
}

const issuedBy = (certificate: X509Certificate, issuer: X509Certificate): boolean => certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey)

/**
 * Whether a certificate's subject (Node's form: one `NAME=value` per line) names the configured
 * one: a bare name is the common name; `CN=a, O=b` must all be present. Case-insensitive.
 */
export const subjectMatches = (certificateSubject: string, configured: string): boolean => {
  const present = new Set(certificateSubject.split('\n').map(normalizeRdn))
  const wanted = configured.includes('=') ? configured.split(/\s*[,\n]\s*/).filter((rdn) => rdn !== '') : [`CN=${configured}`]
  return wanted.every((rdn) => present.has(normalizeRdn(rdn)))
}

const normalizeRdn = (rdn: string): string => {
  const eq = rdn.indexOf('=')
  return `${rdn.slice(0, eq).trim().toUpperCase()}=${rdn.slice(eq + 1).trim().toLowerCase()}`
}
