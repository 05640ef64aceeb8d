/**
 * A cache collection (collection.ts) against a model, a plain map of key to entry: after any
 * sequence of puts and deletes, each index holds exactly the model's entries, a bucket kept from
 * an earlier lookup is current unless it says it is detached, and an index keeps at most one
 * emptied bucket (an emptied bucket stays until another empties, so that a response replacing an
 * owner's one refresh token does not drop and remake the owner's bucket).
 */
import fc from 'fast-check'
import { Collection, StoredEntry, type Bucket } from '../src/cache/collection.js'

interface Entry {
  readonly owner: string
  readonly group: string
  readonly sub: string
  readonly value: number
}

const OWNERS = ['o1', 'o2', 'o3']
const GROUPS = ['g1', 'g2']
const SUBS = ['s1', 's2']
const KEYS = ['k1', 'K1', 'k2', 'k3', 'k4', 'k5']

/** Keys differing only in case are one entry (as the cache's canonical keys are lower-cased). */
const canonicalOf = (key: string): string => key.toLowerCase()

const operation = fc.oneof(
  fc.record({
    op: fc.constant('put' as const),
    key: fc.constantFrom(...KEYS),
    entry: fc.record({ owner: fc.constantFrom(...OWNERS), group: fc.constantFrom(...GROUPS), sub: fc.constantFrom(...SUBS), value: fc.integer({ min: 0, max: 2 }) }),
  }),
  fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom(...KEYS) }),
)

const newCollection = () =>
  new Collection<Entry>([{ keyOf: (e) => e.owner }, { keyOf: (e) => e.group, lazy: true }], (key, entity) => new StoredEntry(key, entity), (stored) => stored.entity.sub)

/** The index maps, read for the bound on emptied buckets (not part of the collection's API). */
const indexMaps = (collection: Collection<Entry>): Array<Map<string, Bucket<StoredEntry<Entry>>>> =>
  (collection as unknown as { indexes: Array<{ map: Map<string, Bucket<StoredEntry<Entry>>> }> }).indexes.map((index) => index.map)

describe('Collection, against a model', () => {
  it('indexes exactly the model after any sequence of puts and deletes; kept buckets stay current until detached; at most one emptied bucket per index', () => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 60 }), (operations) => {
        const collection = newCollection()
        const model = new Map<string, Entry>()
        const seen = new Set<Bucket<StoredEntry<Entry>>>()
        for (const step of operations) {
          if (step.op === 'put') {
            for (const key of [...model.keys()]) if (key !== step.key && canonicalOf(key) === canonicalOf(step.key)) model.delete(key)
            // An entry equal to the one stored changes nothing: the stored object stays.
            const stored = model.get(step.key)
            if (stored === undefined || JSON.stringify(stored) !== JSON.stringify(step.entry)) model.set(step.key, step.entry)
            collection.put(step.key, step.entry, canonicalOf(step.key))
          } else {
            model.delete(step.key)
            collection.delete(step.key)
          }
          expect(collection.size).toBe(model.size)
          for (const owner of OWNERS) {
            const expected = [...model].filter(([, e]) => e.owner === owner).map(([key]) => key)
            expect([...collection.lookup(0, owner).keys()].sort()).toEqual(expected.sort())
            const bucket = collection.bucket(0, owner)
            if (bucket !== undefined) seen.add(bucket)
            for (const sub of SUBS) {
              const found = bucket === undefined ? undefined : collection.find(bucket, sub)
              const expectedHere = [...model].filter(([, e]) => e.owner === owner && e.sub === sub)
              if (expectedHere.length === 0) expect(found).toBeUndefined()
              else expect(expectedHere.some(([key, e]) => found?.key === key && found.entity === e)).toBe(true)
            }
          }
          for (const group of GROUPS) {
            const expected = [...model].filter(([, e]) => e.group === group).map(([key]) => key)
            expect([...collection.lookup(1, group).keys()].sort()).toEqual(expected.sort())
          }
          // A bucket a lookup handed out is the index's bucket for its key for as long as it is not detached.
          for (const bucket of seen) if (!bucket.detached) expect(collection.bucket(0, bucket.indexKey)).toBe(bucket)
          for (const map of indexMaps(collection)) expect([...map.values()].filter((bucket) => bucket.count === 0).length).toBeLessThanOrEqual(1)
        }
      }),
      { numRuns: 400 },
    )
  })

  it('refills an emptied bucket in place, and lets it go when another bucket empties', () => {
    const collection = newCollection()
    collection.put('a', { owner: 'o1', group: 'g1', sub: 's1', value: 0 }, 'a')
    collection.put('b', { owner: 'o2', group: 'g1', sub: 's1', value: 0 }, 'b')
    const o1 = collection.bucket(0, 'o1')!
    // A response replacing o1's one entry: the delete empties the bucket, the put refills it.
    collection.delete('a')
    collection.put('a2', { owner: 'o1', group: 'g1', sub: 's2', value: 0 }, 'a2')
    expect(collection.bucket(0, 'o1')).toBe(o1)
    expect(o1.detached).toBe(false)
    collection.delete('a2')
    expect(collection.lookup(0, 'o1').size).toBe(0)
    // Another bucket empties: the first one leaves the index, and says so.
    collection.delete('b')
    expect(o1.detached).toBe(true)
    expect(collection.bucket(0, 'o1')).toBeUndefined()
  })
})
