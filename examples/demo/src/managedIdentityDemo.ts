import { performance } from 'node:perf_hooks'
import { decodeJwt } from 'jose'
import { ManagedIdentityClient, SystemAssignedManagedIdentity, UserAssignedManagedIdentity } from '@msal-ts/node'
import { ImdsEmulation, managedIdentityFaults } from '@msal-ts/testing'
import { formatDuration, type Output } from './output.js'

const VAULT = 'https://vault.azure.net'
const STORAGE = 'https://storage.azure.com'

/**
 * A service on an Azure VM gets tokens with its managed identity: no secret at all. The VM's
 * instance metadata service (IMDS) is emulated on loopback, found as on AKS with pod identity
 * (AZURE_POD_IDENTITY_AUTHORITY_HOST). The first token comes from IMDS, the second from the
 * cache; 20 concurrent calls for another resource share one request; a user-assigned identity
 * has its own tokens; and a 429 from IMDS is retried after 1 s.
 */
export const managedIdentityDemo = async (output: Output): Promise<boolean> => {
  const imds = new ImdsEmulation()
  await imds.listen()
  try {
    // The VM's environment; a real process would just use process.env (the default).
    const env = imds.env
    const mi = new ManagedIdentityClient(SystemAssignedManagedIdentity(), { env })
    output.out('msal-ts demo: a service on an Azure VM using its managed identity (no secret)')
    output.out(`  source             ${await mi.getManagedIdentitySource()} (IMDS, emulated at ${imds.origin} through AZURE_POD_IDENTITY_AUTHORITY_HOST)`)
    output.out('')

    const start = performance.now()
    const first = await mi.acquireTokenForClient({ resource: VAULT })
    const firstMs = performance.now() - start
    const claims = decodeJwt(first.accessToken)
    output.out(`9. acquireTokenForClient({ resource: '${VAULT}' })`)
    output.out(`   source: ${first.tokenSource}   took: ${formatDuration(firstMs)}   requests to IMDS: ${imds.requests.length}   expires in ${first.expiresIn} s, refreshed after ${(first.refreshOn ?? 0) - (first.expiresOn - first.expiresIn)} s`)
    output.out(`   claims: aud=${String(claims.aud)} oid=${String(claims.oid)} (the VM's system-assigned identity)`)

    const again = performance.now()
    const second = await mi.acquireTokenForClient({ resource: VAULT })
    const secondMs = performance.now() - again
    const afterSecond = imds.requests.length
    output.out(`10. the same call again: source: ${second.tokenSource}   took: ${formatDuration(secondMs)}   requests to IMDS: ${imds.requests.length}`)

    const before = imds.requests.length
    const burst = await Promise.all(Array.from({ length: 20 }, () => mi.acquireTokenForClient({ resource: STORAGE })))
    const burstRequests = imds.requests.length - before
    output.out(`11. 20 concurrent calls for ${STORAGE}: requests to IMDS: ${burstRequests}   same token for all: ${new Set(burst.map((r) => r.accessToken)).size === 1}`)

    const user = imds.userAssigned[0]!
    const userClient = new ManagedIdentityClient(UserAssignedManagedIdentity({ clientId: user.clientId }), { env })
    imds.injectFault(managedIdentityFaults.throttled())
    const retried = performance.now()
    const userToken = await userClient.acquireTokenForClient({ resource: VAULT })
    const retriedMs = performance.now() - retried
    const userClaims = decodeJwt(userToken.accessToken)
    output.out(`12. a user-assigned identity (client id ${user.clientId}): IMDS answered 429 first, retried after 1 s: took ${formatDuration(retriedMs)}`)
    output.out(`    its own token: oid=${String(userClaims.oid)}   source: ${userToken.tokenSource}`)

    return (
      first.tokenSource === 'identity_provider' &&
      second.tokenSource === 'cache' &&
      afterSecond === 1 &&
      burstRequests === 1 &&
      new Set(burst.map((r) => r.accessToken)).size === 1 &&
      userClaims.oid === user.objectId &&
      userToken.tokenSource === 'identity_provider'
    )
  } finally {
    await imds.close()
  }
}
