import type { Authority } from './authority.js'

/** What the developer said about vouching for the authority. */
export interface AuthorityValidation {
  /** false: the developer vouches for the authority (MSAL Python's validate_authority). */
  readonly validateAuthority: boolean
  /** false: never ask Microsoft; a string: ask this endpoint instead of Entra's. */
  readonly instanceDiscovery: boolean | string
}

/**
 * Whether Microsoft must vouch for an authority first: only Entra authorities on hosts MSAL does
 * not know, and only when the developer has not vouched for it or turned discovery off. ADFS,
 * B2C, CIAM and OIDC authorities are known to the developer.
 */
export const needsInstanceDiscovery = (authority: Authority, validation: AuthorityValidation): boolean =>
  authority.kind === 'Entra' && !authority.isKnownHost && !authority.isLoopback && validation.validateAuthority && validation.instanceDiscovery !== false

