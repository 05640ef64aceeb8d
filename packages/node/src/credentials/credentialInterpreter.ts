import type { Interpret } from '@msal-ts/core'
import { withClientCredential } from '@msal-ts/browser'
import type { ParsedCredential } from './clientCredential.js'

/**
 * The application's interpreter with its credential (see @msal-ts/browser's withClientCredential,
 * which every runtime shares): SignJwt is signed with the certificate's KeyObject and
 * ClientAssertion answered by the callback. Everything else goes to `inner`.
 */
export const withCredential = (inner: Interpret, { signingKey, assertionCallback }: ParsedCredential): Interpret =>
  withClientCredential(inner, { signingKey: signingKey !== undefined ? () => signingKey : undefined, assertionCallback })
