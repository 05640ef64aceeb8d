import {
  acquireTokenByAuthCodeFlow,
  acquireTokenByDeviceFlow,
  ApiId,
  decodePublicClientConfig,
  initiateDeviceFlow,
  type DeviceFlow,
  type DeviceFlowOptions,
  type DeviceFlowRedemptionOptions as CoreDeviceFlowRedemptionOptions,
  type AuthCodeFlow,
  type AuthCodeRedemptionOptions,
  type AuthorizationRequestOptions,
  type TokenResult,
} from '@msal-ts/core'
import { abortable } from '../interpreter/abortable.js'
import { acquireTokenInteractive, type AcquireTokenInteractiveOptions } from '../interactive/interactive.js'
import { ClientApplication, throwIfLeft, type ClientApplicationOptions } from './ClientApplication.js'

/** A public client's options: no credential (it runs where a secret cannot be kept). */
export type PublicClientApplicationOptions = ClientApplicationOptions

/** acquireTokenByDeviceFlow's options. */
export interface DeviceFlowRedemptionOptions extends Omit<CoreDeviceFlowRedemptionOptions, 'signal'> {
  /** Aborting it stops the polling at once: the call rejects with a CancelledError. */
  readonly signal?: AbortSignal | undefined
}

/**
 * An application that runs on the user's device (CLI, desktop, mobile): MSAL Python's
 * PublicClientApplication. It signs users in and keeps their tokens; it holds no credential.
 */
export class PublicClientApplication extends ClientApplication {
  /** @throws MsalError (kind ConfigurationError) naming the option that is wrong. */
  constructor(options: PublicClientApplicationOptions) {
    super(throwIfLeft(decodePublicClientConfig(options)), options)
  }

  /**
   * Starts a sign-in on another device (MSAL Python's initiate_device_flow): show the user
   * `flow.message`, then call acquireTokenByDeviceFlow(flow). Rejects with a ServerError when the
   * identity provider refuses, a ConfigurationError when it has no device authorization endpoint.
   */
  initiateDeviceFlow(scopes: readonly string[], options: DeviceFlowOptions = {}): Promise<DeviceFlow> {
    return this.execute(() => initiateDeviceFlow(this.ctx, scopes, options))
  }

  /**
   * Waits for the user to sign in with the flow's code (MSAL Python's
   * acquire_token_by_device_flow), polling every `flow.interval` seconds; the tokens and account
   * land in the cache. Rejects with a ServerError when the user declines (authorization_declined)
   * or the server ends the flow (expired_token...), a TimeoutError when the code expires first,
   * and a CancelledError when `signal` aborts (at once, even mid-wait) or the caller sets
   * `flow.expiresAt` to 0 (before the next poll). Nothing is cached unless tokens come back.
   */
  acquireTokenByDeviceFlow(flow: DeviceFlow, options: DeviceFlowRedemptionOptions = {}): Promise<TokenResult> {
    const interpret = abortable(this.interpret, options.signal, { realTimeSleep: this.runtime.interpreter === undefined })
    return this.userOperation(() => acquireTokenByDeviceFlow(this.ctx, flow, options), interpret)
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
   */
  acquireTokenInteractive(scopes: readonly string[], options: AcquireTokenInteractiveOptions = {}): Promise<TokenResult> {
    const app = {
      initiateAuthCodeFlow: (asked: readonly string[], flowOptions: AuthorizationRequestOptions) => this.initiateAuthCodeFlow(asked, flowOptions),
      // Redeemed as acquireTokenByAuthCodeFlow does, reported to telemetry as an interactive sign-in.
      acquireTokenByAuthCodeFlow: (flow: AuthCodeFlow, response: Readonly<Record<string, unknown>>, redemption: AuthCodeRedemptionOptions) =>
        this.userOperation(() => acquireTokenByAuthCodeFlow(this.ctx, flow, response, redemption, ApiId.acquireTokenInteractive)),
    }
    return acquireTokenInteractive(app, this.interpret, scopes, options)
  }
}
