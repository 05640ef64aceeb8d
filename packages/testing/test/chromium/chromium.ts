/**
 * Real Chromium for browser tests of the fake identity provider: Debian's chromium driven by
 * playwright-core, every non-loopback request refused, third-party cookies blocked (Chromium's
 * default here) or allowed (a profile whose preferences say so).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext } from 'playwright-core'

/** Debian's chromium (./dev test installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium'

/** Bounds every wait on the browser: a hang fails the test instead of holding CI. */
export const BROWSER_TIMEOUT_MS = 15_000

export const portOf = (server: Server): number => (server.address() as AddressInfo).port

export const listen = async (handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<Server> => {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return server
}

export const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })

/**
 * A proxy that refuses everything and writes down what was asked: Chromium sends every request
 * to a non-loopback host through it (loopback bypasses it), so nothing leaves the machine. (Not
 * page.route: with a route installed, Playwright answers CORS preflights itself, and the
 * identity provider's own answers would go untested.)
 */
export const startRefusingProxy = async (): Promise<{ readonly server: Server; readonly refused: string[] }> => {
  const refused: string[] = []
  const server = await listen((request, response) => {
    refused.push(request.url ?? '')
    response.writeHead(403).end()
  })
  server.on('connect', (request: IncomingMessage, socket: Socket) => {
    refused.push(request.url ?? '')
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
  })
  return { server, refused }
}

export interface ChromiumSession {
  readonly context: BrowserContext
  readonly close: () => Promise<void>
}

/**
 * A fresh browser profile in headless Chromium. Third-party cookies are blocked by default in
 * this setup (CDP reports `UserPreferences`); `allowed` starts a persistent profile whose
 * preferences allow them (`cookie_controls_mode: 0`).
 */
export const launchChromium = async (thirdPartyCookies: 'blocked' | 'allowed', proxyPort: number): Promise<ChromiumSession> => {
  const { chromium } = await import('playwright-core')
  const options = {
    executablePath: CHROMIUM,
    headless: true,
    timeout: BROWSER_TIMEOUT_MS,
    proxy: { server: `http://127.0.0.1:${proxyPort}`, bypass: '127.0.0.1,localhost' },
  }
  if (thirdPartyCookies === 'blocked') {
    const browser = await chromium.launch(options)
    const context = await browser.newContext()
    return { context, close: () => browser.close() }
  }
  const profile = mkdtempSync(join(tmpdir(), 'msal-ts-chromium-'))
  mkdirSync(join(profile, 'Default'))
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0 } }))
  const context = await chromium.launchPersistentContext(profile, options)
  return {
    context,
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
