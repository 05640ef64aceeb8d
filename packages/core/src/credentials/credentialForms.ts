/**
 * The `clientCredential` option's forms (MSAL Python's `client_credential`, in camelCase), told
 * apart and checked once for every runtime. Reading a key or a PFX file is the runtime's: it
 * passes its key reader in, and names the fields it cannot use and what to do instead. Messages
 * name the field and never repeat a value: a value may be a secret of the wrong shape.
 */
import * as E from '../util/either.js'
import { configurationError, type ConfigurationError } from '../errors.js'
import type { ClientCredential } from '../protocol/clientAuth.js'
import { extractCertificates, notACertificateProblem } from './pem.js'
import { hexThumbprintToBase64Url } from './thumbprints.js'

/** Called for a fresh client assertion before each token request (MSAL Python's callable client_assertion). */
export type ClientAssertionCallback = (context: { readonly clientId: string; readonly tokenEndpoint: string }) => string | Promise<string>

/** PEM text, as a string or its bytes (Node's Buffer is a Uint8Array). */
export type CredentialText = string | Uint8Array

/** The option, told apart: what core may see, or what the runtime reads further. */
export type CredentialForm<Key> =
  /** A secret or an assertion: fully described (a callback's function is the interpreter's to hold). */
  | { readonly _tag: 'Described'; readonly credential: ClientCredential; readonly assertionCallback?: ClientAssertionCallback | undefined }
  /**
   * A certificate: its key as the runtime read it, the thumbprints given (base64url), and
   * `publicCertificate`'s certificates (base64 DER, in the order given; not yet checked against the key).
   */
  | {
      readonly _tag: 'Certificate'
      readonly key: Key
      readonly sha1Thumbprint?: string | undefined
      readonly sha256Thumbprint?: string | undefined
      readonly certificates?: readonly string[] | undefined
    }
  /** A PKCS#12 file, to be read by the runtime; `sendCertificateChain`: `publicCertificate: true`. */
  | { readonly _tag: 'PfxFile'; readonly path: string; readonly passphrase?: string | undefined; readonly sendCertificateChain: boolean }

/** A runtime's part in reading the option. */
export interface CredentialReader<Key> {
  /** Reads a PEM private key (with its passphrase, if given): the key, or why not. */
  readonly readPrivateKey: (pem: CredentialText, passphrase: CredentialText | undefined) => { readonly ok: Key } | { readonly problem: string }
  /** Fields this runtime cannot use, each with what to do instead: they are refused, naming the field. */
  readonly refused?: { readonly passphrase?: string | undefined; readonly privateKeyPfxPath?: string | undefined } | undefined
}

type Result<Key> = E.Either<ConfigurationError, CredentialForm<Key>>

const problem = (field: string, message: string): E.Either<ConfigurationError, never> => E.left(configurationError(field, message))

const KNOWN_FIELDS = new Set(['clientSecret', 'tokenEndpointAuthMethod', 'privateKey', 'thumbprint', 'thumbprintSha256', 'publicCertificate', 'passphrase', 'privateKeyPfxPath', 'clientAssertion'])
const KINDS = ['clientSecret', 'privateKey', 'privateKeyPfxPath', 'clientAssertion'] as const

/** The forms a runtime reads, as messages list them. */
const formsText = (pfx: boolean): string =>
  pfx
    ? 'a client secret string, { clientSecret }, { privateKey, thumbprint | thumbprintSha256 }, { privateKeyPfxPath, passphrase } or { clientAssertion }'
    : 'a client secret string, { clientSecret }, { privateKey, thumbprint | thumbprintSha256 } or { clientAssertion }'

const describeShape = (option: unknown): string =>
  option === undefined ? 'nothing' : Array.isArray(option) ? 'an array' : option === null ? 'null' : `a ${typeof option}`

/** Checks the `clientCredential` option and tells its form; every problem names the field. */
export const parseCredentialForm = <Key>(option: unknown, reader: CredentialReader<Key>): Result<Key> => {
  const forms = formsText(reader.refused?.privateKeyPfxPath === undefined)
  if (typeof option === 'string') {
    return option === '' ? problem('clientCredential', 'expected a non-empty client secret') : described({ _tag: 'ClientSecret', secret: option, method: 'client_secret_post' })
  }
  // Never the value itself: it may be a secret of the wrong shape.
  if (typeof option !== 'object' || option === null || Array.isArray(option)) return problem('clientCredential', `expected ${forms}, got ${describeShape(option)}`)
  const fields = option as Record<string, unknown>
  const unknown = Object.keys(fields).filter((name) => !KNOWN_FIELDS.has(name))
  if (unknown.length > 0) return problem(`clientCredential.${unknown[0]}`, `unknown field; expected ${forms}`)
  const kinds = KINDS.filter((name) => fields[name] !== undefined)
  if (kinds.length !== 1) return problem('clientCredential', kinds.length === 0 ? `expected ${forms}` : `give one of ${kinds.join(', ')}, not several`)
  switch (kinds[0]!) {
    case 'clientSecret':
      return secretOf(fields)
    case 'clientAssertion':
      return assertionOf(fields['clientAssertion'])
    case 'privateKey':
      return certificateOf(fields, reader)
    case 'privateKeyPfxPath':
      return reader.refused?.privateKeyPfxPath !== undefined ? problem('clientCredential.privateKeyPfxPath', reader.refused.privateKeyPfxPath) : pfxOf(fields)
  }
}

