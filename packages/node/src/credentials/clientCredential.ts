import type { KeyObject, X509Certificate } from 'node:crypto'
import * as E from '#fp-ts/Either'
import { configurationError, type ClientCredential, type ConfigurationError } from '@msal-ts/core'
import { extractCertificates, hexThumbprintToBase64Url, orderChain, parseCertificate, thumbprintsOf, derOf } from './certificates.js'
import { readPfx } from './pfx.js'
import { parsePrivateKey } from './privateKey.js'

/** Called for a fresh client assertion before each token request (MSAL Python's callable client_assertion). */
export type ClientAssertionCallback = (context: { readonly clientId: string; readonly tokenEndpoint: string }) => string | Promise<string>

/**
 * Every credential form MSAL Python's `client_credential` takes, in camelCase:
 * - a client secret: a string, or `{ clientSecret, tokenEndpointAuthMethod? }` (msal-ts: send it
 *   in a Basic Authorization header with 'client_secret_basic');
 * - a certificate: `{ privateKey, thumbprint?, thumbprintSha256?, publicCertificate?, passphrase? }`
 *   (PEM PKCS#8 or PKCS#1, encrypted or not; SHA-1 thumbprint: RS256 + x5t; SHA-256: PS256 +
 *   x5t#S256; `publicCertificate` adds x5c for subject name / issuer authentication);
 * - a PFX file: `{ privateKeyPfxPath, passphrase?, publicCertificate?: true }`;
 * - an assertion: `{ clientAssertion }`, a signed JWT or a (sync or async) function returning one.
 */
export type ClientCredentialOption =
  | string
  | { readonly clientSecret: string; readonly tokenEndpointAuthMethod?: 'client_secret_post' | 'client_secret_basic' | undefined }
  | {
      readonly privateKey: string | Buffer
      readonly thumbprint?: string | undefined
      readonly thumbprintSha256?: string | undefined
      readonly publicCertificate?: string | undefined
      readonly passphrase?: string | Buffer | undefined
    }
  | { readonly privateKeyPfxPath: string; readonly passphrase?: string | undefined; readonly publicCertificate?: boolean | undefined }
  | { readonly clientAssertion: string | ClientAssertionCallback }

/** A credential parsed: what core may see, and what only the interpreter holds. */
export interface ParsedCredential {
  readonly credential: ClientCredential
  readonly signingKey?: KeyObject | undefined
  readonly assertionCallback?: ClientAssertionCallback | undefined
}

type Result = E.Either<ConfigurationError, ParsedCredential>

const problem = (field: string, message: string): Result => E.left(configurationError(field, message))

const FORMS = 'a client secret string, { clientSecret }, { privateKey, thumbprint | thumbprintSha256 }, { privateKeyPfxPath, passphrase } or { clientAssertion }'

const KNOWN_FIELDS = new Set(['clientSecret', 'tokenEndpointAuthMethod', 'privateKey', 'thumbprint', 'thumbprintSha256', 'publicCertificate', 'passphrase', 'privateKeyPfxPath', 'clientAssertion'])

/** Checks and parses the `clientCredential` option; every problem names the field. */
export const parseClientCredential = (option: unknown): Result => {
  if (typeof option === 'string') {
    return option === '' ? problem('clientCredential', 'expected a non-empty client secret') : E.right({ credential: { _tag: 'ClientSecret', secret: option, method: 'client_secret_post' } })
  }
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    // Never the value itself: it may be a secret of the wrong shape.
    return problem('clientCredential', `expected ${FORMS}, got ${option === undefined ? 'nothing' : Array.isArray(option) ? 'an array' : option === null ? 'null' : `a ${typeof option}`}`)
  }
  const fields = option as Record<string, unknown>
  const unknown = Object.keys(fields).filter((name) => !KNOWN_FIELDS.has(name))
  if (unknown.length > 0) return problem(`clientCredential.${unknown[0]}`, `unknown field; expected ${FORMS}`)
  const kinds = ['clientSecret', 'privateKey', 'privateKeyPfxPath', 'clientAssertion'].filter((name) => fields[name] !== undefined)
  if (kinds.length !== 1) {
    return problem('clientCredential', kinds.length === 0 ? `expected ${FORMS}` : `give one of ${kinds.join(', ')}, not several`)
  }
  switch (kinds[0]) {
    case 'clientSecret':
      return secretOf(fields)
    case 'clientAssertion':
      return assertionOf(fields['clientAssertion'])
    case 'privateKey':
      return certificateOf(fields)
    default:
      return pfxOf(fields)
  }
}

const secretOf = (fields: Record<string, unknown>): Result => {
  const secret = fields['clientSecret']
  const method = fields['tokenEndpointAuthMethod'] ?? 'client_secret_post'
  if (typeof secret !== 'string' || secret === '') return problem('clientCredential.clientSecret', 'expected a non-empty string')
  if (method !== 'client_secret_post' && method !== 'client_secret_basic') {
    return problem('clientCredential.tokenEndpointAuthMethod', `expected 'client_secret_post' or 'client_secret_basic', got ${JSON.stringify(method)}`)
  }
  return E.right({ credential: { _tag: 'ClientSecret', secret, method } })
}

const assertionOf = (assertion: unknown): Result => {
  if (typeof assertion === 'function') return E.right({ credential: { _tag: 'ClientAssertionCallback' }, assertionCallback: assertion as ClientAssertionCallback })
  if (typeof assertion !== 'string' || assertion.trim() === '') return problem('clientCredential.clientAssertion', 'expected a signed JWT (a non-empty string) or a function returning one')
  if (assertion.split('.').length !== 3) return problem('clientCredential.clientAssertion', 'expected a signed JWT (three dot-separated parts)')
  return E.right({ credential: { _tag: 'ClientAssertion', assertion: assertion.trim() } })
}

