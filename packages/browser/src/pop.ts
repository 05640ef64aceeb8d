/**
 * @msal-ts/browser/pop: proof-of-possession tokens and SSH certificates for the single-page app.
 * Give it to the application, and its verbs take msal-browser's `authenticationScheme: 'pop'`
 * (with `resourceRequestMethod`, `resourceRequestUri`, `shrNonce`, `shrClaims`) and
 * `'ssh-cert'` (with `sshJwk`, `sshKid`):
 *
 *     import { PublicClientApplication } from '@msal-ts/browser'
 *     import { proofOfPossession } from '@msal-ts/browser/pop'
 *     const app = new PublicClientApplication({ clientId, authority, proofOfPossession })
 *
 * A separate entry so that an app that never asks for such tokens does not bundle the key code.
 */
import { spaPreparerOf } from '@msal-ts/core/spa'
import type { SpaKeyBinding } from './spa/keyBinding.js'
import { spaPopKeys } from './spa/popKeyStore.js'

/**
 * The key-bound token code for `PublicClientApplication`'s `proofOfPossession` option: msal-browser's
 * request fields checked and readied, and the app's proof-of-possession key (RSA 2048, RS256,
 * made by WebCrypto on first use, non-extractable, kept in IndexedDB per client id).
 */
export const proofOfPossession: SpaKeyBinding = {
  bindingFor: spaPreparerOf,
  popKeys: spaPopKeys,
}

export type { SpaKeyBinding } from './spa/keyBinding.js'
export { indexedDbPopKeyStore, spaPopKeys, POP_KEY_DATABASE, POP_KEY_OBJECT_STORE } from './spa/popKeyStore.js'
