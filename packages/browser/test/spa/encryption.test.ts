/**
 * Encryption at rest in real Chromium (issue 11, item 9): with `cacheEncryption:
 * sessionCacheEncryption`, every cache entry in Web Storage is AES-GCM ciphertext under a key
 * that lasts for the browser session (a non-extractable key in IndexedDB, named by a session
 * cookie). A reload in the same session reads them back (and a cache hit stays a memory read);
 * another tab of the session reads them, its storage events too; a new browser session (session
 * cookies gone, storage kept, as after a restart) cannot, and drops them without an error; a
 * value changed in storage is dropped, not thrown.
 */
import type { Page } from 'playwright-core'
import { ALICE, CLIENT_ID, openApp, signedInApp, spaSuite } from './harness.js'

const suite = spaSuite()
const PREFIX = `msal-ts.${CLIENT_ID}.`
const ENTITIES = ['AccessToken', 'Account', 'AppMetadata', 'IdToken', 'RefreshToken']

/** The app's cache entries in localStorage: storage key → stored value. */
const storedEntries = (page: Page) =>
  page.evaluate(
    ([prefix, kinds]) => Object.fromEntries(Object.entries(localStorage).filter(([key]) => kinds!.some((kind) => key.startsWith(`${prefix}${kind}|`)))),
    [PREFIX, ENTITIES] as const,
  )

const kindsOf = (entries: Record<string, string>): string[] => Object.keys(entries).map((key) => key.slice(PREFIX.length).split('|')[0]!).sort()

/** Reloads the page and waits until the application has read (and decrypted) what is stored. */
const reloaded = async (page: Page): Promise<void> => {
  await page.reload()
  await page.waitForFunction(() => window.spa !== undefined)
  await page.evaluate(() => window.spa.app.initialize())
}

/** Errors the page reports from now on: uncaught ones and console errors. */
const errorsOf = (page: Page): string[] => {
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  return errors
}

const silentToken = (page: Page) =>
  page.evaluate(async () => {
    const before = window.spa.storageReads()
    const outcome = await window.spa.settle(window.spa.app.acquireTokenSilent({ scopes: ['User.Read'], account: window.spa.app.getAllAccounts()[0] }))
    return { outcome, reads: window.spa.storageReads() - before }
  })

