import type { KeyObject, X509Certificate } from 'node:crypto'
import * as E from '#fp-ts/Either'
import { configurationError, parseCredentialForm, type ClientAssertionCallback, type ClientCredential, type ConfigurationError, type CredentialForm } from '@msal-ts/core'
import { orderChain, parseCertificate, thumbprintsOf, derOf } from './certificates.js'
import { readPfx } from './pfx.js'
import { parsePrivateKey } from './privateKey.js'

export type { ClientAssertionCallback } from '@msal-ts/core'

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

/**
 * Checks and parses the `clientCredential` option; every problem names the field. Which form it
 * is, and the checks every runtime shares, are core's (parseCredentialForm); keys, certificates
 * and PFX files are read here.
 */
export const parseClientCredential = (option: unknown): Result => {
  const form = parseCredentialForm(option, { readPrivateKey: parsePrivateKey })
  if (E.isLeft(form)) return form
  switch (form.right._tag) {
    case 'Described':
      return E.right({ credential: form.right.credential, ...(form.right.assertionCallback !== undefined ? { assertionCallback: form.right.assertionCallback } : {}) })
    case 'Certificate':
      return certificateOf(form.right)
    case 'PfxFile':
      return pfxOf(form.right)
  }
}

const certificateOf = ({ key, sha1Thumbprint, sha256Thumbprint, certificates }: Extract<CredentialForm<KeyObject>, { _tag: 'Certificate' }>): Result => {
  let sha1 = sha1Thumbprint
  let sha256 = sha256Thumbprint
  let x5c: string[] | undefined
  if (certificates !== undefined) {
    const checked = chainFor(certificates, key, 'clientCredential.publicCertificate')
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
  return E.right({ credential: { _tag: 'Certificate', sha1Thumbprint: sha1, sha256Thumbprint: sha256, ...(x5c !== undefined ? { x5c } : {}) }, signingKey: key })
}

/** The certificates leaf first, the leaf being the one whose public key is the private key's. */
const chainFor = (bodies: readonly string[], key: KeyObject, field: string): E.Either<ConfigurationError, string[]> => {
  const parsed = bodies.map(parseCertificate)
  if (parsed.some((certificate) => certificate === undefined)) return E.left(configurationError(field, 'a certificate in it is not valid X.509'))
  const matches = (certificate: X509Certificate): boolean => certificate.checkPrivateKey(key)
  if (!parsed.some((certificate) => matches(certificate!))) return E.left(configurationError(field, 'no certificate in it matches the private key'))
  return E.right(orderChain(bodies, matches))
}

const pfxOf = ({ path, passphrase, sendCertificateChain }: Extract<CredentialForm<KeyObject>, { _tag: 'PfxFile' }>): Result => {
  const read = readPfx(path, passphrase)
  if ('problem' in read) return problem('clientCredential.privateKeyPfxPath', read.problem)
  const key = parsePrivateKey(read.ok.privateKeyPem, undefined)
  if ('problem' in key) return problem('clientCredential.privateKeyPfxPath', key.problem)
  const chain = chainFor(read.ok.certificates, key.ok, 'clientCredential.privateKeyPfxPath')
  if (E.isLeft(chain)) return chain
  const own = thumbprintsOf(derOf(chain.right[0]!))
  // Both thumbprints: PS256 + x5t#S256, except with AD FS (RS256 + x5t), as MSAL Python 1.29+.
  return E.right({
    credential: { _tag: 'Certificate', sha1Thumbprint: own.sha1, sha256Thumbprint: own.sha256, ...(sendCertificateChain ? { x5c: chain.right } : {}) },
    signingKey: key.ok,
  })
}
