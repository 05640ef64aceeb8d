import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { release } from 'node:os'
import { configurationError } from '@msal-ts/core'

/** Opens a URL for the user to sign in; what `openBrowser` replaces. */
export type OpenBrowser = (url: string) => void | Promise<void>

/** A program and its arguments: never one string a shell would parse. */
export interface BrowserCommand {
  /** The program: a name looked up in PATH, or an absolute path. */
  readonly command: string
  /** Its arguments, the URL among them, passed as they are (no shell). */
  readonly args: readonly string[]
  /** Wait for it to exit and count only exit code 0 as opened (PowerShell under WSL, as MSAL Python's subprocess.call). */
  readonly waitForExit?: boolean | undefined
}

/** What the choice of browser depends on; tests give their own (and never open a real browser). */
export interface BrowserEnvironment {
  /** The operating system (Node's process.platform): picks open, rundll32 or xdg-open. */
  readonly platform: NodeJS.Platform
  /** The environment: $BROWSER, and PATH, where the commands are looked up. */
  readonly env: Readonly<Record<string, string | undefined>>
  /** The kernel's release (os.release()): WSL's names Microsoft, as MSAL Python's is_wsl() reads it. */
  readonly release: string
  /** Where MSAL Python looks for Edge on Linux: "a full path owned by sys admin". */
  readonly edgePath: string
  /** Whether a file exists at `path` (e.g. Edge at `edgePath`). */
  readonly exists: (path: string) => boolean
}

/** The machine this process runs on. */
export const systemBrowserEnvironment = (): BrowserEnvironment => ({
  platform: process.platform,
  env: process.env,
  release: release(),
  edgePath: '/usr/bin/microsoft-edge',
  exists: existsSync,
})

/**
 * How to hand a URL to the system's browser on each platform. On Windows, rundll32's URL handler
 * takes the URL as one argument: `cmd /c start` would read `&`, `^` and `%` in it as cmd syntax.
 */
export const browserCommand = (platform: NodeJS.Platform, url: string): BrowserCommand => {
  switch (platform) {
    case 'darwin':
      return { command: 'open', args: [url] }
    case 'win32':
      return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] }
    default:
      return { command: 'xdg-open', args: [url] }
  }
}

/** MSAL Python's is_wsl(): Linux whose kernel release names Microsoft (WSL 1 "…-Microsoft", WSL 2 "…-microsoft-standard"). */
export const isWsl = (environment: Pick<BrowserEnvironment, 'platform' | 'release'>): boolean =>
  environment.platform === 'linux' && environment.release.toLowerCase().includes('microsoft')

/** POSIX-shell-like words (quotes and backslashes), as Python's shlex.split reads a $BROWSER entry with %s. */
const shellWords = (text: string): string[] => {
  const words: string[] = []
  let word: string | undefined
  let quote: '"' | "'" | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote === "'") {
      if (c === "'") quote = undefined
      else word = `${word ?? ''}${c}`
    } else if (quote === '"') {
      if (c === '"') quote = undefined
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word = `${word ?? ''}${text[++i]!}`
      else word = `${word ?? ''}${c}`
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word)
      word = undefined
    } else if (c === "'" || c === '"') {
      quote = c
      word ??= ''
    } else if (c === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[++i]
    } else {
      word = (word ?? '') + c
    }
  }
  if (word !== undefined) words.push(word)
  return words
}

/**
 * The commands $BROWSER names, as Python's webbrowser reads it: entries separated by the path
 * separator (":", ";" on Windows), tried in order; an entry with "%s" is split into words and the
 * URL put in place of "%s" (a trailing "&" is dropped: every command runs in the background here),
 * any other entry is a program given the URL as its one argument.
 */
export const browserVariableCommands = (browser: string, platform: NodeJS.Platform, url: string): BrowserCommand[] =>
  browser
    .split(platform === 'win32' ? ';' : ':')
    .filter((entry) => entry.trim() !== '')
    .flatMap((entry): BrowserCommand[] => {
      if (!entry.includes('%s')) return [{ command: entry.trim(), args: [url] }]
      const words = shellWords(entry)
      if (words.at(-1) === '&') words.pop()
      const [command, ...args] = words
      return command === undefined ? [] : [{ command, args: args.map((arg) => arg.split('%s').join(url)) }]
    })

