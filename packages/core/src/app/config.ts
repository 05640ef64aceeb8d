import * as E from '#fp-ts/Either'
import * as t from 'io-ts'
import { DEFAULT_AUTHORITY, parseAuthority, parseOidcAuthority, type Authority } from '../authority/authority.js'
import type { AuthorityValidation } from '../authority/instanceDiscovery.js'
import type { RegionSetting } from '../authority/region.js'
import { validateExcludeScopes } from '../protocol/scopeDecoration.js'
import { configurationError, type ConfigurationError } from '../errors.js'
import type { ClientCredential } from '../protocol/clientAuth.js'
import { NonEmptyString, refined } from '../util/codecs.js'
import { decodeOr, type Problem } from '../util/decode.js'

const ClientSecret = refined('a client secret (a non-empty string)', (u): u is string => typeof u === 'string' && u !== '')

const Base64UrlText = refined('base64url text', (u): u is string => typeof u === 'string' && /^[A-Za-z0-9_-]+$/.test(u))

/**
 * A credential as the runtime parsed it (node reads PEM and PFX files; see its credentials
 * folder): the description only, never a key or a function.
 */
const CredentialCodec = t.union(
  [
    t.type({ _tag: t.literal('ClientSecret'), secret: ClientSecret, method: t.keyof({ client_secret_post: null, client_secret_basic: null }) }),
    t.type({ _tag: t.literal('ClientAssertion'), assertion: NonEmptyString }),
    t.type({ _tag: t.literal('ClientAssertionCallback') }),
    t.intersection([
      t.type({ _tag: t.literal('Certificate') }),
      t.partial({ sha1Thumbprint: Base64UrlText, sha256Thumbprint: Base64UrlText, x5c: t.array(NonEmptyString) }),
    ]),
  ],
  'a client secret, or a parsed credential',
)

const ClientCredentialOption = new t.Type<ClientCredential, unknown, unknown>(
  'a client secret (a non-empty string) or a credential',
  (u): u is ClientCredential => typeof u === 'object' && u !== null && '_tag' in u,
  (u, c) => {
    if (typeof u === 'string' && u !== '') return t.success({ _tag: 'ClientSecret', secret: u, method: 'client_secret_post' })
    if (typeof u !== 'object' || u === null) return ClientSecret.validate(u, c) as t.Validation<never>
    return CredentialCodec.validate(u, c) as t.Validation<ClientCredential>
  },
  (a) => a,
)

/** MSAL Python's client_claims: JSON-able claims added to (and overriding) every client assertion. */
const ClientClaims = refined(
  'an object of claims',
  (u): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u),
)

/** Options every application shares (MSAL Python's ClientApplication keyword arguments). */
const CommonOptions = t.intersection([
  t.type({ clientId: NonEmptyString }),
  t.partial({
    authority: t.unknown,
    oidcAuthority: t.unknown,
    validateAuthority: t.boolean,
    instanceDiscovery: t.union([t.boolean, NonEmptyString], 'true, false or an instance discovery URL'),
    azureRegion: t.union([t.boolean, NonEmptyString], 'a region name, true (detect) or false (never)'),
    clientCapabilities: t.array(NonEmptyString, 'an array of capability names'),
    excludeScopes: t.array(NonEmptyString, 'an array of scopes'),
    appName: t.string,
    appVersion: t.string,
  }),
])

const ConfidentialOptions = t.intersection([CommonOptions, t.type({ clientCredential: ClientCredentialOption }), t.partial({ clientClaims: ClientClaims })])

/** An application's validated configuration. */
export interface ClientConfig {
  readonly clientId: string
  readonly authority: Authority
  readonly validation: AuthorityValidation
  readonly azureRegion: RegionSetting
  /** The confidential client's credential; absent for a public client. */
  readonly credential?: ClientCredential | undefined
  readonly clientCapabilities: readonly string[]
  /** Scopes MSAL must not add to user sign-ins (never openid). */
  readonly excludeScopes: readonly string[]
  readonly appName?: string | undefined
  readonly appVersion?: string | undefined
  /** Claims added to every client assertion the certificate signs (MSAL Python's client_claims). */
  readonly clientClaims?: Readonly<Record<string, unknown>> | undefined
}

