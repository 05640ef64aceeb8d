/**
 * Cold-start benchmark: how many HTTP requests a COLD client-credentials acquisition costs, for
 * every authority kind, in msal-ts and in @azure/msal-node. In one process, with no network.
 *
 * Each measurement gets a fresh application object and a fresh FakeIdentityProvider (from
 * @msal-ts/testing), so nothing is shared: not the token cache, not discovery documents, not the
 * provider's signing key. The script counts every request that reaches the provider, on the first
 * call (cold) and on a second call for another scope (discovery warm, token cache cold for that
 * scope), and lists them. Every token is checked: it must come from the identity provider and
 * carry that provider's signature and the requested audience.
 *
 * MSAL for Node is configured per kind as its documentation tells a developer to (knownAuthorities
 * for B2C, AD FS and a generic OIDC provider, protocolMode 'OIDC' for the latter, azureRegion in
 * the request); where that configuration fails against the provider, the row says so, with the
 * error, and a documented workaround gets its own row.
 *
 * Exit code 1 if, for any kind, msal-ts needs more cold requests than MSAL for Node (the
 * acceptance criterion "a cold start never costs more requests than MSAL for Node"), or if
 * msal-ts fails to get a token for any kind.
 *
 * Run from the repository root after a build:  npm run build && npm run bench:cold-start
 */
import { createRequire } from 'node:module'
import { createPublicKey, verify } from 'node:crypto'

// Load the built packages dynamically so that a missing build says so plainly.
let msalTs, testing, msalNode
try {
  ;[msalTs, testing, msalNode] = await Promise.all([import('@msal-ts/node'), import('@msal-ts/testing'), import('@azure/msal-node')])
} catch (error) {
  console.error(`Cannot load the packages (${error.message}).`)
  console.error('Build them first (npm run build) and link the workspace (npx pnpm install).')
  process.exit(1)
}
const { ConfidentialClientApplication } = msalTs
const { FakeIdentityProvider, tenantIdOf } = testing

// ---- Settings ----

const CLIENT_ID = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d'
const CLIENT_SECRET = 'cold-start-secret'
const FIRST = { scope: 'api://cold/.default', audience: 'api://cold' }
const SECOND = { scope: 'api://other/.default', audience: 'api://other' }
const TENANT = 'contoso.onmicrosoft.com'
const TID = tenantIdOf(TENANT)
const PRIVATE_CLOUD = 'login.contoso.example'
const CIAM_ISSUER_HOST = `${TID}.ciamlogin.com`

/**
 * The authority kinds. `ts` is msal-ts's configuration; `node` MSAL for Node's (`auth` and
 * `system` go into its Configuration, `request` into acquireTokenByClientCredential); `idp` the
 * FakeIdentityProvider's options (the same for both libraries).
 */
