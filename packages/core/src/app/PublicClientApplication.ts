import * as E from '../util/either.js'
import { run, type Interpret } from '../effects/run.js'
import { acquireTokenInteractiveInCloudShell } from '../flows/cloudShell.js'
import {
  acquireTokenByDeviceFlow,
  initiateDeviceFlow,
  type DeviceFlow,
  type DeviceFlowOptions,
  type DeviceFlowRedemptionOptions as CoreDeviceFlowRedemptionOptions,
} from '../flows/deviceCode.js'
import type { TokenResult } from '../result.js'
import { conceal } from '../util/printable.js'
import { ClientApplication, type ClientAppRuntime } from './ClientApplication.js'
import type { ClientConfig } from './config.js'
import type { KnownOptions } from './methodOptions.js'

const DEVICE_FLOW_OPTIONS: KnownOptions<DeviceFlowOptions> = { claimsChallenge: true }
const DEVICE_FLOW_REDEMPTION_OPTIONS: KnownOptions<DeviceFlowRedemptionOptions> = { claimsChallenge: true, signal: true, data: true }

/** MSAL Python's oauth2cli takes an exit_condition callback through acquire_token_by_device_flow's keywords. */
const DEVICE_FLOW_REDEMPTION_REFUSED = {
  exitCondition: "MSAL Python's exit_condition is not taken: stop the polling with an AbortSignal (signal), or by setting flow.expiresAt to 0",
}
import { settled } from './settle.js'

/** acquireTokenByDeviceFlow's options. */
export interface DeviceFlowRedemptionOptions extends Omit<CoreDeviceFlowRedemptionOptions, 'signal'> {
  /** Aborting it stops the polling at once: the call rejects with a CancelledError. */
  readonly signal?: AbortSignal | undefined
}

/** A public client's runtime: how to make its waits end when an AbortSignal aborts. */
export interface PublicAppRuntime extends ClientAppRuntime {
  /** An interpreter whose waits (Sleep, requests) end as soon as `signal` aborts. */
  readonly abortable: (interpret: Interpret, signal: AbortSignal) => Interpret
}

/**
 * An application that runs on the user's device (CLI, desktop, mobile): MSAL Python's
 * PublicClientApplication, on any runtime. It signs users in and keeps their tokens; it holds no
 * credential.
 */
export class PublicClientApplication extends ClientApplication {
  private readonly abortable: PublicAppRuntime['abortable']

  constructor(config: ClientConfig, runtime: PublicAppRuntime) {
    super(config, runtime)
    this.abortable = runtime.abortable
    conceal(this, ['abortable'])
  }

  /**
   * Starts a sign-in on another device (MSAL Python's initiate_device_flow): show the user
   * `flow.message`, then call acquireTokenByDeviceFlow(flow). Rejects with a ServerError when the
   * identity provider refuses, a ConfigurationError when it has no device authorization endpoint.
   * Without scopes (MSAL Python's `scopes=None`), the flow signs the user in with MSAL's own
   * scopes only (openid, profile, offline_access).
   */
  initiateDeviceFlow(scopes: readonly string[] = [], options: DeviceFlowOptions = {}): Promise<DeviceFlow> {
    return this.withOptions('initiateDeviceFlow', options, DEVICE_FLOW_OPTIONS, (checked) => this.execute(() => initiateDeviceFlow(this.ctx, scopes, checked)))
  }

  /**
   * Waits for the user to sign in with the flow's code (MSAL Python's
   * acquire_token_by_device_flow), polling every `flow.interval` seconds; the tokens and account
   * land in the cache. Rejects with a ServerError when the user declines (authorization_declined)
   * or the server ends the flow (expired_token...), a TimeoutError when the code expires first,
   * and a CancelledError when `signal` aborts (at once, even mid-wait) or the caller sets
   * `flow.expiresAt` to 0 (before the next poll; before the first when set before the call). Nothing is cached unless tokens come back.
   */
  acquireTokenByDeviceFlow(flow: DeviceFlow, options: DeviceFlowRedemptionOptions = {}): Promise<TokenResult> {
    return this.withOptions(
      'acquireTokenByDeviceFlow',
      options,
      DEVICE_FLOW_REDEMPTION_OPTIONS,
      (checked) => {
        const interpret = checked.signal === undefined ? this.interpret : this.abortable(this.interpret, checked.signal)
        return this.userOperation(() => acquireTokenByDeviceFlow(this.ctx, flow, checked), interpret)
      },
      DEVICE_FLOW_REDEMPTION_REFUSED,
    )
  }

  /**
   * MSAL Python's acquire_token_interactive(prompt="none") inside Azure Cloud Shell
   * (AZUREPS_HOST_ENVIRONMENT starting with "cloud-shell"): the signed-in user's token from Cloud
   * Shell's endpoint, filed with a CLOUDSHELL account that getAccounts() then lists (in Cloud
   * Shell) and acquireTokenSilent serves. Resolves undefined outside Cloud Shell.
   */
  protected acquireTokenInCloudShell(scopes: readonly string[], keyBound = false): Promise<TokenResult | undefined> {
    return settled(() =>
      this.persisted(
        () => this.appCacheContext,
        () => run(acquireTokenInteractiveInCloudShell(this.ctx, scopes, keyBound), this.interpret),
        (result) => this.userCacheContext(result !== undefined && E.isRight(result) ? result.right?.account?.homeAccountId : undefined),
      ),
    )
  }
}
