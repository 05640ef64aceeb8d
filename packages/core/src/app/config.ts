import * as E from '#fp-ts/Either'
import * as t from 'io-ts'
import { DEFAULT_AUTHORITY, parseAuthority, type Authority } from '../authority/authority.js'
import { configurationError, type ConfigurationError } from '../errors.js'
import type { ClientCredential } from '../protocol/clientAuth.js'
import { NonEmptyString, refined } from '../util/codecs.js'
import { decodeOr, type Problem } from '../util/decode.js'

const ClientSecret = refined('a client secret (a non-empty string)', (u): u is string => typeof u === 'string' && u !== '')

/** Options every application shares (MSAL Python's ClientApplication keyword arguments). */
const CommonOptions = t.intersection([
  t.type({ clientId: NonEmptyString }),
  t.partial({
    authority: t.string,
    clientCapabilities: t.array(NonEmptyString, 'an array of capability names'),
    appName: t.string,
    appVersion: t.string,
  }),
])

const ConfidentialOptions = t.intersection([CommonOptions, t.type({ clientCredential: ClientSecret })])

/** A confidential client's validated configuration. */
export interface ConfidentialClientConfig {
  readonly clientId: string
  readonly authority: Authority
  readonly credential: ClientCredential
  readonly clientCapabilities: readonly string[]
  readonly appName?: string | undefined
  readonly appVersion?: string | undefined
}

/** A decoding problem as a ConfigurationError naming the option. */
export const toConfigurationError = (_: string, problem: Problem): ConfigurationError =>
  configurationError(problem.path || 'options', problem.message)

/** Checks a ConfidentialClientApplication's options; every problem names the option. */
export const decodeConfidentialClientConfig = (input: unknown): E.Either<ConfigurationError, ConfidentialClientConfig> => {
  if (typeof input !== 'object' || input === null) {
    return E.left(configurationError('options', 'expected an object such as { clientId, clientCredential, authority }'))
  }
  const decoded = decodeOr(ConfidentialOptions, input, toConfigurationError)
  if (E.isLeft(decoded)) return decoded
  const options = decoded.right
  const authority = parseAuthority(options.authority ?? DEFAULT_AUTHORITY)
  if (E.isLeft(authority)) return authority
  return E.right({
    clientId: options.clientId.trim(),
    authority: authority.right,
    credential: { _tag: 'ClientSecret', secret: options.clientCredential },
    clientCapabilities: options.clientCapabilities ?? [],
    appName: options.appName,
    appVersion: options.appVersion,
  })
}
