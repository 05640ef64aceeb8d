import * as E from '#fp-ts/Either'
import { MAX_TIMEOUT_SECONDS, runToPromise, usageError, type AuthCodeFlow, type AuthCodeRedemptionOptions, type AuthorizationRequestOptions, type Interpret, type LogLevel, type TokenResult } from '@msal-ts/core'
import { log, validateAuthorizationOptions } from '@msal-ts/core/protocol'
import { openSystemBrowser, type OpenBrowser } from './browserOpener.js'
import { abortedError, LoopbackServer, type AuthResponse, type RedirectTarget } from './loopbackServer.js'

/** MSAL Python's acquire_token_interactive keyword arguments, camelCased, and Node's extras. */
export interface AcquireTokenInteractiveOptions {
  /** A `Prompt` value; by default none is sent. */
  readonly prompt?: string | undefined
  /** The user's name (UPN), pre-filled on the sign-in page. */
  readonly loginHint?: string | undefined
  /** "consumers", "organizations" or a tenant's domain: skips the home realm discovery page. */
  readonly domainHint?: string | undefined
  /** A claims challenge from a resource's WWW-Authenticate header. */
  readonly claimsChallenge?: string | undefined
  /**
   * Seconds to wait for the browser to come back (MSAL Python's timeout). Default: wait until
   * `signal` aborts. When it passes, the call rejects with a TimeoutError (code "timeout").
   */
  readonly timeout?: number | undefined
  /** The port to listen on; 0 or unset: any free port (Entra accepts any port on http://localhost). */
  readonly port?: number | undefined
  /**
   * The redirect URI, if not http://localhost:<port>: an http URI on localhost or 127.0.0.1,
   * registered for the app. Its port (0: any free one) is where the server listens; without one,
   * `port` decides.
   */
  readonly redirectUri?: string | undefined
  /** Other resources' scopes the user consents to now, for later silent calls (their tokens are not returned). */
  readonly extraScopesToConsent?: readonly string[] | undefined
  /** Seconds since the user last signed in that are still acceptable; the ID token's auth_time is checked. */
  readonly maxAge?: number | undefined
  /**
   * How the browser brings the response back. Default "form_post" (as MSAL Python): the code
   * travels in a POST body, never in an address that browser history or logs keep.
   */
  readonly responseMode?: 'form_post' | 'query' | undefined
  /** Called right before the browser opens (MSAL Python's on_before_launching_ui), e.g. to tell the user. */
  readonly onBeforeLaunchingUi?: ((info: { readonly uiType: 'browser' }) => void) | undefined
  /** Shows the sign-in URL to the user instead of opening the system browser. */
  readonly openBrowser?: OpenBrowser | undefined
  /** Aborting rejects the call with a CancelledError and closes the server. */
  readonly signal?: AbortSignal | undefined
  /** The page shown after a sign-in: `$name` placeholders as MSAL Python's success_template; HTML if it starts with `<`. */
  readonly successTemplate?: string | undefined
  /** The page shown after a refused sign-in: `$error`, `$error_description` and `$error_uri` are filled in (escaped in HTML). */
  readonly errorTemplate?: string | undefined
}

/** What the orchestration needs of an application. */
export interface InteractiveApp {
  initiateAuthCodeFlow(scopes: readonly string[], options: AuthorizationRequestOptions): Promise<AuthCodeFlow>
  acquireTokenByAuthCodeFlow(flow: AuthCodeFlow, authResponse: AuthResponse, options: AuthCodeRedemptionOptions): Promise<TokenResult>
}

interface Plan {
  readonly target: RedirectTarget
  readonly responseMode: 'form_post' | 'query'
  readonly timeoutMs: number | undefined
}

/**
 * MSAL Python's acquire_token_interactive for Node: listens on the loopback interface, opens the
 * browser at the authorization URL (PKCE, state and nonce from initiateAuthCodeFlow), waits for
 * the response, then redeems the code with acquireTokenByAuthCodeFlow, which checks the state,
 * the nonce and max_age and files the tokens. The server is closed whatever happens.
 */
