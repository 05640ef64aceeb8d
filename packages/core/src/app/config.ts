import * as E from '../util/either.js'
import { DEFAULT_AUTHORITY, parseAuthority, parseOidcAuthority, type Authority } from '../authority/authority.js'
import type { AuthorityValidation } from '../authority/instanceDiscovery.js'
import type { RegionSetting } from '../authority/region.js'
import { validateExcludeScopes } from '../protocol/scopeDecoration.js'
import { configurationError, type ConfigurationError } from '../errors.js'
import type { ClientCredential } from '../protocol/clientAuth.js'
import type { ClientApplicationOptions, ConfidentialOptions } from './options.js'

/** An application's validated configuration: what flows read. */
export interface ClientConfig {
  /** client_id (RFC 6749 §2.2): the application (client) id, trimmed. */
  readonly clientId: string
  /** The parsed authority the application signs in with. */
  readonly authority: Authority
  /** Whether Microsoft vouches for the authority (validateAuthority, instanceDiscovery). */
  readonly validation: AuthorityValidation
  /** The region client-credential requests go to (a confidential client's azureRegion: a name, true to detect one, false never); undefined for a public client. */
  readonly azureRegion?: RegionSetting
  /** The confidential client's credential (a description: keys stay with the interpreter); absent for a public client. */
  readonly credential?: ClientCredential | undefined
  /** Capabilities the client declares (e.g. "CP1"), sent in the `claims` parameter as access_token.xms_cc. */
  readonly clientCapabilities: readonly string[]
  /** Scopes MSAL must not add to user sign-ins (never openid). */
  readonly excludeScopes: readonly string[]
  /** The application's name, sent as the x-app-name header. */
  readonly appName?: string | undefined
  /** The application's version, sent as the x-app-ver header. */
  readonly appVersion?: string | undefined
  /** Claims added to every client assertion the certificate signs (MSAL Python's client_claims). */
  readonly clientClaims?: Readonly<Record<string, unknown>> | undefined
  /** Whether a certificate's assertion is reused for up to 540 s per token endpoint (see ConfidentialOptions.reuseClientAssertion). */
  readonly reuseClientAssertion?: boolean | undefined
}

/**
 * Whether the authority is Microsoft's, whose token endpoints accept an assertion again within
 * its lifetime (MSAL reuses one for 540 s): every kind but a generic OpenID provider; dSTS, which
 * is configured like one, is Microsoft's.
 */
const isMicrosoftAuthority = (authority: Authority): boolean => authority.kind !== 'OIDC' || authority.path.toLowerCase().startsWith('/dstsv2')

/** A confidential client's validated configuration. */
export type ConfidentialClientConfig = ClientConfig & { readonly credential: ClientCredential }

/** No client capabilities: one shared list (every call reads the app's, cache hits included). */
const NO_CAPABILITIES: readonly string[] = Object.freeze([])

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

/** The configuration of checked options (see `checkOptions`): a public client's, or the common part of a confidential one's. */
export const clientConfigOf = (options: ClientApplicationOptions): E.Either<ConfigurationError, ClientConfig> => {
  const authority = authorityOf(options)
  if (E.isLeft(authority)) return authority
  if (typeof options.instanceDiscovery === 'string' && !/^https:\/\//i.test(options.instanceDiscovery)) {
    return E.left(configurationError('instanceDiscovery', `expected true, false or an https URL, got ${JSON.stringify(options.instanceDiscovery)}`))
  }
  if (options.timeout !== undefined && options.httpClient !== undefined) {
    return E.left(configurationError('timeout', 'does not apply to an injected httpClient, which keeps its own timeouts (as MSAL Python\'s http_client)'))
  }
  const excludeScopes = validateExcludeScopes(options.excludeScopes ?? [])
  if (E.isLeft(excludeScopes)) return excludeScopes
  return E.right({
    clientId: options.clientId.trim(),
    authority: authority.right,
    validation: { validateAuthority: options.validateAuthority ?? true, instanceDiscovery: options.instanceDiscovery ?? true },
    clientCapabilities: options.clientCapabilities ?? NO_CAPABILITIES,
    excludeScopes: excludeScopes.right,
    appName: options.appName,
    appVersion: options.appVersion,
  })
}

/**
 * A confidential client's configuration: the common options (clientConfigOf), its credential
 * (`credential`, the runtime's parsed `clientCredential`) and the options only it takes.
 */
export const confidentialClientConfigOf = (
  options: ClientApplicationOptions & Partial<Omit<ConfidentialOptions, 'clientCredential'>>,
  credential: ClientCredential,
): E.Either<ConfigurationError, ConfidentialClientConfig> => {
  const common = clientConfigOf(options)
  if (E.isLeft(common)) return common
  if (options.clientClaims !== undefined && credential._tag !== 'Certificate') {
    return E.left(configurationError('clientClaims', 'client claims go into the assertion a certificate signs; this credential signs none'))
  }
  if (options.reuseClientAssertion !== undefined && credential._tag !== 'Certificate') {
    return E.left(configurationError('reuseClientAssertion', 'only a certificate\'s assertions are signed by msal-ts and can be reused; this credential signs none'))
  }
  return E.right({
    ...common.right,
    azureRegion: options.azureRegion,
    credential,
    ...(options.clientClaims !== undefined ? { clientClaims: options.clientClaims } : {}),
    ...(credential._tag === 'Certificate' ? { reuseClientAssertion: options.reuseClientAssertion ?? isMicrosoftAuthority(common.right.authority) } : {}),
  })
}
