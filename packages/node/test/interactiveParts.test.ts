import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { browserCommand, DEFAULT_ERROR_TEMPLATE, DEFAULT_SUCCESS_TEMPLATE, openSystemBrowser } from '@msal-ts/node'
import { LoopbackServer, type AwaitResponseOptions } from '../src/interactive/loopbackServer.js'
import { finalPage, renderTemplate } from '../src/interactive/pages.js'
import { rawHttp } from './support/rawHttp.js'
import { rejectionOf } from './support/rejection.js'

const NO_ERROR = { error: '', error_description: '', error_uri: '' }

describe('pages', () => {
  it('fills $name, ${name} and $$ as Python templates do, leaving unknown placeholders', () => {
    const page = renderTemplate('$error / ${error_description}x / $$ / $code / ${state} / $', { ...NO_ERROR, error: 'e', error_description: 'd' })
    expect(page).toEqual({ status: 200, contentType: 'text/plain; charset=utf-8', body: 'e / dx / $ / $code / ${state} / $' })
  })

  it('escapes every value in an HTML template (one starting with <, after white space) and none in a text one', () => {
    const fields = { error: '<b>', error_description: `"quoted" & 'single'`, error_uri: 'javascript:alert(1)' }
    expect(renderTemplate('  <p>$error $error_description <a href="$error_uri">x</a></p>', fields).body).toBe(
      '  <p>&lt;b&gt; &quot;quoted&quot; &amp; &#39;single&#39; <a href="javascript:alert(1)">x</a></p>',
    )
    expect(renderTemplate('$error $error_description', fields).body).toBe(`<b> "quoted" & 'single'`)
  })

  it('shows the success page for a code and the error page otherwise, never the code or the state', () => {
    const success = finalPage({}, { code: 'the-code', state: 'the-state', session_state: 's' })
    expect(success.body).toBe(DEFAULT_SUCCESS_TEMPLATE)
    const error = finalPage({}, { error: 'access_denied', error_description: '<img src=x onerror=alert(1)>', state: 'the-state' })
    expect(error.contentType).toBe('text/html; charset=utf-8')
    expect(error.body).toContain('<strong>access_denied</strong>')
    expect(error.body).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(error.body).not.toContain('the-state')
    expect(DEFAULT_ERROR_TEMPLATE).not.toContain('$code')
    expect(finalPage({ successTemplate: 'ok', errorTemplate: 'no: $error' }, { error: 'x' }).body).toBe('no: x')
  })
})

describe('the loopback server', () => {
  const options = (state: string): AwaitResponseOptions => ({ state, responseMode: 'form_post', templates: {} })

  const post = (url: string, body: string) => rawHttp('POST', url, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })

  it('listens on 127.0.0.1 for http://localhost and answers a late second response 410', async () => {
    const server = await LoopbackServer.start({ hostname: 'localhost', port: 0, rest: '', portOption: 'port' })
    try {
      expect(server.redirectUri).toBe(`http://localhost:${server.port}`)
      const response = server.awaitResponse(options('s1'))
      expect((await post(`http://127.0.0.1:${server.port}/`, 'code=c&state=s1')).status).toBe(200)
      expect(await response).toEqual({ code: 'c', state: 's1' })
      expect((await post(`http://127.0.0.1:${server.port}/`, 'code=c2&state=s1')).status).toBe(410)
      await expect(server.awaitResponse(options('s1'))).rejects.toThrow('once')
    } finally {
      await server.close()
    }
  })

  it('refuses a body too large to be a sign-in response and keeps waiting', async () => {
    const server = await LoopbackServer.start({ hostname: '127.0.0.1', port: 0, rest: '/cb?x=1', portOption: 'port' })
    try {
      expect(server.redirectUri).toBe(`http://127.0.0.1:${server.port}/cb?x=1`)
      const response = server.awaitResponse(options('s'))
      // The server may answer (and close) before the client has written everything: a reset counts as refused too.
      const big = await post(server.redirectUri, `state=s&code=${'c'.repeat(70_000)}`).catch(() => ({ status: 413, body: '' }))
      expect(big.status).toBe(413)
      expect((await post(server.redirectUri, 'code=c&state=s')).status).toBe(200)
      expect(await response).toEqual({ code: 'c', state: 's' })
    } finally {
      await server.close()
    }
  })

  it('cancels a pending wait when closed', async () => {
    const server = await LoopbackServer.start({ hostname: 'localhost', port: 0, rest: '', portOption: 'port' })
    const response = server.awaitResponse(options('s'))
    await Promise.all([server.close(), server.close()])
    expect(await rejectionOf(response)).toMatchObject({ kind: 'CancelledError' })
  })
})

describe('opening the system browser', () => {
  const URL_WITH_SHELL_SYNTAX = `https://login.example/authorize?a=1&b=$(touch x);c|d>e'f"g%PATH%^h`

  it('runs the platform opener with the URL as one argument', () => {
    expect(browserCommand('linux', URL_WITH_SHELL_SYNTAX)).toEqual({ command: 'xdg-open', args: [URL_WITH_SHELL_SYNTAX] })
    expect(browserCommand('freebsd', 'https://x')).toEqual({ command: 'xdg-open', args: ['https://x'] })
    expect(browserCommand('darwin', 'https://x')).toEqual({ command: 'open', args: ['https://x'] })
    expect(browserCommand('win32', 'https://x')).toEqual({ command: 'rundll32', args: ['url.dll,FileProtocolHandler', 'https://x'] })
  })

  /** A Linux machine whose PATH is `path`, without Edge and without $BROWSER: never the real browser of the machine running the tests. */
  const linuxWithPath = (path: string) => ({ platform: 'linux' as const, env: { PATH: path }, release: '6.1.0-18-amd64', edgePath: '/nonexistent/microsoft-edge', exists: () => false })

  // The opener is chosen as on Linux (xdg-open), so these run on every POSIX system, CI's Debian included.
  it('passes the URL to xdg-open untouched by any shell', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msal-ts-opener-'))
    try {
      const record = join(dir, 'args')
      const opener = join(dir, 'xdg-open')
      writeFileSync(opener, `#!/bin/sh\nprintf '%s\\n' "$#" "$1" > '${record}'\n`)
      chmodSync(opener, 0o755)
      await openSystemBrowser(URL_WITH_SHELL_SYNTAX, linuxWithPath(`${dir}:/usr/bin:/bin`))
      // The opener runs detached: wait for its record.
      for (let i = 0; i < 100 && !hasLines(record, 2); i++) await new Promise((r) => setTimeout(r, 20))
      expect(readFileSync(record, 'utf8')).toBe(`1\n${URL_WITH_SHELL_SYNTAX}\n`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('is a ConfigurationError naming openBrowser when there is no opener', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msal-ts-no-opener-'))
    try {
      const error = await rejectionOf(openSystemBrowser('https://login.example/authorize', linuxWithPath(dir)))
      expect(error).toMatchObject({ kind: 'ConfigurationError', field: 'openBrowser' })
      expect(error.message).toContain('xdg-open')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('opens only http and https URLs', async () => {
    for (const url of ['file:///etc/passwd', '--help', 'javascript:alert(1)']) {
      expect(await rejectionOf(openSystemBrowser(url))).toMatchObject({ kind: 'ConfigurationError', field: 'openBrowser' })
    }
  })
})

/** Whether the file exists and holds `count` whole lines. */
const hasLines = (path: string, count: number): boolean => {
  try {
    return readFileSync(path, 'utf8').split('\n').length > count
  } catch {
    return false
  }
}
