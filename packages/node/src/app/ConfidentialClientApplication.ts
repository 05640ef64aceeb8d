import { anything, confidentialClientConfigOf, ConfidentialClientApplication as CoreConfidentialClientApplication, CONFIDENTIAL_RULES, throwIfLeft, type ClientApplicationOptions } from '@msal-ts/core'
import { parseClientCredential, type ClientCredentialOption } from '../credentials/clientCredential.js'
import { withCredential } from '../credentials/credentialInterpreter.js'
import { checkNodeOptions, nodeRuntime, type NodeOptions } from './options.js'

/** A confidential client's options on Node: MSAL Python's ConfidentialClientApplication keyword arguments in camelCase. */
export interface ConfidentialClientApplicationOptions extends ClientApplicationOptions, NodeOptions {
  /**
   * How the app proves who it is (MSAL Python's client_credential): a client secret, a
   * certificate (PEM key and thumbprint), a PFX file, or a client assertion. See
   * ClientCredentialOption.
   */
  readonly clientCredential: ClientCredentialOption
  /**
   * Claims added to (and overriding) every client assertion the certificate signs, MSAL
   * Python's client_claims. Only with a certificate.
   */
  readonly clientClaims?: Readonly<Record<string, unknown>> | undefined
  /**
   * Send client-credential requests to an Azure region: a region name ("westus2"), true to detect
   * it (REGION_NAME, then the VM's metadata service), false never (even if MSAL_FORCE_REGION is set).
   */
  readonly azureRegion?: string | boolean | undefined
  /**
   * Whether a certificate's signed assertion is sent again to a token endpoint for up to 540 s,
   * as MSAL does. Default: true for Microsoft's authorities, false for `oidcAuthority` (its
   * provider may accept each jti once). A refused reused assertion is signed anew either way.
   */
  readonly reuseClientAssertion?: boolean | undefined
}

/**
 * A server-side application (daemon, web app, web API) that holds a credential: MSAL Python's
 * ConfidentialClientApplication, on Node. Methods return Promises and reject with an MsalError.
 */
export class ConfidentialClientApplication extends CoreConfidentialClientApplication {
  /**
   * @throws MsalError (kind ConfigurationError) naming the option that is wrong: an unknown
   * option, a key that is not one, a wrong passphrase, an unreadable PFX.
   */
  constructor(options: ConfidentialClientApplicationOptions) {
    // The credential parser names what is wrong with (or missing from) clientCredential.
    const rules = { ...CONFIDENTIAL_RULES, clientCredential: { check: anything } }
    const checked = throwIfLeft(checkNodeOptions<ConfidentialClientApplicationOptions>(options, rules, '{ clientId, clientCredential, authority }'))
    const parsed = throwIfLeft(parseClientCredential(checked.clientCredential))
    const config = throwIfLeft(confidentialClientConfigOf(checked, parsed.credential))
    super(config, nodeRuntime(checked, (interpret) => withCredential(interpret, parsed)))
  }
}
