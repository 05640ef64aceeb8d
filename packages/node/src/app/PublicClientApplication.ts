import { acquireTokenByAuthCodeFlow, clientConfigOf, PUBLIC_CLIENT_UNSUPPORTED, PublicClientApplication as CorePublicClientApplication, throwIfLeft, type AuthCodeFlow, type AuthCodeRedemptionOptions, type AuthorizationRequestOptions, type ClientApplicationOptions, type TokenResult } from '@msal-ts/core'
import { ApiId } from '@msal-ts/core/protocol'
import { acquireTokenInteractive, type AcquireTokenInteractiveOptions } from '../interactive/interactive.js'
import { checkNodeOptions, nodeRuntime, type NodeOptions } from './options.js'

/** A public client's options on Node: no credential (it runs where a secret cannot be kept). */
export interface PublicClientApplicationOptions extends ClientApplicationOptions, NodeOptions {}

/**
 * An application that runs on the user's device (CLI, desktop, mobile): MSAL Python's
 * PublicClientApplication, on Node. It signs users in and keeps their tokens; it holds no
 * credential.
 */
export class PublicClientApplication extends CorePublicClientApplication {
  /** @throws MsalError (kind ConfigurationError) naming the option that is wrong. */
  constructor(options: PublicClientApplicationOptions) {
    const checked = throwIfLeft(checkNodeOptions<PublicClientApplicationOptions>(options, {}, '{ clientId, authority }', PUBLIC_CLIENT_UNSUPPORTED))
    super(throwIfLeft(clientConfigOf(checked)), nodeRuntime(checked))
  }

  /**
   * Signs the user in through the system browser (MSAL Python's acquire_token_interactive):
   * listens on http://localhost:<port> (any free port unless `port` or `redirectUri` says), opens
   * the browser at the authorization URL and redeems the code that comes back; the tokens and
   * account land in the cache. Register http://localhost as the app's "Mobile and desktop"
   * redirect URI. Rejects with an AuthorizationError when the user or the identity provider
   * refuses (the cache is unchanged), a TimeoutError when `timeout` seconds pass first, a
   * CancelledError when `signal` aborts, and a UsageError naming `port` when the port is taken.
   * The local server is closed whatever happens.
   *
   * Inside Azure Cloud Shell (AZUREPS_HOST_ENVIRONMENT starting with "cloud-shell"), `prompt: 'none'`
   * gets the signed-in user's token from Cloud Shell instead, with no browser (MSAL Python's way):
   * its tokenSource is 'broker', and the CLOUDSHELL account it files is served by
   * acquireTokenSilent (which asks Cloud Shell again, never with a refresh token).
   */
  acquireTokenInteractive(scopes: readonly string[], options: AcquireTokenInteractiveOptions = {}): Promise<TokenResult> {
    // Inside Azure Cloud Shell, prompt 'none' asks Cloud Shell for the signed-in user's token (MSAL Python's way).
    if (options?.prompt === 'none') {
      const keyBound = options.authScheme !== undefined || options.data !== undefined
      return this.acquireTokenInCloudShell(scopes, keyBound).then((token) => token ?? this.signInWithBrowser(scopes, options))
    }
    return this.signInWithBrowser(scopes, options)
  }

  private signInWithBrowser(scopes: readonly string[], options: AcquireTokenInteractiveOptions): Promise<TokenResult> {
    const app = {
      initiateAuthCodeFlow: (asked: readonly string[], flowOptions: AuthorizationRequestOptions) => this.initiateAuthCodeFlow(asked, flowOptions),
      // Redeemed as acquireTokenByAuthCodeFlow does, reported to telemetry as an interactive sign-in.
      acquireTokenByAuthCodeFlow: (flow: AuthCodeFlow, response: Readonly<Record<string, unknown>>, redemption: AuthCodeRedemptionOptions) =>
        this.userOperation(() => acquireTokenByAuthCodeFlow(this.ctx, flow, response, redemption, ApiId.acquireTokenInteractive)),
    }
    return acquireTokenInteractive(app, this.interpret, scopes, options)
  }
}