const described = <Key>(credential: ClientCredential, assertionCallback?: ClientAssertionCallback): Result<Key> =>
  E.right({ _tag: 'Described', credential, ...(assertionCallback !== undefined ? { assertionCallback } : {}) })

const secretOf = <Key>(fields: Record<string, unknown>): Result<Key> => {
  const secret = fields['clientSecret']
  const method = fields['tokenEndpointAuthMethod'] ?? 'client_secret_post'
  if (typeof secret !== 'string' || secret === '') return problem('clientCredential.clientSecret', 'expected a non-empty string')
  if (method !== 'client_secret_post' && method !== 'client_secret_basic') {
    return problem('clientCredential.tokenEndpointAuthMethod', `expected 'client_secret_post' or 'client_secret_basic', got ${JSON.stringify(method)}`)
  }
  return described({ _tag: 'ClientSecret', secret, method })
}

const assertionOf = <Key>(assertion: unknown): Result<Key> => {
  if (typeof assertion === 'function') return described({ _tag: 'ClientAssertionCallback' }, assertion as ClientAssertionCallback)
  if (typeof assertion !== 'string' || assertion.trim() === '') return problem('clientCredential.clientAssertion', 'expected a signed JWT (a non-empty string) or a function returning one')
  if (assertion.split('.').length !== 3) return problem('clientCredential.clientAssertion', 'expected a signed JWT (three dot-separated parts)')
  return described({ _tag: 'ClientAssertion', assertion: assertion.trim() })
}

const isText = (value: unknown): value is CredentialText => typeof value === 'string' || value instanceof Uint8Array

/** A thumbprint field, hex to base64url; undefined when not given. */
const thumbprintOf = (value: unknown, field: string, bytes: number, name: string): E.Either<ConfigurationError, string | undefined> => {
  if (value === undefined) return E.right(undefined)
  const converted = typeof value === 'string' ? hexThumbprintToBase64Url(value, bytes) : undefined
  return converted === undefined ? problem(field, `expected the certificate's ${name} thumbprint: ${bytes * 2} hex digits`) : E.right(converted)
}

const certificateOf = <Key>(fields: Record<string, unknown>, reader: CredentialReader<Key>): Result<Key> => {
  const { privateKey, thumbprint, thumbprintSha256, publicCertificate, passphrase } = fields
  if (!isText(privateKey)) return problem('clientCredential.privateKey', 'expected PEM text')
  if (passphrase !== undefined && reader.refused?.passphrase !== undefined) return problem('clientCredential.passphrase', reader.refused.passphrase)
  if (passphrase !== undefined && !isText(passphrase)) return problem('clientCredential.passphrase', 'expected a string')
  const key = reader.readPrivateKey(privateKey, passphrase)
  if ('problem' in key) return problem('clientCredential.privateKey', key.problem)

  const sha1 = thumbprintOf(thumbprint, 'clientCredential.thumbprint', 20, 'SHA-1')
  if (E.isLeft(sha1)) return sha1
  const sha256 = thumbprintOf(thumbprintSha256, 'clientCredential.thumbprintSha256', 32, 'SHA-256')
  if (E.isLeft(sha256)) return sha256

  let certificates: string[] | undefined
  if (publicCertificate !== undefined) {
    if (typeof publicCertificate !== 'string') return problem('clientCredential.publicCertificate', 'expected PEM certificate text')
    certificates = extractCertificates(publicCertificate)
    if (certificates === undefined) return problem('clientCredential.publicCertificate', notACertificateProblem(publicCertificate))
  }
  return E.right({ _tag: 'Certificate', key: key.ok, sha1Thumbprint: sha1.right, sha256Thumbprint: sha256.right, ...(certificates !== undefined ? { certificates } : {}) })
}

const pfxOf = <Key>(fields: Record<string, unknown>): Result<Key> => {
  const { privateKeyPfxPath: path, passphrase, publicCertificate } = fields
  if (typeof path !== 'string' || path === '') return problem('clientCredential.privateKeyPfxPath', 'expected the path of a .pfx / .p12 file')
  if (passphrase !== undefined && typeof passphrase !== 'string') return problem('clientCredential.passphrase', 'expected a string')
  if (publicCertificate !== undefined && typeof publicCertificate !== 'boolean') {
    return problem('clientCredential.publicCertificate', 'with a PFX, expected true (send the PFX\'s certificate chain as x5c) or false')
  }
  return E.right({ _tag: 'PfxFile', path, passphrase, sendCertificateChain: publicCertificate === true })
}
