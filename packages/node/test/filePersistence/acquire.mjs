// A ConfidentialClientApplication in its own process, on a cache file another process filled.
// Its httpClient answers nothing and counts: a token from the cache costs no request.
import { ConfidentialClientApplication, FilePersistence, SerializableTokenCache } from './built.mjs'

const [file, clientId, clientCredential, authority, scope] = process.argv.slice(2)
let requests = 0
const httpClient = async () => {
  requests += 1
  throw new TypeError('fetch failed: this process has no identity provider')
}
const app = new ConfidentialClientApplication({
  clientId,
  clientCredential,
  authority,
  httpClient,
  tokenCache: new SerializableTokenCache({ persistence: new FilePersistence(file) }),
})
const result = await app.acquireTokenForClient([scope])
process.stdout.write(`${JSON.stringify({ tokenSource: result.tokenSource, accessToken: result.accessToken, requests })}\n`)
