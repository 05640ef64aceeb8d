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
  /**
   * Built on first lookup, then kept up to date: for indexes only rare operations read, so that
   * loading a large cache does not pay for them.
   */
  readonly lazy?: boolean
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
  /** The bucket the entry is in, for each index (none for a lazy index not built yet). */
  readonly buckets: Array<Bucket<S> | undefined>
}

interface Index<E, S> {
  readonly spec: IndexSpec<E>
  readonly map: Map<string, Bucket<S>>
  built: boolean
}

export class Collection<E, S extends Stored<E> = Stored<E>> {
  private readonly byKey = new Map<string, Slot<S>>()
  /** Only entries stored under a key other than their canonical one (rare: loaded from other writers). */
  private readonly byCanonical = new Map<string, string>()
  private readonly indexes: ReadonlyArray<Index<E, S>>

  constructor(
    indexes: readonly IndexSpec<E>[],
    private readonly store: (key: string, entity: E, canonical: string) => S,
  ) {
    this.indexes = indexes.map((spec) => ({ spec, map: new Map(), built: spec.lazy !== true }))
  }

  get size(): number {
    return this.byKey.size
  }

  get(key: string): S | undefined {
    return this.byKey.get(key)?.stored
  }

  /** The entry that is this token, whatever key it was stored under. */
  getCanonical(canonical: string): S | undefined {
    const key = this.keyOfCanonical(canonical)
    return key === undefined ? undefined : this.byKey.get(key)?.stored
  }

  private keyOfCanonical(canonical: string): string | undefined {
    const direct = this.byKey.get(canonical)
    return direct !== undefined && direct.stored.canonical === canonical ? canonical : this.byCanonical.get(canonical)
  }

  /** Entries filed under `indexKey` by index number `index`. */
  lookup(index: number, indexKey: string): ReadonlyMap<string, S> {
    const found = this.indexes[index]
    if (found === undefined) return EMPTY
    if (!found.built) this.build(index, found)
    return found.map.get(indexKey)?.entries ?? EMPTY
  }

  /** Files every entry in a lazy index, once; from then on puts and deletes keep it current. */
  private build(i: number, index: Index<E, S>): void {
    for (const [key, slot] of this.byKey) slot.buckets[i] = this.file(index, slot.stored.entity, key, slot.stored, undefined)
    index.built = true
  }

  private file(index: Index<E, S>, entity: E, key: string, stored: S, previousBucket: Bucket<S> | undefined): Bucket<S> {
    const indexKey = index.spec.keyOf(entity)
    // A rewrite that stays in the same bucket (the usual case) replaces in place.
    if (previousBucket !== undefined && previousBucket.indexKey !== indexKey) this.unindex(index.map, previousBucket, key)
    let bucket = previousBucket?.indexKey === indexKey ? previousBucket : index.map.get(indexKey)
    if (bucket === undefined) index.map.set(indexKey, (bucket = { indexKey, entries: new Map() }))
    bucket.entries.set(key, stored)
    return bucket
  }

  *values(): IterableIterator<S> {
    for (const slot of this.byKey.values()) yield slot.stored
  }

  /**
   * Writes an entry, replacing whatever entry was the same token (even under another key).
   * Returns false when the entry was already there as it is (nothing changed).
   */
  put(key: string, entity: E, canonical: string, keepExisting?: (existing: E, incoming: E) => boolean): boolean {
    const old = this.byKey.get(key)
    if (old !== undefined && old.stored.canonical === canonical && sameFields(old.stored.entity, entity)) return false
    // Usually the canonical key is the key itself, already looked up above.
    const previous = canonical === key && old !== undefined && old.stored.canonical === canonical ? key : this.keyOfCanonical(canonical)
    if (previous !== undefined && previous !== key) {
      if (keepExisting?.(this.byKey.get(previous)!.stored.entity, entity) === true) return false
      this.delete(previous)
    }
    if (old !== undefined && old.stored.canonical !== canonical && this.byCanonical.get(old.stored.canonical) === key) this.byCanonical.delete(old.stored.canonical)
    // The usual entry is stored under its canonical key: share the one string.
    const stored = this.store(key, entity, canonical === key ? key : canonical)
    const buckets = new Array<Bucket<S> | undefined>(this.indexes.length)
    for (let i = 0; i < this.indexes.length; i++) {
      const index = this.indexes[i]!
      if (index.built) buckets[i] = this.file(index, entity, key, stored, old?.buckets[i])
    }
    this.byKey.set(key, { stored, buckets })
    if (canonical !== key) this.byCanonical.set(canonical, key)
    return true
  }

  delete(key: string): boolean {
    const slot = this.byKey.get(key)
    if (slot === undefined) return false
    this.byKey.delete(key)
    if (this.byCanonical.get(slot.stored.canonical) === key) this.byCanonical.delete(slot.stored.canonical)
    this.indexes.forEach(({ map }, i) => {
      const bucket = slot.buckets[i]
      if (bucket !== undefined) this.unindex(map, bucket, key)
    })
    return true
  }

  private unindex(map: Map<string, Bucket<S>>, bucket: Bucket<S>, key: string): void {
    bucket.entries.delete(key)
    if (bucket.entries.size === 0 && map.get(bucket.indexKey) === bucket) map.delete(bucket.indexKey)
  }
}
