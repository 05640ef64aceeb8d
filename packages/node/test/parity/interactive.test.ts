/**
 * Issue 14, item 6: interactive sign-in as MSAL Python does it (application.py's
 * acquire_token_interactive and _preferred_browser; oauth2cli's authcode.py and oauth2.py).
 *
 * - A browser that cannot be opened is absorbed ("Absorb and proceed. Because browser could be
 *   manually run elsewhere"): the URI is handed to auth_uri_callback, else logged as a warning,
 *   and the receiver keeps waiting (until the timeout, or CTRL+C).
 * - `on_before_launching_ui(ui="browser")`.
 * - success_template and error_template are filled with the whole response:
 *   `template.safe_substitute(**auth_response)`; welcome_template is shown at the loopback
 *   server's own address ("welcome_uri"), which the browser then opens, with $auth_uri and
 *   $abort_uri.
 * - The browser: on Linux, Edge at /usr/bin/microsoft-edge when $BROWSER is unset or names
 *   microsoft-edge; else webbrowser's choice, which honours $BROWSER; under WSL, when nothing
 *   opened, `powershell.exe -NoProfile -Command Start-Process "<uri>"`.
 *
 * No test opens a real browser: openers are stub scripts in a temporary PATH, and the browser
 * environment (platform, $BROWSER, kernel release, Edge's path) is a parameter.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { browserCommands, openSystemBrowser, PublicClientApplication, TokenCache, type BrowserEnvironment } from '@msal-ts/node'
import { createTestInterpreter, FakeIdentityProvider, fixedClock, type AuthorizationOutcome } from '@msal-ts/testing'
import { rawHttp, type RawResponse } from '../support/rawHttp.js'
import { rejectionOf } from '../support/rejection.js'

const CLIENT = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d'
const ALICE = 'alice@contoso.onmicrosoft.com'
const GRAPH = ['https://graph.microsoft.com/User.Read']
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

const world = (options: { enablePiiLog?: boolean } = {}) => {
  const clock = fixedClock()
  const idp = new FakeIdentityProvider({ clock: clock.now }).registerApp({ clientId: CLIENT, redirectUris: ['http://localhost'] }).registerUser({ username: ALICE })
  const test = createTestInterpreter({ http: idp.http, clock })
  const app = new PublicClientApplication({ clientId: CLIENT, authority: 'https://login.microsoftonline.com/organizations', tokenCache: new TokenCache(), interpreter: test.interpret })
  /** What a browser does at an authorization URL: sign in at the fake, bring the response back to the loopback server. */
  const signIn = async (authorizeUrl: string): Promise<RawResponse> => {
    const outcome: AuthorizationOutcome = await idp.authorize(authorizeUrl)
    if ('redirect' in outcome) return rawHttp('GET', outcome.redirect.toString())
    if ('formPost' in outcome) return rawHttp('POST', outcome.formPost.action, { headers: FORM, body: new URLSearchParams(outcome.formPost.fields).toString() })
    throw new Error(outcome.errorPage.message)
  }
  const warnings = () => test.logs.filter((line) => line.level === 'warning')
  return { idp, app, signIn, warnings, options }
}

