import { decodeJwt } from 'jose'
import { ConfidentialClientApplication, type Account, type PublicClientApplication } from '@msal-ts/node'
import type { FakeIdentityProvider } from '@msal-ts/testing'
import type { Output } from './output.js'

/** The web API's client id: the fake issues tokens for `api://{clientId}/...` with that audience. */
export const API_CLIENT_ID = 'reports-api'
const API_SCOPE = [`api://${API_CLIENT_ID}/Reports.Read`]
const GRAPH = ['https://graph.microsoft.com/User.Read']

/**
 * The middle tier: a web API, authenticated with a certificate, is called with each user's token
 * and trades it for a Graph token on their behalf. The same incoming token is then a cache hit;
 * the other user's is a request of its own.
 */
export const onBehalfOfDemo = async (
  idp: FakeIdentityProvider,
  authority: string,
  cli: PublicClientApplication,
  accounts: readonly Account[],
  credential: { readonly privateKeyPem: string; readonly certificatePem: string },
  output: Output,
): Promise<boolean> => {
  const api = new ConfidentialClientApplication({
    clientId: API_CLIENT_ID,
    authority,
    clientCredential: { privateKey: credential.privateKeyPem, publicCertificate: credential.certificatePem },
  })
  output.out('msal-ts demo: a web API calling Graph on its callers\' behalf (on-behalf-of, certificate credential)')
  output.out(`  authority          ${authority}`)
  output.out(`  client id          ${API_CLIENT_ID}`)
  output.out('')

  // What each user's app sends the API: a token for it, from the CLI app's cache (its refresh token).
  const incoming = await Promise.all(accounts.map(async (account) => (await cli.acquireTokenSilent(API_SCOPE, account))?.accessToken ?? ''))
  const before = idp.onBehalfOfRequests.length
  const first = await api.acquireTokenOnBehalfOf(incoming[0]!, GRAPH)
  const assertion = idp.clientAuthentications.at(-1)
  output.out(`7. acquireTokenOnBehalfOf(<${accounts[0]?.username}'s token for ${API_SCOPE[0]}>, ${JSON.stringify(GRAPH)})`)
  output.out(`   source: ${first.tokenSource}   Graph token for ${String(decodeJwt(first.accessToken)['preferred_username'])}`)
  output.out(`   the API authenticated with ${assertion?.method ?? '?'}: ${JSON.stringify(assertion?.header ?? {}).replace(/"x5c":\["[^"]{12}[^\]]*\]/, '"x5c":[…]')}`)
  const again = await api.acquireTokenOnBehalfOf(incoming[0]!, GRAPH)
  const other = await api.acquireTokenOnBehalfOf(incoming[1]!, GRAPH)
  const requests = idp.onBehalfOfRequests.length - before
  output.out(`8. the same incoming token again: ${again.tokenSource}; ${accounts[1]?.username}'s token: ${other.tokenSource} (Graph token for ${String(decodeJwt(other.accessToken)['preferred_username'])})`)
  output.out(`   on-behalf-of requests: ${requests}`)
  return (
    first.tokenSource === 'identity_provider' &&
    again.tokenSource === 'cache' &&
    again.accessToken === first.accessToken &&
    other.tokenSource === 'identity_provider' &&
    decodeJwt(other.accessToken)['preferred_username'] === accounts[1]?.username &&
    assertion?.method === 'private_key_jwt' &&
    requests === 2
  )
}
