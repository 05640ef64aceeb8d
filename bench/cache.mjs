/**
 * Token cache benchmark: msal-ts against @azure/msal-node, in one process, no network.
 *
 * The cache holds 100 access tokens for each of 1,000 accounts (100,000 in all), with their
 * refresh tokens, ID tokens and accounts, filed one response at a time through the public
 * TokenCache.add. Then, side by side with msal-node loading the very same serialized cache:
 *   - acquireTokenSilent served from the cache at 1,000 / 10,000 / 50,000 / 100,000 tokens
 *   - getAccounts, serialize, deserialize, and heap used.
 * Run after a build:  npm run build && node --expose-gc bench/cache.mjs
 */
import { performance } from 'node:perf_hooks'
import { bytesToBase64Url, utf8Encode } from '@msal-ts/core/protocol'
import { ConfidentialClientApplication, SerializableTokenCache } from '@msal-ts/node'
import * as msalNode from '@azure/msal-node'

const CLIENT_ID = '7c0d1a9e-3f2b-4c5d-8e6f-1a2b3c4d5e6f'
const TENANT = 'contoso.onmicrosoft.com'
/** Apps that sign users in use a multi-tenant authority; tokens are filed under each user's tenant id. */
const AUTHORITY_TENANT = 'organizations'
const HOST = 'login.microsoftonline.com'
const TOKENS_PER_ACCOUNT = 100
const NOW = Math.floor(Date.now() / 1000)

const b64 = (value) => bytesToBase64Url(utf8Encode(JSON.stringify(value)))
const jwt = (claims) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`
const uid = (a) => `00000000-0000-4000-8000-${String(a).padStart(12, '0')}`
const UTID = '11111111-1111-4111-8111-111111111111'
const scopeOf = (t) => `api://resource-${t}/read`

