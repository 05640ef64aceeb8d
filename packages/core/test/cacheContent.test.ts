/**
 * No pathological cache content breaks serialization, and every number the cache writes is one
 * MSAL Python and MSAL for Node parse:
 * - text nested deeper than MAX_CACHE_DEPTH, or longer than MAX_CACHE_TEXT_LENGTH, is refused at
 *   load with a CacheError, the cache left as it was (JSON.stringify recurses: a document nested
 *   10,000 deep, once loaded, made every later serialize() throw a raw RangeError);
 * - keys named like Object.prototype's members round-trip like any unknown key, and
 *   Object.prototype is never touched;
 * - deserialize of a non-string is a CacheError, not a TypeError;
 * - lifetimes out of range are cut, so times are strings of whole epoch seconds.
 */
import { SerializableTokenCache, type TokenCache, type TokenCacheEvent } from '@msal-ts/core'
import { MAX_EPOCH_SECONDS, MAX_LIFETIME_SECONDS } from '@msal-ts/core/protocol'
import { MAX_CACHE_DEPTH, MAX_CACHE_TEXT_LENGTH } from '../src/cache/serialization.js'

const NOW = 1_700_000_000

const appEvent = (response: Record<string, unknown>, scope = 'api://a/.default'): TokenCacheEvent => ({
  clientId: 'app',
  scope: [scope],
  environment: 'login.microsoftonline.com',
  realm: 'contoso',
  response: { access_token: 'at', token_type: 'Bearer', ...response },
})

/** A cache holding one token, and its text. */
const withOneToken = () => {
  const cache = new SerializableTokenCache()
  cache.add(appEvent({ expires_in: 3600 }), NOW)
  return { cache, text: cache.serialize() }
}

/** A value nested `depth` levels deep (the value itself is level 1). */
const nested = (depth: number): unknown => {
  let value: unknown = 'bottom'
  for (let i = 0; i < depth; i++) value = { next: value }
  return value
}

/** The text with `value` added as an unknown field of its first access token, or as an unknown top-level section. */
const withField = (text: string, value: unknown, where: 'entry' | 'section'): string => {
  const json = JSON.parse(text) as Record<string, Record<string, Record<string, unknown>>>
  if (where === 'section') json['XUnknownSection'] = value as Record<string, Record<string, unknown>>
  // Every copy of the token (an app token is written in both libraries' conventions).
  else for (const entry of Object.values(json['AccessToken']!)) entry['x_unknown'] = value
  // JSON.stringify cannot write what it is meant to refuse: splice the text in.
  return JSON.stringify(json)
}

/** `depth` levels of `{"a":` ... `}` as text, without building the object (JSON.stringify of it would overflow). */
const deepText = (depth: number): string => `${'{"a":'.repeat(depth - 1)}1${'}'.repeat(depth - 1)}`

