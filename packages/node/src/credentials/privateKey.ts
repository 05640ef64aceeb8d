import { createPrivateKey, type KeyObject } from 'node:crypto'

export type Parsed<A> = { readonly ok: A } | { readonly problem: string }

/** Why Node refused a key, in the words a user can act on. */
const explain = (error: unknown, hasPassphrase: boolean): string => {
  const code = (error as { code?: string }).code ?? ''
  const message = error instanceof Error ? error.message : String(error)
  if (code === 'ERR_MISSING_PASSPHRASE' || /passphrase required/i.test(message)) return 'the private key is encrypted: give its passphrase'
  if (hasPassphrase && /bad decrypt|decrypt|mac|unsupported/i.test(`${code} ${message}`)) return 'the passphrase does not decrypt the private key (wrong passphrase?)'
  return `not a PEM private key Node can read (${message})`
}

/**
 * A PEM RSA private key: PKCS#8 (`BEGIN PRIVATE KEY`, or `BEGIN ENCRYPTED PRIVATE KEY` with a
 * passphrase) or PKCS#1 (`BEGIN RSA PRIVATE KEY`, encrypted with Proc-Type/DEK-Info or not).
 * RS256 and PS256 need RSA, of at least 2048 bits.
 */
export const parsePrivateKey = (pem: string | Buffer, passphrase: string | Buffer | undefined): Parsed<KeyObject> => {
  const text = typeof pem === 'string' ? pem : pem.toString('utf8')
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    return {
      problem: /-----BEGIN CERTIFICATE-----/.test(text)
        ? 'this is a certificate, not a private key: give the private key here and the certificate as publicCertificate'
        : 'expected a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)',
    }
  }
  // Node would try to prompt for it (and fail obscurely).
  if (passphrase === undefined && /ENCRYPTED/.test(text)) return { problem: 'the private key is encrypted: give its passphrase' }
  let key: KeyObject
  try {
    key = createPrivateKey({ key: text, format: 'pem', ...(passphrase !== undefined ? { passphrase } : {}) })
  } catch (error) {
    return { problem: explain(error, passphrase !== undefined) }
  }
  if (key.asymmetricKeyType !== 'rsa') return { problem: `expected an RSA key (RS256/PS256), got ${key.asymmetricKeyType ?? 'another kind of'} key` }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
  if (bits < 2048) return { problem: `the RSA key has ${bits} bits; RS256 and PS256 need at least 2048` }
  return { ok: key }
}
