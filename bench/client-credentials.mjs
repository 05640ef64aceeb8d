/**
 * Client-credentials benchmark: msal-ts against @azure/msal-node, in one process, with no network.
 *
 *   1. Cache hits with 100 … 100,000 app tokens in the cache, one token per tenant.
 *   2. 50 concurrent identical calls on a cold cache: how many token requests each library sends.
 *
 * Both libraries talk to the same in-process FakeIdentityProvider from @msal-ts/testing, through
 * counting transports, so the script can prove the timed phases sent nothing. Every figure it
 * prints is measured on this run.
 *
 * Run from the repository root after a build:  npm run build && npm run bench
 */
import { createRequire } from 'node:module'
import os from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'

// Load the built packages dynamically so that a missing build says so plainly.
let protocol, msalTs, testing, msalNode
try {
  ;[protocol, msalTs, testing, msalNode] = await Promise.all([
    import('@msal-ts/core/protocol'),
    import('@msal-ts/node'),
    import('@msal-ts/testing'),
    import('@azure/msal-node'),
  ])
} catch (error) {
  console.error(`Cannot load the packages (${error.message}).`)
  console.error('Build them first (npm run build) and link the workspace (npx pnpm install).')
  process.exit(1)
}
const { reduceTokenResponse } = protocol
const { ConfidentialClientApplication, TokenCache } = msalTs
const { FakeIdentityProvider, msalNodeNetworkClient } = testing

// ---- Settings ----

const CLIENT_ID = '6f1c2a57-0b1e-4c39-9d7e-0c5a8b2e4d10'
const CLIENT_SECRET = 'bench-secret'
const SCOPE = 'api://bench/.default'
const HOST = 'login.microsoftonline.com'
const TOKEN_LIFETIME_S = 3599

const SIZES = [100, 1_000, 10_000, 100_000]
/** Tenants queried per size, spread evenly over the whole cache (one msal-ts app each). */
const POOL = 50

/** Each measurement: warm-up, then about TARGET_MS of timed calls split into ROUNDS rounds. */
const WARMUP_MS = 200
const WARMUP_MIN_CALLS = 10
const TARGET_MS = 600
const ROUNDS = 3
const MIN_CALLS = 21 // at least 20 timed calls, even where a hit takes tens of ms
const MAX_CALLS = 600_000

const COLD_CALLS = 50
/** Each fake-IdP request takes this long in the cold test, as a real network would. */
const COLD_LATENCY_MS = 20

/** msal-ts counts as flat if its slowest size is within this factor of its fastest. */
const FLAT_FACTOR = 2

// ---- Helpers ----

const tenantName = (i) => `tenant-${String(i).padStart(6, '0')}`
const authorityOf = (tenant) => `https://${HOST}/${tenant}`
/** Access tokens are opaque to clients and neither library decodes one on a hit; a per-tenant value lets each hit be checked. */
const secretOf = (tenant) => `bench-at.${tenant}`
const nowSec = () => Math.floor(Date.now() / 1000)
const elapsedMs = (start) => Number(process.hrtime.bigint() - start) / 1e6

class BenchFailure extends Error {}
const check = (condition, message) => {
  if (!condition) throw new BenchFailure(message)
}

/** Indices of `count` tenants spread evenly over 0..n-1. */
const spread = (n, count) => Array.from({ length: Math.min(count, n) }, (_, k) => Math.floor(((k + 0.5) * n) / count))

/** msal-ts's httpClient: the fake IdP in-process, counting requests and optionally adding latency. */
const countingFetch = (idp, latencyMs = 0) => {
  const fetch = async (input, init) => {
    fetch.count++
    if (latencyMs > 0) await sleep(latencyMs)
    return idp.fetch(input, init)
  }
  fetch.count = 0
  return fetch
}

/**
 * msal-node's system.networkClient (an INetworkModule) over the same fake IdP, counting requests:
 * @msal-ts/testing's adapter, which answers as msal-node's own HttpClient does (a body that is
 * not JSON is its token_parsing_error).
 */
const countingNetworkClient = (idp, latencyMs = 0) =>
  msalNodeNetworkClient(idp.fetch, { latencyMs, toError: (code, message) => new msalNode.AuthError(code, message) })

// ---- Synthetic cache entries, exactly as each library files a client-credentials token ----