const KINDS = [
  {
    name: 'Entra, tenant id (login.microsoftonline.com)',
    ts: { authority: `https://login.microsoftonline.com/${TID}` },
    node: { auth: { authority: `https://login.microsoftonline.com/${TID}` } },
  },
  {
    name: 'Entra, tenant domain (login.microsoftonline.com)',
    ts: { authority: `https://login.microsoftonline.com/${TENANT}` },
    node: { auth: { authority: `https://login.microsoftonline.com/${TENANT}` } },
  },
  {
    name: 'Entra US Government (login.microsoftonline.us)',
    ts: { authority: `https://login.microsoftonline.us/${TENANT}` },
    node: { auth: { authority: `https://login.microsoftonline.us/${TENANT}` } },
  },
  {
    name: 'Entra China (login.chinacloudapi.cn)',
    ts: { authority: `https://login.chinacloudapi.cn/${TENANT}` },
    node: { auth: { authority: `https://login.chinacloudapi.cn/${TENANT}` } },
  },
  {
    name: `Entra private cloud, instance discovery (${PRIVATE_CLOUD})`,
    idp: { knownInstances: [PRIVATE_CLOUD] },
    ts: { authority: `https://${PRIVATE_CLOUD}/${TENANT}` },
    node: { auth: { authority: `https://${PRIVATE_CLOUD}/${TENANT}` } },
  },
  {
    name: 'Entra private cloud, discovery off',
    idp: { knownInstances: [PRIVATE_CLOUD] },
    ts: { authority: `https://${PRIVATE_CLOUD}/${TENANT}`, instanceDiscovery: false },
    tsNote: 'instanceDiscovery: false',
    node: { auth: { authority: `https://${PRIVATE_CLOUD}/${TENANT}`, knownAuthorities: [PRIVATE_CLOUD] } },
  },
  {
    name: 'B2C (contoso.b2clogin.com, B2C_1_signin)',
    ts: { authority: `https://contoso.b2clogin.com/${TENANT}/B2C_1_signin` },
    node: { auth: { authority: `https://contoso.b2clogin.com/${TENANT}/B2C_1_signin`, knownAuthorities: ['contoso.b2clogin.com'] } },
  },
  {
    name: 'ADFS (adfs.contoso.com/adfs)',
    ts: { authority: 'https://adfs.contoso.com/adfs' },
    node: { auth: { authority: 'https://adfs.contoso.com/adfs', knownAuthorities: ['adfs.contoso.com'] } },
  },
  {
    name: 'CIAM, no path (contoso.ciamlogin.com/)',
    ts: { authority: 'https://contoso.ciamlogin.com/' },
    node: { auth: { authority: 'https://contoso.ciamlogin.com/' } },
  },
  {
    name: 'CIAM, no path; msal-node + issuer workaround',
    ts: { authority: 'https://contoso.ciamlogin.com/' },
    node: { auth: { authority: 'https://contoso.ciamlogin.com/', knownAuthorities: [CIAM_ISSUER_HOST] } },
    nodeNote: `knownAuthorities: ['${CIAM_ISSUER_HOST}'], MSAL.js's documented workaround for CIAM's tenant-id issuer host`,
  },
  {
    name: 'CIAM, tenant id path',
    ts: { authority: `https://contoso.ciamlogin.com/${TID}` },
    node: { auth: { authority: `https://contoso.ciamlogin.com/${TID}` } },
  },
  {
    name: 'CIAM, tenant domain path',
    ts: { authority: `https://contoso.ciamlogin.com/${TENANT}` },
    node: { auth: { authority: `https://contoso.ciamlogin.com/${TENANT}` } },
  },
  {
    name: 'CIAM, tenant domain path; msal-node + issuer workaround',
    ts: { authority: `https://contoso.ciamlogin.com/${TENANT}` },
    node: { auth: { authority: `https://contoso.ciamlogin.com/${TENANT}`, knownAuthorities: [CIAM_ISSUER_HOST] } },
    nodeNote: `knownAuthorities: ['${CIAM_ISSUER_HOST}'], as above`,
  },
  {
    name: 'generic OIDC provider (id.example/tenant-x)',
    ts: { oidcAuthority: 'https://id.example/tenant-x' },
    node: { auth: { authority: 'https://id.example/tenant-x', knownAuthorities: ['id.example'] }, system: { protocolMode: 'OIDC' } },
  },
  {
    name: 'regional, westus2 (login.microsoftonline.com)',
    ts: { authority: `https://login.microsoftonline.com/${TENANT}`, azureRegion: 'westus2' },
    node: { auth: { authority: `https://login.microsoftonline.com/${TENANT}` }, request: { azureRegion: 'westus2' } },
  },
]

/** Region settings both libraries read from the environment; cleared so every row is deterministic. */
const REGION_ENV = ['REGION_NAME', 'MSAL_FORCE_REGION']

// ---- Helpers ----

class BenchFailure extends Error {}
const check = (condition, message) => {
  if (!condition) throw new BenchFailure(message)
}

const newIdp = (options = {}) => new FakeIdentityProvider(options).registerApp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })

const fromBase64Url = (text) => Buffer.from(text, 'base64url')