const isText = (value: unknown): value is string | Buffer => typeof value === 'string' || Buffer.isBuffer(value)

const certificateOf = (fields: Record<string, unknown>): Result => {
  const { privateKey, thumbprint, thumbprintSha256, publicCertificate, passphrase } = fields
  if (!isText(privateKey)) return problem('clientCredential.privateKey', 'expected PEM text')
  if (passphrase !== undefined && !isText(passphrase)) return problem('clientCredential.passphrase', 'expected a string')
  const key = parsePrivateKey(privateKey, passphrase)
  if ('problem' in key) return problem('clientCredential.privateKey', key.problem)

  let sha1: string | undefined
  let sha256: string | undefined
  if (thumbprint !== undefined) {
    sha1 = typeof thumbprint === 'string' ? hexThumbprintToBase64Url(thumbprint, 20) : undefined
    if (sha1 === undefined) return problem('clientCredential.thumbprint', 'expected the certificate\'s SHA-1 thumbprint: 40 hex digits')
  }
  if (thumbprintSha256 !== undefined) {
    sha256 = typeof thumbprintSha256 === 'string' ? hexThumbprintToBase64Url(thumbprintSha256, 32) : undefined
    if (sha256 === undefined) return problem('clientCredential.thumbprintSha256', 'expected the certificate\'s SHA-256 thumbprint: 64 hex digits')
  }

  let x5c: string[] | undefined
  if (publicCertificate !== undefined) {
    if (typeof publicCertificate !== 'string') return problem('clientCredential.publicCertificate', 'expected PEM certificate text')
    const bodies = extractCertificates(publicCertificate)
    if (bodies === undefined) {
      return problem(
        'clientCredential.publicCertificate',
        publicCertificate.includes('PRIVATE KEY') ? 'this is a private key, not a certificate: give the certificate (-----BEGIN CERTIFICATE-----) here' : 'expected PEM certificates (-----BEGIN CERTIFICATE-----)',
      )
    }
    const checked = chainFor(bodies, key.ok, 'clientCredential.publicCertificate')
    if (E.isLeft(checked)) return checked
    x5c = checked.right
    // No thumbprint given: the certificate's own (MSAL Python insists on one; it can be computed).
    const own = thumbprintsOf(derOf(x5c[0]!))
    if (sha1 === undefined && sha256 === undefined) {
      sha1 = own.sha1
      sha256 = own.sha256
    } else if ((sha1 !== undefined && sha1 !== own.sha1) || (sha256 !== undefined && sha256 !== own.sha256)) {
      return problem(sha256 !== undefined ? 'clientCredential.thumbprintSha256' : 'clientCredential.thumbprint', 'the thumbprint is not publicCertificate\'s: the identity provider would not find the key')
    }
  }
  if (sha1 === undefined && sha256 === undefined) {
    return problem('clientCredential.thumbprint', 'give the certificate\'s thumbprint (SHA-1, hex) or thumbprintSha256, or its publicCertificate')
  }
  return E.right({ credential: { _tag: 'Certificate', sha1Thumbprint: sha1, sha256Thumbprint: sha256, ...(x5c !== undefined ? { x5c } : {}) }, signingKey: key.ok })
}

/** The certificates leaf first, the leaf being the one whose public key is the private key's. */
const chainFor = (bodies: readonly string[], key: KeyObject, field: string): E.Either<ConfigurationError, string[]> => {
  const parsed = bodies.map(parseCertificate)
  if (parsed.some((certificate) => certificate === undefined)) return E.left(configurationError(field, 'a certificate in it is not valid X.509'))
  const matches = (certificate: X509Certificate): boolean => certificate.checkPrivateKey(key)
  if (!parsed.some((certificate) => matches(certificate!))) return E.left(configurationError(field, 'no certificate in it matches the private key'))
  return E.right(orderChain(bodies, matches))
}

const pfxOf = (fields: Record<string, unknown>): Result => {
  const { privateKeyPfxPath: path, passphrase, publicCertificate } = fields
  if (typeof path !== 'string' || path === '') return problem('clientCredential.privateKeyPfxPath', 'expected the path of a .pfx / .p12 file')
  if (passphrase !== undefined && typeof passphrase !== 'string') return problem('clientCredential.passphrase', 'expected a string')
  if (publicCertificate !== undefined && typeof publicCertificate !== 'boolean') {
    return problem('clientCredential.publicCertificate', 'with a PFX, expected true (send the PFX\'s certificate chain as x5c) or false')
  }
  const read = readPfx(path, passphrase)
  if ('problem' in read) return problem('clientCredential.privateKeyPfxPath', read.problem)
  const key = parsePrivateKey(read.ok.privateKeyPem, undefined)
  if ('problem' in key) return problem('clientCredential.privateKeyPfxPath', key.problem)
  const chain = chainFor(read.ok.certificates, key.ok, 'clientCredential.privateKeyPfxPath')
  if (E.isLeft(chain)) return chain
  const own = thumbprintsOf(derOf(chain.right[0]!))
  // Both thumbprints: PS256 + x5t#S256, except with AD FS (RS256 + x5t), as MSAL Python 1.29+.
  return E.right({
    credential: { _tag: 'Certificate', sha1Thumbprint: own.sha1, sha256Thumbprint: own.sha256, ...(publicCertificate === true ? { x5c: chain.right } : {}) },
    signingKey: key.ok,
  })
}

