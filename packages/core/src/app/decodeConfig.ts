import * as E from '../util/either.js'
import { configurationError, type ConfigurationError } from '../errors.js'
import type { ClientCredential } from '../protocol/clientAuth.js'
import { CLIENT_APPLICATION_RULES, CONFIDENTIAL_RULES, UNSUPPORTED_OPTIONS } from './clientOptions.js'
import { clientConfigOf, confidentialClientConfigOf, type ClientConfig, type ConfidentialClientConfig } from './config.js'
import { checkOptions, type ClientApplicationOptions, type ConfidentialOptions } from './options.js'

const CREDENTIAL_TAGS = new Set(['ClientSecret', 'ClientAssertion', 'ClientAssertionCallback', 'Certificate'])

/**
 * A `clientCredential` core can use without a runtime: a client secret string, or a credential
 * a runtime already parsed (see ClientCredential). Keys and files are the runtimes' business.
 */
export const describedCredential = (option: unknown): E.Either<ConfigurationError, ClientCredential> => {
  if (typeof option === 'string' && option !== '') return E.right({ _tag: 'ClientSecret', secret: option, method: 'client_secret_post' })
  const tag = typeof option === 'object' && option !== null ? (option as { _tag?: unknown })._tag : undefined
  if (typeof tag === 'string' && CREDENTIAL_TAGS.has(tag)) return E.right(option as ClientCredential)
  return E.left(configurationError('clientCredential', `expected a client secret (a non-empty string) or a credential, got ${option === '' ? '""' : option === undefined ? 'nothing' : `a ${typeof option}`}`))
}

const CONFIDENTIAL_EXAMPLE = '{ clientId, clientCredential, authority }'
const PUBLIC_EXAMPLE = '{ clientId, authority }'

/** Checks a confidential client's options (core's own forms of `clientCredential`); every problem names the option. */
export const decodeConfidentialClientConfig = (input: unknown): E.Either<ConfigurationError, ConfidentialClientConfig> => {
  const checked = checkOptions<ClientApplicationOptions & ConfidentialOptions>(input, { ...CLIENT_APPLICATION_RULES, ...CONFIDENTIAL_RULES }, CONFIDENTIAL_EXAMPLE, UNSUPPORTED_OPTIONS)
  if (E.isLeft(checked)) return checked
  const credential = describedCredential(checked.right.clientCredential)
  if (E.isLeft(credential)) return credential
  return confidentialClientConfigOf(checked.right, credential.right)
}

/** Checks a public client's options: no credential (a public client cannot keep one). */
export const decodePublicClientConfig = (input: unknown): E.Either<ConfigurationError, ClientConfig> => {
  const checked = checkOptions<ClientApplicationOptions>(input, CLIENT_APPLICATION_RULES, PUBLIC_EXAMPLE, PUBLIC_CLIENT_UNSUPPORTED)
  return E.isLeft(checked) ? checked : clientConfigOf(checked.right)
}

/** What a public client refuses beside the unsupported MSAL Python names. */
export const PUBLIC_CLIENT_UNSUPPORTED: Readonly<Record<string, string>> = {
  ...UNSUPPORTED_OPTIONS,
  clientCredential: 'a public client has no credential (it runs where a secret cannot be kept); use ConfidentialClientApplication',
  clientClaims: 'client claims go into a confidential client\'s assertion; use ConfidentialClientApplication',
  azureRegion: 'only ConfidentialClientApplication uses azureRegion (only client-credential requests go regional)',
  reuseClientAssertion: 'a public client signs no client assertion; use ConfidentialClientApplication with a certificate',
}