/**
 * Checks that `accessToken` is a JWT this very provider signed (RS256, verified against its JWKS)
 * for the expected audience. Each provider has a fresh key, so no other provider's token passes.
 */
async function checkFakeToken(idp, accessToken, audience, label) {
  check(typeof accessToken === 'string' && accessToken.length > 0, `${label}: no access token`)
  const parts = accessToken.split('.')
  check(parts.length === 3, `${label}: the access token is not a JWT`)
  const header = JSON.parse(fromBase64Url(parts[0]).toString('utf8'))
  const claims = JSON.parse(fromBase64Url(parts[1]).toString('utf8'))
  const { keys } = await idp.jwks()
  const jwk = keys.find((key) => key.kid === header.kid)
  check(header.alg === 'RS256' && jwk !== undefined, `${label}: the token is not signed with the fake provider's key (kid ${header.kid})`)
  const signed = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), createPublicKey({ key: jwk, format: 'jwk' }), fromBase64Url(parts[2]))
  check(signed, `${label}: the token's signature does not verify against the fake provider's key`)
  check(claims.aud === audience, `${label}: the token's audience is ${claims.aud}, expected ${audience}`)
  return claims
}

/** msal-ts's httpClient: the fake provider in process, counting requests. */
const countingFetch = (idp) => {
  const fetch = (input, init) => {
    fetch.count++
    return idp.fetch(input, init)
  }
  fetch.count = 0
  return fetch
}

/**
 * MSAL for Node's system.networkClient (an INetworkModule) over the fake provider, counting
 * requests. It behaves as msal-node's own HttpClient (src/network/HttpClient.ts): the body is
 * parsed as JSON, and a body that is not JSON is a token_parsing_error rather than an empty
 * object. It also notes each response's status (and a discovery document's issuer) for the report.
 */
const countingNetworkClient = (idp) => {
  const client = {
    count: 0,
    responses: [],
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  }
  const send = async (method, url, options = {}) => {
    client.count++
    let response
    try {
      response = await idp.fetch(url, { method, headers: options.headers, body: method === 'POST' ? (options.body ?? '') : undefined })
    } catch (error) {
      client.responses.push({ method, url, status: 'no response' })
      throw new msalNode.AuthError('network_error', '', `Network request failed: ${error.message}`)
    }
    const headers = {}
    response.headers.forEach((value, name) => {
      headers[name] = value
    })
    const text = await response.text()
    const noted = { method, url, status: response.status }
    client.responses.push(noted)
    let body
    try {
      body = JSON.parse(text)
    } catch (error) {
      throw new msalNode.AuthError('token_parsing_error', '', `Failed to parse response: ${error.message}`)
    }
    if (typeof body?.issuer === 'string') noted.issuer = body.issuer
    return { status: response.status, headers, body }
  }
  return client
}

const sentBy = (idp, from = 0) => idp.requests.slice(from).map((request) => ({ method: request.method, url: request.url }))

const errorText = (error) => {
  if (error instanceof msalNode.AuthError) return `${error.name}: ${error.errorCode}${error.subError ? ` (${error.subError})` : ''}: ${error.errorMessage}`
  if (error instanceof BenchFailure) return `check failed: ${error.message}`
  if (error?.kind !== undefined) return `${error.kind}: ${error.message}`
  return String(error?.stack ?? error)
}

// ---- Measurements ----

