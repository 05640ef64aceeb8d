import { HttpCache, type HttpResponse } from '@msal-ts/core'
import { parseHttpDate, parseRetryAfter } from '@msal-ts/core/protocol'

const ok = (body: string): HttpResponse => ({ _tag: 'HttpResponse', status: 200, headers: {}, body })

describe('HttpCache', () => {
  it('answers until an entry expires, then forgets it', () => {
    const cache = new HttpCache()
    cache.set('GET a', ok('1'), 1000)
    expect(cache.get('GET a', 999)?.body).toBe('1')
    expect(cache.get('GET a', 1000)).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('evicts the least recently used entry beyond its capacity', () => {
    const cache = new HttpCache(2)
    cache.set('a', ok('a'), 10)
    cache.set('b', ok('b'), 10)
    cache.get('a', 0) // a is now the most recently used
    cache.set('c', ok('c'), 10)
    expect([cache.get('a', 0)?.body, cache.get('b', 0)?.body, cache.get('c', 0)?.body]).toEqual(['a', undefined, 'c'])
  })

  it('serialises to plain data', () => {
    const cache = new HttpCache()
    cache.set('GET a', ok('1'), 5)
    expect(JSON.parse(JSON.stringify(cache))).toEqual([['GET a', { response: ok('1'), expiresAtMs: 5 }]])
  })
})

describe('Retry-After and HTTP dates', () => {
  it.each([
    ['0', 0],
    ['120', 120_000],
    [' 5 ', 5000],
    ['Sun, 09 Sep 2001 01:46:50 GMT', 10_000],
    ['Sun, 09 Sep 2001 01:46:00 GMT', 0], // in the past: no wait
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    [undefined, undefined],
  ])('%j → %j ms', (value, expected) => {
    expect(parseRetryAfter(value, 1_000_000_000_000)).toBe(expected)
  })

  it.each([
    'Thu, 01 Jan 1970 00:00:00 GMT',
    'Tue, 29 Feb 2000 12:34:56 GMT',
    'Fri, 31 Dec 1999 23:59:59 GMT',
    'Sun, 06 Nov 1994 08:49:37 GMT',
    'Wed, 01 Mar 2100 00:00:00 GMT',
  ])('parses %s exactly as Date.parse does', (text) => {
    expect(parseHttpDate(text)).toBe(Date.parse(text))
  })

  it.each(['06 Nov 1994 08:49:37 GMT', 'Sun, 06 Foo 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 25:49:37 GMT', 'Sun, 06 Nov 1994 08:49:37 PST'])(
    'refuses %s',
    (text) => {
      expect(parseHttpDate(text)).toBeUndefined()
    },
  )
})
