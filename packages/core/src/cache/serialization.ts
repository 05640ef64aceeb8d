import * as E from '../util/either.js'
import type * as t from '../util/decoder.js'
import { cacheError, type CacheError } from '../errors.js'
import { isJsonObject as isObject, parseJson } from '../util/decode.js'
import type { CachePut } from './change.js'
import { canonicalKey } from './keys.js'
import { CREDENTIAL_TYPES, ENTITY_CODECS, isAccessTokenEntity, type CredentialType, type EntityOf } from './schema.js'

/** What a serialized cache holds, sorted into what we can use and what we only carry along. */
export interface ParsedCache {
  /** Entries that fit the schema, under the keys they were stored with. */
  readonly entries: readonly CachePut[]
  /** Entries that do not fit (another SDK's oddity, a damaged entry): kept verbatim, never used. */
  readonly unusable: { readonly [K in CredentialType]: Readonly<Record<string, unknown>> }
  /** Top-level keys this library does not know, kept for the round trip. */
  readonly extras: Readonly<Record<string, unknown>>
}

/**
 * An object for keys read from a file: no prototype, so a key named `__proto__`, `constructor`
 * or `toString` is an entry like any other (it neither changes the object's prototype nor reads
 * as present before it is set).
 */
export const keyedByText = <T = unknown>(): Record<string, T> => Object.create(null) as Record<string, T>

export const emptyUnusable = (): { [K in CredentialType]: Record<string, unknown> } => ({
  AccessToken: keyedByText(),
  RefreshToken: keyedByText(),
  IdToken: keyedByText(),
  Account: keyedByText(),
  AppMetadata: keyedByText(),
})

/**
 * How deep a cache document may nest, counting the document itself: a cache is 3 levels
 * (document, section, entry) and other writers' extra fields add a few. Deeper text is refused
 * at load: JSON.stringify recurses, and a document nested thousands deep would make every
 * later serialize() fail.
 */
export const MAX_CACHE_DEPTH = 32

/**
 * The longest cache text loaded, in characters: 256 Mi, several times a cache of 100,000 real
 * tokens, and half the longest string V8 makes. The persistences refuse to store a cache that
 * has grown past it (the file or key keeps its last loadable state), so they never write what
 * they could not load again.
 */
export const MAX_CACHE_TEXT_LENGTH = 256 * 1024 * 1024

/** Whether `value` nests deeper than `limit` levels below it (objects and arrays count); iterative, so any depth is safe. */
const nestsDeeperThan = (value: unknown, limit: number): boolean => {
  if (typeof value !== 'object' || value === null) return false
  const stack: Array<{ readonly value: object; readonly depth: number }> = [{ value, depth: 1 }]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (top.depth > limit) return true
    const children = top.value as Record<string, unknown>
    for (const key in children) {
      const child = children[key]
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: top.depth + 1 })
    }
  }
  return false
}

/** The depth left for an entry's fields: its section and the document are above it. */
const ENTRY_DEPTH_LIMIT = MAX_CACHE_DEPTH - 2

/** Whether an entry (an object of fields, usually all strings) nests too deep; the common flat entry costs one pass over its fields. */
const entryTooDeep = (entry: unknown): boolean => {
  if (typeof entry !== 'object' || entry === null) return false
  const fields = entry as Record<string, unknown>
  for (const key in fields) {
    const field = fields[key]
    if (typeof field === 'object' && field !== null && nestsDeeperThan(field, ENTRY_DEPTH_LIMIT - 1)) return true
  }
  return false
}

/** Why a cache text of `length` characters is refused. */
export const tooLong = (length: number): string => `the cache text is ${length} characters long, more than the ${MAX_CACHE_TEXT_LENGTH} a token cache may take`

const describeType = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`)


const KNOWN = new Set<string>(CREDENTIAL_TYPES)

/** What a serialized cache holds besides its usable entries. */
export interface CacheRemainder {
  /** Entries that do not fit (another SDK's oddity, a damaged entry): kept verbatim, never used. */
  readonly unusable: { readonly [K in CredentialType]: Readonly<Record<string, unknown>> }
  /** Top-level keys this library does not know, kept for the round trip. */
  readonly extras: Readonly<Record<string, unknown>>
}

/** Receives each usable entry of a serialized cache, as it is read. */
export type EntrySink = (type: CredentialType, key: string, entity: EntityOf[CredentialType]) => void

/**
 * Reads MSAL's unified cache JSON, as MSAL Python (any version) or MSAL for Node writes it, and
 * hands each usable entry to `file` as it goes: a large cache's entries go straight into a store,
 * with no list of them in between. Text that is not a JSON object, or a section that is not an
 * object, is a CacheError (some entries may have been handed over by then: file into a store
 * that is thrown away on failure). An empty text is an empty cache (as MSAL Python treats it).
 */
export const readCache = (text: unknown, file: EntrySink): E.Either<CacheError, CacheRemainder> => {
  if (typeof text !== 'string') return E.left(cacheError(`expected the cache as JSON text (a string), got ${describeType(text)}`))
  if (text.length > MAX_CACHE_TEXT_LENGTH) {
    return E.left(cacheError(tooLong(text.length)))
  }
  if (text.trim() === '') return E.right({ unusable: emptyUnusable(), extras: keyedByText() })
  const json = parseJson(text)
  if (E.isLeft(json)) return E.left(cacheError(`not valid JSON (${json.left}); was the file truncated?`))
  if (!isObject(json.right)) return E.left(cacheError('expected a JSON object with AccessToken, RefreshToken, IdToken, Account and AppMetadata sections'))
  const unusable = emptyUnusable()
  const extras = keyedByText()
  const tooDeep = () => cacheError(`nested deeper than ${MAX_CACHE_DEPTH} levels (a token cache has 3); refused`)
  for (const [name, section] of Object.entries(json.right)) {
    if (!KNOWN.has(name)) {
      if (nestsDeeperThan(section, MAX_CACHE_DEPTH - 1)) return E.left(tooDeep())
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
      if (entryTooDeep(value)) return E.left(tooDeep())
      // The type guard is allocation-free; decode only to normalise (e.g. numeric timestamps).
      const entity = is(value) ? value : E.getOrElseW(() => undefined)(codec.decode(value))
      if (entity === undefined) unusable[type][key] = value
      else file(type, key, entity as EntityOf[CredentialType])
    }
  }
  return E.right({ unusable, extras })
}

/**
 * Reads MSAL's unified cache JSON into a list of entries (see readCache): what we can use and
 * what we only carry along.
 */
export const parseCache = (text: unknown): E.Either<CacheError, ParsedCache> => {
  const entries: CachePut[] = []
  const read = readCache(text, (type, key, entity) => entries.push({ type, key, entity, canonical: canonicalKey(type, entity as never) } as CachePut))
  return E.isLeft(read) ? read : E.right({ entries, unusable: read.right.unusable, extras: read.right.extras })
}

/** One stored entry, decoded as `parseCache` decodes it; undefined when it does not fit the schema. */
export const decodeEntry = (type: CredentialType, key: string, value: unknown): CachePut | undefined => {
  const codec = ENTITY_CODECS[type] as t.Decoder<unknown>
  const is = type === 'AccessToken' ? isAccessTokenEntity : codec.is
  const entity = is(value) ? value : E.getOrElseW(() => undefined)(codec.decode(value))
  return entity === undefined ? undefined : ({ type, key, entity, canonical: canonicalKey(type, entity as never) } as CachePut)
}