/** msal-ts: a fresh app and provider; the first call (cold), then a call for another scope. */
async function measureMsalTs(kind) {
  const idp = newIdp(kind.idp)
  const httpClient = countingFetch(idp)
  const outcome = { cold: [], second: [], error: undefined }
  try {
    const app = new ConfidentialClientApplication({ clientId: CLIENT_ID, clientCredential: CLIENT_SECRET, httpClient, ...kind.ts })
    const first = await app.acquireTokenForClient([FIRST.scope])
    outcome.cold = sentBy(idp)
    check(first.tokenSource === 'identity_provider', `msal-ts: the first call's tokenSource is ${first.tokenSource}, expected identity_provider`)
    outcome.issuer = (await checkFakeToken(idp, first.accessToken, FIRST.audience, 'msal-ts, first call')).iss
    const second = await app.acquireTokenForClient([SECOND.scope])
    outcome.second = sentBy(idp, outcome.cold.length)
    check(second.tokenSource === 'identity_provider', `msal-ts: the second scope's tokenSource is ${second.tokenSource}, expected identity_provider`)
    await checkFakeToken(idp, second.accessToken, SECOND.audience, 'msal-ts, second scope')
    check(httpClient.count === idp.requests.length, `msal-ts: the transport saw ${httpClient.count} requests, the provider ${idp.requests.length}`)
  } catch (error) {
    outcome.error = error
    outcome.cold = outcome.cold.length > 0 ? outcome.cold : sentBy(idp)
  }
  return outcome
}

/** MSAL for Node: a fresh app and provider; the first call (cold), then a call for another scope. */
async function measureMsalNode(kind) {
  const idp = newIdp(kind.idp)
  const networkClient = countingNetworkClient(idp)
  const outcome = { cold: [], second: [], error: undefined, responses: networkClient.responses }
  try {
    const app = new msalNode.ConfidentialClientApplication({
      auth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...kind.node.auth },
      system: { networkClient, ...kind.node.system },
    })
    const request = kind.node.request ?? {}
    const first = await app.acquireTokenByClientCredential({ scopes: [FIRST.scope], ...request })
    outcome.cold = sentBy(idp)
    check(first?.fromCache === false, `msal-node: the first call's fromCache is ${first?.fromCache}, expected false`)
    outcome.issuer = (await checkFakeToken(idp, first.accessToken, FIRST.audience, 'msal-node, first call')).iss
    const second = await app.acquireTokenByClientCredential({ scopes: [SECOND.scope], ...request })
    outcome.second = sentBy(idp, outcome.cold.length)
    check(second?.fromCache === false, `msal-node: the second scope's fromCache is ${second?.fromCache}, expected false`)
    await checkFakeToken(idp, second.accessToken, SECOND.audience, 'msal-node, second scope')
    check(networkClient.count === idp.requests.length, `msal-node: the transport saw ${networkClient.count} requests, the provider ${idp.requests.length}`)
  } catch (error) {
    outcome.error = error
    outcome.cold = outcome.cold.length > 0 ? outcome.cold : sentBy(idp)
  }
  return outcome
}

// ---- Comparison ----

/** A request's identity for comparing the libraries: method, host and path (msal-node adds ?client-request-id=…). */
const keyOf = ({ method, url }) => {
  const parsed = new URL(url)
  return `${method} ${parsed.protocol}//${parsed.host.toLowerCase()}${parsed.pathname.replace(/\/+$/, '')}`
}

/** The requests in `a` with no counterpart in `b` (a multiset difference by keyOf). */
function onlyIn(a, b) {
  const left = b.map(keyOf)
  const extra = []
  for (const request of a) {
    const i = left.indexOf(keyOf(request))
    if (i >= 0) left.splice(i, 1)
    else extra.push(request)
  }
  return extra
}

/** A token request, of any kind: Entra's and B2C's /oauth2/v2.0/token, AD FS's and OIDC providers' /oauth2/token. */
const isTokenRequest = ({ method, url }) => method === 'POST' && /\/oauth2\/(?:v2\.0\/)?token\/?$/.test(new URL(url).pathname)

function verdictOf(ts, node) {
  if (ts.error !== undefined) return { text: 'FAIL: msal-ts failed', failed: true }
  if (node.error !== undefined) {
    const floor = ts.cold.length === 1 && isTokenRequest(ts.cold[0])
    return { text: floor ? 'n/a: msal-node failed (msal-ts: token request only)' : 'n/a: msal-node failed', failed: false }
  }
  if (ts.cold.length <= node.cold.length) return { text: `yes (${ts.cold.length} <= ${node.cold.length})`, failed: false }
  return { text: `NO (${ts.cold.length} > ${node.cold.length})`, failed: true }
}

