/**
 * The scripted browser tab (browser flows tested without a browser): its storage, address,
 * navigations, popups and iframes answered from its state and script, requests sent with the
 * page's Origin, and locks that queue as Web Locks do.
 */
import type { Effect, HttpOutcome } from '@msal-ts/core'
import { scriptedBrowser } from '@msal-ts/testing'

const inner = (effect: Effect): unknown => (effect._tag === 'Http' ? ({ _tag: 'HttpResponse', status: 200, headers: {}, body: JSON.stringify(effect.request.headers) } satisfies HttpOutcome) : `inner ${effect._tag}`)

describe('scriptedBrowser', () => {
  it('keeps storage and the address; a navigation never answers, and load() is the next page in the same tab', async () => {
    const tab = scriptedBrowser({ inner: inner as never, url: 'http://localhost:3000/start' })
    expect(tab.interpret({ _tag: 'StorageGet', area: 'session', key: 'k' })).toBeNull()
    tab.interpret({ _tag: 'StorageSet', area: 'session', key: 'k', value: 'v' })
    tab.interpret({ _tag: 'ReplaceUrl', url: '/clean?x=1' })
    expect(tab.interpret({ _tag: 'CurrentUrl' })).toBe('http://localhost:3000/clean?x=1')
    const next = tab.nextNavigation()
    const unloaded = tab.interpret({ _tag: 'Navigate', url: 'https://idp.example/authorize' })
    expect(await next).toBe('https://idp.example/authorize')
    expect(await Promise.race([unloaded, Promise.resolve('never answered')])).toBe('never answered')
    tab.load('http://localhost:3000/#code=c&state=s')
    expect(tab.url).toBe('http://localhost:3000/#code=c&state=s')
    expect(tab.sessionStorage.get('k')).toBe('v')
    expect(tab.interpret({ _tag: 'Now' })).toBe('inner Now')
  })

  it("sends cross-origin requests with the page's Origin, as a browser does", async () => {
    const tab = scriptedBrowser({ inner: inner as never, url: 'http://localhost:3000/' })
    const answer = (await tab.interpret({ _tag: 'Http', request: { method: 'GET', url: 'https://login.example/x', headers: { accept: 'a' } } })) as HttpOutcome
    expect(answer._tag === 'HttpResponse' && JSON.parse(answer.body)).toEqual({ accept: 'a', origin: 'http://localhost:3000' })
  })

  it('popups: blocked, or answered by the script with the URL they were sent to; iframes likewise', async () => {
    expect(scriptedBrowser({ inner: inner as never, url: 'http://localhost/', popupsBlocked: true }).interpret({ _tag: 'OpenPopup' })).toBeUndefined()
    const seen: string[] = []
    const tab = scriptedBrowser({
      inner: inner as never,
      url: 'http://localhost/',
      respond: (url, shownIn) => {
        seen.push(`${shownIn} ${url}`)
        return { _tag: 'AuthResponse', params: { state: 's', code: 'c' } }
      },
    })
    const popup = tab.interpret({ _tag: 'OpenPopup' }) as string
    tab.interpret({ _tag: 'NavigatePopup', popup, url: 'https://idp.example/a' })
    expect(await tab.interpret({ _tag: 'AwaitAuthResponse', state: 's', popup, timeoutMs: 1 })).toEqual({ _tag: 'AuthResponse', params: { state: 's', code: 'c' } })
    tab.interpret({ _tag: 'ClosePopup', popup })
    await tab.interpret({ _tag: 'LoadIframe', url: 'https://idp.example/b', state: 's', timeoutMs: 1 })
    expect(seen).toEqual(['popup https://idp.example/a', 'iframe https://idp.example/b'])
    expect(tab.popups).toEqual([{ url: 'https://idp.example/a', closed: true }])
    expect(tab.iframes).toEqual(['https://idp.example/b'])
  })

  it('a lock is held by one program at a time; the next waits for its release', async () => {
    const tab = scriptedBrowser({ inner: inner as never, url: 'http://localhost/' })
    const first = tab.interpret({ _tag: 'AcquireLock', name: 'refresh' }) as string
    let second: string | undefined
    const waiting = Promise.resolve(tab.interpret({ _tag: 'AcquireLock', name: 'refresh' })).then((id) => (second = id as string))
    await Promise.resolve()
    expect(second).toBeUndefined()
    expect(tab.locksHeld).toEqual(['refresh'])
    tab.interpret({ _tag: 'ReleaseLock', lock: first })
    await waiting
    expect(second).not.toBe(first)
    expect(tab.locksHeld).toEqual(['refresh'])
  })
})