describe('deserialize refuses text nested too deep, and the cache stays as it was', () => {
  it.each([
    ['an unknown field of an entry', 'entry'],
    ['an unknown top-level section', 'section'],
  ] as const)('10,000 levels deep in %s: a CacheError; serialize() still works', (_name, where) => {
    const { cache, text } = withOneToken()
    const hostile = withField(text, '__DEEP__', where).replace('"__DEEP__"', deepText(10_000))
    expect(() => cache.deserialize(hostile)).toThrow(expect.objectContaining({ kind: 'CacheError', message: expect.stringContaining(`nested deeper than ${MAX_CACHE_DEPTH} levels`) }))
    expect(() => cache.mergeFrom(hostile)).toThrow(expect.objectContaining({ kind: 'CacheError' }))
    expect(cache.serialize()).toBe(text)
    expect(cache.find('AccessToken', { now: NOW })).toHaveLength(1)
  })

  it('takes any document up to MAX_CACHE_DEPTH levels, and refuses one level more', () => {
    const { text } = withOneToken()
    // Document (1), section (2), entry (3): a field may nest MAX_CACHE_DEPTH - 3 levels.
    const deepest = withField(text, nested(MAX_CACHE_DEPTH - 3), 'entry')
    const cache = new SerializableTokenCache()
    cache.deserialize(deepest)
    expect(JSON.parse(cache.serialize())).toEqual(JSON.parse(deepest))
    expect(() => cache.deserialize(withField(text, nested(MAX_CACHE_DEPTH - 2), 'entry'))).toThrow(expect.objectContaining({ kind: 'CacheError' }))
    // A top-level section (level 2) may nest MAX_CACHE_DEPTH - 1 levels.
    cache.deserialize(withField(text, nested(MAX_CACHE_DEPTH - 1), 'section'))
    expect(() => cache.deserialize(withField(text, nested(MAX_CACHE_DEPTH), 'section'))).toThrow(expect.objectContaining({ kind: 'CacheError' }))
  })

  it(`refuses text longer than ${MAX_CACHE_TEXT_LENGTH} characters without parsing it`, () => {
    const { cache, text } = withOneToken()
    // A rope of one shared 1 MiB leaf: the length is there, the memory is not.
    let padding = ' '.repeat(1024 * 1024)
    while (padding.length < MAX_CACHE_TEXT_LENGTH) padding += padding
    const huge = `${text.slice(0, -1)},"pad":"${padding}"}`
    expect(() => cache.deserialize(huge)).toThrow(expect.objectContaining({ kind: 'CacheError', message: expect.stringContaining(`more than the ${MAX_CACHE_TEXT_LENGTH}`) }))
    expect(cache.serialize()).toBe(text)
  })

  it.each([42, { AccessToken: {} }, ['[]'], true, Symbol('s'), () => '{}', new Uint8Array([123, 125])])('deserialize(%p): a CacheError, not a TypeError', (value) => {
    const { cache, text } = withOneToken()
    expect(() => cache.deserialize(value as unknown as string)).toThrow(expect.objectContaining({ kind: 'CacheError', message: expect.stringContaining('expected the cache as JSON text') }))
    expect(() => cache.mergeFrom(value as unknown as string)).toThrow(expect.objectContaining({ kind: 'CacheError' }))
    expect(cache.serialize()).toBe(text)
  })

  it('null and undefined read as an empty cache, as MSAL Python reads them', () => {
    const cache = new SerializableTokenCache()
    cache.deserialize(null)
    cache.deserialize(undefined)
    expect(cache.find('AccessToken', { now: NOW })).toEqual([])
  })
})

describe('keys named like Object.prototype members round-trip like any other', () => {
  const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'prototype']

  it('as top-level sections, entry keys (usable and not) and unknown fields; Object.prototype is untouched', () => {
    const { text } = withOneToken()
    const json = JSON.parse(text) as Record<string, Record<string, Record<string, unknown>>>
    const token = Object.values(json['AccessToken']!)[0]!
    // Built as text: an object literal would treat __proto__ as the prototype.
    const field = (name: string, value: unknown) => `${JSON.stringify(name)}:${JSON.stringify(value)}`
    const entry = (extra: string) => `{${Object.entries(token).map(([k, v]) => field(k, v)).join(',')},${extra}}`
    const sections = NAMES.map((name) => field(name, { polluted: name })).join(',')
    // Distinct tokens (another target each): entries of one token under several keys collapse into one.
    const usable = NAMES.map((name, i) => `${JSON.stringify(name)}:${entry(`${field(name, { polluted: true })},${field('x_target', i)}`).replace(`"target":${JSON.stringify(token['target'])}`, `"target":"api://t${i}/.default"`)}`).join(',')
    const unusable = NAMES.map((name) => field(name, { polluted: 'unusable', credential_type: 'IdToken' })).join(',')
    const hostile = `{"AccessToken":{${usable}},"IdToken":{${unusable}},"RefreshToken":{},"Account":{},"AppMetadata":{},${sections}}`
    const expected = JSON.parse(hostile) as Record<string, Record<string, unknown>>

    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort()
    const cache = new SerializableTokenCache()
    cache.deserialize(hostile)
    const back = JSON.parse(cache.serialize()) as Record<string, Record<string, unknown>>

    for (const name of NAMES) {
      expect(Object.getOwnPropertyDescriptor(back, name)?.value).toEqual({ polluted: name })
      expect(Object.getOwnPropertyDescriptor(back['IdToken'], name)?.value).toEqual(Object.getOwnPropertyDescriptor(expected['IdToken'], name)?.value)
      const kept = Object.getOwnPropertyDescriptor(back['AccessToken'], name)?.value as Record<string, unknown> | undefined
      expect(kept).toBeDefined()
      expect(Object.getOwnPropertyDescriptor(kept, name)?.value).toEqual({ polluted: true })
    }
    expect(cache.unusableEntryCount).toBe(NAMES.length)
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    // And again, from what it wrote: a fixed point.
    const again = new SerializableTokenCache()
    again.deserialize(JSON.stringify(back))
    expect(again.serialize()).toBe(JSON.stringify(back))
  })
})

