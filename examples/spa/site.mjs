/**
 * The single-page app's site: its page (public/index.html), the bridge page for the redirect URI
 * (public/redirect.html), and their scripts, bundled by esbuild from src/ as a real SPA ships
 * them (minified ES modules, with source maps). A static server; nothing is rendered on it.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const file = (path) => new URL(path, import.meta.url)

/**
 * Bundles the app's script (src/app.ts) and the bridge page's (src/redirect.ts). `plugins` are
 * esbuild plugins (the tests bundle @msal-ts/* from the packages' sources; by default they come
 * from the built packages, as an app installs them).
 * Returns `{ files: { 'app.js', 'redirect.js', the app's lazy chunks, and each one's .map }, sizes: { app, redirect } }`
 * with each script's minified and gzip -9 bytes.
 */
export async function bundlePages({ plugins = [] } = {}) {
  const common = {
    bundle: true,
    write: false,
    outdir: file('dist').pathname,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    plugins,
    logLevel: 'silent',
  }
  // The app as an SPA ships: msal-ts's sign-in and refresh code is a chunk (chunk-*.js, flows-*.js,
  // ...) the page loads when it first needs it. The bridge page's script stands alone.
  const results = await Promise.all([
    build({ ...common, entryPoints: { app: file('src/app.ts').pathname }, splitting: true }),
    build({ ...common, entryPoints: { redirect: file('src/redirect.ts').pathname } }),
  ])
  const files = Object.fromEntries(results.flatMap((result) => result.outputFiles).map((output) => [output.path.slice(output.path.lastIndexOf('/') + 1), output.contents]))
  const size = (name) => ({ minified: files[name].byteLength, gzip: gzipSync(files[name], { level: 9 }).byteLength })
  return { files, sizes: { app: size('app.js'), redirect: size('redirect.js') } }
}

const TYPES = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', map: 'application/json' }

/**
 * A Content-Security-Policy as strict as the app allows: scripts and styles from this origin
 * only (no inline script, no eval); requests to this origin, the identity provider and the API;
 * frames (the hidden prompt=none iframe, which comes back to the bridge page) from this origin
 * and the identity provider. msal-ts needs nothing more.
 */
const contentSecurityPolicy = ({ idpOrigin, apiOrigin }) =>
  [`default-src 'self'`, `connect-src 'self' ${idpOrigin} ${apiOrigin}`, `frame-src 'self' ${idpOrigin}`, `object-src 'none'`, `base-uri 'none'`, `form-action 'none'`].join('; ')

/**
 * Starts the site on 127.0.0.1 (port 0: any free port), reached as http://localhost:<port>
 * (another origin than the identity provider's and the API's 127.0.0.1).
 * - `bundle`: bundlePages()'s answer
 * - `config()`: the page's settings ({ clientId, authority, apiUrl, apiScope }), served as /config.js
 * Returns `{ origin, pageLoads, close() }`; `pageLoads` lists the pages the browser loaded (path and query).
 */
export async function startSite({ bundle, config, port = 0 }) {
  const appPage = readFileSync(file('public/index.html'))
  const bridgePage = readFileSync(file('public/redirect.html'))
  const styles = readFileSync(file('public/style.css'))
  const pageLoads = []
  const server = createServer((req, res) => {
    const { pathname, search } = new URL(req.url ?? '/', 'http://localhost')
    const send = (status, body, type, headers = {}) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers })
      res.end(body)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed', 'text/plain', { allow: 'GET, HEAD' })
    const script = pathname.slice(1)
    if (bundle.files[script] !== undefined) return send(200, bundle.files[script], TYPES[script.slice(script.lastIndexOf('.') + 1)])
    if (pathname === '/config.js') return send(200, `window.spaConfig = ${JSON.stringify(config())}\n`, TYPES.js)
    if (pathname === '/style.css') return send(200, styles, TYPES.css)
    // No icon: an empty answer, not a 404 the browser's console would report.
    if (pathname === '/favicon.ico') return send(204, '', 'image/x-icon')
    // The bridge page is served without a Cross-Origin-Opener-Policy: a popup must keep its
    // channel to the app.
    if (pathname === '/redirect.html') {
      pageLoads.push(`${pathname}${search}`)
      return send(200, bridgePage, TYPES.html)
    }
    // Any other path without a file extension is the app (its own routes, the redirect's way back).
    if (/\.[a-z0-9]+$/i.test(pathname) && pathname !== '/index.html') return send(404, 'not found', 'text/plain')
    pageLoads.push(`${pathname}${search}`)
    const { authority, apiUrl } = config()
    send(200, appPage, TYPES.html, { 'content-security-policy': contentSecurityPolicy({ idpOrigin: new URL(authority).origin, apiOrigin: new URL(apiUrl).origin }) })
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  return {
    origin: `http://localhost:${server.address().port}`,
    pageLoads,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