/** msal-ts: the cache change the client-credentials flow applies for a token response. */
const msalTsPuts = (tenant, now) =>
  reduceTokenResponse(
    {
      clientId: CLIENT_ID,
      environment: HOST,
      realm: tenant,
      scopes: [SCOPE],
      response: { access_token: secretOf(tenant), token_type: 'Bearer', expires_in: TOKEN_LIFETIME_S, ext_expires_in: 2 * TOKEN_LIFETIME_S },
      homeAccountId: null,
    },
    now,
  ).puts

/**
 * msal-node: a serialized AccessToken entry and its key. The key follows msal-node's
 * generateCredentialKey (src/cache/CacheHelpers.ts): home account, environment, credential type,
 * client id, realm, target, scheme ('' for Bearer), joined by '-' and lower-cased.
 */
const msalNodeEntry = (tenant, now, environment) => {
  const entry = {
    home_account_id: '',
    environment,
    credential_type: 'AccessToken',
    client_id: CLIENT_ID,
    secret: secretOf(tenant),
    realm: tenant,
    target: SCOPE,
    cached_at: String(now),
    expires_on: String(now + TOKEN_LIFETIME_S),
    extended_expires_on: String(now + 2 * TOKEN_LIFETIME_S),
    token_type: 'Bearer',
  }
  const key = ['', environment, 'AccessToken', CLIENT_ID, tenant, SCOPE, ''].join('-').toLowerCase()
  return [key, entry]
}

const sameFields = (a, b) => JSON.stringify(Object.keys(a).sort()) === JSON.stringify(Object.keys(b).sort())

/**
 * Acquires one real token through each library and checks that the synthetic entries used to fill
 * the caches have the same key and fields as what each library writes itself. Returns the
 * environment msal-node files app tokens under (its preferred cache alias for the host).
 */
async function calibrate(idp) {
  const tenant = 'tenant-calibration'
  const now = nowSec()

  const tokenCache = new TokenCache()
  const tsApp = new ConfidentialClientApplication({
    clientId: CLIENT_ID,
    clientCredential: CLIENT_SECRET,
    authority: authorityOf(tenant),
    tokenCache,
    httpClient: idp.fetch,
  })
  await tsApp.acquireTokenForClient([SCOPE])
  const written = [...tokenCache.allAccessTokens()]
  check(written.length === 1, `msal-ts calibration: expected 1 cached token, found ${written.length}`)
  const [synthetic] = msalTsPuts(tenant, now)
  check(written[0].key === synthetic.key, `msal-ts calibration: key ${synthetic.key} differs from the flow's ${written[0].key}`)
  check(sameFields(written[0].entity, synthetic.entity), 'msal-ts calibration: synthetic entry fields differ from the flow’s')

  const nodeApp = new msalNode.ConfidentialClientApplication({
    auth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authority: authorityOf(tenant) },
    system: { networkClient: countingNetworkClient(idp) },
  })
  await nodeApp.acquireTokenByClientCredential({ scopes: [SCOPE] })
  const entries = Object.entries(JSON.parse(nodeApp.getTokenCache().serialize()).AccessToken ?? {})
  check(entries.length === 1, `msal-node calibration: expected 1 cached token, found ${entries.length}`)
  const [[key, entry]] = entries
  const [syntheticKey, syntheticEntry] = msalNodeEntry(tenant, now, entry.environment)
  check(key === syntheticKey, `msal-node calibration: key ${syntheticKey} differs from msal-node's ${key}`)
  check(sameFields(entry, syntheticEntry), 'msal-node calibration: synthetic entry fields differ from msal-node’s')
  return { msalTsKey: synthetic.key, msalNodeKey: key, msalNodeEnvironment: entry.environment }
}

// ---- Timing ----

/**
 * Times `call(i)` for i = 0, 1, 2, … The warm-up (at least WARMUP_MS and WARMUP_MIN_CALLS) also
 * estimates a call's cost, which sizes the timed calls to about TARGET_MS. Returns the median of
 * ROUNDS rounds in µs per call, which shrugs off a stray GC pause.
 */
