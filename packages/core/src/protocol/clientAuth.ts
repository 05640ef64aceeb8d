import { utf8Encode, bytesToBase64Url } from '../util/base64url.js'

/**
 * How a confidential client proves who it is on the token endpoint, as plain data: the
 * signing key, a callback's function and a certificate's private parts stay with the
 * interpreter (see the SignJwt and ClientAssertion effects), so configurations and
 * transcripts never hold them.
 */
export type ClientCredential =
  | {
      readonly _tag: 'ClientSecret'
      readonly secret: string
      /** RFC 6749 §2.3.1: in the form (MSAL's way, the default) or in a Basic Authorization header. */
      readonly method: 'client_secret_post' | 'client_secret_basic'
    }
  /** A signed assertion the application made itself (MSAL Python's `client_assertion` string). */
  | { readonly _tag: 'ClientAssertion'; readonly assertion: string }
  /** The application hands over a fresh assertion when asked (the ClientAssertion effect). */
  | { readonly _tag: 'ClientAssertionCallback' }
  /**
   * A certificate whose private key the interpreter holds (the SignJwt effect). Thumbprints are
   * base64url of the raw digest; `x5c` the certificate chain (base64 DER, leaf first).
   */
  | {
      readonly _tag: 'Certificate'
      readonly sha1Thumbprint?: string | undefined
      readonly sha256Thumbprint?: string | undefined
      readonly x5c?: readonly string[] | undefined
    }

/** What authenticates one token request: form fields and headers added to it. */
export interface ClientAuth {
  /** Form fields to add: client_secret (RFC 6749 §2.3.1) or client_assertion and its type (RFC 7523 §2.2). */
  readonly form: Readonly<Record<string, string>>
  /** Headers to add: Authorization: Basic for client_secret_basic (RFC 6749 §2.3.1). */
  readonly headers: Readonly<Record<string, string>>
}

export const NO_CLIENT_AUTH: ClientAuth = { form: {}, headers: {} }

/** RFC 7523 §2.2's client assertion type. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** RFC 6749 §2.3.1: both parts form-urlencoded before they are joined, then base64. */
const basicAuthorization = (clientId: string, secret: string): string => {
  const encode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+')
  const base64 = bytesToBase64Url(utf8Encode(`${encode(clientId)}:${encode(secret)}`)).replace(/-/g, '+').replace(/_/g, '/')
  return `Basic ${base64}${'='.repeat((4 - (base64.length % 4)) % 4)}`
}

/** A client secret's fields or header. */
export const secretAuth = (clientId: string, secret: string, method: 'client_secret_post' | 'client_secret_basic'): ClientAuth =>
  method === 'client_secret_basic' ? { form: {}, headers: { Authorization: basicAuthorization(clientId, secret) } } : { form: { client_secret: secret }, headers: {} }

/** A signed assertion's fields (RFC 7523 §2.2, private_key_jwt). */
export const assertionAuth = (assertion: string): ClientAuth => ({
  form: { client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: assertion },
  headers: {},
})

/** A request with its client authentication added. */
export const withClientAuth = <R extends { readonly form?: Readonly<Record<string, string>> | undefined; readonly headers: Readonly<Record<string, string>> }>(
  request: R,
  auth: ClientAuth,
): R => ({ ...request, form: { ...request.form, ...auth.form }, headers: { ...request.headers, ...auth.headers } })

/** Form fields that hold secrets; recorders redact them and loggers never print them. */
export const SECRET_FORM_FIELDS: readonly string[] = [
  'client_secret',
  'client_assertion',
  'assertion',
  'refresh_token',
  'code',
  'code_verifier',
  'password',
  'device_code',
  'user_federated_identity_credential',
]