export const acquireTokenInteractive = async (
  app: InteractiveApp,
  interpret: Interpret,
  scopes: readonly string[],
  options: AcquireTokenInteractiveOptions = {},
): Promise<TokenResult> => {
  const plan = check(options)
  const { signal } = options
  throwIfAborted(signal)
  const say = (level: LogLevel, message: string, pii = false): void => {
    void runToPromise(log(level, `acquireTokenInteractive: ${message}`, pii), interpret).catch(() => undefined)
  }
  const extra = options.extraScopesToConsent ?? []
  const server = await LoopbackServer.start(plan.target)
  let flow: AuthCodeFlow
  let response: AuthResponse
  try {
    say('info', `listening for the sign-in response at ${server.redirectUri}`)
    flow = await app.initiateAuthCodeFlow(scopes, {
      redirectUri: server.redirectUri,
      prompt: options.prompt,
      loginHint: options.loginHint,
      domainHint: options.domainHint,
      claimsChallenge: options.claimsChallenge,
      maxAge: options.maxAge,
      responseMode: plan.responseMode,
      extraScopesToConsent: extra,
    })
    const awaited = server.awaitResponse({
      state: flow.state,
      responseMode: plan.responseMode,
      templates: { successTemplate: options.successTemplate, errorTemplate: options.errorTemplate },
      timeoutMs: plan.timeoutMs,
      signal,
      onIgnored: (reason) => say('warning', `ignored ${reason} at the redirect URI`),
    })
    // Settled by the server even when launching fails below; the failure is what is reported then.
    awaited.catch(() => undefined)
    throwIfAborted(signal)
    options.onBeforeLaunchingUi?.({ uiType: 'browser' })
    say('info', `opening the browser at ${flow.authUri}`, true)
    const authUri = flow.authUri
    const opened = Promise.resolve().then(() => (options.openBrowser ?? openSystemBrowser)(authUri))
    // A response may arrive before the opener returns (it may be the one that sent it).
    opened.catch((error: unknown) => say('warning', `the browser opener failed: ${String(error)}`, true))
    response = await Promise.race([opened.then(() => awaited), awaited])
  } finally {
    await server.close()
  }
  throwIfAborted(signal)
  // The flow's scopes leave the extra ones out: their consent is recorded, the token is for the scopes asked.
  return app.acquireTokenByAuthCodeFlow(flow, response, {})
}

const throwIfAborted = (signal: AbortSignal | undefined): void => {
  if (signal?.aborted === true) throw abortedError(signal)
}


const fail = (argument: string, message: string): never => {
  throw usageError(argument, message)
}

const optionalOfType = (options: AcquireTokenInteractiveOptions, names: readonly (keyof AcquireTokenInteractiveOptions)[], type: 'string' | 'function'): void => {
  for (const name of names) {
    const value = options[name]
    if (value !== undefined && typeof value !== type) fail(name, `expected a ${type}, got ${typeof value}`)
  }
}

/** Checks the options before a port is opened; each problem names its option. */
const check = (options: AcquireTokenInteractiveOptions): Plan => {
  if (typeof options !== 'object' || options === null) fail('options', 'expected an object')
  optionalOfType(options, ['successTemplate', 'errorTemplate', 'claimsChallenge'], 'string')
  optionalOfType(options, ['openBrowser', 'onBeforeLaunchingUi'], 'function')
  const { timeout, port, signal, extraScopesToConsent } = options
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0 && timeout <= MAX_TIMEOUT_SECONDS)) {
    fail('timeout', `expected a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS}, or none to wait until aborted; got ${String(timeout)}`)
  }
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) fail('port', `expected a port number from 0 (any free port) to 65535, got ${String(port)}`)
  if (signal !== undefined && !(signal instanceof AbortSignal)) fail('signal', 'expected an AbortSignal')
  if (extraScopesToConsent !== undefined && !(Array.isArray(extraScopesToConsent) && extraScopesToConsent.every((s) => typeof s === 'string'))) {
    fail('extraScopesToConsent', 'expected an array of scopes')
  }
  const responseMode = options.responseMode ?? 'form_post'
  const checked = validateAuthorizationOptions({ ...options, responseMode, redirectUri: undefined })
  if (E.isLeft(checked)) throw checked.left
  return {
    target: options.redirectUri === undefined ? { hostname: 'localhost', port: port ?? 0, rest: '', portOption: 'port' } : redirectTarget(options.redirectUri, port),
    responseMode,
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
  }
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1'])
const HTTP_URI = /^http:\/\/([^/?#]*)(.*)$/i
const AUTHORITY = /^([^:@[\]]*)(?::(\d*))?$/

/** A loopback redirect URI, split where the port goes; its port wins over `port` (they may not disagree). */
const redirectTarget = (redirectUri: unknown, port: number | undefined): RedirectTarget => {
  const example = 'such as http://localhost or http://127.0.0.1:8400/callback'
  if (typeof redirectUri !== 'string') return fail('redirectUri', `expected an http URI on this machine, ${example}`)
  const uri = HTTP_URI.exec(redirectUri)
  const rest = uri?.[2] ?? ''
  const parts = uri === null ? null : AUTHORITY.exec(uri[1]!)
  if (parts === null || !LOOPBACK_NAMES.has(parts[1]!.toLowerCase())) {
    return fail('redirectUri', `expected an http URI on localhost or 127.0.0.1 (the loopback server's), ${example}; got ${JSON.stringify(redirectUri)}`)
  }
  if (rest.includes('#')) return fail('redirectUri', 'a redirect URI may not have a fragment')
  try {
    new URL(redirectUri)
  } catch {
    return fail('redirectUri', `not a valid URI: ${JSON.stringify(redirectUri)}`)
  }
  const written = parts[2] === undefined || parts[2] === '' ? undefined : Number(parts[2])
  if (written !== undefined && written > 65535) return fail('redirectUri', `port ${written} is out of range`)
  if (written !== undefined && port !== undefined && written !== port) {
    return fail('port', `${port} disagrees with the redirect URI's port ${written}; give one of them`)
  }
  return {
    hostname: parts[1]!,
    port: written ?? port ?? 0,
    rest,
    portOption: written !== undefined ? 'redirectUri' : 'port',
  }
}