describe('a browser that cannot be opened: the URL is given out and the call keeps waiting (MSAL Python: "Absorb and proceed")', () => {
  it.each([
    ['rejects', async () => Promise.reject(new Error('no display'))],
    ['throws', () => {
      throw new Error('no display')
    }],
  ])('an openBrowser that %s: authUriCallback gets the sign-in URL; the user opens the loopback start address, which goes on to sign in', async (_, failing) => {
    const w = world()
    const given: string[] = []
    const signedIn = w.app.acquireTokenInteractive(GRAPH, { timeout: 20, openBrowser: failing, authUriCallback: (uri) => void given.push(uri) })
    while (given.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
    const authUri = new URL(given[0]!)
    expect(`${authUri.origin}${authUri.pathname}`).toBe('https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize')
    const redirectUri = new URL(authUri.searchParams.get('redirect_uri')!)
    // The warning names the start address (no tenant, no user); the sign-in URL is a PII line.
    const [instruction, pageLine] = w.warnings()
    expect(instruction).toMatchObject({ pii: false, message: expect.stringContaining(`could not open a browser (no display); to sign in, open http://localhost:${redirectUri.port}/ in a browser on this machine; waiting for up to 20 s`) })
    expect(pageLine).toMatchObject({ pii: true, message: `acquireTokenInteractive: the sign-in page is ${given[0]}` })
    // "The user" opens the start address by hand: it sends the browser on to the sign-in page.
    const start = await rawHttp('GET', `http://127.0.0.1:${redirectUri.port}/`, { headers: { host: `localhost:${redirectUri.port}` } })
    expect(start).toMatchObject({ status: 302, location: given[0] })
    await w.signIn(start.location!)
    expect(await signedIn).toMatchObject({ tokenSource: 'identity_provider', account: { username: ALICE } })
  })

  it('without authUriCallback, a line on stderr names the start address (as MSAL Python\'s logger.warning reaches stderr), and the call still waits', async () => {
    const w = world()
    const written: string[] = []
    const write = process.stderr.write.bind(process.stderr)
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk))
      return true
    }) as typeof process.stderr.write
    let error
    try {
      error = await rejectionOf(w.app.acquireTokenInteractive(GRAPH, { timeout: 0.5, openBrowser: () => Promise.reject(new Error('no display')) }))
    } finally {
      process.stderr.write = write
    }
    expect(written).toEqual([expect.stringMatching(/^msal-ts: could not open a browser\. To sign in, open http:\/\/localhost:\d+\/ in a browser on this machine \(waiting for up to 0\.5 s\)\.\n$/)])
    // It waited for the response until the timeout, rather than failing at once.
    expect(error).toMatchObject({ kind: 'TimeoutError' })
  })
})

describe('onBeforeLaunchingUi, as MSAL Python\'s on_before_launching_ui(ui="browser")', () => {
  it('receives { ui: "browser" }', async () => {
    const w = world()
    const seen: unknown[] = []
    await w.app.acquireTokenInteractive(GRAPH, { onBeforeLaunchingUi: (info) => void seen.push(info), openBrowser: (url) => void w.signIn(url) })
    expect(seen).toEqual([{ ui: 'browser' }])
  })
})

describe('templates are filled with every response field (MSAL Python: template.safe_substitute(**auth_response))', () => {
  it('successTemplate sees code, state, client_info...; errorTemplate sees error, error_description and any other field', async () => {
    const w = world()
    let page: RawResponse | undefined
    const result = await w.app.acquireTokenInteractive(GRAPH, {
      successTemplate: 'state=$state client_info=$client_info missing=$nothing',
      openBrowser: async (url) => void (page = await w.signIn(url)),
    })
    expect(result.tokenSource).toBe('identity_provider')
    expect(page!.body).toMatch(/^state=[^$\s]+ client_info=[A-Za-z0-9_-]+ missing=\$nothing$/)

    w.idp.onAuthorize(() => ({ error: 'access_denied', errorDescription: 'no thanks' }))
    let browsing: Promise<RawResponse> | undefined
    const refused = await rejectionOf(
      w.app.acquireTokenInteractive(GRAPH, { errorTemplate: '$error / $error_description / $state', openBrowser: (url) => void (browsing = w.signIn(url)) }),
    )
    expect(refused).toMatchObject({ kind: 'AuthorizationError', error: 'access_denied' })
    // The call ends as the response arrives; the browser reads its page just after.
    expect((await browsing!).body).toMatch(/^access_denied \/ AADSTS\d+: no thanks.* \/ [^$\s]+$/)
  })
})