describe('lifetimes out of range are cut, so every time the cache writes is a whole number of epoch seconds', () => {
  const timesOf = (cache: TokenCache) => {
    const [token] = cache.find('AccessToken', { now: NOW })
    return { cached_at: token!.cached_at, expires_on: token!.expires_on, extended_expires_on: token!.extended_expires_on, refresh_on: token!.refresh_on }
  }

  it.each<[string, Record<string, unknown>, Record<string, string | undefined>]>([
    ['expires_in 1e308', { expires_in: 1e308 }, { expires_on: String(NOW + MAX_LIFETIME_SECONDS), extended_expires_on: String(NOW + MAX_LIFETIME_SECONDS) }],
    ['expires_in of 400 digits, as a string', { expires_in: '9'.repeat(400) }, { expires_on: String(NOW + MAX_LIFETIME_SECONDS) }],
    ['a fraction', { expires_in: 3599.9, ext_expires_in: 7199.5 }, { expires_on: String(NOW + 3599), extended_expires_on: String(NOW + 7199) }],
    ['refresh_in and ext_expires_in past the limit', { expires_in: 3600, ext_expires_in: 1e300, refresh_in: 1e300 }, { extended_expires_on: String(NOW + MAX_LIFETIME_SECONDS), refresh_on: String(NOW + MAX_LIFETIME_SECONDS) }],
    ['expires_on (absolute) past the year 9999', { expires_on: 1e308 }, { expires_on: String(MAX_EPOCH_SECONDS) }],
  ])('%s', (_name, response, expected) => {
    const cache = new SerializableTokenCache()
    cache.add(appEvent(response), NOW)
    const times = timesOf(cache)
    expect(times).toMatchObject({ cached_at: String(NOW), ...expected })
    for (const value of Object.values(times)) if (value !== undefined) expect(value).toMatch(/^\d{1,15}$/)
    // What it writes reads back as the same usable token.
    const back = new SerializableTokenCache()
    back.deserialize(cache.serialize())
    expect(back.unusableEntryCount).toBe(0)
    expect(timesOf(back)).toEqual(times)
  })

  it('a negative lifetime is not a lifetime: add() refuses the response', () => {
    expect(() => new SerializableTokenCache().add(appEvent({ expires_in: -5 }), NOW)).toThrow(
      expect.objectContaining({ kind: 'UsageError', message: 'event.response: expires_in: expected a number of seconds, got -5' }),
    )
  })

  it.each([1e300, -1, Number.NaN, Number.POSITIVE_INFINITY])('add(event, now = %p): a UsageError, nothing filed', (now) => {
    const cache = new SerializableTokenCache()
    expect(() => cache.add(appEvent({ expires_in: 3600 }), now)).toThrow(expect.objectContaining({ kind: 'UsageError', argument: 'now' }))
    expect(cache.find('AccessToken', { now: NOW })).toEqual([])
  })

  it('an entry whose times are not digit strings ("1e+308", 16 digits) is kept as unusable, never used', () => {
    const { text } = withOneToken()
    for (const bad of ['1e+308', '1234567890123456', '12.5', 1e308]) {
      const json = JSON.parse(text) as Record<string, Record<string, Record<string, unknown>>>
      for (const entry of Object.values(json['AccessToken']!)) entry['expires_on'] = bad
      const cache = new SerializableTokenCache()
      cache.deserialize(JSON.stringify(json))
      expect(cache.find('AccessToken', { now: NOW })).toEqual([])
      expect(cache.unusableEntryCount).toBe(2)
    }
  })
})