/**
 * The PowerShell command MSAL Python falls back to under WSL when no browser opened
 * (`powershell.exe -NoProfile -Command Start-Process "<url>"`). The URL goes in single quotes,
 * which PowerShell takes literally (no $ or backtick expansion), with its quotes doubled.
 */
export const wslPowerShellCommand = (url: string): BrowserCommand => {
  // As the URL parser writes it: characters PowerShell would also read as quotes (‘ ’) come out percent-encoded.
  let href = url
  try {
    href = new URL(url).href
  } catch {
    // Checked to be http(s) already; kept as given.
  }
  return { command: 'powershell.exe', args: ['-NoProfile', '-Command', `Start-Process '${href.replace(/'/g, "''")}'`], waitForExit: true }
}

/**
 * The commands to try, in order, as MSAL Python decides (application.py's _preferred_browser
 * and oauth2cli's _browse):
 * - on Linux (WSL included), Edge at /usr/bin/microsoft-edge when the user has no $BROWSER or
 *   one that names microsoft-edge ("only Edge will provide device-based Conditional Access
 *   support"), and only Edge then;
 * - else $BROWSER's commands, then the platform's opener (xdg-open, open, rundll32);
 * - under WSL, when none of those opened, PowerShell's Start-Process.
 */
export const browserCommands = (url: string, environment: BrowserEnvironment): BrowserCommand[] => {
  const { platform, env } = environment
  const browser = env['BROWSER']
  const edgeAcceptable = browser === undefined || browser.includes('microsoft-edge')
  const first =
    platform === 'linux' && edgeAcceptable && environment.exists(environment.edgePath)
      ? [{ command: environment.edgePath, args: [url] }]
      : [...browserVariableCommands(browser ?? '', platform, url), browserCommand(platform, url)]
  return isWsl(environment) ? [...first, wslPowerShellCommand(url)] : first
}

/** How long a started command may run before it counts as a browser that opened (it stays in the foreground). */
const STILL_RUNNING_MS = 1_000
/** The longest PowerShell is waited for. */
const POWERSHELL_MS = 30_000

/**
 * Runs one command detached, without a shell and without its output. Opened: it exits 0, or is
 * still running after a second (a browser in the foreground); a command that is missing or exits
 * otherwise did not open anything (xdg-open exits 3 when it finds no browser).
 */
const run = (command: BrowserCommand, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> =>
  new Promise((resolve) => {
    let child: ReturnType<typeof spawn>
    try {
      child = spawn(command.command, [...command.args], { detached: true, stdio: 'ignore', windowsHide: true, shell: false, env: env as NodeJS.ProcessEnv })
    } catch (error) {
      return resolve(`${command.command}: ${(error as Error).message}`)
    }
    let settled = false
    const finish = (problem: string | undefined): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      child.unref()
      resolve(problem)
    }
    const timer = setTimeout(() => finish(command.waitForExit === true ? `${command.command}: no answer within ${POWERSHELL_MS / 1000} s` : undefined), command.waitForExit === true ? POWERSHELL_MS : STILL_RUNNING_MS)
    timer.unref()
    child.once('error', (error: NodeJS.ErrnoException) => finish(`${command.command}: ${error.code ?? error.message}`))
    child.once('exit', (code, signal) => finish(code === 0 ? undefined : `${command.command}: exited with ${code !== null ? `code ${code}` : `signal ${String(signal)}`}`))
  })

/**
 * Opens the system browser at an http(s) URL, as MSAL Python chooses it (see browserCommands):
 * tries each command until one opens. When none does (a server, a container), rejects with a
 * ConfigurationError naming openBrowser and what was tried. `environment` (or just a platform)
 * replaces the machine's, for tests.
 */
export const openSystemBrowser = (url: string, environment: Partial<BrowserEnvironment> | NodeJS.Platform = {}): Promise<void> => {
  // Anything but an http(s) URL could be a file or an option to the opener.
  if (!/^https?:\/\//i.test(url)) {
    return Promise.reject(configurationError('openBrowser', 'only http and https URLs are opened'))
  }
  const machine = { ...systemBrowserEnvironment(), ...(typeof environment === 'string' ? { platform: environment } : environment) }
  return (async () => {
    const problems: string[] = []
    for (const command of browserCommands(url, machine)) {
      const problem = await run(command, machine.env)
      if (problem === undefined) return
      problems.push(problem)
    }
    throw configurationError(
      'openBrowser',
      `could not open a browser (${problems.join('; ')}); pass an openBrowser function that shows the URL to the user, or sign in with the device code flow`,
    )
  })()
}
