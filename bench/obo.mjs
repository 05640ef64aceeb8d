/**
 * On-behalf-of cache hits: msal-ts against @azure/msal-node, in one process, no network.
 *
 * A web API's cache holds one downstream token per caller's incoming token (up to 100,000),
 * each filed under the hash of that incoming token, as both libraries file them. msal-node
 * loads the very same serialized cache. Each timed call is acquireTokenOnBehalfOf with an
 * incoming token whose downstream token is cached; any request fails the run.
 * Run after a build:  npm run build && node bench/obo.mjs
 */
import { createHash } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { ConfidentialClientApplication, SerializableTokenCache } from '@msal-ts/node'
import * as msalNode from '@azure/msal-node'

const API = '3c9b8a7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d'
const HOST = 'login.microsoftonline.com'
const TENANT = '11111111-1111-4111-8111-111111111111'
const AUTHORITY = `https://${HOST}/${TENANT}`
const SCOPES = ['User.Read']
const NOW = Math.floor(Date.now() / 1000)
const SIZES = [100, 1_000, 10_000, 100_000]

const fmt = (n, digits = 2) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const incoming = (i) => `eyJ0eXAiOiJKV1QifQ.incoming-token-of-caller-${i}.sig`
const hashOf = (assertion) => createHash('sha256').update(assertion).digest('base64url')
const uid = (i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`

/** The cache as both libraries write an OBO answer: the access token with the assertion hash, under the user's home account. */
const cacheText = (n) => {
  const AccessToken = {}
  for (let i = 0; i < n; i++) {
    const home = `${uid(i)}.${TENANT}`
    const hash = hashOf(incoming(i))
    AccessToken[`${home}-${HOST}-accesstoken-${API}-${TENANT}-user.read-${hash}`.toLowerCase()] = {
      credential_type: 'AccessToken', secret: `downstream-${i}`, home_account_id: home, environment: HOST, client_id: API, target: 'User.Read',
      realm: TENANT, token_type: 'Bearer', cached_at: String(NOW), expires_on: String(NOW + 3600), extended_expires_on: String(NOW + 3600),
      user_assertion_hash: hash, userAssertionHash: hash,
    }
  }
  return JSON.stringify({ AccessToken, RefreshToken: {}, IdToken: {}, Account: {}, AppMetadata: {} })
}

const refuse = async (url) => { throw new Error(`a request was made: ${url}`) }
const nodeApp = (text) => {
  const app = new msalNode.ConfidentialClientApplication({
    auth: { clientId: API, clientSecret: 's', authority: AUTHORITY },
    system: { networkClient: { sendGetRequestAsync: refuse, sendPostRequestAsync: refuse } },
  })
  app.getTokenCache().deserialize(text)
  return app
}
const tsApp = (text) => {
  const cache = new SerializableTokenCache()
  cache.deserialize(text)
  return new ConfidentialClientApplication({ clientId: API, clientCredential: 's', authority: AUTHORITY, tokenCache: cache, httpClient: refuse })
}

/** ms per call for about `targetMs`, each call a different caller's (cached) incoming token. */
const perCall = async (n, call, targetMs = 600) => {
  await call(0)
  let calls = 0
  const start = performance.now()
  while (calls < 5 || performance.now() - start < targetMs) await call((calls++ * 7919) % n)
  return (performance.now() - start) / calls
}

const expectHit = (i, result, fromCache) => {
  if (!fromCache || result.accessToken !== `downstream-${i}`) throw new Error(`caller ${i}: not the cached token`)
}

console.log('On-behalf-of cache hits: msal-ts vs @azure/msal-node (same cache content, no network)')
console.log(`Node ${process.version}; @azure/msal-node ${msalNode.version}\n`)
console.log('| cached OBO tokens | msal-ts µs/hit | msal-node µs/hit | ratio |')
console.log('|---|---|---|---|')
for (const n of SIZES) {
  const text = cacheText(n)
  const ours = tsApp(text)
  const theirs = nodeApp(text)
  const tsMs = await perCall(n, async (i) => {
    const result = await ours.acquireTokenOnBehalfOf(incoming(i), SCOPES)
    expectHit(i, result, result.tokenSource === 'cache')
  })
  const nodeMs = await perCall(n, async (i) => {
    const result = await theirs.acquireTokenOnBehalfOf({ oboAssertion: incoming(i), scopes: SCOPES })
    expectHit(i, result, result.fromCache)
  }, n >= 100_000 ? 3000 : 600)
  console.log(`| ${n.toLocaleString('en-US')} | ${fmt(tsMs * 1000)} | ${fmt(nodeMs * 1000, 0)} | ${fmt(nodeMs / tsMs, 0)}× |`)
}
