import { createPrivateKey, type KeyObject } from 'node:crypto'
import { type CredentialText } from '@msal-ts/core'
import { notAPrivateKeyProblem, signingKeyProblem } from '@msal-ts/core/protocol'

export type Parsed<A> = { readonly ok: A } | { readonly problem: string }

/** Why Node refused a key, in the words a user can act on. */
const explain = (error: unknown, hasPassphrase: boolean): string => {
  const code = (error as { code?: string }).code ?? ''
  const message = error instanceof Error ? error.message : String(error)
  if (code === 'ERR_MISSING_PASSPHRASE' || /passphrase required/i.test(message)) return 'the private key is encrypted: give its passphrase'
  if (hasPassphrase && /bad decrypt|decrypt|mac|unsupported/i.test(`${code} ${message}`)) return 'the passphrase does not decrypt the private key (wrong passphrase?)'
  return `not a PEM private key Node can read (${message})`
}

const bufferOf = (text: CredentialText): string | Buffer => (typeof text === 'string' || Buffer.isBuffer(text) ? text : Buffer.from(text))

/**
 * A PEM RSA private key: PKCS#8 (`BEGIN PRIVATE KEY`, or `BEGIN ENCRYPTED PRIVATE KEY` with a
 * passphrase) or PKCS#1 (`BEGIN RSA PRIVATE KEY`, encrypted with Proc-Type/DEK-Info or not).
 * RS256 and PS256 need RSA, of at least 2048 bits.
 */
export const parsePrivateKey = (pem: CredentialText, passphrase: CredentialText | undefined): Parsed<KeyObject> => {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('utf8')
  const notAKey = notAPrivateKeyProblem(text)
  if (notAKey !== undefined) return { problem: notAKey }
  // Node would try to prompt for it (and fail obscurely).
  if (passphrase === undefined && /ENCRYPTED/.test(text)) return { problem: 'the private key is encrypted: give its passphrase' }
  let key: KeyObject
  try {
    key = createPrivateKey({ key: text, format: 'pem', ...(passphrase !== undefined ? { passphrase: bufferOf(passphrase) } : {}) })
  } catch (error) {
    return { problem: explain(error, passphrase !== undefined) }
  }
  const unusable = signingKeyProblem(key.asymmetricKeyType, key.asymmetricKeyDetails?.modulusLength)
  return unusable !== undefined ? { problem: unusable } : { ok: key }
}
