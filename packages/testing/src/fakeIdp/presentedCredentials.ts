import type { ClientAuthenticationMethod } from './clientAuthentications.js'
import { basicCredentialsOf } from './clientSecretBasic.js'
import type { IdpRequest } from './types.js'

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** The credential a token request carries, read from its form and its Authorization header. */
export type PresentedCredential =
  | { readonly method: 'none' }
  | { readonly method: 'client_secret_post'; readonly secret: string }
  | { readonly method: 'client_secret_basic'; readonly clientId: string; readonly secret: string }
  | { readonly method: 'private_key_jwt'; readonly assertionType: string; readonly assertion: string }
  /** RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request." */
  | { readonly method: 'several'; readonly methods: readonly ClientAuthenticationMethod[] }
  | { readonly method: 'malformed_basic' }

/** Which credential the request presents; an empty form field counts as absent, as Entra has it. */
export const presentedCredential = (request: IdpRequest): PresentedCredential => {
  const { form } = request
  const basic = basicCredentialsOf(request.headers)
  const secret = nonEmpty(form['client_secret'])
  const assertion = nonEmpty(form['client_assertion'])
  const assertionType = nonEmpty(form['client_assertion_type'])
  const methods: ClientAuthenticationMethod[] = [
    ...(secret !== undefined ? (['client_secret_post'] as const) : []),
    // A Basic header that names no client is no credential: it only matters when nothing else is sent.
    ...(basic !== undefined && basic !== 'malformed' ? (['client_secret_basic'] as const) : []),
    ...(assertion !== undefined || assertionType !== undefined ? (['private_key_jwt'] as const) : []),
  ]
  if (methods.length > 1) return { method: 'several', methods }
  if (basic !== undefined && basic !== 'malformed') return { method: 'client_secret_basic', ...basic }
  if (secret !== undefined) return { method: 'client_secret_post', secret }
  if (assertion !== undefined || assertionType !== undefined) return { method: 'private_key_jwt', assertionType: assertionType ?? '', assertion: assertion ?? '' }
  return basic === 'malformed' ? { method: 'malformed_basic' } : { method: 'none' }
}

/** The client id a request names: the form's, else Basic authentication's, else its assertion's `sub` (RFC 7523 §3). */
export const namedClientId = (request: IdpRequest, presented: PresentedCredential): string => {
  const formId = request.form['client_id']
  if (formId !== undefined && formId !== '') return formId
  if (presented.method === 'client_secret_basic') return presented.clientId
  if (presented.method === 'private_key_jwt') return unverifiedSubject(presented.assertion) ?? ''
  return ''
}

/** Entra's `azpacr` (v2.0) / `appidacr` (v1.0): 0 a public client, 1 a secret, 2 a certificate or assertion. */
export const azpacrOf = (request: IdpRequest): '0' | '1' | '2' => {
  const { method } = presentedCredential(request)
  return method === 'private_key_jwt' ? '2' : method === 'none' ? '0' : '1'
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value)

const unverifiedSubject = (jwt: string): string | undefined => {
  try {
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown
    const sub = typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>)['sub'] : undefined
    return typeof sub === 'string' ? sub : undefined
  } catch {
    return undefined
  }
}