/**
 * What the recorded answers show about an msal-node failure (facts from this run, not guesses):
 * a discovery document whose issuer is on another host than the authority, which msal-common's
 * issuer validation (Authority.validateIssuer) refuses unless that host is in knownAuthorities;
 * or a 404 from the provider.
 */
function diagnose(kind, node) {
  if (node.error === undefined) return []
  const hints = []
  const authorityHost = new URL(kind.node.auth.authority).host.toLowerCase()
  for (const r of node.responses) {
    if (r.issuer !== undefined) {
      const issuerHost = new URL(r.issuer).host.toLowerCase()
      if (issuerHost !== authorityHost) {
        hints.push(`the discovery document's issuer is on ${issuerHost}, not on the authority's host ${authorityHost}; msal-common's issuer validation accepts that only if the host is in knownAuthorities (and it is wrapped in endpoints_resolution_error)`)
      }
    }
    if (r.status === 404) {
      const path = new URL(r.url).pathname
      hints.push(`the provider answered 404 (an HTML page, not JSON) for ${r.method} ${path}${path.endsWith('/') ? ': msal-node put a trailing slash on the endpoint, a path the FakeIdentityProvider does not route' : ''}`)
    }
  }
  return hints
}

// ---- Output ----

const line = (cells, widths) => cells.map((cell, k) => (k === 0 ? String(cell).padEnd(widths[k]) : String(cell).padStart(widths[k]))).join(' | ')

function versionOf(name) {
  const require = createRequire(import.meta.url)
  return require(`${name}/package.json`).version
}

function msalCommonVersion() {
  // msal-common is msal-node's dependency, not ours: resolve it from msal-node's own location.
  const require = createRequire(createRequire(import.meta.url).resolve('@azure/msal-node/package.json'))
  return require('@azure/msal-common/package.json').version
}

const listRequests = (label, requests) => {
  if (requests.length === 0) console.log(`      ${label}: none`)
  else requests.forEach((request, i) => console.log(`      ${i === 0 ? `${label}:` : ' '.repeat(label.length + 1)} ${request.method} ${request.url}`))
}

