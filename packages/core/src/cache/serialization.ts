import * as E from '../util/either.js'
import type * as t from '../util/decoder.js'
import { cacheError, type CacheError } from '../errors.js'
import { parseJson } from '../util/decode.js'
import type { CachePut } from './change.js'
import { canonicalKey } from './keys.js'
import { CREDENTIAL_TYPES, ENTITY_CODECS, isAccessTokenEntity, type CredentialType } from './schema.js'

/** What a serialized cache holds, sorted into what we can use and what we only carry along. */
export interface ParsedCache {
  /** Entries that fit the schema, under the keys they were stored with. */
  readonly entries: readonly CachePut[]
  /** Entries that do not fit (another SDK's oddity, a damaged entry): kept verbatim, never used. */
  readonly unusable: { readonly [K in CredentialType]: Readonly<Record<string, unknown>> }
  /** Top-level keys this library does not know, kept for the round trip. */
  readonly extras: Readonly<Record<string, unknown>>
}

export const emptyUnusable = (): { [K in CredentialType]: Record<string, unknown> } => ({
  AccessToken: {},
  RefreshToken: {},
  IdToken: {},
  Account: {},
  AppMetadata: {},
})

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const KNOWN = new Set<string>(CREDENTIAL_TYPES)

/**
 * Reads MSAL's unified cache JSON, as MSAL Python (any version) or MSAL for Node writes it.
 * Text that is not a JSON object, or a section that is not an object, is a CacheError; an
 * empty text is an empty cache (as MSAL Python treats it).
 */
export const parseCache = (text: string): E.Either<CacheError, ParsedCache> => {
  if (text.trim() === '') return E.right({ entries: [], unusable: emptyUnusable(), extras: {} })
  const json = parseJson(text)
  if (E.isLeft(json)) return E.left(cacheError(`not valid JSON (${json.left}); was the file truncated?`))
  if (!isObject(json.right)) return E.left(cacheError('expected a JSON object with AccessToken, RefreshToken, IdToken, Account and AppMetadata sections'))
  const entries: CachePut[] = []
  const unusable = emptyUnusable()
  const extras: Record<string, unknown> = {}
  for (const [name, section] of Object.entries(json.right)) {
    if (!KNOWN.has(name)) {
      extras[name] = section
      continue
    }
    if (section === null) continue
    if (!isObject(section)) return E.left(cacheError(`the ${name} section must be an object of entries`))
    const type = name as CredentialType
    const codec = ENTITY_CODECS[type] as t.Decoder<unknown>
    const is = type === 'AccessToken' ? isAccessTokenEntity : codec.is
    // for...in, not Object.entries: no [key, value] array per entry in a large cache.
    for (const key in section) {
      const value = section[key]
      // The type guard is allocation-free; decode only to normalise (e.g. numeric timestamps).
      const entity = is(value) ? value : E.getOrElseW(() => undefined)(codec.decode(value))
      if (entity === undefined) unusable[type][key] = value
      else entries.push({ type, key, entity, canonical: canonicalKey(type, entity as never) } as CachePut)
    }
  }
  return E.right({ entries, unusable, extras })
}

/** One stored entry, decoded as `parseCache` decodes it; undefined when it does not fit the schema. */
export const decodeEntry = (type: CredentialType, key: string, value: unknown): CachePut | undefined => {
  const codec = ENTITY_CODECS[type] as t.Decoder<unknown>
  const is = type === 'AccessToken' ? isAccessTokenEntity : codec.is
  const entity = is(value) ? value : E.getOrElseW(() => undefined)(codec.decode(value))
  return entity === undefined ? undefined : ({ type, key, entity, canonical: canonicalKey(type, entity as never) } as CachePut)
}
