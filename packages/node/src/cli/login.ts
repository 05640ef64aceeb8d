import { parseArgs } from 'node:util'
import type { TokenResult } from '@msal-ts/core'
import type { PublicClientApplication } from '../app/PublicClientApplication.js'
import type { OpenBrowser } from '../interactive/browserOpener.js'
import { formatCountdown, type Output } from './output.js'
import { USER_OPTIONS, USER_OPTIONS_USAGE, userApp } from './userApp.js'

export const LOGIN_USAGE = `usage: msal-ts login --device-code --client-id ID [--scope SCOPE...] [--authority URL] [--cache PATH]
       msal-ts login --interactive --client-id ID [--scope SCOPE...] [--login-hint NAME] [--port N]
                     [--timeout-seconds N] [--authority URL] [--cache PATH]

Signs a user in and keeps the tokens in the cache file, for msal-ts token, accounts and logout.
  --device-code       show a code to enter at the identity provider's page, on any device;
                      a countdown runs until the code expires (Ctrl-C stops waiting)
  --interactive       open the system browser; the response comes back to http://localhost:<port>
                      (register http://localhost as the app's redirect URI)
  --scope SCOPE       an API scope to consent to now (openid, profile and offline_access are added)
  --login-hint NAME   pre-fill the user name (interactive)
  --port N            the loopback port (interactive; default any free port)
  --timeout-seconds N stop waiting for the browser after N seconds (interactive)
${USER_OPTIONS_USAGE}`

export interface LoginHooks {
  /** Replaces the system browser (tests). */
  readonly openBrowser?: OpenBrowser | undefined
  /** Aborts waiting (the CLI wires Ctrl-C to it). */
  readonly signal?: AbortSignal | undefined
  /** Application options beside the command line's (a test's fake identity provider). */
  readonly appOptions?: Record<string, unknown> | undefined
}

/** `msal-ts login --device-code | --interactive`. */
export const runLogin = async (args: readonly string[], output: Output, env: NodeJS.ProcessEnv, hooks: LoginHooks = {}): Promise<number> => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      ...USER_OPTIONS,
      'device-code': { type: 'boolean', default: false },
      interactive: { type: 'boolean', default: false },
      scope: { type: 'string', multiple: true },
      'login-hint': { type: 'string' },
      port: { type: 'string' },
      'timeout-seconds': { type: 'string' },
    },
    strict: true,
  })
  if (values['device-code'] === values.interactive) {
    output.err(`msal-ts login: choose one of --device-code and --interactive\n\n${LOGIN_USAGE}`)
    return 2
  }
  if (values['client-id'] === undefined) {
    output.err(`msal-ts login: missing --client-id\n\n${LOGIN_USAGE}`)
    return 2
  }
  const app = userApp(values, env, hooks.appOptions)
  const scopes = values.scope ?? []
  const result = values['device-code']
    ? await loginWithDeviceCode(app, scopes, output, hooks.signal)
    : await app.acquireTokenInteractive(scopes, {
        loginHint: values['login-hint'],
        ...(values.port !== undefined ? { port: Number(values.port) } : {}),
        ...(values['timeout-seconds'] !== undefined ? { timeout: Number(values['timeout-seconds']) } : {}),
        ...(hooks.openBrowser !== undefined ? { openBrowser: hooks.openBrowser } : {}),
        signal: hooks.signal,
        onBeforeLaunchingUi: () => output.err('opening the browser to sign in; waiting for it to come back...'),
      })
  output.out(`signed in as ${result.account?.username ?? '(an account with no user name)'}`)
  return 0
}

/** The device code flow, with the code shown and a live countdown until it expires. */
const loginWithDeviceCode = async (app: PublicClientApplication, scopes: readonly string[], output: Output, signal: AbortSignal | undefined): Promise<TokenResult> => {
  const flow = await app.initiateDeviceFlow(scopes)
  output.err(flow.message)
  const tick = (): void => output.status?.(`waiting for you to sign in with code ${flow.userCode}; it expires in ${formatCountdown(flow.expiresAt - Date.now() / 1000)}`)
  tick()
  const countdown = setInterval(tick, 1000)
  try {
    return await app.acquireTokenByDeviceFlow(flow, { signal })
  } finally {
    clearInterval(countdown)
    output.endStatus?.()
  }
}
