/**
 * One section of the cache: entries by their stored key, a map from canonical key (which token
 * an entry is) to stored key, and secondary indexes. Every operation costs O(1) per index, so
 * the cache never scans to find or replace an entry.
 */
export interface Stored<E> {
  readonly key: string
  readonly entity: E
}

/**
 * An entry as a collection keeps it: ONE record per entry, holding the entry, its key and the
 * bucket of the first index it is filed in (a large cache is mostly these records, so no
 * per-entry wrapper, slot or array sits beside it, and each field is 8 bytes a token: the
 * canonical key is the key but for rare entries, kept apart, and the second index's bucket is
 * found from the entry when needed). Replaced, never changed, when the entry is rewritten.
 */
export class StoredEntry<E> implements Stored<E> {
  /** The bucket of index 0 it is filed in (undefined: a lazy index not built yet). */
  bucket0: Bucket<unknown> | undefined = undefined

  constructor(
    readonly key: string,
    readonly entity: E,
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
 * One index key's entries, by their key in the bucket: the stored key, or, for the index a
 * collection looks entries up in by a finer key (an access token's target, see `find`), that
 * key; the rare entry whose finer key another entry already has waits in `more`. Entries point
 * at their buckets, so no entry keeps a copy of the index key.
 *
 * `version` goes up with every change to the entries (and when the bucket leaves its index), so
 * a value derived from a bucket's entries can tell in one read that it is still current; `memo`
 * holds one such value (see hitParts.ts).
 */
export class Bucket<S> extends Map<string, S> {
  more: S[] | undefined = undefined
  version = 0
  memo: unknown = undefined
  /** Set when the bucket left its index (emptied): a reference kept to it (see PreparedBucket) is stale. */
  detached = false
  /**
   * The entry of a bucket that holds exactly one, and its key in the bucket: `find` reads it here,
   * not in the map's table (many buckets hold one token: one FMI path's, one scope's of a tenant).
   */
  single: S | undefined = undefined
  singleKey: string | undefined = undefined

  // The bucket is its own map of entries: a lookup reads one object less (a large cache's buckets are cold).
  constructor(readonly indexKey: string) {
    super()
  }

  /** How many entries it holds: the map's and `more`'s. */
  get count(): number {
    return this.size + (this.more?.length ?? 0)
  }

  /** Every entry: the map's, then `more`'s. */
  *all(): IterableIterator<S> {
    yield* this.values()
    if (this.more !== undefined) yield* this.more
  }
}

interface Index<E, S> {
  readonly spec: IndexSpec<E>
  readonly map: Map<string, Bucket<S>>
  /** The key an entry has in its bucket (see Bucket). */
  readonly entryKey: (stored: S) => string
  built: boolean
  /** Buckets created so far: a value derived from "no bucket for this key" is current while it is unchanged. */
  created: number
  /**
   * The bucket emptied last, left in the map (empty, it reads as no bucket) until another bucket
   * empties: a response that replaces an account's one refresh token deletes the old one before
   * filing the new one, and would otherwise drop and remake the owner's bucket each time.
   */
  emptied: Bucket<S> | undefined
}

/** A bucket's finer key, for `Collection.find`: the index's own notion (an access token's normalised target). */
export type SubKeyOf<S> = (stored: S) => string

const storedKey = (stored: Stored<unknown>): string => stored.key

export class Collection<E, S extends StoredEntry<E> = StoredEntry<E>> {
  private readonly byKey = new Map<string, S>()
  /** Only entries stored under a key other than their canonical one (rare: loaded from other writers), both ways. */
  private readonly byCanonical = new Map<string, string>()
  private readonly canonicalByKey = new Map<string, string>()
  private readonly indexes: ReadonlyArray<Index<E, S>>
  /** How many puts and deletes changed the collection: a value derived from its entries is current while this is unchanged. */
  changes = 0

  constructor(
    indexes: readonly IndexSpec<E>[],
    private readonly store: (key: string, entity: E) => S,
    /** The finer key entries of index 0's buckets are kept and found by (`find`); default their stored key. */
    subKeyOf?: SubKeyOf<S>,
  ) {
    // One link field per record (bucket0), the second index's bucket found from the entry.
    if (indexes.length > 2) throw new Error('a collection has at most two indexes')
    this.indexes = indexes.map((spec, i) => ({
      spec,
      map: new Map(),
      entryKey: i === 0 && subKeyOf !== undefined ? subKeyOf : storedKey,
      built: spec.lazy !== true,
      created: 0,
      emptied: undefined,
    }))
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
    return direct !== undefined && this.canonicalOf(direct) === canonical ? canonical : this.byCanonical.get(canonical)
  }

  /** Which token an entry is (see keys.ts canonicalKey): its key, but for the rare entry stored under another. */
  canonicalOf(stored: S): string {
    return this.canonicalByKey.size === 0 ? stored.key : (this.canonicalByKey.get(stored.key) ?? stored.key)
  }

  /** Entries filed under `indexKey` by index number `index`, by stored key. */
  lookup(index: number, indexKey: string): ReadonlyMap<string, S> {
    const bucket = this.bucket(index, indexKey)
    if (bucket === undefined) return EMPTY
    if (this.indexes[index]!.entryKey === storedKey) return bucket
    // Kept by finer key: the stored keys are gathered (only rare operations ask).
    const byStoredKey = new Map<string, S>()
    for (const stored of bucket.all()) byStoredKey.set(stored.key, stored)
    return byStoredKey
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

  /** The entry of a bucket of index 0 whose finer key (see the constructor) is `subKey`: one map look-up. */
  find(bucket: Bucket<S>, subKey: string): S | undefined {
    const single = bucket.single
    if (single !== undefined) return bucket.singleKey === subKey ? single : undefined
    return bucket.get(subKey)
  }

  /** Notes the bucket's one entry, when it holds one (see Bucket.single). */
  private noteSingle(index: Index<E, S>, bucket: Bucket<S>): void {
    let single: S | undefined
    if (bucket.size === 1 && bucket.more === undefined) for (const only of bucket.values()) single = only
    bucket.single = single
    bucket.singleKey = single === undefined ? undefined : index.entryKey(single)
  }

  /** Files every entry in a lazy index, once; from then on puts and deletes keep it current. */
  private build(i: number, index: Index<E, S>): void {
    for (const stored of this.byKey.values()) this.setLink(stored, i, this.file(index, stored, undefined))
    index.built = true
  }

  private setLink(stored: S, i: number, bucket: Bucket<S>): void {
    if (i === 0) stored.bucket0 = bucket as Bucket<unknown>
  }

  /** The bucket of index `i` an entry is filed in: kept on the record for index 0, found from the entry for index 1. */
  private linkOf(stored: S, i: number): Bucket<S> | undefined {
    if (i === 0) return stored.bucket0 as Bucket<S> | undefined
    const index = this.indexes[i]!
    return index.built ? index.map.get(index.spec.keyOf(stored.entity)) : undefined
  }

  /** Files `stored` in an index, in place of `previous` (the entry it replaces under the same key, if any). */
  private file(index: Index<E, S>, stored: S, previous: S | undefined, previousBucket?: Bucket<S>): Bucket<S> {
    const indexKey = index.spec.keyOf(stored.entity)
    const entryKey = index.entryKey(stored)
    let bucket: Bucket<S> | undefined
    if (previousBucket !== undefined && previousBucket.indexKey === indexKey) {
      bucket = previousBucket
      if (bucket.more === undefined && bucket.get(entryKey) === previous) {
        // An entry rewritten in its place (a token refreshed, an ID token renewed) takes its slot:
        // deleting it and adding it again would make a small Map shrink and grow each time.
        bucket.set(entryKey, stored)
        bucket.version++
        this.noteSingle(index, bucket)
        return bucket
      }
      this.unindex(index, bucket, previous!, true)
    } else {
      // Out of its old bucket first: that may let the last emptied bucket go (see Index.emptied), so the new one is looked up after.
      if (previousBucket !== undefined) this.unindex(index, previousBucket, previous!, false)
      bucket = index.map.get(indexKey)
    }
    if (bucket === undefined) {
      index.map.set(indexKey, (bucket = new Bucket<S>(indexKey)))
      index.created++
    }
    if (!bucket.has(entryKey)) bucket.set(entryKey, stored)
    else (bucket.more ??= []).push(stored)
    bucket.version++
    this.noteSingle(index, bucket)
    return bucket
  }

  *values(): IterableIterator<S> {
    yield* this.byKey.values()
  }

  /**
   * Writes an entry, replacing whatever entry was the same token (even under another key).
   * Returns false when the entry was already there as it is (nothing changed). `known` 'new':
   * the caller knows no entry has this key (a section loaded from text).
   */
  put(key: string, entity: E, canonical: string, keepExisting?: (existing: E, incoming: E) => boolean, known?: 'new'): boolean {
    // A load into a new collection knows each key is new (a JSON section has no key twice): no look-up.
    const old = known === 'new' ? undefined : this.byKey.get(key)
    const oldCanonical = old === undefined ? undefined : this.canonicalOf(old)
    if (old !== undefined && oldCanonical === canonical && sameFields(old.entity, entity)) return false
    // Usually the canonical key is the key itself, already looked up above (and no entry is
    // stored under another key: no second look-up of a long string).
    const previous =
      canonical !== key
        ? this.keyOfCanonical(canonical)
        : oldCanonical === canonical
          ? key
          : this.byCanonical.size === 0
            ? undefined
            : this.byCanonical.get(canonical)
    if (previous !== undefined && previous !== key) {
      if (keepExisting?.(this.byKey.get(previous)!.entity, entity) === true) return false
      this.delete(previous)
    }
    if (oldCanonical !== undefined && oldCanonical !== canonical && this.byCanonical.get(oldCanonical) === key) this.byCanonical.delete(oldCanonical)
    const stored = this.store(key, entity)
    for (let i = 0; i < this.indexes.length; i++) {
      const index = this.indexes[i]!
      if (index.built) this.setLink(stored, i, this.file(index, stored, old, old === undefined ? undefined : this.linkOf(old, i)))
    }
    this.byKey.set(key, stored)
    if (canonical !== key) {
      this.byCanonical.set(canonical, key)
      this.canonicalByKey.set(key, canonical)
    } else if (oldCanonical !== undefined && oldCanonical !== key) {
      this.canonicalByKey.delete(key)
    }
    this.changes++
    return true
  }

  delete(key: string): boolean {
    const stored = this.byKey.get(key)
    if (stored === undefined) return false
    const canonical = this.canonicalOf(stored)
    for (let i = 0; i < this.indexes.length; i++) {
      const bucket = this.linkOf(stored, i)
      if (bucket !== undefined) this.unindex(this.indexes[i]!, bucket, stored, false)
    }
    this.byKey.delete(key)
    if (this.byCanonical.get(canonical) === key) this.byCanonical.delete(canonical)
    this.canonicalByKey.delete(key)
    this.changes++
    return true
  }

  /** Takes `stored` out of its bucket; an emptied bucket leaves the index unless it is about to be refilled. */
  private unindex(index: Index<E, S>, bucket: Bucket<S>, stored: S, refilling: boolean): void {
    const entryKey = index.entryKey(stored)
    const entries: Map<string, S> = bucket
    const more = bucket.more
    bucket.version++
    if (entries.get(entryKey) === stored) {
      entries.delete(entryKey)
      // An entry with the same finer key waiting in `more` takes its place.
      const next = more === undefined ? -1 : more.findIndex((other) => index.entryKey(other) === entryKey)
      if (next >= 0) entries.set(entryKey, more!.splice(next, 1)[0]!)
    } else if (more !== undefined) {
      const at = more.indexOf(stored)
      if (at >= 0) more.splice(at, 1)
    }
    if (more !== undefined && more.length === 0) bucket.more = undefined
    this.noteSingle(index, bucket)
    if (entries.size === 0 && !refilling && index.map.get(bucket.indexKey) === bucket) {
      // It stays (see Index.emptied); the bucket emptied before it leaves now, unless refilled since.
      const before = index.emptied
      index.emptied = bucket
      if (before !== undefined && before !== bucket && before.size === 0 && index.map.get(before.indexKey) === before) {
        index.map.delete(before.indexKey)
        before.detached = true
      }
    }
  }
}