describe('welcomeTemplate (MSAL Python\'s welcome_template): the browser opens the loopback start address, which shows it', () => {
  it('shows $auth_uri (escaped in HTML) and $abort_uri; following $auth_uri signs the user in', async () => {
    const w = world()
    let welcome: RawResponse | undefined
    const opened: string[] = []
    const result = await w.app.acquireTokenInteractive(GRAPH, {
      welcomeTemplate: '<p><a href="$auth_uri">Sign in</a> or <a href="$abort_uri">abort</a></p>',
      openBrowser: async (url) => {
        opened.push(url)
        welcome = await rawHttp('GET', url)
        const authUri = /href="([^"]*)">Sign in/.exec(welcome.body)![1]!.replace(/&amp;/g, '&')
        await w.signIn(authUri)
      },
    })
    expect(result.account?.username).toBe(ALICE)
    expect(opened).toEqual([expect.stringMatching(/^http:\/\/localhost:\d+\/$/)])
    expect(welcome).toMatchObject({ status: 200, contentType: 'text/html; charset=utf-8' })
    expect(welcome!.body).toContain('&amp;')
    expect(welcome!.body).toMatch(/href="http:\/\/localhost:\d+\/\?error=abort&amp;state=[^"]+">abort/)
  })

  it('the abort link ends the call with the "abort" error (MSAL Python\'s {"error": "abort"})', async () => {
    const w = world()
    const error = await rejectionOf(
      w.app.acquireTokenInteractive(GRAPH, {
        welcomeTemplate: 'Sign in at $auth_uri, or abort at $abort_uri',
        openBrowser: async (url) => {
          const page = await rawHttp('GET', url)
          await rawHttp('GET', / or abort at (\S+)$/.exec(page.body)![1]!)
        },
      }),
    )
    expect(error).toMatchObject({ kind: 'AuthorizationError', error: 'abort' })
    expect(w.idp.tokenRequests).toHaveLength(0)
  })
})

describe('the browser is chosen as MSAL Python chooses it', () => {
  const URL_ = 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=x&state=a\'b'
  const machine = (over: Partial<BrowserEnvironment>): BrowserEnvironment => ({
    platform: 'linux',
    env: {},
    release: '6.1.0-18-amd64',
    edgePath: '/usr/bin/microsoft-edge',
    exists: () => false,
    ...over,
  })
  const edge = { exists: (path: string) => path === '/usr/bin/microsoft-edge' }

  it.each<[string, Partial<BrowserEnvironment>, Array<{ command: string; args: string[] }>]>([
    ['Linux with Edge and no $BROWSER: Edge only (_preferred_browser)', { ...edge }, [{ command: '/usr/bin/microsoft-edge', args: [URL_] }]],
    ['Linux with Edge and $BROWSER naming microsoft-edge: Edge', { ...edge, env: { BROWSER: '/opt/bin/microsoft-edge-beta' } }, [{ command: '/usr/bin/microsoft-edge', args: [URL_] }]],
    ['Linux with Edge and $BROWSER=firefox: the user\'s choice, then xdg-open', { ...edge, env: { BROWSER: 'firefox' } }, [{ command: 'firefox', args: [URL_] }, { command: 'xdg-open', args: [URL_] }]],
    ['Linux with Edge and an empty $BROWSER (set: a preference)', { ...edge, env: { BROWSER: '' } }, [{ command: 'xdg-open', args: [URL_] }]],
    ['Linux without Edge', {}, [{ command: 'xdg-open', args: [URL_] }]],
    ['macOS: no Edge preference', { ...edge, platform: 'darwin' }, [{ command: 'open', args: [URL_] }]],
    [
      '$BROWSER with several entries and %s (webbrowser\'s rules)',
      { env: { BROWSER: 'w3m:"/opt/My Browser/browser" --new-tab \'%s\' &' } },
      [
        { command: 'w3m', args: [URL_] },
        { command: '/opt/My Browser/browser', args: ['--new-tab', URL_] },
        { command: 'xdg-open', args: [URL_] },
      ],
    ],
    ['Windows: $BROWSER entries are ";"-separated', { platform: 'win32', env: { BROWSER: 'chrome.exe;firefox.exe' } }, [{ command: 'chrome.exe', args: [URL_] }, { command: 'firefox.exe', args: [URL_] }, { command: 'rundll32', args: ['url.dll,FileProtocolHandler', URL_] }]],
  ])('%s', (_, over, expected) => {
    expect(browserCommands(URL_, machine(over)).map(({ command, args }) => ({ command, args }))).toEqual(expected)
  })

  it('under WSL (a kernel release naming Microsoft, as is_wsl() reads it), PowerShell\'s Start-Process comes last, the URL taken literally', () => {
    const commands = browserCommands(URL_, machine({ release: '5.15.153.1-microsoft-standard-WSL2' }))
    expect(commands.map((c) => c.command)).toEqual(['xdg-open', 'powershell.exe'])
    // In single quotes (no $ or backtick expansion), as the URL parser writes it (a quote in the query is %27).
    expect(commands[1]).toEqual({ command: 'powershell.exe', args: ['-NoProfile', '-Command', `Start-Process '${URL_.replace("'", '%27')}'`], waitForExit: true })
    // A quote the parser keeps (in the path) is doubled, as PowerShell reads a quote inside single quotes.
    expect(browserCommands("https://login.example/it's/authorize", machine({ release: '5.15.153.1-microsoft-standard-WSL2' }))[1]!.args[2]).toBe(
      "Start-Process 'https://login.example/it''s/authorize'",
    )
    expect(browserCommands(URL_, machine({ release: '4.4.0-19041-Microsoft', ...edge })).map((c) => c.command)).toEqual(['/usr/bin/microsoft-edge', 'powershell.exe'])
  })
})