async function main() {
  const started = process.hrtime.bigint()
  console.log('Cold start: HTTP requests of a cold client-credentials acquisition, per authority kind (msal-ts vs @azure/msal-node)')
  console.log(`Node ${process.version}; @msal-ts/node ${versionOf('@msal-ts/node')}, @msal-ts/testing ${versionOf('@msal-ts/testing')}; @azure/msal-node ${versionOf('@azure/msal-node')} (@azure/msal-common ${msalCommonVersion()})`)
  const cleared = REGION_ENV.filter((name) => process.env[name] !== undefined)
  for (const name of REGION_ENV) delete process.env[name]
  if (cleared.length > 0) console.log(`(cleared ${cleared.join(', ')} from the environment for this run)`)
  console.log('Each cell counts every request that reached a fresh in-process FakeIdentityProvider from a fresh application.')
  console.log(`"cold" is the first call (${FIRST.scope}); "2nd scope" the next call on the same app (${SECOND.scope}).\n`)

  const rows = []
  for (const kind of KINDS) {
    const ts = await measureMsalTs(kind)
    const node = await measureMsalNode(kind)
    rows.push({ kind, ts, node, verdict: verdictOf(ts, node) })
  }

  const cell = (outcome, phase) => {
    if (outcome.error === undefined) return String(outcome[phase].length)
    return phase === 'cold' ? `FAILED (${outcome.cold.length} sent)` : '-'
  }
  const header = ['authority', 'msal-ts cold', 'msal-node cold', 'msal-ts 2nd scope', 'msal-node 2nd scope', 'verdict (msal-ts <= msal-node?)']
  const body = rows.map(({ kind, ts, node, verdict }) => [kind.name, cell(ts, 'cold'), cell(node, 'cold'), cell(ts, 'second'), cell(node, 'second'), verdict.text])
  const widths = header.map((title, k) => Math.max(title.length, ...body.map((cells) => cells[k].length)))
  console.log(line(header, widths))
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'))
  for (const cells of body) console.log(line(cells, widths))

  console.log('\nRequests per row (method and URL, in order):')
  rows.forEach(({ kind, ts, node }, i) => {
    console.log(`\n${i + 1}. ${kind.name}`)
    console.log(`   msal-ts   ${JSON.stringify(kind.ts)}`)
    if (ts.error !== undefined) console.log(`      FAILED: ${errorText(ts.error)}`)
    listRequests('cold', ts.cold)
    if (ts.error === undefined) listRequests('2nd scope', ts.second)
    console.log(`   msal-node ${JSON.stringify(kind.node)}`)
    if (kind.nodeNote !== undefined) console.log(`      (${kind.nodeNote})`)
    if (node.error !== undefined) {
      console.log(`      FAILED: ${errorText(node.error)}`)
      for (const r of node.responses) console.log(`      answered: ${r.method} ${r.url} -> ${r.status}${r.issuer ? ` (issuer ${r.issuer})` : ''}`)
    }
    for (const hint of diagnose(kind, node)) console.log(`      why: ${hint}`)
    listRequests('cold', node.cold)
    if (node.error === undefined) listRequests('2nd scope', node.second)
    const tsOnly = onlyIn(ts.cold, node.cold)
    const nodeOnly = onlyIn(node.cold, ts.cold)
    if (ts.error === undefined && node.error === undefined && tsOnly.length + nodeOnly.length > 0) {
      console.log('      cold requests that differ (by method, host and path):')
      for (const r of tsOnly) console.log(`        only msal-ts:   ${r.method} ${r.url}`)
      for (const r of nodeOnly) console.log(`        only msal-node: ${r.method} ${r.url}`)
    }
  })

  const tsFailures = rows.filter((row) => row.ts.error !== undefined)
  const costlier = rows.filter((row) => row.ts.error === undefined && row.node.error === undefined && row.ts.cold.length > row.node.cold.length)
  const nodeFailures = rows.filter((row) => row.node.error !== undefined)
  const compared = rows.filter((row) => row.ts.error === undefined && row.node.error === undefined)
  const seconds = Number(process.hrtime.bigint() - started) / 1e9

  console.log(
    `\nSummary: ${rows.length} rows; msal-ts got its tokens in ${rows.length - tsFailures.length}, msal-node in ${rows.length - nodeFailures.length}. ` +
      `Of the ${compared.length} rows where both did, msal-ts needed more cold requests than msal-node in ${costlier.length}.`,
  )
  if (nodeFailures.length > 0) {
    console.log(`msal-node failed (no verdict) for: ${nodeFailures.map((row) => row.kind.name).join('; ')}.`)
  }
  for (const row of tsFailures) console.log(`FAIL: msal-ts could not get a token for "${row.kind.name}": ${errorText(row.ts.error)}`)
  for (const row of costlier) {
    console.log(`FAIL: "${row.kind.name}": msal-ts made ${row.ts.cold.length} cold requests, msal-node ${row.node.cold.length}. Requests msal-ts made that msal-node did not:`)
    for (const r of onlyIn(row.ts.cold, row.node.cold)) console.log(`        ${r.method} ${r.url}`)
  }
  const passed = tsFailures.length === 0 && costlier.length === 0
  console.log(
    `Acceptance (a cold start never costs msal-ts more requests than MSAL for Node, for every kind both could do): ${passed ? 'PASS' : 'FAIL'}.`,
  )
  console.log(`Finished in ${seconds.toFixed(1)} s.`)
  if (tsFailures.length > 0 || costlier.length > 0) process.exit(1)
}

try {
  await main()
} catch (error) {
  console.error(`\nBENCHMARK FAILED: ${error?.stack ?? error}`)
  process.exit(1)
}