async function measure(call) {
  let i = 0
  const warmStart = process.hrtime.bigint()
  while (i < WARMUP_MIN_CALLS || elapsedMs(warmStart) < WARMUP_MS) await call(i++)
  const estimateMs = elapsedMs(warmStart) / i
  const calls = Math.min(MAX_CALLS, Math.max(MIN_CALLS, Math.round(TARGET_MS / estimateMs)))
  const perRound = Math.ceil(calls / ROUNDS)
  const rounds = []
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint()
    for (let k = 0; k < perRound; k++) await call(i++)
    rounds.push((elapsedMs(start) * 1000) / perRound)
  }
  rounds.sort((a, b) => a - b)
  return { usPerCall: rounds[Math.floor(ROUNDS / 2)], timedCalls: perRound * ROUNDS, warmupCalls: i - perRound * ROUNDS }
}

// ---- 1. Cache hits ----

/** msal-ts: one TokenCache shared by POOL apps, one app per queried tenant (its authority is per app). */
async function msalTsHits(idp, n, queried) {
  const tokenCache = new TokenCache()
  const now = nowSec()
  const fillStart = process.hrtime.bigint()
  const puts = []
  for (let i = 0; i < n; i++) puts.push(...msalTsPuts(tenantName(i), now))
  tokenCache.apply({ puts, deletes: [] })
  const fillMs = elapsedMs(fillStart)
  check(tokenCache.accessTokenCount === n, `msal-ts: cache holds ${tokenCache.accessTokenCount} tokens, expected ${n}`)

  const httpClient = countingFetch(idp)
  const apps = queried.map((tenant) => ({
    tenant,
    app: new ConfidentialClientApplication({
      clientId: CLIENT_ID,
      clientCredential: CLIENT_SECRET,
      authority: authorityOf(tenant),
      tokenCache,
      httpClient,
    }),
  }))
  idp.clearRequests()
  const result = await measure(async (i) => {
    const { tenant, app } = apps[i % apps.length]
    const token = await app.acquireTokenForClient([SCOPE])
    check(token.tokenSource === 'cache', `msal-ts: call ${i} for ${tenant} was not a cache hit (tokenSource ${token.tokenSource})`)
    check(token.accessToken === secretOf(tenant), `msal-ts: call ${i} for ${tenant} returned another tenant's token`)
  })
  return { ...result, fillMs, requests: httpClient.count, idpRequests: idp.requests.length }
}

/**
 * msal-node: ONE app whose cache holds all n tokens; each call names its tenant with the
 * per-request `authority`, msal-node's documented multi-tenant pattern. Its cache is per app, so
 * a pool of apps would each need a copy of all n tokens; and msal-node builds the authority object
 * on every call either way (from its built-in metadata for login.microsoftonline.com, so no
 * discovery request), so a per-tenant app would take the same hit path.
 */
async function msalNodeHits(idp, n, queried, environment) {
  const now = nowSec()
  const fillStart = process.hrtime.bigint()
  const accessTokens = {}
  for (let i = 0; i < n; i++) {
    const [key, entry] = msalNodeEntry(tenantName(i), now, environment)
    accessTokens[key] = entry
  }
  const json = JSON.stringify({ Account: {}, IdToken: {}, AccessToken: accessTokens, RefreshToken: {}, AppMetadata: {} })
  const networkClient = countingNetworkClient(idp)
  const app = new msalNode.ConfidentialClientApplication({
    auth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authority: authorityOf(queried[0]) },
    system: { networkClient },
  })
  app.getTokenCache().deserialize(json)
  const fillMs = elapsedMs(fillStart)
  const cached = Object.values(app.getTokenCache().getKVStore()).filter((value) => value?.credentialType === 'AccessToken').length
  check(cached === n, `msal-node: cache holds ${cached} tokens, expected ${n}`)

  idp.clearRequests()
  const result = await measure(async (i) => {
    const tenant = queried[i % queried.length]
    const token = await app.acquireTokenByClientCredential({ scopes: [SCOPE], authority: authorityOf(tenant) })
    check(token?.fromCache === true, `msal-node: call ${i} for ${tenant} was not a cache hit (fromCache ${token?.fromCache})`)
    check(token.accessToken === secretOf(tenant), `msal-node: call ${i} for ${tenant} returned another tenant's token`)
  })
  return { ...result, fillMs, requests: networkClient.count, idpRequests: idp.requests.length }
}

// ---- 2. Concurrent cold calls ----