describe('cache encryption (cacheEncryption: sessionCacheEncryption)', () => {
  it('stores every entry as ciphertext, one key per entity, under a non-extractable key named by a session cookie', async () => {
    const context = await suite.newContext({ cacheEncryption: 'session', options: { cacheLocation: 'localStorage' } })
    const { page, result } = await signedInApp(context, suite.site)
    const entries = await storedEntries(page)
    expect(kindsOf(entries)).toEqual(ENTITIES)
    for (const value of Object.values(entries)) {
      expect(value).toMatch(/^[A-Za-z0-9_-]+$/)
      expect(() => JSON.parse(value) as unknown).toThrow()
      for (const secret of [result.accessToken, result.idToken!, ALICE, result.account.homeAccountId]) expect(value).not.toContain(secret)
    }
    const refreshToken = Object.entries(entries).find(([key]) => key.startsWith(`${PREFIX}RefreshToken|`))![1]
    expect(refreshToken.length).toBeGreaterThan(40)

    const cookie = (await context.cookies(suite.site.app.origin)).find((c) => c.name === `${PREFIX}key`)
    // A session cookie (no expiry) holding a random id, not the key.
    expect(cookie).toMatchObject({ expires: -1, sameSite: 'Strict', value: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) })
    const key = await page.evaluate(
      (prefix) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const opening = indexedDB.open('msal-ts')
          opening.onerror = () => reject(opening.error)
          opening.onsuccess = () => {
            const read = opening.result.transaction('session-keys').objectStore('session-keys').get(prefix)
            read.onsuccess = () => {
              const record = read.result as { id: string; key: CryptoKey }
              resolve({ id: record.id, extractable: record.key.extractable, algorithm: record.key.algorithm, usages: record.key.usages })
              opening.result.close()
            }
          }
        }),
      PREFIX,
    )
    expect(key).toEqual({ id: cookie!.value, extractable: false, algorithm: { name: 'AES-GCM', length: 256 }, usages: ['encrypt', 'decrypt'] })
  })

  it('a reload in the same session reads the entries back: the account is there, and a cache hit reads no storage', async () => {
    const context = await suite.newContext({ cacheEncryption: 'session', options: { cacheLocation: 'localStorage' } })
    const { page, result } = await signedInApp(context, suite.site)
    await reloaded(page)
    expect(await page.evaluate(() => window.spa.app.getAllAccounts().map((account) => account.username))).toEqual([ALICE])
    expect(await silentToken(page)).toEqual({ outcome: { ok: true, value: expect.objectContaining({ accessToken: result.accessToken, tokenSource: 'cache' }) }, reads: 0 })
  })

  it('sessionStorage (the default) is encrypted as well, and read back after a reload', async () => {
    const context = await suite.newContext({ cacheEncryption: 'session' })
    const { page, result } = await signedInApp(context, suite.site)
    const stored = await page.evaluate((prefix) => Object.entries(sessionStorage).filter(([key]) => key.startsWith(`${prefix}AccessToken|`)), PREFIX)
    expect(stored).toHaveLength(1)
    expect(stored[0]![1]).not.toContain(result.accessToken)
    await reloaded(page)
    expect(await silentToken(page)).toEqual({ outcome: { ok: true, value: expect.objectContaining({ accessToken: result.accessToken, tokenSource: 'cache' }) }, reads: 0 })
  })

  it("another tab of the same session decrypts the entries, and the other tab's refresh arrives through storage events", async () => {
    const context = await suite.newContext({ cacheEncryption: 'session', options: { cacheLocation: 'localStorage' } })
    const { page, result } = await signedInApp(context, suite.site)
    const other = await openApp(context, suite.site)
    await other.evaluate(() => window.spa.app.initialize())
    expect(await other.evaluate(() => window.spa.app.getAllAccounts().map((account) => account.username))).toEqual([ALICE])

    const refreshed = await page.evaluate((account) => window.spa.app.acquireTokenSilent({ scopes: ['User.Read'], account, forceRefresh: true }).then((token) => token.accessToken), result.account)
    expect(refreshed).not.toBe(result.accessToken)
    await other.waitForFunction(
      (token) => window.spa.app.acquireTokenSilent({ scopes: ['User.Read'], account: window.spa.app.getAllAccounts()[0] }).then((answer) => answer.accessToken === token),
      refreshed,
    )
    expect(await silentToken(other)).toEqual({ outcome: { ok: true, value: expect.objectContaining({ accessToken: refreshed, tokenSource: 'cache' }) }, reads: 0 })
  })

  it('a new browser session (session cookies gone, storage kept) cannot decrypt them: they are removed, the user is signed out, and nothing throws', async () => {
    const context = await suite.newContext({ cacheEncryption: 'session', options: { cacheLocation: 'localStorage' } })
    const { page } = await signedInApp(context, suite.site)
    const errors = errorsOf(page)
    const oldCookie = (await context.cookies(suite.site.app.origin)).find((c) => c.name === `${PREFIX}key`)!.value
    // What a browser restart does: session cookies are gone (the provider's session too), storage stays.
    await context.clearCookies()
    expect(kindsOf(await storedEntries(page))).toEqual(ENTITIES)

    await reloaded(page)
    expect(await page.evaluate(() => window.spa.startup)).toEqual({ outcomes: [{ ok: true, value: null }], samePromise: true })
    expect(await page.evaluate(() => [window.spa.app.getAllAccounts().length, window.spa.app.getActiveAccount()])).toEqual([0, null])
    expect(await storedEntries(page)).toEqual({})
    expect(await page.evaluate(() => window.spa.app.getAccounts().then((accounts) => accounts.length))).toBe(0)
    const newCookie = (await context.cookies(suite.site.app.origin)).find((c) => c.name === `${PREFIX}key`)!.value
    expect(newCookie).not.toBe(oldCookie)
    expect(errors).toEqual([])
  })

  it('a value changed in storage, or moved to another key, is dropped (removed), not thrown; the rest of the cache still serves', async () => {
    const context = await suite.newContext({ cacheEncryption: 'session', options: { cacheLocation: 'localStorage' } })
    const { page, result } = await signedInApp(context, suite.site)
    const errors = errorsOf(page)
    const entries = await storedEntries(page)
    const accessTokenKey = Object.keys(entries).find((key) => key.startsWith(`${PREFIX}AccessToken|`))!
    const idTokenKey = Object.keys(entries).find((key) => key.startsWith(`${PREFIX}IdToken|`))!
    const value = entries[accessTokenKey]!
    const tampered = `${value.slice(0, 40)}${value[40] === 'A' ? 'B' : 'A'}${value.slice(41)}`
    // The access token's value changed in place; the ID token's key given the refresh token's value (valid ciphertext, wrong key).
    const refreshTokenValue = Object.entries(entries).find(([key]) => key.startsWith(`${PREFIX}RefreshToken|`))![1]
    await page.evaluate(
      ([at, atValue, idt, idtValue]) => {
        localStorage.setItem(at!, atValue!)
        localStorage.setItem(idt!, idtValue!)
      },
      [accessTokenKey, tampered, idTokenKey, refreshTokenValue] as const,
    )

    await reloaded(page)
    expect(kindsOf(await storedEntries(page))).toEqual(['Account', 'AppMetadata', 'RefreshToken'])
    expect(await page.evaluate(() => window.spa.app.getAllAccounts().map((account) => account.username))).toEqual([ALICE])
    // No access token left: the refresh token (intact) gets a new one.
    const { outcome } = await silentToken(page)
    expect(outcome).toEqual({ ok: true, value: expect.objectContaining({ tokenSource: 'identity_provider' }) })
    expect((outcome as { value: { accessToken: string } }).value.accessToken).not.toBe(result.accessToken)
    expect(kindsOf(await storedEntries(page))).toEqual(ENTITIES)
    expect(errors).toEqual([])
  })
})
