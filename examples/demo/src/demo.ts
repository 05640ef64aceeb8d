import { performance } from 'node:perf_hooks'
import { decodeJwt } from 'jose'
import { ConfidentialClientApplication, PublicClientApplication, TokenCache, type Account } from '@msal-ts/node'
import { FakeIdentityProvider } from '@msal-ts/testing'
import { demoCertificate } from './demoCertificate.js'
import { managedIdentityDemo } from './managedIdentityDemo.js'
import { API_CLIENT_ID, onBehalfOfDemo } from './oboDemo.js'
import { formatCountdown, formatDuration, type Output } from './output.js'

const TENANT = 'contoso.onmicrosoft.com'
const CLIENT_ID = '5a1d1f4c-6e1b-4c43-9f0b-3b8f0e2d7c11'
const CLIENT_SECRET = 'demo-secret-not-for-production'
/** A desktop/CLI app (public client) and its users, for the sign-in part. */
const PUBLIC_CLIENT_ID = '7b2e4c1a-9d3f-4e5b-8a6c-0f1e2d3c4b5a'
const ALICE = 'alice@contoso.onmicrosoft.com'
const BOB = 'bob@contoso.onmicrosoft.com'
const GRAPH = ['https://graph.microsoft.com/User.Read']

const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const start = performance.now()
  const value = await work()
  return { value, ms: performance.now() - start }
}

/**
 * The demo (`./dev demo`), against the fake identity provider of @msal-ts/testing on loopback.
 * A daemon's first app token comes from the provider, the second from the cache, and 50
 * concurrent calls share one request; then users sign in, and a web API calls Graph on their
 * behalf. Returns the exit code: 1 if any of that does not hold.
 */
export const runDemo = async (output: Output): Promise<number> => {
  const apiCertificate = demoCertificate('msal-ts demo API')
  const idp = new FakeIdentityProvider({
    // Demo mode: the user "approves" a device code on the second poll, one second in.
    autoApproveDeviceCodes: { user: ALICE, afterPolls: 1 },
    deviceCodeIntervalSeconds: 1,
    interactiveUser: BOB,
  })
    .registerApp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, roles: ['Reports.Read.All'] })
    .registerApp({ clientId: PUBLIC_CLIENT_ID, redirectUris: ['http://localhost'] })
    .registerApp({ clientId: API_CLIENT_ID, certificates: [apiCertificate.certificatePem] })
    .registerUser({ username: ALICE })
    .registerUser({ username: BOB })
  const base = await idp.listen()
  try {
    const authority = `${base}/${TENANT}`
    const app = new ConfidentialClientApplication({ clientId: CLIENT_ID, clientCredential: CLIENT_SECRET, authority })
    const scopes = ['api://reports-api/.default']
    output.out('msal-ts demo: a daemon acquiring app tokens with a client secret (client credentials)')
    output.out(`  identity provider  ${base}  (the built-in fake, serving Entra's wire protocol on loopback)`)
    output.out(`  authority          ${authority}`)
    output.out(`  client id          ${CLIENT_ID}`)
    output.out('')

    const first = await timed(() => app.acquireTokenForClient(scopes))
    const firstRequests = idp.requests.length
    const claims = decodeJwt(first.value.accessToken)
    output.out(`1. acquireTokenForClient(${JSON.stringify(scopes)})`)
    output.out(`   source: ${first.value.tokenSource}   took: ${formatDuration(first.ms)}   HTTP requests: ${firstRequests} (tenant discovery + token)`)
    output.out(`   token:  ${first.value.accessToken.slice(0, 24)}... (${first.value.accessToken.length} characters, expires in ${first.value.expiresIn} s)`)
    output.out(`   claims: aud=${String(claims.aud)} tid=${String(claims['tid'])} azp=${String(claims['azp'])} roles=${JSON.stringify(claims['roles'])}`)

    const second = await timed(() => app.acquireTokenForClient(scopes))
    const secondRequests = idp.requests.length - firstRequests
    output.out(`2. the same call again`)
    output.out(`   source: ${second.value.tokenSource}   took: ${formatDuration(second.ms)}   HTTP requests: ${secondRequests}`)

    const before = idp.tokenRequests.length
    const burst = await timed(() => Promise.all(Array.from({ length: 50 }, () => app.acquireTokenForClient(['api://billing-api/.default']))))
    const burstRequests = idp.tokenRequests.length - before
    output.out(`3. 50 concurrent calls for a scope not yet cached`)
    output.out(`   took: ${formatDuration(burst.ms)}   token requests: ${burstRequests}   same token for all: ${new Set(burst.value.map((r) => r.accessToken)).size === 1}`)

    const daemonOk =
      first.value.tokenSource === 'identity_provider' &&
      second.value.tokenSource === 'cache' &&
      secondRequests === 0 &&
      burstRequests === 1
    output.out('')
    const users = await signInDemo(idp, `${base}/organizations`, output)
    output.out('')
    const oboOk = users.ok && (await onBehalfOfDemo(idp, authority, users.app, users.accounts, apiCertificate, output))
    output.out('')
    const managedIdentityOk = await managedIdentityDemo(output)
    const ok = daemonOk && users.ok && oboOk && managedIdentityOk
    output.out('')
    output.out(
      ok
        ? 'demo complete: first token from the identity provider, second from the cache, one request for 50 callers; two users signed in (device code, browser) and served from the cache; a web API with a certificate called Graph on their behalf, the second call from the cache; a VM\'s managed identity got its tokens from IMDS, then from the cache.'
        : 'demo FAILED: see above.',
    )
    output.out('')
    output.out('next: a single-page app in a browser (examples/spa): ./dev spa serves it against the fake identity provider; open the URL it prints, sign in by redirect or popup, and call an API with the token (./dev spa --check clicks through it in headless Chromium)')
    return ok ? 0 : 1
  } finally {
    await idp.close()
  }
}

