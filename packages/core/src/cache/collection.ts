/**
 * One section of the cache: entries by their stored key, a map from canonical key (which token
 * an entry is) to stored key, and secondary indexes. Every operation costs O(1) per index, so
 * the cache never scans to find or replace an entry.
 */
export interface Stored<E> {
  readonly key: string
  readonly entity: E
  readonly canonical: string
}

/**
 * An entry as a collection keeps it: ONE record per entry, holding the entry, its keys and the
 * buckets it is filed in (a large cache is mostly these records, so no per-entry wrapper, slot
 * or array sits beside it). Replaced, never changed, when the entry is rewritten: values derived
 * from it (see IndexedAccessToken) stay valid for as long as the record is the stored one.
 */
export class StoredEntry<E> implements Stored<E> {
  /** The bucket of index 0 and of index 1 it is filed in (undefined: a lazy index not built yet). */
  bucket0: Bucket<unknown> | undefined = undefined
  bucket1: Bucket<unknown> | undefined = undefined

  constructor(
    readonly key: string,
    readonly entity: E,
    readonly canonical: string,
  ) {}
}

export interface IndexSpec<E> {
  /** The index key an entity is filed under. */
  readonly keyOf: (entity: E) => string
  /**
   * Built on first lookup, then kept up to date: for indexes only rare operations read, so that
   * loading a large cache does not pay for them.
   */
  readonly lazy?: boolean
}

/** Whether two field values are equal (strings, numbers, null, or small JSON values some writers add). */
const sameValue = (a: unknown, b: unknown): boolean =>
  a === b || (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && JSON.stringify(a) === JSON.stringify(b))

/** Shallow equality of two entries. */
const sameFields = (a: unknown, b: unknown): boolean => {
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  let count = 0
  for (const k in x) {
    if (!sameValue(x[k], y[k])) return false
    count++
  }
  for (const _ in y) count--
  return count === 0
}

const EMPTY: ReadonlyMap<string, never> = new Map<string, never>()

/**
 * One index key's entries. Entries point at their buckets, so no entry keeps a copy of the key.
 * `version` goes up with every change to the entries and when the bucket leaves its index, so a
 * value derived from a bucket's entries (a cache hit's account, see hitParts.ts) can tell, in two
 * reads, that it is still current.
 */
export class Bucket<S> {
  readonly entries = new Map<string, S>()
  version = 0
  /** Entries by a finer key (an access token's target), built on the first `find` in a bucket of several. */
  bySubKey: Map<string, S> | undefined = undefined

  constructor(readonly indexKey: string) {}
}

interface Index<E, S> {
  readonly spec: IndexSpec<E>
  readonly map: Map<string, Bucket<S>>
  built: boolean
  /** Buckets created so far: a value derived from "no bucket for this key" is current while it is unchanged. */
  created: number
}

/** A bucket's "finer key", for `Collection.find`: the index's own notion (an access token's normalised target). */
export type SubKeyOf<S> = (stored: S) => string

export class Collection<E, S extends StoredEntry<E> = StoredEntry<E>> {
  private readonly byKey = new Map<string, S>()
  /** Only entries stored under a key other than their canonical one (rare: loaded from other writers). */
  private readonly byCanonical = new Map<string, string>()
  private readonly indexes: ReadonlyArray<Index<E, S>>

  constructor(
    indexes: readonly IndexSpec<E>[],
    private readonly store: (key: string, entity: E, canonical: string) => S,
    /** The finer key `find` looks entries up by, within a bucket of index 0. */
    private readonly subKeyOf?: SubKeyOf<S>,
  ) {
    // Two link fields per record (bucket0, bucket1): no per-entry array.
    if (indexes.length > 2) throw new Error('a collection has at most two indexes')
    this.indexes = indexes.map((spec) => ({ spec, map: new Map(), built: spec.lazy !== true, created: 0 }))
  }

  get size(): number {
    return this.byKey.size
  }

  get(key: string): S | undefined {
    return this.byKey.get(key)
  }

  /** The entry that is this token, whatever key it was stored under. */
  getCanonical(canonical: string): S | undefined {
    const key = this.keyOfCanonical(canonical)
    return key === undefined ? undefined : this.byKey.get(key)
  }

  private keyOfCanonical(canonical: string): string | undefined {
    const direct = this.byKey.get(canonical)
    return direct !== undefined && direct.canonical === canonical ? canonical : this.byCanonical.get(canonical)
  }

  /** Entries filed under `indexKey` by index number `index`. */
  lookup(index: number, indexKey: string): ReadonlyMap<string, S> {
    return this.bucket(index, indexKey)?.entries ?? EMPTY
  }

  /** The bucket filed under `indexKey` by index number `index`, if any (see Bucket.version). */
  bucket(index: number, indexKey: string): Bucket<S> | undefined {
    const found = this.indexes[index]
    if (found === undefined) return undefined
    if (!found.built) this.build(index, found)
    return found.map.get(indexKey)
  }

  /** How many buckets index `index` has created so far (see Index.created). */
  bucketsCreated(index: number): number {
    return this.indexes[index]?.created ?? 0
  }

