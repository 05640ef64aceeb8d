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
  /** The index keys an entity is filed under (none: not indexed here). */
  readonly keysOf: (entity: E) => readonly string[]
}

const EMPTY: ReadonlyMap<string, never> = new Map<string, never>()

export class Collection<E, S extends Stored<E> = Stored<E>> {
  private readonly byKey = new Map<string, S>()
  private readonly byCanonical = new Map<string, string>()
  private readonly indexes: Array<{ readonly spec: IndexSpec<E>; readonly map: Map<string, Map<string, S>> }>

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
    return this.byKey.get(key)
  }

  /** The entry that is this token, whatever key it was stored under. */
  getCanonical(canonical: string): S | undefined {
    const key = this.byCanonical.get(canonical)
    return key === undefined ? undefined : this.byKey.get(key)
  }

  /** Entries filed under `indexKey` by index number `index`. */
  lookup(index: number, indexKey: string): ReadonlyMap<string, S> {
    return this.indexes[index]?.map.get(indexKey) ?? EMPTY
  }

  values(): IterableIterator<S> {
    return this.byKey.values()
  }

  /** Writes an entry, replacing whatever entry was the same token (even under another key). */
  put(key: string, entity: E, canonical: string): void {
    const previous = this.byCanonical.get(canonical)
    if (previous !== undefined && previous !== key) this.delete(previous)
    this.delete(key)
    const stored = this.store(key, entity, canonical)
    this.byKey.set(key, stored)
    this.byCanonical.set(canonical, key)
    for (const { spec, map } of this.indexes) {
      for (const indexKey of spec.keysOf(entity)) {
        let bucket = map.get(indexKey)
        if (bucket === undefined) map.set(indexKey, (bucket = new Map()))
        bucket.set(key, stored)
      }
    }
  }

  delete(key: string): boolean {
    const stored = this.byKey.get(key)
    if (stored === undefined) return false
    this.byKey.delete(key)
    if (this.byCanonical.get(stored.canonical) === key) this.byCanonical.delete(stored.canonical)
    for (const { spec, map } of this.indexes) {
      for (const indexKey of spec.keysOf(stored.entity)) {
        const bucket = map.get(indexKey)
        bucket?.delete(key)
        if (bucket?.size === 0) map.delete(indexKey)
      }
    }
    return true
  }
}
