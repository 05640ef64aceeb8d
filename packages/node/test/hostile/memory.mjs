// One call against a hostile server, in a process of its own, measuring memory around it.
// Prints {outcome, ms, rssDeltaMiB, heapDeltaMiB, externalDeltaMiB}: the peaks during the call
// above the baseline taken (after a warm-up call and a GC) just before it. Run with --expose-gc.
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

const built = (path) => new URL(path, import.meta.url).href
const { ConfidentialClientApplication } = await import(built('../../dist/index.js')).catch(() => {
  process.stderr.write(`${fileURLToPath(new URL('../../dist/index.js', import.meta.url))} is missing: build first (./dev test does)\n`)
  process.exit(3)
})
const { loopbackFetch } = await import(built('../../../testing/dist/index.js'))

const [baseUrl, clientId, secret, authorityKind, warmScope, hostileScope] = process.argv.slice(2)
const MIB = 1024 * 1024
const appFor = (authority) =>
  new ConfidentialClientApplication({ clientId, clientCredential: secret, ...authority, httpClient: loopbackFetch(baseUrl) })
const ENTRA = { authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com' }
// An OpenID provider's app: its first call asks for the discovery document.
const app = appFor(authorityKind === 'oidc' ? { oidcAuthority: 'https://id.example/tenant-memory' } : ENTRA)

// Loads fetch, undici and the crypto a call needs, so the baseline holds them.
await appFor(ENTRA).acquireTokenForClient([warmScope])
if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc')
globalThis.gc()
globalThis.gc()
const base = process.memoryUsage()
const peak = { rss: base.rss, heapUsed: base.heapUsed, external: base.external + base.arrayBuffers }
const sample = () => {
  const now = process.memoryUsage()
  peak.rss = Math.max(peak.rss, now.rss)
  peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed)
  peak.external = Math.max(peak.external, now.external + now.arrayBuffers)
}
const sampler = setInterval(sample, 2)
const started = performance.now()
const outcome = await app.acquireTokenForClient([hostileScope]).then(
  () => ({ resolved: true }),
  (error) => ({ kind: error.kind, message: error.message }),
)
const ms = performance.now() - started
sample()
clearInterval(sampler)
const mib = (bytes) => Math.round((bytes / MIB) * 10) / 10
process.stdout.write(
  `${JSON.stringify({
    outcome,
    ms: Math.round(ms),
    rssDeltaMiB: mib(peak.rss - base.rss),
    heapDeltaMiB: mib(peak.heapUsed - base.heapUsed),
    externalDeltaMiB: mib(peak.external - base.external - base.arrayBuffers),
  })}\n`,
)
