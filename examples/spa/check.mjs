/**
 * The example, driven in headless Chromium from start to end, as a person would click through
 * it: redirect sign-in, an API call, a silent refresh, redirect sign-out, popup sign-in (another
 * user), an API call, popup sign-out. Each step waits for what the page shows and checks it.
 * Nothing leaves loopback: the browser sends every other request to a proxy that refuses it.
 *
 * runSpaCheck() answers a transcript; run.mjs --check prints it (./dev spa --check).
 */
import { createServer } from 'node:http'
import { startSpaExample, USERS } from './example.mjs'

/** Debian's chromium (./dev test installs it; apt-get install chromium). */
export const CHROMIUM = '/usr/bin/chromium'
/** Bounds every wait on the browser: a hang fails the check instead of holding it. */
const STEP_TIMEOUT_MS = 15_000

const [ALICE, BOB] = USERS

/**
 * A proxy that refuses everything and writes down what was asked: Chromium sends every request
 * for a host other than loopback through it (loopback bypasses it).
 */
const startRefusingProxy = async () => {
  const refused = []
  const server = createServer((req, res) => {
    refused.push(req.url ?? '')
    res.writeHead(403).end()
  })
  server.on('connect', (req, socket) => {
    refused.push(req.url ?? '')
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    proxy: { server: `http://127.0.0.1:${server.address().port}`, bypass: '127.0.0.1,localhost' },
    refused,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** Headless Chromium as a user's (popup blocker on), behind the refusing proxy. */
const launchChromium = async () => {
  const { chromium } = await import('playwright-core')
  const refusing = await startRefusingProxy()
  try {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 4 * STEP_TIMEOUT_MS,
      proxy: refusing.proxy,
      ignoreDefaultArgs: ['--disable-popup-blocking'],
    })
    const context = await browser.newContext({ proxy: refusing.proxy })
    return {
      context,
      refused: refusing.refused,
      close: async () => {
        await browser.close()
        await refusing.close()
      },
    }
  } catch (error) {
    await refusing.close()
    throw error
  }
}

/** Waits until a popup has closed (it may have closed already: a sign-out popup is quick). */
const closed = (popup) => (popup.isClosed() ? Promise.resolve() : popup.waitForEvent('close'))

/** The API's answer as the page shows it (the status line, then the JSON body), or nulls when it shows none. */
const apiAnswer = (text) => {
  const newline = text.indexOf('\n')
  if (newline < 0) return { status: null, body: null }
  return { status: Number(text.slice(0, newline)), body: JSON.parse(text.slice(newline + 1)) }
}

/**
 * Runs the example in headless Chromium and checks each step. Answers
 * `{ ok, failure, lines, steps, tokenRequests, idpPreflights, endSessions, apiRequests, pageLoads, pageErrors, refused, sizes }`:
 * `steps` what the page showed after each step ({ step, status, lastAction, api? }), `failure`
 * the first step that did not hold (then the rest did not run), or the errors the pages reported
 * (`pageErrors`: console errors and exceptions, a Content-Security-Policy refusal among them).
 * - `context`: a Playwright BrowserContext to run in (its requests kept on loopback by the
 *   caller); by default Chromium is launched here, behind a proxy that refuses everything else
 * - `plugins`: esbuild plugins for the page bundles
 * - `log`: gets each transcript line as it happens
 */
export async function runSpaCheck({ context, plugins = [], log = () => {} } = {}) {
  const lines = []
  const say = (line = '') => {
    lines.push(line)
    log(line)
  }
  const steps = []
  const pageErrors = []
  const example = await startSpaExample({ plugins })
  const { idp, api, site, bundle } = example
  let launched
  let failure
  try {
    launched = context === undefined ? await launchChromium() : undefined
    const browser = context ?? launched.context
    browser.setDefaultTimeout(STEP_TIMEOUT_MS)
    // Whatever the app's pages (in the tab and in popups) report as an error: a refused script
    // or request (the Content-Security-Policy), an exception. (The identity provider's pages are
    // not the app's: their favicon is a 404.)
    const watch = (page) => {
      const report = (text) => {
        const url = new URL(page.url())
        if (url.origin === site.origin) pageErrors.push(`${url.pathname}: ${text}`)
      }
      page.on('console', (message) => message.type() === 'error' && report(message.text()))
      page.on('pageerror', (error) => report(error.message))
    }
    browser.on('page', watch)
    say('msal-ts example: a single-page app in headless Chromium (redirect and popup sign-in, an API call, sign-out)')
    say(`  app                ${site.origin}  (app.js ${bundle.sizes.app.gzip} B gzip, redirect.js ${bundle.sizes.redirect.gzip} B gzip)`)
    say(`  identity provider  ${example.authority}  (the built-in fake)`)
    say(`  API                ${api.url}/me`)
    say('')

    const page = await browser.newPage()
    const text = async (selector) => ((await page.locator(selector).textContent()) ?? '').trim()
    /** Waits for the page to settle in `state` (body[data-state]); answers what it shows. */
    const settled = async (state) => {
      await page.locator(`body[data-state="${state}"]`).waitFor()
      return { status: await text('#status'), lastAction: await text('#last-action') }
    }
    /** A step: what it does, then checks that must hold. */
    const step = async (name, action, checks) => {
      const shown = await action()
      steps.push({ step: name, ...shown })
      const broken = checks(shown).filter(([holds]) => !holds).map(([, why]) => why)
      if (broken.length > 0) throw new Error(`${name}: ${broken.join('; ')}`)
      return shown
    }
    const signIn = async (on, user) => {
      await on.waitForURL(/\/oauth2\/v2\.0\/authorize\?/)
      await on.getByLabel('Username').fill(user.username)
      await on.getByLabel('Password').fill(user.password)
      await on.getByRole('button', { name: 'Sign in' }).click()
    }
    const callApi = async () => {
      await page.locator('#call-api').click()
      const shown = await settled('signed-in')
      return { ...shown, api: apiAnswer(await text('#api')), tokenSource: await text('#token dd:first-of-type') }
    }

    await step('1. open the app', async () => {
      await page.goto(`${site.origin}/`)
      return settled('signed-out')
    }, (shown) => [[shown.status === 'Not signed in', `the page says "${shown.status}"`]])
    say(`1. Open the app            ${steps.at(-1).status}`)

    await step('2. sign in by redirect', async () => {
      await page.locator('#login-redirect').click()
      await signIn(page, ALICE)
      await page.waitForURL((url) => url.origin === site.origin && url.pathname === '/')
      return settled('signed-in')
    }, (shown) => [
      [shown.status === `Signed in as ${ALICE.displayName} (${ALICE.username})`, `the page says "${shown.status}"`],
      [shown.lastAction === `loginRedirect: signed in as ${ALICE.username} (token from identity_provider)`, `the last action says "${shown.lastAction}"`],
    ])
    say(`2. Sign in (redirect)      the sign-in page, ${ALICE.username}; back through /redirect.html (the bridge page) to /`)
    say(`                           ${steps.at(-1).status}`)

    await step('3. call the API', callApi, (shown) => [
      [shown.api.status === 200 && shown.api.body.message === `Hello, ${ALICE.displayName}`, `the page shows the API's answer ${JSON.stringify(shown.api)} ("${shown.lastAction}")`],
      [shown.api.body?.token?.scp === 'Profile.Read' && shown.api.body.token?.aud === 'api://spa-example-api', `the token granted ${JSON.stringify(shown.api.body?.token)}`],
      [shown.tokenSource === 'cache', `acquireTokenSilent's token came from ${shown.tokenSource}`],
    ])
    say(`3. Call the API            acquireTokenSilent: ${steps.at(-1).tokenSource}; GET /me → ${steps.at(-1).api.status} "${steps.at(-1).api.body.message}" (scp ${steps.at(-1).api.body.token.scp})`)

    await step('4. refresh the token', async () => {
      await page.locator('#refresh').click()
      return { ...(await settled('signed-in')), tokenSource: await text('#token dd:first-of-type') }
    }, (shown) => [[shown.tokenSource === 'identity_provider' && shown.lastAction.includes('forceRefresh'), `the last action says "${shown.lastAction}" (token from ${shown.tokenSource})`]])
    say(`4. Refresh the token       acquireTokenSilent({ forceRefresh: true }): ${steps.at(-1).tokenSource} (the refresh token)`)

    await step('5. sign out by redirect', async () => {
      await page.locator('#logout-redirect').click()
      await page.waitForURL((url) => url.origin === site.origin && url.searchParams.has('state'))
      return settled('signed-out')
    }, (shown) => [
      [shown.status === 'Not signed in', `the page says "${shown.status}"`],
      [idp.endSessionRequests.at(-1)?.signedOut?.join() === ALICE.username, `the identity provider signed out ${JSON.stringify(idp.endSessionRequests.at(-1)?.signedOut)}`],
    ])
    say(`5. Sign out (redirect)     the end-session endpoint signed ${ALICE.username} out; back at /: ${steps.at(-1).status}`)

    await step('6. sign in with a popup', async () => {
      const [popup] = await Promise.all([browser.waitForEvent('page'), page.locator('#login-popup').click()])
      await signIn(popup, BOB)
      await closed(popup)
      return settled('signed-in')
    }, (shown) => [
      [shown.status === `Signed in as ${BOB.displayName} (${BOB.username})`, `the page says "${shown.status}"`],
      [shown.lastAction === `loginPopup: signed in as ${BOB.username} (token from identity_provider)`, `the last action says "${shown.lastAction}"`],
    ])
    say(`6. Sign in (popup)         the sign-in page in a popup, ${BOB.username}; the popup closed`)
    say(`                           ${steps.at(-1).status}`)

    await step('7. call the API', callApi, (shown) => [
      [shown.api.status === 200 && shown.api.body.message === `Hello, ${BOB.displayName}`, `the page shows the API's answer ${JSON.stringify(shown.api)} ("${shown.lastAction}")`],
      [shown.tokenSource === 'cache', `acquireTokenSilent's token came from ${shown.tokenSource}`],
    ])
    say(`7. Call the API            acquireTokenSilent: ${steps.at(-1).tokenSource}; GET /me → ${steps.at(-1).api.status} "${steps.at(-1).api.body.message}"`)

    await step('8. sign out with a popup', async () => {
      const [popup] = await Promise.all([browser.waitForEvent('page'), page.locator('#logout-popup').click()])
      await closed(popup)
      return settled('signed-out')
    }, (shown) => [
      [shown.status === 'Not signed in' && shown.lastAction === 'logoutPopup: signed out', `the page says "${shown.status}", "${shown.lastAction}"`],
      [idp.endSessionRequests.at(-1)?.signedOut?.join() === BOB.username, `the identity provider signed out ${JSON.stringify(idp.endSessionRequests.at(-1)?.signedOut)}`],
    ])
    say(`8. Sign out (popup)        the end-session endpoint signed ${BOB.username} out; the popup closed: ${steps.at(-1).status}`)
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error)
  } finally {
    await launched?.close()
    await example.close()
  }
  const tokenRequests = idp.tokenRequests.map((request) => ({ grantType: request.form.grant_type, origin: request.origin }))
  const apiRequests = api.requests.map(({ method, status }) => `${method} ${status}`)
  say('')
  say(`the identity provider saw ${tokenRequests.length} token requests (${tokenRequests.map((r) => r.grantType).join(', ')}), all from ${[...new Set(tokenRequests.map((r) => r.origin))].join(', ')}; CORS preflights: ${idp.preflightRequests.length}`)
  say(apiRequests.length === 0 ? 'the API saw no request' : `the API saw ${apiRequests.join(', ')} (a preflight first: the request carries Authorization)`)
  if (pageErrors.length > 0) failure ??= `the pages reported errors: ${pageErrors.join('; ')}`
  say(failure === undefined ? 'example complete: signed in by redirect and by popup, called the API, signed out.' : `example FAILED at ${failure}`)
  return {
    ok: failure === undefined,
    failure,
    lines,
    steps,
    tokenRequests,
    idpPreflights: idp.preflightRequests.length,
    endSessions: idp.endSessionRequests.map((request) => request.signedOut),
    apiRequests,
    pageLoads: site.pageLoads,
    pageErrors,
    refused: launched?.refused ?? [],
    sizes: bundle.sizes,
  }
}
