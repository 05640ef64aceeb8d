import { createHash, X509Certificate } from 'node:crypto'

/** The DER bytes of a base64 certificate body. */
export const derOf = (base64: string): Buffer => Buffer.from(base64, 'base64')

/** Thumbprints as JOSE wants them: base64url of the raw SHA-1 / SHA-256 digest of the DER. */
export const thumbprintsOf = (der: Buffer): { readonly sha1: string; readonly sha256: string } => ({
  sha1: createHash('sha1').update(der).digest('base64url'),
  sha256: createHash('sha256').update(der).digest('base64url'),
})

/** Parses a certificate body; undefined when it is not an X.509 certificate. */
export const parseCertificate = (base64: string): X509Certificate | undefined => {
  try {
    return new X509Certificate(derOf(base64))
  } catch {
    return undefined
  }
}

/**
 * The chain leaf first: the certificate `isLeaf` picks, then each next issuer found among the
 * rest, then whatever is left (as given).
 */
export const orderChain = (bodies: readonly string[], isLeaf: (certificate: X509Certificate) => boolean): string[] => {
  const parsed = bodies.map((body) => ({ body, certificate: parseCertificate(body) }))
  const leafIndex = parsed.findIndex(({ certificate }) => certificate !== undefined && isLeaf(certificate))
  if (leafIndex < 0) return [...bodies]
  const ordered = [parsed[leafIndex]!]
  const rest = parsed.filter((_, index) => index !== leafIndex)
  for (;;) {
    const last = ordered[ordered.length - 1]!.certificate
    const issuer = rest.findIndex(({ certificate }) => certificate !== undefined && last !== undefined && last.checkIssued(certificate) && last !== certificate)
    if (issuer < 0 || last?.issuer === last?.subject) break
    ordered.push(...rest.splice(issuer, 1))
  }
  return [...ordered, ...rest].map(({ body }) => body)
}
