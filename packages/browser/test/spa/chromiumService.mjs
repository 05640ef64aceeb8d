/**
 * jest's globalSetup for @msal-ts/browser's tests: one headless Chromium for every SPA test file
 * of a run, launched on the first file's request (a run without SPA tests launches nothing), and
 * closed by globalTeardown. Launching costs seconds each time on a loaded machine; connecting,
 * a fraction of one. The files reach it through MSAL_TS_SPA_CHROMIUM (a loopback URL that
 * answers the browser's WebSocket endpoint); each file's contexts bring their own proxy.
 *
 * The browser's own traffic goes to a proxy that refuses everything: nothing leaves loopback.
 * It runs as a user's browser would: popup blocker and back/forward cache on (Playwright turns
 * both off).
 */
import { createServer } from 'node:http'

const CHROMIUM = '/usr/bin/chromium'

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
const close = (server) =>
  new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })

export default async function setup() {
  const refusing = await listen(createServer((_, response) => response.writeHead(403).end()))
  refusing.on('connect', (_, socket) => socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'))
  let launching
  const service = await listen(
    createServer((_, response) => {
      launching ??= import('playwright-core').then(({ chromium }) =>
        chromium.launchServer({
          executablePath: CHROMIUM,
          headless: true,
          timeout: 60_000,
          proxy: { server: `http://127.0.0.1:${refusing.address().port}` },
          ignoreDefaultArgs: ['--disable-back-forward-cache', '--disable-popup-blocking'],
        }),
      )
      launching.then(
        (server) => response.writeHead(200, { 'content-type': 'text/plain' }).end(server.wsEndpoint()),
        (error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
      )
    }),
  )
  process.env.MSAL_TS_SPA_CHROMIUM = `http://127.0.0.1:${service.address().port}/`
  globalThis.__msalTsSpaChromium = async () => {
    await (await launching?.catch(() => undefined))?.close()
    await Promise.all([close(service), close(refusing)])
  }
}

export async function teardown() {
  await globalThis.__msalTsSpaChromium?.()
}
