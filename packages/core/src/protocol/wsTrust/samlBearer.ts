/**
 * The SAML bearer assertion grants (RFC 7522) that trade the federation server's assertion for
 * Entra tokens. SAML 1.1 assertions (AD FS's default) use Microsoft's `saml1_1-bearer` grant type,
 * SAML 2.0 ones the standard `saml2-bearer`. The assertion is sent base64url-encoded without
 * padding (RFC 7522 §2.1), as MSAL Python's encode_saml_assertion does.
 */
import { bytesToBase64Url, utf8Encode } from '../../util/base64url.js'
import { SAML20_TOKEN_TYPE, type SamlTokenType } from './namespaces.js'
import type { WsTrustToken } from './response.js'

export const SAML11_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:saml1_1-bearer'
export const SAML2_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:saml2-bearer'
export type SamlBearerGrantType = typeof SAML11_BEARER_GRANT_TYPE | typeof SAML2_BEARER_GRANT_TYPE

export const samlBearerGrantType = (tokenType: SamlTokenType): SamlBearerGrantType =>
  tokenType === SAML20_TOKEN_TYPE ? SAML2_BEARER_GRANT_TYPE : SAML11_BEARER_GRANT_TYPE

/** The assertion's UTF-8 bytes, base64url without padding. */
export const encodeSamlAssertion = (assertion: string): string => bytesToBase64Url(utf8Encode(assertion))

/** The grant's own form fields; the token request adds client_id, scope, client_info and the rest. */
export const buildSamlBearerGrantParams = (token: WsTrustToken): { readonly grant_type: SamlBearerGrantType; readonly assertion: string } => ({
  grant_type: samlBearerGrantType(token.tokenType),
  assertion: encodeSamlAssertion(token.token),
})
