import * as E from '#fp-ts/Either'
import { checkMethodOptions, isMsalError, MAX_TIMEOUT_SECONDS, runToPromise, usageError, type AuthCodeFlow, type KnownOptions, type AuthCodeRedemptionOptions, type AuthorizationRequestOptions, type Interpret, type LogLevel, type TokenBindingOptions, type TokenResult } from '@msal-ts/core'
import { bindingOf, log, originOf, redactUrlsIn, validateAuthorizationOptions } from '@msal-ts/core/protocol'
import { openSystemBrowser, type OpenBrowser } from './browserOpener.js'
import { abortedError, LoopbackServer, type AuthResponse, type RedirectTarget } from './loopbackServer.js'

/** MSAL Python's acquire_token_interactive keyword arguments, camelCased, and Node's extras. */
export interface AcquireTokenInteractiveOptions extends TokenBindingOptions {
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
  /**
   * Called right before the browser opens, with `{ ui: 'browser' }`, as MSAL Python's
   * on_before_launching_ui(ui="browser"), e.g. to tell the user a window will pop up.
   */
  readonly onBeforeLaunchingUi?: ((info: { readonly ui: 'browser' }) => void) | undefined
  /**
   * Shows the sign-in URL to the user instead of opening the system browser. By default the
   * browser is chosen as MSAL Python chooses it: Edge on Linux (/usr/bin/microsoft-edge) unless
   * $BROWSER names another, else $BROWSER's commands, then the system's opener; under WSL,
   * Windows' browser through PowerShell when nothing else opened. If opening fails (a server, a
   * container), the call keeps waiting: see `authUriCallback`.
   */
  readonly openBrowser?: OpenBrowser | undefined
  /**
   * Called when the browser could not be opened, with the address the user should open (MSAL
   * Python's auth_uri_callback): the sign-in URL, or the welcome page's with `welcomeTemplate`.
   * The call keeps waiting for the response (until `timeout` or `signal`). Default: a line on
   * stderr naming the loopback server's start address (which goes on to the sign-in page), as
   * MSAL Python prints its warning; the full sign-in URL is also logged (a PII line).
   */
  readonly authUriCallback?: ((uri: string) => void) | undefined
  /** Aborting rejects the call with a CancelledError and closes the server. */
  readonly signal?: AbortSignal | undefined
  /**
   * The page shown after a sign-in, MSAL Python's success_template: every field of the
   * authorization response fills its `$name` placeholder (code, state, client_info...); HTML if
   * it starts with `<` (values escaped).
   */
  readonly successTemplate?: string | undefined
  /**
   * The page shown after a refused sign-in: every field of the response fills a placeholder, as
   * in successTemplate (`$error`, `$error_description` and `$error_uri` are "" when absent).
   */
  readonly errorTemplate?: string | undefined
  /**
   * MSAL Python's welcome_template: the browser opens the loopback server's start address, which
   * shows this page instead of going straight to the sign-in page. `$auth_uri` is the sign-in
   * link, `$abort_uri` a link that ends the call (an AuthorizationError "abort"). HTML if it
   * starts with `<` (values escaped).
   */
  readonly welcomeTemplate?: string | undefined
}

const INTERACTIVE_OPTIONS: KnownOptions<AcquireTokenInteractiveOptions> = {
  prompt: true,
  loginHint: true,
  domainHint: true,
  claimsChallenge: true,
  timeout: true,
  port: true,
  redirectUri: true,
  extraScopesToConsent: true,
  maxAge: true,
  responseMode: true,
  onBeforeLaunchingUi: true,
  openBrowser: true,
  authUriCallback: true,
  signal: true,
  successTemplate: true,
  errorTemplate: true,
  welcomeTemplate: true,
  authScheme: true,
  data: true,
}

/** MSAL Python's acquire_token_interactive arguments that only its broker uses. */
const INTERACTIVE_REFUSED = {
  parentWindowHandle: 'only a broker (WAM) uses a parent window, and msal-ts signs users in through the browser: leave it out',
  enableMsaPassthrough: 'only a broker (WAM) uses MSA passthrough, and msal-ts signs users in through the browser: leave it out',
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
      start: { authUri: flow.authUri, welcomeTemplate: options.welcomeTemplate },
    })
    // Settled by the server even when a callback below throws; the throw is what is reported then.
    awaited.catch(() => undefined)
    throwIfAborted(signal)
    options.onBeforeLaunchingUi?.({ ui: 'browser' })
    // MSAL Python opens its welcome page instead of the sign-in page when given a template.
    const launch = options.welcomeTemplate !== undefined ? server.startUri : flow.authUri
    say('info', `opening the browser at ${launch}`, true)
    const opened = Promise.resolve().then(() => (options.openBrowser ?? openSystemBrowser)(launch))
    // As MSAL Python's oauth2cli: a browser that cannot be opened is absorbed ("browser could be
    // manually run elsewhere"): the user is told where to go, and the call keeps waiting.
    opened.catch((error: unknown) => {
      // An opener's message may quote the URL (a user name in login_hint, a tenant in the path): hosts only.
      const reason = redactUrlsIn(isMsalError(error) ? error.message : error instanceof Error ? error.message : String(error), originOf)
      const waiting = plan.timeoutMs === undefined ? 'until the call is aborted' : `for up to ${plan.timeoutMs / 1000} s`
      say('warning', `could not open a browser (${reason}); to sign in, open ${server.startUri} in a browser on this machine; waiting ${waiting}`)
      say('warning', `the sign-in page is ${flow.authUri}`, true)
      if (options.authUriCallback === undefined) return void process.stderr.write(`msal-ts: could not open a browser. To sign in, open ${server.startUri} in a browser on this machine (waiting ${waiting}).\n`)
      try {
        options.authUriCallback(launch)
      } catch (thrown) {
        say('warning', `authUriCallback threw: ${thrown instanceof Error ? thrown.message : String(thrown)}`)
      }
    })
    response = await awaited
  } finally {
    await server.close()
  }
  throwIfAborted(signal)
  // The flow's scopes leave the extra ones out: their consent is recorded, the token is for the scopes asked.
  return app.acquireTokenByAuthCodeFlow(flow, response, { authScheme: options.authScheme, data: options.data })
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
  const known = checkMethodOptions('acquireTokenInteractive', options, INTERACTIVE_OPTIONS, INTERACTIVE_REFUSED)
  if (E.isLeft(known)) throw known.left
  optionalOfType(options, ['successTemplate', 'errorTemplate', 'welcomeTemplate', 'claimsChallenge'], 'string')
  optionalOfType(options, ['openBrowser', 'onBeforeLaunchingUi', 'authUriCallback'], 'function')
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
  // A browser keeps a fragment to itself: the local server would never see the response.
  if ((responseMode as string) === 'fragment') fail('responseMode', 'expected "form_post" or "query": a fragment never reaches the local server')
  const checked = validateAuthorizationOptions({ ...options, responseMode, redirectUri: undefined })
  if (E.isLeft(checked)) throw checked.left
  // A bad PoP scheme or SSH data is refused before a port is opened or a browser launched.
  const binding = bindingOf(options)
  if (E.isLeft(binding)) throw binding.left
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
