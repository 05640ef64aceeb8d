/**
 * MSAL Python's ConfidentialClientApplication for web-platform runtimes (Cloudflare Workers,
 * Deno, Bun, browsers): the core's application shell over fetch and WebCrypto.
 */
import {
  anything,
  checkOptions,
  CLIENT_APPLICATION_RULES,
  confidentialClientConfigOf,
  ConfidentialClientApplication as CoreConfidentialClientApplication,
  CONFIDENTIAL_RULES,
  configurationError,
  HttpCache,
  throwIfLeft,
  TokenCache,
  UNSUPPORTED_OPTIONS,
  type ClientApplicationOptions,
} from '@msal-ts/core'
import { parseWebClientCredential, type WebClientCredentialOption } from '../credentials/clientCredential.js'
import { withClientCredential } from '../credentials/credentialInterpreter.js'
import { webPlatform } from '../platform.js'
import { webInterpreterFor } from '../webInterpreter.js'
import { webPopKeys, withPopKeys, type PopSubtleCrypto } from '../popKeys.js'

export interface ConfidentialClientApplicationOptions extends ClientApplicationOptions {
  /** How the app proves who it is: a client secret, a certificate (PKCS#8 PEM key) or an assertion. See WebClientCredentialOption. */
  readonly clientCredential: WebClientCredentialOption
  /** Claims added to (and overriding) every client assertion the certificate signs (MSAL Python's client_claims). Only with a certificate. */
  readonly clientClaims?: Readonly<Record<string, unknown>> | undefined
  /** Send client-credential requests to this Azure region ("westus2"). Web runtimes cannot detect one, so `true` is refused. */
  readonly azureRegion?: string | false | undefined
  /**
   * Whether a certificate's signed assertion is sent again to a token endpoint for up to 540 s,
   * as MSAL does. Default: true for Microsoft's authorities, false for `oidcAuthority` (its
   * provider may accept each jti once). A refused reused assertion is signed anew either way.
   */
  readonly reuseClientAssertion?: boolean | undefined
}

/** Epoch seconds from the system clock, for `TokenCache.add()` without a `now`. */
const systemClock = (): number => Math.floor(Date.now() / 1000)

/**
 * A server-side application (a worker, an edge function, a web app's back end) that holds a
 * credential, on any runtime with fetch and WebCrypto. Methods return Promises that reject with
 * an MsalError; the constructor throws one (kind ConfigurationError) naming a bad option.
 */
export class ConfidentialClientApplication extends CoreConfidentialClientApplication {
  constructor(options: ConfidentialClientApplicationOptions) {
    // The credential parser names what is wrong with (or missing from) clientCredential.
    const rules = { ...CLIENT_APPLICATION_RULES, ...CONFIDENTIAL_RULES, clientCredential: { check: anything } }
    const checked = throwIfLeft(checkOptions<ConfidentialClientApplicationOptions>(options, rules, '{ clientId, clientCredential, authority }', UNSUPPORTED_OPTIONS))
    const credential = throwIfLeft(parseWebClientCredential(checked.clientCredential))
    if ((checked.azureRegion as unknown) === true) {
      throw configurationError('azureRegion', 'web runtimes cannot detect the region (no environment variables, no instance metadata service): name it, e.g. "westus2"')
    }
    const config = throwIfLeft(confidentialClientConfigOf(checked, credential.credential))
    const interpret = checked.interpreter ?? webInterpreterFor(checked)
    super(config, {
      // The app's proof-of-possession key, in memory (made on first use); an injected interpreter answers for its own.
      interpret: withClientCredential(checked.interpreter === undefined ? withPopKeys(interpret, webPopKeys(() => globalThis.crypto.subtle as unknown as PopSubtleCrypto)) : interpret, credential),
      platform: webPlatform(),
      tokenCache: checked.tokenCache ?? new TokenCache({ clock: systemClock }),
      httpCache: checked.httpCache ?? new HttpCache(),
    })
  }
}
