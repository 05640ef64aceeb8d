import { performance } from 'node:perf_hooks'
import { decodeJwt } from 'jose'
import { FakeIdentityProvider } from '@msal-ts/testing'
import { ConfidentialClientApplication } from '../app/ConfidentialClientApplication.js'
import { formatDuration, type Output } from './output.js'

const TENANT = 'contoso.onmicrosoft.com'
const CLIENT_ID = '5a1d1f4c-6e1b-4c43-9f0b-3b8f0e2d7c11'
const CLIENT_SECRET = 'demo-secret-not-for-production'

const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const start = performance.now()
  const value = await work()
  return { value, ms: performance.now() - start }
}

/**
 * `msal-ts demo`: the client-credentials scenario against the built-in fake identity provider
 * on loopback. The first token comes from the provider, the second from the cache; then 50
 * concurrent calls share one request. Exits non-zero if any of that does not hold.
 */
export const runDemo = async (output: Output): Promise<number> => {
  const idp = new FakeIdentityProvider().registerApp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, roles: ['Reports.Read.All'] })
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

    const ok =
      first.value.tokenSource === 'identity_provider' &&
      second.value.tokenSource === 'cache' &&
      secondRequests === 0 &&
      burstRequests === 1
    output.out('')
    output.out(ok ? 'demo complete: first token from the identity provider, second from the cache, one request for 50 callers.' : 'demo FAILED: see above.')
    return ok ? 0 : 1
  } finally {
    await idp.close()
  }
}