const gc = () => globalThis.gc?.()
const heapMb = () => (gc(), process.memoryUsage().heapUsed / 2 ** 20)
const fmt = (n, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const ratio = (theirs, ours) => `${fmt(theirs / ours, 1)}×`

/** Times `fn` repeatedly for about `targetMs`, returns ms per call. */
const perCall = (fn, targetMs = 400, minCalls = 5, warmUp = true) => {
  if (warmUp) fn(0)
  let calls = 0
  const start = performance.now()
  while (calls < minCalls || performance.now() - start < targetMs) fn(calls++)
  return (performance.now() - start) / calls
}
const perCallAsync = async (fn, targetMs = 400, minCalls = 5, warmUp = true) => {
  if (warmUp) await fn(0)
  let calls = 0
  const start = performance.now()
  while (calls < minCalls || performance.now() - start < targetMs) await fn(calls++)
  return (performance.now() - start) / calls
}

/** One user's token response for resource t, shaped as Entra's (MSAL always asks openid, so an ID token comes each time). */
const eventFor = (a, t) => ({
  clientId: CLIENT_ID,
  scope: [scopeOf(t)],
  environment: HOST,
  realm: TENANT,
  grantType: 'authorization_code',
  response: {
    token_type: 'Bearer',
    access_token: `at-${a}-${t}`,
    expires_in: 3599,
    ext_expires_in: 3599,
    scope: scopeOf(t),
    client_info: CLIENT_INFO[a],
    refresh_token: `rt-${a}`,
    id_token: ID_TOKENS[a],
  },
})

// Built ahead so the timed part measures the cache, not base64 encoding.
const CLIENT_INFO = Array.from({ length: 1000 }, (_, a) => b64({ uid: uid(a), utid: UTID }))
const ID_TOKENS = Array.from({ length: 1000 }, (_, a) =>
  jwt({ oid: uid(a), sub: `sub-${a}`, tid: UTID, preferred_username: `user${a}@contoso.com`, name: `User ${a}`, aud: CLIENT_ID, iss: `https://${HOST}/${UTID}/v2.0`, iat: NOW, exp: NOW + 3600 }),
)

/** Fills a cache one response at a time, as an app's sign-ins would. Returns [cache, ms]. */
const fill = (accounts) => {
  const cache = new SerializableTokenCache()
  const start = performance.now()
  for (let a = 0; a < accounts; a++) for (let t = 0; t < TOKENS_PER_ACCOUNT; t++) cache.add(eventFor(a, t), NOW)
  return [cache, performance.now() - start]
}

/** msal-node app with no network: discovery comes from its built-in metadata; any request fails the run. */
const nodeApp = () =>
  new msalNode.ConfidentialClientApplication({
    auth: { clientId: CLIENT_ID, clientSecret: 's', authority: `https://${HOST}/${AUTHORITY_TENANT}` },
    system: {
      networkClient: {
        sendGetRequestAsync: async (url) => { throw new Error(`msal-node made a request: ${url}`) },
        sendPostRequestAsync: async (url) => { throw new Error(`msal-node made a request: ${url}`) },
      },
    },
  })

const tsApp = (cache) =>
  new ConfidentialClientApplication({ clientId: CLIENT_ID, clientCredential: 's', authority: `https://${HOST}/${AUTHORITY_TENANT}`, tokenCache: cache, httpClient: () => { throw new Error('msal-ts made a request') } })

console.log('Token cache: msal-ts vs @azure/msal-node (same cache content, no network)')
console.log(`Node ${process.version}; @azure/msal-node ${msalNode.version}; ${TOKENS_PER_ACCOUNT} access tokens per account${globalThis.gc ? '' : '; run with --expose-gc for heap figures'}\n`)

// 1. Filing 100,000 responses one at a time.
const [big, fillMs] = fill(1000)
console.log(`1. TokenCache.add, one response at a time: 100,000 access tokens (1,000 accounts) in ${fmt(fillMs, 0)} ms (${fmt((fillMs * 1000) / 100_000)} µs per add)`)
console.log(`   entries: ${big.accessTokenCount} access tokens, ${big.refreshTokens.size} refresh tokens, ${big.idTokens.size} ID tokens, ${big.accounts.size} accounts\n`)

// 2. Silent-hit lookup, flat from 1,000 to 100,000.
console.log('2. acquireTokenSilent served from the cache (the same accounts and scopes on both sides)')
console.log('    tokens | msal-ts µs/hit | msal-node µs/hit |     ratio')
const rows = []
for (const accounts of [10, 100, 500, 1000]) {
  const [cache] = accounts === 1000 ? [big] : fill(accounts)
  const text = cache.serialize()
  const ts = tsApp(cache)
  const tsAccounts = await ts.getAccounts()
  if (tsAccounts.length !== accounts) throw new Error(`msal-ts sees ${tsAccounts.length} accounts, expected ${accounts}`)
  const ours = await perCallAsync(async (i) => {
    const result = await ts.acquireTokenSilent([scopeOf(i % TOKENS_PER_ACCOUNT)], tsAccounts[(i * 7919) % accounts])
    if (result?.tokenSource !== 'cache') throw new Error('msal-ts missed')
  }, 400, 1000)
  const node = nodeApp()
  node.getTokenCache().deserialize(text)
  const nodeAccounts = await node.getTokenCache().getAllAccounts()
  if (nodeAccounts.length !== accounts) throw new Error(`msal-node sees ${nodeAccounts.length} accounts, expected ${accounts}`)
  const theirs = await perCallAsync(async (i) => {
    const result = await node.acquireTokenSilent({ account: nodeAccounts[(i * 7919) % accounts], scopes: [scopeOf(i % TOKENS_PER_ACCOUNT)] })
    if (!result.fromCache) throw new Error('msal-node missed')
  }, 600, accounts === 1000 ? 5 : 20)
  rows.push({ tokens: accounts * TOKENS_PER_ACCOUNT, ours: ours * 1000, theirs: theirs * 1000 })
  console.log(`   ${String((accounts * TOKENS_PER_ACCOUNT).toLocaleString('en-US')).padStart(7)} | ${fmt(ours * 1000).padStart(14)} | ${fmt(theirs * 1000).padStart(16)} | ${ratio(theirs, ours).padStart(9)}`)
}
const flat = Math.max(...rows.map((r) => r.ours)) / Math.min(...rows.map((r) => r.ours))
const at100k = rows.find((r) => r.tokens === 100_000)
const at50k = rows.find((r) => r.tokens === 50_000)
console.log(`   msal-ts max/min across sizes: ${fmt(flat)}×\n`)

// 3. getAccounts, serialize, deserialize, memory at 100,000 tokens.
const text = big.serialize()
const app = tsApp(big)
// msal-node's operations at this size take seconds each: a few calls are enough for both.
const ourAccounts = await perCallAsync(async () => { if ((await app.getAccounts()).length !== 1000) throw new Error('accounts') }, 400, 10)
const node = nodeApp()
node.getTokenCache().deserialize(text)
// One call: at this size it takes minutes, all of it the cache scan (no JIT warm-up would change that).
const theirAccounts = await perCallAsync(async () => { if ((await node.getTokenCache().getAllAccounts()).length !== 1000) throw new Error('accounts') }, 0, 1, false)
console.log('   (getAccounts measured)')
const ourSerialize = perCall(() => big.serialize(), 1500, 3)
const theirSerialize = perCall(() => node.getTokenCache().serialize(), 0, 2)
console.log('   (serialize measured)')
const ourDeserialize = perCall(() => new SerializableTokenCache().deserialize(text), 1500, 3)
const theirDeserialize = perCall(() => nodeApp().getTokenCache().deserialize(text), 0, 2)
console.log('   (deserialize measured)')

const before = heapMb()
const keepOurs = new SerializableTokenCache()
keepOurs.deserialize(text)
const ourHeap = heapMb() - before
const before2 = heapMb()
const keepTheirs = nodeApp()
keepTheirs.getTokenCache().deserialize(text)
const theirHeap = heapMb() - before2

console.log(`3. At 100,000 access tokens (serialized cache: ${fmt(text.length / 2 ** 20, 1)} MiB)`)
console.log('   operation   |     msal-ts |   msal-node |  ratio')
console.log(`   getAccounts | ${fmt(ourAccounts, 3).padStart(8)} ms | ${fmt(theirAccounts, 1).padStart(8)} ms | ${ratio(theirAccounts, ourAccounts).padStart(6)}`)
console.log(`   serialize   | ${fmt(ourSerialize, 1).padStart(8)} ms | ${fmt(theirSerialize, 1).padStart(8)} ms | ${ratio(theirSerialize, ourSerialize).padStart(6)}`)
console.log(`   deserialize | ${fmt(ourDeserialize, 1).padStart(8)} ms | ${fmt(theirDeserialize, 1).padStart(8)} ms | ${ratio(theirDeserialize, ourDeserialize).padStart(6)}`)
if (globalThis.gc) console.log(`   heap used   | ${fmt(ourHeap, 1).padStart(7)} MiB | ${fmt(theirHeap, 1).padStart(7)} MiB | ${ratio(theirHeap, ourHeap).padStart(6)}`)
void [keepOurs, keepTheirs] // keep both caches alive until the heap was measured

console.log(`\nSummary: add 100,000 one by one ${fmt(fillMs / 1000, 2)} s; hit ${fmt(at100k.ours)} µs at 100,000 (flat ${fmt(flat)}× from 1,000), ${ratio(at50k.theirs, at50k.ours)} faster than msal-node at 50,000; serialize ${ratio(theirSerialize, ourSerialize)}, deserialize ${ratio(theirDeserialize, ourDeserialize)} msal-node's speed.`)
