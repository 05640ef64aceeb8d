import { spawn } from 'node:child_process'
import { configurationError } from '@msal-ts/core'

/** Opens a URL for the user to sign in; what `openBrowser` replaces. */
export type OpenBrowser = (url: string) => void | Promise<void>

/** A program and its arguments: never one string a shell would parse. */
export interface BrowserCommand {
  readonly command: string
  readonly args: readonly string[]
}

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

/**
 * Opens the system browser at an http(s) URL: starts the platform's opener detached, without a
 * shell and without its output, and resolves once it has started. No opener (a server, a
 * container) is a ConfigurationError suggesting the `openBrowser` option. `platform` picks the
 * opener (tests pass 'linux' to exercise xdg-open on any POSIX system).
 */
export const openSystemBrowser = (url: string, platform: NodeJS.Platform = process.platform): Promise<void> => {
  // Anything but an http(s) URL could be a file or an option to the opener.
  if (!/^https?:\/\//i.test(url)) {
    return Promise.reject(configurationError('openBrowser', 'only http and https URLs are opened'))
  }
  const { command, args } = browserCommand(platform, url)
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, [...args], { detached: true, stdio: 'ignore', windowsHide: true, shell: false, env: process.env })
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        configurationError(
            'openBrowser',
            `could not open a browser (${command}: ${error.code ?? error.message}); pass an openBrowser function that shows the URL to the user, or sign in with the device code flow`,
          ),
      ),
    )
    child.once('spawn', () => {
      child.unref()
      resolve()
    })
  })
}