const TOKEN_PATH = /\/oauth2\/v2\.0\/token$/

/** Fires COLD_CALLS identical calls at once on a fresh app and counts what reached the fake IdP. */
async function coldCalls(idp, label, acquire) {
  idp.clearRequests()
  const tokens = await Promise.all(Array.from({ length: COLD_CALLS }, () => acquire()))
  check(tokens.every((token) => typeof token?.accessToken === 'string'), `${label}: a cold call returned no token`)
  return {
    tokenRequests: idp.requests.filter((request) => TOKEN_PATH.test(request.path)).length,
    allRequests: idp.requests.length,
    distinctTokens: new Set(tokens.map((token) => token.accessToken)).size,
  }
}

async function coldConcurrent(idp) {
  const authority = authorityOf('tenant-cold')
  const tsFetch = countingFetch(idp, COLD_LATENCY_MS)
  const tsApp = new ConfidentialClientApplication({ clientId: CLIENT_ID, clientCredential: CLIENT_SECRET, authority, httpClient: tsFetch })
  const ts = await coldCalls(idp, 'msal-ts', () => tsApp.acquireTokenForClient([SCOPE]))
  check(tsFetch.count === ts.allRequests, `msal-ts: transport saw ${tsFetch.count} requests, fake IdP ${ts.allRequests}`)

  const networkClient = countingNetworkClient(idp, COLD_LATENCY_MS)
  const nodeApp = new msalNode.ConfidentialClientApplication({
    auth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authority },
    system: { networkClient },
  })
  const node = await coldCalls(idp, 'msal-node', () => nodeApp.acquireTokenByClientCredential({ scopes: [SCOPE] }))
  check(networkClient.count === node.allRequests, `msal-node: transport saw ${networkClient.count} requests, fake IdP ${node.allRequests}`)
  return { ts, node }
}

// ---- Output ----

const fmt = (value, digits = 2) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const int = (value) => value.toLocaleString('en-US')
const row = (cells, widths) => cells.map((cell, k) => String(cell).padStart(widths[k])).join(' | ')

function versionOf(name) {
  const require = createRequire(import.meta.url)
  return require(`${name}/package.json`).version
}

function msalCommonVersion() {
  // msal-common is msal-node's dependency, not ours: resolve it from msal-node's own location.
  const require = createRequire(createRequire(import.meta.url).resolve('@azure/msal-node/package.json'))
  return require('@azure/msal-common/package.json').version
}

