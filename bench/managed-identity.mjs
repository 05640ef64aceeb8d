/**
 * Managed identity benchmark: msal-ts's ManagedIdentityClient against @azure/msal-node's
 * ManagedIdentityApplication, in one process, against the same in-process IMDS emulation.
 *
 *   1. Cache hits: the system-assigned identity's token for one resource, after one request.
 *   2. 20 concurrent identical calls on a cold cache: how many requests reach IMDS.
 *
 * Every timed call is checked to be a cache hit, and IMDS is checked to have received nothing
 * while timing. Run from the repository root after a build:  npm run build && npm run bench:mi
 */
import os from 'node:os'

let msalTs, testing, msalNode
try {
  ;[msalTs, testing, msalNode] = await Promise.all([import('@msal-ts/node'), import('@msal-ts/testing'), import('@azure/msal-node')])
} catch (error) {
  console.error(`Cannot load the packages (${error.message}). Build them first (npm run build).`)
  process.exit(1)
}
const { ManagedIdentityClient, SystemAssignedManagedIdentity } = msalTs
const { ImdsEmulation, msalNodeNetworkClient } = testing

const RESOURCE = 'https://vault.azure.net'
const WARMUP_CALLS = 20_000
const ROUNDS = 5
const CALLS_PER_ROUND = 50_000
const COLD_CALLS = 20

const check = (condition, message) => {
  if (!condition) {
    console.error(`bench failed: ${message}`)
    process.exit(1)
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** µs per call: the median of ROUNDS rounds, each call checked. */
const time = async (call, isHit) => {
  for (let i = 0; i < WARMUP_CALLS; i++) check(isHit(await call()), 'a warm-up call was not a cache hit')
  const rounds = []
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < CALLS_PER_ROUND; i++) check(isHit(await call()), 'a timed call was not a cache hit')
    rounds.push(Number(process.hrtime.bigint() - start) / 1e3 / CALLS_PER_ROUND)
  }
  return median(rounds)
}

// MSAL for Node reads process.env: no other managed identity source may be named there.
for (const name of ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT', 'MSI_SECRET', 'IMDS_ENDPOINT', 'AZURE_POD_IDENTITY_AUTHORITY_HOST']) delete process.env[name]

// msal-ts
const imdsForTs = new ImdsEmulation()
const ours = new ManagedIdentityClient(SystemAssignedManagedIdentity(), { env: {}, httpClient: imdsForTs.fetch })
await ours.acquireTokenForClient({ resource: RESOURCE })
check(imdsForTs.requests.length === 1, 'msal-ts: the first call did not reach IMDS once')
const oursUs = await time(() => ours.acquireTokenForClient({ resource: RESOURCE }), (r) => r.tokenSource === 'cache')
check(imdsForTs.requests.length === 1, 'msal-ts sent a request while timing')

// msal-node
const imdsForNode = new ImdsEmulation()
const theirs = new msalNode.ManagedIdentityApplication({ system: { networkClient: msalNodeNetworkClient(imdsForNode.fetch) } })
await theirs.acquireToken({ resource: RESOURCE })
check(imdsForNode.requests.length === 1, 'msal-node: the first call did not reach IMDS once')
const theirsUs = await time(() => theirs.acquireToken({ resource: RESOURCE }), (r) => r.fromCache === true)
check(imdsForNode.requests.length === 1, 'msal-node sent a request while timing')

// 20 concurrent cold calls, another resource each library has not asked for.
const coldTs = new ImdsEmulation()
const coldOurs = new ManagedIdentityClient(SystemAssignedManagedIdentity(), { env: {}, httpClient: coldTs.fetch })
await Promise.all(Array.from({ length: COLD_CALLS }, () => coldOurs.acquireTokenForClient({ resource: 'https://storage.azure.com' })))
// MSAL for Node keeps its source (with the first app's network client) and its cache in static
// fields: a new app would still talk to the first emulation, so the cold calls go to a resource
// nothing has cached yet, and the first emulation counts them.
const before = imdsForNode.requests.length
await Promise.all(Array.from({ length: COLD_CALLS }, () => theirs.acquireToken({ resource: 'https://management.azure.com' })))
const coldNodeRequests = imdsForNode.requests.length - before

console.log(`managed identity (IMDS, system-assigned), Node ${process.version}, ${os.cpus().length} cores`)
console.log('')
console.log('| | msal-ts | msal-node | ratio |')
console.log('|---|---:|---:|---:|')
console.log(`| cache hit, µs | ${oursUs.toFixed(2)} | ${theirsUs.toFixed(2)} | ${(theirsUs / oursUs).toFixed(1)}× |`)
console.log(`| requests for ${COLD_CALLS} concurrent cold calls | ${coldTs.requests.length} | ${coldNodeRequests} | |`)
