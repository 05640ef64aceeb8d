/**
 * What can be told about PEM credential text without a crypto library: which blocks it holds.
 * Parsing the keys and certificates themselves is the runtime's (node:crypto, WebCrypto).
 */

const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/gi

/**
 * The certificates of PEM text as base64 DER, in the order given (MSAL Python's extract_certs):
 * the `x5c` header wants the leaf first. Whitespace inside a body is dropped: x5c entries are
 * plain base64 (RFC 7515 §4.1.6). Undefined when the text holds no certificate.
 */
export const extractCertificates = (pem: string): string[] | undefined => {
  const bodies = [...pem.matchAll(CERTIFICATE_PEM)].map((match) => match[1]!.replace(/\s+/g, ''))
  return bodies.length > 0 ? bodies : undefined
}

/** Why text given as a private key holds none, or undefined when it has a PEM private key block. */
export const notAPrivateKeyProblem = (text: string): string | undefined => {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return undefined
  return /-----BEGIN CERTIFICATE-----/.test(text)
    ? 'this is a certificate, not a private key: give the private key here and the certificate as publicCertificate'
    : 'expected a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)'
}

/** Why a certificate was expected and something else was given. */
export const notACertificateProblem = (text: string): string =>
  text.includes('PRIVATE KEY') ? 'this is a private key, not a certificate: give the certificate (-----BEGIN CERTIFICATE-----) here' : 'expected PEM certificates (-----BEGIN CERTIFICATE-----)'

/** RS256 and PS256 (RFC 7518 §3.3, §3.5) need an RSA key of at least this many bits. */
export const MIN_RSA_MODULUS_BITS = 2048

/**
 * Why a key cannot sign a client assertion, or undefined when it can: `type` is the key's
 * algorithm as Node names it ('rsa', 'ec', 'ed25519', 'rsa-pss'...; undefined when unknown).
 */
export const signingKeyProblem = (type: string | undefined, modulusBits: number | undefined): string | undefined => {
  if (type !== 'rsa') return `expected an RSA key (RS256/PS256), got ${type ?? 'another kind of'} key`
  const bits = modulusBits ?? 0
  return bits < MIN_RSA_MODULUS_BITS ? `the RSA key has ${bits} bits; RS256 and PS256 need at least ${MIN_RSA_MODULUS_BITS}` : undefined
}