async function main() {
  const cpus = os.cpus()
  console.log('Client credentials: msal-ts vs @azure/msal-node (in-process fake identity provider, no network)')
  console.log(`Node ${process.version} on ${process.platform}/${process.arch}, ${cpus.length} CPU(s): ${cpus[0]?.model ?? 'unknown'}`)
  console.log(
    `@msal-ts/node ${versionOf('@msal-ts/node')}, @msal-ts/core ${versionOf('@msal-ts/core')}, @msal-ts/testing ${versionOf('@msal-ts/testing')}; ` +
      `@azure/msal-node ${versionOf('@azure/msal-node')} (@azure/msal-common ${msalCommonVersion()})`,
  )

  const idp = new FakeIdentityProvider({ tokenLifetimeSeconds: TOKEN_LIFETIME_S })
  idp.registerApp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })

  const calibration = await calibrate(idp)
  console.log('\nCalibration: synthetic cache entries match what each library files for a real token')
  console.log(`  msal-ts   key ${calibration.msalTsKey}`)
  console.log(`  msal-node key ${calibration.msalNodeKey}`)

  // 1. Cache hits.
  console.log(`\n1. Cache hits: one app token per tenant, ${POOL} tenants queried in turn, spread over the whole cache`)
  console.log(`   msal-ts: ${POOL} apps sharing one TokenCache; msal-node: one app, per-request authority`)
  console.log(`   (a discarded pass at ${int(SIZES[0])} tokens first; then per row: warm-up ≥ ${WARMUP_MS} ms,`)
  console.log(`   ~${TARGET_MS} ms of timed calls (≥ ${MIN_CALLS}) in ${ROUNDS} rounds, median round reported)\n`)
  const widths = [7, 14, 16, 15, 13, 15, 21]
  console.log(row(['tokens', 'msal-ts µs/hit', 'msal-node µs/hit', 'ratio node/ts', 'ts calls', 'node calls', 'fill ms (ts / node)'], widths))
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'))
  // A discarded pass first, so that JIT compilation of both hit paths does not land on the first row.
  const firstQueried = spread(SIZES[0], POOL).map(tenantName)
  await msalTsHits(idp, SIZES[0], firstQueried)
  await msalNodeHits(idp, SIZES[0], firstQueried, calibration.msalNodeEnvironment)
  const results = []
  for (const n of SIZES) {
    const queried = spread(n, POOL).map(tenantName)
    const ts = await msalTsHits(idp, n, queried)
    const node = await msalNodeHits(idp, n, queried, calibration.msalNodeEnvironment)
    for (const [label, r] of [['msal-ts', ts], ['msal-node', node]]) {
      check(r.requests === 0 && r.idpRequests === 0, `${label} at ${n} tokens sent ${r.requests} requests (fake IdP saw ${r.idpRequests}) while timing cache hits`)
    }
    results.push({ n, ts, node })
    console.log(
      row(
        [int(n), fmt(ts.usPerCall), fmt(node.usPerCall), `${fmt(node.usPerCall / ts.usPerCall, 1)}×`, int(ts.timedCalls), int(node.timedCalls), `${fmt(ts.fillMs, 0)} / ${fmt(node.fillMs, 0)}`],
        widths,
      ),
    )
  }
  const totalTs = results.reduce((sum, r) => sum + r.ts.timedCalls + r.ts.warmupCalls, 0)
  const totalNode = results.reduce((sum, r) => sum + r.node.timedCalls + r.node.warmupCalls, 0)
  console.log(`\n   Every call was a cache hit for its own tenant (${int(totalTs)} msal-ts calls, ${int(totalNode)} msal-node calls, warm-up included).`)
  const sent = (pick) => int(results.reduce((sum, r) => sum + pick(r).requests + pick(r).idpRequests, 0))
  console.log(`   HTTP requests during warm-up and timed calls: msal-ts ${sent((r) => r.ts)}, msal-node ${sent((r) => r.node)}.`)

  // 2. Concurrent cold calls.
  const cold = await coldConcurrent(idp)
  console.log(`\n2. ${COLD_CALLS} concurrent identical calls on a cold cache (fake IdP, ${COLD_LATENCY_MS} ms per request)\n`)
  const coldWidths = [10, 14, 12, 15]
  console.log(row(['library', 'token requests', 'all requests', 'distinct tokens'], coldWidths))
  console.log(coldWidths.map((w) => '-'.repeat(w)).join('-|-'))
  console.log(row(['msal-ts', cold.ts.tokenRequests, cold.ts.allRequests, cold.ts.distinctTokens], coldWidths))
  console.log(row(['msal-node', cold.node.tokenRequests, cold.node.allRequests, cold.node.distinctTokens], coldWidths))

  // 3. Summary.
  const at10k = results.find((r) => r.n === 10_000)
  const spreadOf = (values) => Math.max(...values) / Math.min(...values)
  const tsSpread = spreadOf(results.map((r) => r.ts.usPerCall))
  const nodeSpread = spreadOf(results.map((r) => r.node.usPerCall))
  console.log(
    `\nSummary: at 10,000 cached tokens a cache hit takes msal-node ${fmt(at10k.node.usPerCall / at10k.ts.usPerCall, 1)}× as long as msal-ts ` +
      `(${fmt(at10k.node.usPerCall)} vs ${fmt(at10k.ts.usPerCall)} µs). ` +
      `msal-ts per-hit time from 100 to 100,000 tokens: max/min ${fmt(tsSpread)}× ` +
      `(${tsSpread <= FLAT_FACTOR ? 'flat' : 'NOT flat'}, threshold ${FLAT_FACTOR}×); msal-node: max/min ${fmt(nodeSpread, 1)}×. ` +
      `Cold burst of ${COLD_CALLS}: msal-ts sent ${cold.ts.tokenRequests} token request(s), msal-node ${cold.node.tokenRequests}.`,
  )
}

try {
  await main()
} catch (error) {
  console.error(`\nBENCHMARK FAILED: ${error instanceof BenchFailure ? error.message : (error?.stack ?? error)}`)
  process.exit(1)
}
