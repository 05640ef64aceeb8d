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

interface Slot<S> {
  readonly stored: S
  /** The entry's key in each index, computed once when it is written. */
  readonly indexKeys: readonly string[]
}

export class Collection<E, S extends Stored<E> = Stored<E>> {
  private readonly byKey = new Map<string, Slot<S>>()
  private readonly byCanonical = new Map<string, string>()
  private readonly indexes: ReadonlyArray<{ readonly spec: IndexSpec<E>; readonly map: Map<string, Map<string, S>> }>

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
    return this.indexes[index]?.map.get(indexKey) ?? EMPTY
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
    const indexKeys = this.indexes.map(({ spec }) => spec.keyOf(entity))
    const old = this.byKey.get(key)
    if (old !== undefined && old.stored.canonical !== canonical) this.byCanonical.delete(old.stored.canonical)
    this.byKey.set(key, { stored, indexKeys })
    this.byCanonical.set(canonical, key)
    this.indexes.forEach(({ map }, i) => {
      const indexKey = indexKeys[i]!
      // A rewrite that stays in the same bucket (the usual case) replaces in place.
      if (old !== undefined && old.indexKeys[i] !== indexKey) this.unindex(map, old.indexKeys[i]!, key)
      let bucket = map.get(indexKey)
      if (bucket === undefined) map.set(indexKey, (bucket = new Map()))
      bucket.set(key, stored)
    })
    return true
  }

  delete(key: string): boolean {
    const slot = this.byKey.get(key)
    if (slot === undefined) return false
    this.byKey.delete(key)
    if (this.byCanonical.get(slot.stored.canonical) === key) this.byCanonical.delete(slot.stored.canonical)
    this.indexes.forEach(({ map }, i) => this.unindex(map, slot.indexKeys[i]!, key))
    return true
  }

  private unindex(map: Map<string, Map<string, S>>, indexKey: string, key: string): void {
    const bucket = map.get(indexKey)
    bucket?.delete(key)
    if (bucket?.size === 0) map.delete(indexKey)
  }
}