/** A confidential client's validated configuration. */
export type ConfidentialClientConfig = ClientConfig & { readonly credential: ClientCredential }

/** A decoding problem as a ConfigurationError naming the option. */
export const toConfigurationError = (_: string, problem: Problem): ConfigurationError =>
  configurationError(problem.path || 'options', problem.message)

/** The authority from `authority` (or an AuthorityBuilder) or `oidcAuthority`; never both (as MSAL Python). */
const authorityOf = (options: { authority?: unknown; oidcAuthority?: unknown }): E.Either<ConfigurationError, Authority> => {
  if (options.authority !== undefined && options.oidcAuthority !== undefined) {
    return E.left(configurationError('oidcAuthority', 'give either authority or oidcAuthority, not both'))
  }
  if (options.oidcAuthority !== undefined) return parseOidcAuthority(String(options.oidcAuthority))
  // An AuthorityBuilder (or anything else that stringifies to a URL) is accepted where a URL is.
  const authority = options.authority === undefined ? DEFAULT_AUTHORITY : typeof options.authority === 'object' && options.authority !== null ? String(options.authority) : options.authority
  return parseAuthority(authority)
}

/** The options every application shares, checked; the credential is the caller's business. */
const decodeCommon = (options: t.TypeOf<typeof CommonOptions>): E.Either<ConfigurationError, ClientConfig> => {
  const authority = authorityOf(options)
  if (E.isLeft(authority)) return authority
  if (typeof options.instanceDiscovery === 'string' && !/^https:\/\//i.test(options.instanceDiscovery)) {
    return E.left(configurationError('instanceDiscovery', `expected true, false or an https URL, got ${JSON.stringify(options.instanceDiscovery)}`))
  }
  const excludeScopes = validateExcludeScopes(options.excludeScopes ?? [])
  if (E.isLeft(excludeScopes)) return excludeScopes
  return E.right({
    clientId: options.clientId.trim(),
    authority: authority.right,
    validation: { validateAuthority: options.validateAuthority ?? true, instanceDiscovery: options.instanceDiscovery ?? true },
    azureRegion: options.azureRegion,
    clientCapabilities: options.clientCapabilities ?? [],
    excludeScopes: excludeScopes.right,
    appName: options.appName,
    appVersion: options.appVersion,
  })
}

const notAnObject = (example: string): E.Either<ConfigurationError, never> =>
  E.left(configurationError('options', `expected an object such as ${example}`))

/** Checks a ConfidentialClientApplication's options; every problem names the option. */
export const decodeConfidentialClientConfig = (input: unknown): E.Either<ConfigurationError, ConfidentialClientConfig> => {
  if (typeof input !== 'object' || input === null) return notAnObject('{ clientId, clientCredential, authority }')
  const decoded = decodeOr(ConfidentialOptions, input, toConfigurationError)
  if (E.isLeft(decoded)) return decoded
  const common = decodeCommon(decoded.right)
  if (E.isLeft(common)) return common
  const { clientCredential, clientClaims } = decoded.right
  if (clientClaims !== undefined && clientCredential._tag !== 'Certificate') {
    return E.left(configurationError('clientClaims', 'client claims go into the assertion a certificate signs; this credential signs none'))
  }
  return E.right({ ...common.right, credential: clientCredential, ...(clientClaims !== undefined ? { clientClaims } : {}) })
}

/** Checks a PublicClientApplication's options: no credential (a public client cannot keep one). */
export const decodePublicClientConfig = (input: unknown): E.Either<ConfigurationError, ClientConfig> => {
  if (typeof input !== 'object' || input === null) return notAnObject('{ clientId, authority }')
  if ((input as { clientCredential?: unknown }).clientCredential !== undefined) {
    return E.left(configurationError('clientCredential', 'a public client has no credential (it runs where a secret cannot be kept); use ConfidentialClientApplication'))
  }
  const decoded = decodeOr(CommonOptions, input, toConfigurationError)
  return E.isLeft(decoded) ? decoded : decodeCommon(decoded.right)
}
