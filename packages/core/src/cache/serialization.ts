import * as E from '../util/either.js'
import type * as t from '../util/decoder.js'
import { cacheError, type CacheError } from '../errors.js'
import { parseJson } from '../util/decode.js'
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
 *
 * The fields many entries repeat (account, environment, client, realm, target...) are shared:
 * one string per distinct value instead of one per entry, a third of a large cache's memory.
 */
export const readCache = (text: string, file: EntrySink): E.Either<CacheError, CacheRemainder> => {
  if (text.trim() === '') return E.right({ unusable: emptyUnusable(), extras: {} })
  const json = parseJson(text)
  if (E.isLeft(json)) return E.left(cacheError(`not valid JSON (${json.left}); was the file truncated?`))
  if (!isObject(json.right)) return E.left(cacheError('expected a JSON object with AccessToken, RefreshToken, IdToken, Account and AppMetadata sections'))
  const unusable = emptyUnusable()
  const extras: Record<string, unknown> = {}
  const shared = new Map<string, string>()
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
      else file(type, key, share(entity as Record<string, unknown>, shared) as EntityOf[CredentialType])
    }
  }
  return E.right({ unusable, extras })
}

/** Fields whose values repeat across entries (one account's, one app's, one scope's). */
const REPEATED_FIELDS = ['credential_type', 'home_account_id', 'environment', 'client_id', 'realm', 'target', 'token_type', 'authority_type'] as const

/** The entry with its repeated fields' strings replaced by the first equal one read (the entry is the parser's own object). */
const share = (entity: Record<string, unknown>, shared: Map<string, string>): Record<string, unknown> => {
  for (const field of REPEATED_FIELDS) {
    const value = entity[field]
    if (typeof value !== 'string') continue
    const first = shared.get(value)
    if (first === undefined) shared.set(value, value)
    else entity[field] = first
  }
  return entity
}

/**
 * Reads MSAL's unified cache JSON into a list of entries (see readCache): what we can use and
 * what we only carry along.
 */
export const parseCache = (text: string): E.Either<CacheError, ParsedCache> => {
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