/**
 * The user half: a CLI app signs Alice in with the device code flow (the fake approves on the
 * second poll) and Bob through the browser (the fake plays the browser, posting the response to
 * the app's loopback server), then serves both from the cache without a request.
 */
const signInDemo = async (
  idp: FakeIdentityProvider,
  authority: string,
  output: Output,
): Promise<{ readonly ok: boolean; readonly app: PublicClientApplication; readonly accounts: readonly Account[] }> => {
  const app = new PublicClientApplication({ clientId: PUBLIC_CLIENT_ID, authority, tokenCache: new TokenCache() })
  output.out('msal-ts demo: a CLI app signing users in (public client, no secret)')
  output.out(`  authority          ${authority}`)
  output.out(`  client id          ${PUBLIC_CLIENT_ID}`)
  output.out('')

  const flow = await app.initiateDeviceFlow(GRAPH)
  output.out(`4. initiateDeviceFlow(${JSON.stringify(GRAPH)})`)
  output.out(`   ${flow.message}`)
  output.out(`   code ${flow.userCode}, expires in ${formatCountdown(flow.expiresIn)}, polling every ${flow.interval} s (demo mode: approved on the second poll)`)
  const device = await timed(() => app.acquireTokenByDeviceFlow(flow))
  output.out(`   acquireTokenByDeviceFlow: signed in as ${device.value.account?.username ?? '?'}   took: ${formatDuration(device.ms)}`)

  const browserVisits = idp.browserVisits.length
  const interactive = await timed(() => app.acquireTokenInteractive(GRAPH, { openBrowser: idp.openBrowser }))
  const visit = idp.browserVisits[browserVisits]
  output.out(`5. acquireTokenInteractive(${JSON.stringify(GRAPH)})`)
  output.out(`   the browser (simulated) signed in and came back by ${visit?.method ?? '?'} to ${visit?.redirectUri ?? '?'}`)
  output.out(`   signed in as ${interactive.value.account?.username ?? '?'}   took: ${formatDuration(interactive.ms)}`)

  const accounts = await app.getAccounts()
  const before = idp.requests.length
  const silent = await Promise.all(accounts.map((account) => app.acquireTokenSilent(GRAPH, account)))
  const silentRequests = idp.requests.length - before
  output.out(`6. getAccounts(): ${accounts.map((a) => a.username).join(', ')}`)
  output.out(`   acquireTokenSilent for each: ${silent.map((r) => r?.tokenSource ?? 'nothing').join(', ')}   HTTP requests: ${silentRequests}`)

  const ok =
    device.value.account?.username === ALICE &&
    interactive.value.account?.username === BOB &&
    accounts.length === 2 &&
    silent.every((result) => result?.tokenSource === 'cache') &&
    silentRequests === 0
  return { ok, app, accounts }
}
