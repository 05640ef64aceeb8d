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

export interface IndexSpec<E> {
  /** The index key an entity is filed under. */
  readonly keyOf: (entity: E) => string
}

/** Shallow equality of two entries (their values are strings, numbers, null or small JSON). */
const sameFields = (a: unknown, b: unknown): boolean => {
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  const keys = Object.keys(x)
  if (keys.length !== Object.keys(y).length) return false
  for (const k of keys) if (x[k] !== y[k] && JSON.stringify(x[k]) !== JSON.stringify(y[k])) return false
  return true
}

const EMPTY: ReadonlyMap<string, never> = new Map<string, never>()

/** One index key's entries. Entries point at their buckets, so no entry keeps a copy of the key. */
interface Bucket<S> {
  readonly indexKey: string
  readonly entries: Map<string, S>
}

interface Slot<S> {
  readonly stored: S
  /** The bucket the entry is in, for each index. */
  readonly buckets: readonly Bucket<S>[]
}

export class Collection<E, S extends Stored<E> = Stored<E>> {
  private readonly byKey = new Map<string, Slot<S>>()
  private readonly byCanonical = new Map<string, string>()
  private readonly indexes: ReadonlyArray<{ readonly spec: IndexSpec<E>; readonly map: Map<string, Bucket<S>> }>

  constructor(
    indexes: readonly IndexSpec<E>[],
    private readonly store: (key: string, entity: E, canonical: string) => S,
  ) {
    this.indexes = indexes.map((spec) => ({ spec, map: new Map() }))
  }

  get size(): number {
    return this.byKey.size
  }

  get(key: string): S | undefined {
    return this.byKey.get(key)?.stored
  }

  /** The entry that is this token, whatever key it was stored under. */
  getCanonical(canonical: string): S | undefined {
    const key = this.byCanonical.get(canonical)
    return key === undefined ? undefined : this.byKey.get(key)?.stored
  }

  /** Entries filed under `indexKey` by index number `index`. */
  lookup(index: number, indexKey: string): ReadonlyMap<string, S> {
    return this.indexes[index]?.map.get(indexKey)?.entries ?? EMPTY
  }

  *values(): IterableIterator<S> {
    for (const slot of this.byKey.values()) yield slot.stored
  }

  /**
   * Writes an entry, replacing whatever entry was the same token (even under another key).
   * Returns false when the entry was already there as it is (nothing changed).
   */
  put(key: string, entity: E, canonical: string): boolean {
    const current = this.byKey.get(key)
    if (current !== undefined && current.stored.canonical === canonical && sameFields(current.stored.entity, entity)) return false
    const previous = this.byCanonical.get(canonical)
    if (previous !== undefined && previous !== key) this.delete(previous)
    const stored = this.store(key, entity, canonical)
    const old = this.byKey.get(key)
    if (old !== undefined && old.stored.canonical !== canonical) this.byCanonical.delete(old.stored.canonical)
    const buckets = this.indexes.map(({ spec, map }, i) => {
      const indexKey = spec.keyOf(entity)
      const previousBucket = old?.buckets[i]
      // A rewrite that stays in the same bucket (the usual case) replaces in place.
      if (previousBucket !== undefined && previousBucket.indexKey !== indexKey) this.unindex(map, previousBucket, key)
      let bucket = previousBucket?.indexKey === indexKey ? previousBucket : map.get(indexKey)
      if (bucket === undefined) map.set(indexKey, (bucket = { indexKey, entries: new Map() }))
      bucket.entries.set(key, stored)
      return bucket
    })
    this.byKey.set(key, { stored, buckets })
    this.byCanonical.set(canonical, key)
    return true
  }

  delete(key: string): boolean {
    const slot = this.byKey.get(key)
    if (slot === undefined) return false
    this.byKey.delete(key)
    if (this.byCanonical.get(slot.stored.canonical) === key) this.byCanonical.delete(slot.stored.canonical)
    this.indexes.forEach(({ map }, i) => this.unindex(map, slot.buckets[i]!, key))
    return true
  }

  private unindex(map: Map<string, Bucket<S>>, bucket: Bucket<S>, key: string): void {
    bucket.entries.delete(key)
    if (bucket.entries.size === 0 && map.get(bucket.indexKey) === bucket) map.delete(bucket.indexKey)
  }
}
