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
  readonly clientId: string
  readonly authority: Authority
  readonly validation: AuthorityValidation
  readonly azureRegion: RegionSetting
  /** The confidential client's credential (a description: keys stay with the interpreter); absent for a public client. */
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

/**
 * The configuration of checked options (see `checkOptions`). `credential` is the runtime's
 * parsed `clientCredential`; undefined for a public client.
 */
export const clientConfigOf = (
  options: ClientApplicationOptions & Partial<Omit<ConfidentialOptions, 'clientCredential'>>,
  credential?: ClientCredential,
): E.Either<ConfigurationError, ClientConfig> => {
  const authority = authorityOf(options)
  if (E.isLeft(authority)) return authority
  if (typeof options.instanceDiscovery === 'string' && !/^https:\/\//i.test(options.instanceDiscovery)) {
    return E.left(configurationError('instanceDiscovery', `expected true, false or an https URL, got ${JSON.stringify(options.instanceDiscovery)}`))
  }
  const excludeScopes = validateExcludeScopes(options.excludeScopes ?? [])
  if (E.isLeft(excludeScopes)) return excludeScopes
  if (options.clientClaims !== undefined && credential?._tag !== 'Certificate') {
    return E.left(configurationError('clientClaims', 'client claims go into the assertion a certificate signs; this credential signs none'))
  }
  return E.right({
    clientId: options.clientId.trim(),
    authority: authority.right,
    validation: { validateAuthority: options.validateAuthority ?? true, instanceDiscovery: options.instanceDiscovery ?? true },
    azureRegion: options.azureRegion,
    clientCapabilities: options.clientCapabilities ?? [],
    excludeScopes: excludeScopes.right,
    appName: options.appName,
    appVersion: options.appVersion,
    ...(credential !== undefined ? { credential } : {}),
    ...(options.clientClaims !== undefined ? { clientClaims: options.clientClaims } : {}),
  })
}

