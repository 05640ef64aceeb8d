import * as E from '#fp-ts/Either'
import { configurationError, parseCredentialForm, type ClientAssertionCallback, type ClientCredential, type ConfigurationError } from '@msal-ts/core'
import { base64UrlToBytes } from '@msal-ts/core/protocol'
import type { CredentialHolder } from './credentialInterpreter.js'
import { readPkcs8RsaKey, type Pkcs8RsaKey } from './pkcs8.js'
import { webSigningKey } from './signingKey.js'

/**
 * The `clientCredential` forms a web runtime (Cloudflare Workers, Deno, Bun, a browser) takes,
 * MSAL Python's `client_credential` in camelCase:
 * - a client secret: a string, or `{ clientSecret, tokenEndpointAuthMethod? }` ('client_secret_post',
 *   the default, or 'client_secret_basic': a Basic Authorization header);
 * - a certificate: `{ privateKey, thumbprint? | thumbprintSha256?, publicCertificate? }`. The key is
 *   an unencrypted PKCS#8 PEM RSA key (`-----BEGIN PRIVATE KEY-----`, 2048 bits or more), signed
 *   with WebCrypto; a SHA-1 thumbprint signs RS256 with `x5t`, a SHA-256 one PS256 with
 *   `x5t#S256` (hex, as the portal shows them); `publicCertificate` (PEM, leaf first) is sent as
 *   `x5c` for subject name / issuer authentication;
 * - an assertion: `{ clientAssertion }`, a signed JWT or a (sync or async) function returning one.
 *
 * Not on the web: encrypted keys (`passphrase`), PKCS#1 keys and PFX files (`privateKeyPfxPath`);
 * each is refused with the openssl command that converts it.
 */
export type WebClientCredentialOption =
  | string
  | { readonly clientSecret: string; readonly tokenEndpointAuthMethod?: 'client_secret_post' | 'client_secret_basic' | undefined }
  | {
      readonly privateKey: string
      readonly thumbprint?: string | undefined
      readonly thumbprintSha256?: string | undefined
      readonly publicCertificate?: string | undefined
    }
  | { readonly clientAssertion: string | ClientAssertionCallback }

/** A credential parsed: what core may see, and what only the interpreter holds. */
export interface WebCredential extends CredentialHolder {
  /** What core may see of the credential: its kind and what is sent (a secret, an assertion, a certificate's thumbprints and chain), never a key or callback. */
  readonly credential: ClientCredential
}

const REFUSED = {
  passphrase:
    'web runtimes read no encrypted keys: decrypt the key to PKCS#8 once (openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pkcs8.pem), keep it in a secret store, and give it without a passphrase',
  privateKeyPfxPath:
    'web runtimes read no PFX files: extract the key (openssl pkcs12 -in app.pfx -nocerts -nodes | openssl pkcs8 -topk8 -nocrypt -out key.pkcs8.pem) and the certificate (openssl pkcs12 -in app.pfx -nokeys -out cert.pem), then give { privateKey, thumbprintSha256, publicCertificate }',
}

const problem = (field: string, message: string): E.Either<ConfigurationError, never> => E.left(configurationError(field, message))

/** Whether a base64 body is DER (a SEQUENCE), as a certificate is. */
const looksLikeDer = (body: string): boolean => base64UrlToBytes(body)?.[0] === 0x30

/**
 * Checks and parses a web runtime's `clientCredential` option; every problem names the field and
 * none repeats a value. The key is checked now (a PKCS#8 RSA key of 2048 bits or more) and
 * imported by WebCrypto at the first signature.
 */
export const parseWebClientCredential = (option: unknown): E.Either<ConfigurationError, WebCredential> => {
  const form = parseCredentialForm<Pkcs8RsaKey>(option, { readPrivateKey: (pem) => readPkcs8RsaKey(pem), refused: REFUSED })
  if (E.isLeft(form)) return form
  if (form.right._tag === 'Described') return E.right({ credential: form.right.credential, assertionCallback: form.right.assertionCallback })
  if (form.right._tag === 'PfxFile') return problem('clientCredential.privateKeyPfxPath', REFUSED.privateKeyPfxPath) // refused by the reader already
  const { key, sha1Thumbprint, sha256Thumbprint, certificates } = form.right
  if (sha1Thumbprint === undefined && sha256Thumbprint === undefined) {
    return problem(
      'clientCredential.thumbprint',
      "give the certificate's thumbprint (SHA-1, hex) or thumbprintSha256 (as the portal or `openssl x509 -in cert.pem -noout -fingerprint -sha256` shows it); web runtimes do not compute it from publicCertificate",
    )
  }
  if (certificates !== undefined && !certificates.every(looksLikeDer)) return problem('clientCredential.publicCertificate', 'a certificate in it is not valid X.509')
  const x5c = certificates !== undefined ? { x5c: certificates } : {}
  const check = certificates !== undefined ? { leaf: certificates[0]!, sha1Thumbprint, sha256Thumbprint } : undefined
  return E.right({ credential: { _tag: 'Certificate', sha1Thumbprint, sha256Thumbprint, ...x5c }, signingKey: webSigningKey(key, check) })
}
