/**
 * The whole example in one process, on loopback, with no account and no browser:
 *
 *   the fake identity provider ── signs the user in ──▶ web app ── Bearer (Todo.Read) ──▶ to-do API ── on-behalf-of ──▶ (Graph)
 *
 * `startExample()` starts the three servers; `runExample()` also clicks through them like a
 * browser (see browser.mjs) and answers a transcript. run.mjs is the command line.
 */
import { readFileSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { FakeIdentityProvider } from '@msal-ts/testing'
import { ScriptedBrowser } from './browser.mjs'
import { GRAPH_USER_READ, startTodoApi } from './todoApi.mjs'
import { startWebApp } from './webApp.mjs'

/** The tenant the apps are registered in (any name works with the fake). */
export const TENANT = 'contoso.onmicrosoft.com'
/** The web app's registration: a confidential client with a web redirect URI. */
export const WEB_APP_CLIENT_ID = '3f6a1c2e-8b4d-4e7f-9a1b-2c3d4e5f6a7b'
export const WEB_APP_SECRET = 'web-app-secret-not-for-production'
/**
 * The API's registration. In Entra its client id is a GUID and "Expose an API" gives it the
 * application id URI api://todo-api and the scope Todo.Read; the fake names an API by the
 * client id in its URI, so here the client id is 'todo-api'.
 */
export const TODO_API_CLIENT_ID = 'todo-api'
export const TODO_API_SECRET = 'todo-api-secret-not-for-production'
export const TODO_API_SCOPE = 'api://todo-api/Todo.Read'
/** The user who signs in. */
export const USER = { username: 'alice@contoso.onmicrosoft.com', displayName: 'Alice Smith' }

const CERTIFICATES = new URL('../../packages/testing/test/fixtures/certificates/', import.meta.url)

/**
 * The web app's certificate credential: a test certificate of this repository (never trust it
 * anywhere). In production the key comes from a key vault or a file only the app can read.
 */
const fixtureCertificate = () => {
  let certificatePem, privateKeyPem
  try {
    certificatePem = readFileSync(new URL('leaf.cert.pem', CERTIFICATES), 'utf8')
    privateKeyPem = readFileSync(new URL('leaf.key.pkcs8.pem', CERTIFICATES), 'utf8')
  } catch (error) {
    throw new Error(`--certificate needs the test certificates in ${CERTIFICATES.pathname} (${error.message})`, { cause: error })
  }
  return {
    certificatePem,
    // What ConfidentialClientApplication takes: the private key and the certificate's SHA-256 thumbprint (hex).
    clientCredential: { privateKey: privateKeyPem, thumbprintSha256: new X509Certificate(certificatePem).fingerprint256.replaceAll(':', '') },
  }
}

/**
 * Starts the fake identity provider, the to-do API and the web app on 127.0.0.1.
 * - `credential`: how the web app proves who it is: 'secret' (default) or 'certificate'
 * - `responseMode`: how the sign-in response comes back to /redirect: 'query' (default) or 'form_post'
 * - `webAppPort`: the web app's port (default: any free one)
 * Returns `{ idp, authority, api, webApp, credential, close() }`.
 */
export async function startExample({ credential = 'secret', responseMode = 'query', webAppPort = 0 } = {}) {
  if (credential !== 'secret' && credential !== 'certificate') throw new Error(`credential: expected 'secret' or 'certificate', got ${JSON.stringify(credential)}`)
  const certificate = credential === 'certificate' ? fixtureCertificate() : undefined

  // The identity provider plays Entra. Whoever opens its sign-in page is signed in as
  // `interactiveUser` at once: no password page, no consent page.
  const idp = new FakeIdentityProvider({ interactiveUser: USER.username })
    .registerApp({
      clientId: WEB_APP_CLIENT_ID,
      ...(certificate !== undefined ? { certificates: [certificate.certificatePem] } : { clientSecret: WEB_APP_SECRET }),
      // A loopback redirect URI matches any port, as in Entra.
      redirectUris: ['http://127.0.0.1/redirect'],
    })
    .registerApp({ clientId: TODO_API_CLIENT_ID, clientSecret: TODO_API_SECRET })
    .registerUser(USER)

  const started = []
  const close = async () => {
    for (const server of started.reverse()) await server.close()
  }
  try {
    const idpUrl = await idp.listen()
    started.push(idp)
    const authority = `${idpUrl}/${TENANT}`
    const api = await startTodoApi({ authority, clientId: TODO_API_CLIENT_ID, clientCredential: TODO_API_SECRET })
    started.push(api)
    const webApp = await startWebApp({
      authority,
      clientId: WEB_APP_CLIENT_ID,
      clientCredential: certificate?.clientCredential ?? WEB_APP_SECRET,
      apiUrl: api.url,
      apiScope: TODO_API_SCOPE,
      responseMode,
      port: webAppPort,
    })
    started.push(webApp)
    return { idp, authority, api, webApp, credential, close }
  } catch (error) {
    await close()
    throw error
  }
}

const pathOf = (url) => {
  const { pathname, search } = new URL(url)
  return search === '' ? pathname : `${pathname}?${[...new URLSearchParams(search).keys()].join('&')}`
}

/**
 * Runs the example end to end: starts everything, signs the user in through the web app, calls
 * the API twice through it, signs out, and stops everything. Answers what happened:
 * `{ ok, failures, lines, signedIn, apiCalls, onBehalfOfRequests, webAppAuthentication, signedOut }`.
 * `log` gets each transcript line as it happens.
 */
export async function runExample({ credential = 'secret', responseMode = 'query', log = () => {} } = {}) {
  const lines = []
  const say = (line = '') => {
    lines.push(line)
    log(line)
  }
  const example = await startExample({ credential, responseMode })
  const { idp, authority, api, webApp } = example
  try {
    const browser = new ScriptedBrowser()
    const asJson = { accept: 'application/json' }
    say('msal-ts example: a web app signs a user in and calls a web API, which calls Graph on their behalf')
    say(`  identity provider  ${authority}  (the built-in fake, on loopback)`)
    say(`  web app            ${webApp.url}  client id ${WEB_APP_CLIENT_ID}, ${credential === 'certificate' ? 'certificate' : 'client secret'}`)
    say(`  to-do API          ${api.url}  client id ${TODO_API_CLIENT_ID}, client secret`)
    say('')

    const before = JSON.parse((await browser.open(webApp.url, asJson)).body)
    say(`1. GET /          ${before.signedIn ? `already signed in as ${before.name}` : 'not signed in: the page offers "Sign in"'}`)

    const visited = browser.visits.length
    const landing = await browser.open(`${webApp.url}/login`, asJson)
    const signedIn = JSON.parse(landing.body)
    const hops = browser.visits.slice(visited)
    say(`2. GET /login     initiateAuthCodeFlow(["${TODO_API_SCOPE}"]) and a redirect to the identity provider;`)
    say('   the browser followed:')
    const whose = (url) => (new URL(url).origin === webApp.url ? 'the web app' : 'the identity provider')
    for (const hop of hops) {
      const next = hop.location !== undefined ? ` (redirect to ${whose(new URL(hop.location, hop.url))})` : hop.submitsFormTo !== undefined ? ` (a page that posts the response to ${whose(hop.submitsFormTo)})` : ''
      say(`     ${hop.method} ${pathOf(hop.url)} → ${hop.status}${next}`)
    }
    say(`   /redirect redeemed the code (acquireTokenByAuthCodeFlow): ${signedIn.signedIn ? `signed in as ${signedIn.name} (${signedIn.username})` : 'NOT signed in'}`)

    const apiCalls = []
    for (const attempt of [1, 2]) {
      const page = await browser.open(`${webApp.url}/call-api`, asJson)
      const call = page.status === 200 && page.contentType.includes('json') ? JSON.parse(page.body) : { error: `web app answered ${page.status}` }
      apiCalls.push(call)
      const obo = call.api?.body?.onBehalfOf
      say(`${2 + attempt}. GET /call-api  acquireTokenSilent: ${call.webAppToken?.tokenSource ?? '?'}; the to-do API answered ${call.api?.status ?? page.status}`)
      if (obo !== undefined) {
        const caller = call.api.body.caller
        say(`   API: caller ${caller.name}, aud ${caller.aud}, scp ${caller.scp}`)
        say(`   API: acquireTokenOnBehalfOf(["${GRAPH_USER_READ}"]) → tokenSource ${obo.tokenSource}; token for aud ${obo.claims.aud}, scp ${obo.claims.scp}, user ${obo.claims.preferred_username}`)
      } else {
        say(`   ${JSON.stringify(call.api?.body ?? call)}`)
      }
    }
    const onBehalfOfRequests = idp.onBehalfOfRequests.length
    say(`5. the identity provider saw ${onBehalfOfRequests} on-behalf-of request${onBehalfOfRequests === 1 ? '' : 's'}`)

    await browser.open(`${webApp.url}/logout`)
    const after = JSON.parse((await browser.open(webApp.url, asJson)).body)
    say(`6. GET /logout    ${after.signedIn ? 'still signed in' : 'signed out: the home page offers "Sign in" again'}`)

    const webAppAuthentication = [...new Set(idp.clientAuthentications.filter((a) => a.clientId === WEB_APP_CLIENT_ID).map((a) => a.method))]
    const failures = [
      [before.signedIn === false, 'the user was signed in before signing in'],
      [signedIn.signedIn === true && signedIn.username === USER.username, `the user did not sign in (${landing.status} at ${landing.url})`],
      [apiCalls.length === 2 && apiCalls.every((call) => call.api?.status === 200), 'the API did not answer 200 twice'],
      [apiCalls[0]?.api?.body?.onBehalfOf?.tokenSource === 'identity_provider', 'the first on-behalf-of token did not come from the identity provider'],
      [apiCalls[1]?.api?.body?.onBehalfOf?.tokenSource === 'cache', 'the second on-behalf-of token did not come from the cache'],
      [onBehalfOfRequests === 1, `the identity provider saw ${onBehalfOfRequests} on-behalf-of requests, not 1`],
      [after.signedIn === false, 'the user was still signed in after /logout'],
      [webAppAuthentication.length === 1 && webAppAuthentication[0] === (credential === 'certificate' ? 'private_key_jwt' : 'client_secret_post'), `the web app authenticated with ${webAppAuthentication.join(', ')}`],
    ]
      .filter(([holds]) => !holds)
      .map(([, failure]) => failure)
    say('')
    say(failures.length === 0
      ? `example complete: ${USER.displayName} signed in (web app authenticated with ${webAppAuthentication[0]}), the API answered twice; its on-behalf-of token came from the identity provider, then from the cache.`
      : `example FAILED: ${failures.join('; ')}`)
    return {
      ok: failures.length === 0,
      failures,
      lines,
      signedIn: signedIn.signedIn === true ? { name: signedIn.name, username: signedIn.username } : undefined,
      apiCalls,
      onBehalfOfRequests,
      webAppAuthentication,
      signedOut: after.signedIn === false,
    }
  } finally {
    await example.close()
  }
}