  /**
   * The entry of `bucket` (of index 0) whose finer key is `subKey`: the one entry of a bucket of
   * one is compared directly; a bucket of several gets a map by finer key on first use, kept from
   * then on, so a lookup never scans.
   */
  find(bucket: Bucket<S>, subKey: string): S | undefined {
    const subKeyOf = this.subKeyOf
    if (subKeyOf === undefined) return undefined
    const entries = bucket.entries
    if (entries.size === 1) {
      for (const only of entries.values()) return subKeyOf(only) === subKey ? only : undefined
    }
    let bySubKey = bucket.bySubKey
    if (bySubKey === undefined) {
      bySubKey = bucket.bySubKey = new Map()
      for (const stored of entries.values()) {
        const k = subKeyOf(stored)
        if (!bySubKey.has(k)) bySubKey.set(k, stored)
      }
    }
    return bySubKey.get(subKey)
  }

  /** Files every entry in a lazy index, once; from then on puts and deletes keep it current. */
  private build(i: number, index: Index<E, S>): void {
    for (const stored of this.byKey.values()) this.setLink(stored, i, this.file(i, index, stored, undefined))
    index.built = true
  }

  private setLink(stored: S, i: number, bucket: Bucket<S>): void {
    if (i === 0) stored.bucket0 = bucket as Bucket<unknown>
    else stored.bucket1 = bucket as Bucket<unknown>
  }

  private linkOf(stored: S, i: number): Bucket<S> | undefined {
    return (i === 0 ? stored.bucket0 : stored.bucket1) as Bucket<S> | undefined
  }

  /** Files `stored` in index `i`, replacing `previous` (the entry it replaces under the same key, if any). */
  private file(i: number, index: Index<E, S>, stored: S, previous: S | undefined): Bucket<S> {
    const indexKey = index.spec.keyOf(stored.entity)
    const previousBucket = previous === undefined ? undefined : this.linkOf(previous, i)
    // A rewrite that stays in the same bucket (the usual case) replaces in place.
    if (previousBucket !== undefined && previousBucket.indexKey !== indexKey) this.unindex(i, index.map, previousBucket, previous!)
    let bucket = previousBucket?.indexKey === indexKey ? previousBucket : index.map.get(indexKey)
    if (bucket === undefined) {
      index.map.set(indexKey, (bucket = new Bucket<S>(indexKey)))
      index.created++
    }
    bucket.entries.set(stored.key, stored)
    bucket.version++
    if (i === 0 && bucket.bySubKey !== undefined) this.fileBySubKey(bucket.bySubKey, stored, bucket === previousBucket ? previous : undefined)
    return bucket
  }

  private fileBySubKey(bySubKey: Map<string, S>, stored: S, replaced: S | undefined): void {
    const subKeyOf = this.subKeyOf!
    const k = subKeyOf(stored)
    if (replaced !== undefined) {
      const old = subKeyOf(replaced)
      if (old !== k && bySubKey.get(old) === replaced) bySubKey.delete(old)
    }
    const current = bySubKey.get(k)
    if (current === undefined || current === replaced) bySubKey.set(k, stored)
  }

  *values(): IterableIterator<S> {
    yield* this.byKey.values()
  }

  /**
   * Writes an entry, replacing whatever entry was the same token (even under another key).
   * Returns false when the entry was already there as it is (nothing changed).
   */
  put(key: string, entity: E, canonical: string, keepExisting?: (existing: E, incoming: E) => boolean): boolean {
    const old = this.byKey.get(key)
    if (old !== undefined && old.canonical === canonical && sameFields(old.entity, entity)) return false
    // Usually the canonical key is the key itself, already looked up above.
    const previous = canonical === key && old !== undefined && old.canonical === canonical ? key : this.keyOfCanonical(canonical)
    if (previous !== undefined && previous !== key) {
      if (keepExisting?.(this.byKey.get(previous)!.entity, entity) === true) return false
      this.delete(previous)
    }
    if (old !== undefined && old.canonical !== canonical && this.byCanonical.get(old.canonical) === key) this.byCanonical.delete(old.canonical)
    // The usual entry is stored under its canonical key: share the one string.
    const stored = this.store(key, entity, canonical === key ? key : canonical)
    for (let i = 0; i < this.indexes.length; i++) {
      const index = this.indexes[i]!
      if (index.built) this.setLink(stored, i, this.file(i, index, stored, old))
    }
    this.byKey.set(key, stored)
    if (canonical !== key) this.byCanonical.set(canonical, key)
    return true
  }

  delete(key: string): boolean {
    const stored = this.byKey.get(key)
    if (stored === undefined) return false
    this.byKey.delete(key)
    if (this.byCanonical.get(stored.canonical) === key) this.byCanonical.delete(stored.canonical)
    for (let i = 0; i < this.indexes.length; i++) {
      const bucket = this.linkOf(stored, i)
      if (bucket !== undefined) this.unindex(i, this.indexes[i]!.map, bucket, stored)
    }
    return true
  }

  private unindex(i: number, map: Map<string, Bucket<S>>, bucket: Bucket<S>, stored: S): void {
    bucket.entries.delete(stored.key)
    bucket.version++
    if (bucket.entries.size === 0) {
      if (map.get(bucket.indexKey) === bucket) map.delete(bucket.indexKey)
      return
    }
    const bySubKey = bucket.bySubKey
    if (i !== 0 || bySubKey === undefined) return
    const k = this.subKeyOf!(stored)
    if (bySubKey.get(k) !== stored) return
    bySubKey.delete(k)
    // Another entry with the same finer key (rare: two writers' spellings) takes its place.
    for (const other of bucket.entries.values()) {
      if (this.subKeyOf!(other) === k) {
        bySubKey.set(k, other)
        break
      }
    }
  }
}