describe('openSystemBrowser runs those commands (stub programs on a temporary PATH, never a real browser)', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'msal-ts-browsers-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  /** A program that records its arguments (one per line) in <name>.args and exits with `code` (after `sleep` seconds). */
  const stub = (name: string, code = 0, sleep = 0): string => {
    const path = join(dir, name)
    writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$@" > '${path}.args'\n${sleep > 0 ? `sleep ${sleep}\n` : ''}exit ${code}\n`)
    chmodSync(path, 0o755)
    return path
  }
  const argsOf = (name: string): string[] | undefined => (existsSync(join(dir, `${name}.args`)) ? readFileSync(join(dir, `${name}.args`), 'utf8').trimEnd().split('\n') : undefined)
  const URL_ = 'https://login.example/authorize?a=1&b=$(touch x)'
  const environment = (over: Partial<BrowserEnvironment>): Partial<BrowserEnvironment> => ({
    platform: 'linux',
    env: { PATH: `${dir}:/usr/bin:/bin` },
    release: '6.1.0-18-amd64',
    edgePath: join(dir, 'microsoft-edge'),
    exists: existsSync,
    ...over,
  })

  it('Edge, when it is there and $BROWSER is not set', async () => {
    stub('microsoft-edge')
    stub('xdg-open')
    await openSystemBrowser(URL_, environment({}))
    expect(argsOf('microsoft-edge')).toEqual([URL_])
    expect(argsOf('xdg-open')).toBeUndefined()
  })

  it('$BROWSER\'s command; one that exits with an error is passed over for the next', async () => {
    stub('failing-browser', 1)
    stub('good-browser')
    stub('xdg-open')
    await openSystemBrowser(URL_, environment({ env: { PATH: `${dir}:/usr/bin:/bin`, BROWSER: 'failing-browser:good-browser --new-window %s' } }))
    expect(argsOf('failing-browser')).toEqual([URL_])
    expect(argsOf('good-browser')).toEqual(['--new-window', URL_])
    expect(argsOf('xdg-open')).toBeUndefined()
  })

  it('a browser that stays in the foreground counts as opened after a second', async () => {
    stub('foreground-browser', 0, 5)
    const started = Date.now()
    await openSystemBrowser(URL_, environment({ env: { PATH: `${dir}:/usr/bin:/bin`, BROWSER: 'foreground-browser' } }))
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(argsOf('foreground-browser')).toEqual([URL_])
  })

  it('under WSL with no Linux opener (xdg-open missing or finding no browser), PowerShell opens Windows\' browser', async () => {
    stub('xdg-open', 3) // xdg-open's "no method available for opening"
    stub('powershell.exe')
    await openSystemBrowser(URL_, environment({ release: '5.15.153.1-microsoft-standard-WSL2' }))
    expect(argsOf('powershell.exe')).toEqual(['-NoProfile', '-Command', `Start-Process '${new URL(URL_).href}'`])
  })

  it('nothing opens: a ConfigurationError naming openBrowser and what was tried', async () => {
    const error = await rejectionOf(openSystemBrowser(URL_, environment({ env: { PATH: dir, BROWSER: 'no-such-browser' } })))
    expect(error).toMatchObject({ kind: 'ConfigurationError', field: 'openBrowser' })
    expect(error.message).toContain('no-such-browser: ENOENT')
    expect(error.message).toContain('xdg-open: ENOENT')
  })
})
