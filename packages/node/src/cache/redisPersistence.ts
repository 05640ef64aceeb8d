import { cacheError, configurationError, contextOfEntry, defaultPartition, MsalError, type CacheAccessContext, type Partitioner, type CachePersistence, type SerializableTokenCache } from '@msal-ts/core'
import { DENO_INSPECT, MAX_CACHE_TEXT_LENGTH, NODE_INSPECT, conceal, printed, tooLongCacheText } from '@msal-ts/core/protocol'
import { asText, redisFailure, RedisScript, sha1Hex, timedClient, type RedisLikeClient } from './redisClient.js'

export interface RedisPersistenceOptions {
  /**
   * Names the partition (the Redis key, after `keyPrefix`) of an operation. It is also applied
   * to each cache entry, described as the context it was filed in, to decide which entries a
   * partition's write holds. Default: `account:<home account id>` for a user's operations,
   * `app:<client id>:<tenant>` for the app's own tokens.
   */
  readonly partition?: Partitioner | undefined
  /** Default 'msal-ts:'. */
  readonly keyPrefix?: string | undefined
  /** Expire a partition this many seconds after its last write. Default: never. */
  readonly ttlSeconds?: number | undefined
  /** How many times a write that lost a race is merged and retried before giving up. Default 50. */
  readonly maxConflictRetries?: number | undefined
  /**
   * How long each Redis command may take, in milliseconds, before the operation fails with an
   * MsalError (kind CacheError) naming Redis: a stalled server fails calls instead of hanging
   * them. What was not stored stays journaled and is stored by the next operation. Default 5,000.
   */
  readonly commandTimeoutMs?: number | undefined
}

export const DEFAULT_KEY_PREFIX = 'msal-ts:'
const DEFAULT_MAX_CONFLICT_RETRIES = 50
const DEFAULT_COMMAND_TIMEOUT_MS = 5_000
const MAX_BACKOFF_MS = 200

/**
 * Compare-and-set on the content's SHA-1: write ARGV[2] only when the key still holds what we
 * read (SHA-1 ARGV[1]; a missing key reads as ''). Else answer what it holds, so the caller can
 * merge and retry without another GET.
 */
const COMPARE_AND_SET = new RedisScript(`
local current = redis.call('GET', KEYS[1])
if not current then current = '' end
if redis.sha1hex(current) ~= ARGV[1] then return {0, current} end
if ARGV[3] == '' then
  redis.call('SET', KEYS[1], ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
end
return {1}
`)

/** What this cache last loaded from Redis, and the cache's counters just after. */
interface Loaded {
  readonly key: string
  /** SHA-1 of the stored text the in-memory partition derives from. */
  readonly etag: string
  readonly stateVersion: number
  readonly pending: number
}

interface CacheState {
  /** Operations between beforeCacheAccess and afterCacheAccess. */
  inFlight: number
  loaded: Loaded | undefined
}

const mark = (cache: SerializableTokenCache) => ({ stateVersion: cache.stateVersion, pending: cache.pendingChangeCount })

/**
 * Whether the cache changed since `since` only by journaled updates (each adds one to both
 * counters). A load or merge by anyone (a concurrent operation's beforeCacheAccess, a
 * `deserialize`) replaces the state without journaling, so it breaks the equality.
 */
const onlyJournaledSince = (cache: SerializableTokenCache, since: { stateVersion: number; pending: number }): boolean =>
  cache.stateVersion - since.stateVersion === cache.pendingChangeCount - since.pending

const withoutPrefix = (message: string): string => message.replace(/^token cache: /, '')

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A token cache shared through Redis by any number of application instances: MSAL for Node's
 * DistributedCachePlugin, with partitions that hold only their own entries and writes that never
 * lose a concurrent writer's tokens. Give it to a SerializableTokenCache:
 * `new SerializableTokenCache({ persistence: new RedisPersistence(client) })`, where `client` is
 * a connected node-redis client (or an adapter, see RedisLikeClient). Configure the client to
 * fail fast when Redis is away (node-redis: `disableOfflineQueue: true`); otherwise its commands,
 * and so token calls, wait for it to come back.
 *
 * Partitioning. Each operation touches one partition, one Redis key: by default
 * `<prefix>account:<home account id>` for a user's tokens and `<prefix>app:<client id>:<tenant>`
 * for the app's own. `beforeCacheAccess` loads only that partition (`mergeFrom`, which keeps the
 * cache's unpersisted changes), so memory stays bounded however many users share the store; if
 * the key is unchanged since this cache last loaded or wrote it, nothing is parsed. A write holds
 * only the partition's entries: the cache is serialized and filtered by applying the partitioner
 * to each entry (see `serializePartition`), so a token of tenant B that is in memory (two
 * operations at once on one cache, or a change made outside any operation) never lands in
 * tenant A's key, nor an account's in the app's. Such entries are not lost either: when the
 * journal is forgotten they are filed again, for their own partition's next write. (Removals of
 * another partition's entries are not carried over that way: make them in an operation on that
 * partition.)
 *
 * Concurrency. A partition's key holds plain unified-cache JSON, as MSAL for Node's plugin
 * stores it, so any tool can read it. A write is a compare-and-set in one Lua script, on the
 * SHA-1 of the text the cache last loaded: if the key changed since, whoever changed it (another
 * instance, MSAL for Node, a person), the script answers the current text instead of writing;
 * the cache merges it (`mergeFrom` replays this instance's changes on top), `conflicts` goes up,
 * and the write is retried: at once the first time, then after a random, growing pause and a
 * fresh read, up to `maxConflictRetries` times. Text in the key that is not a token cache is
 * never overwritten: the operation fails with an MsalError (kind CacheError). So does any Redis
 * failure, with a message naming Redis, the command and the key.
 */
export class RedisPersistence implements CachePersistence {
  readonly keyPrefix: string
  private readonly partition: Partitioner
  private readonly ttl: string
  private readonly maxConflictRetries: number
  /** The client, every command of it under `commandTimeoutMs`. */
  private readonly client: RedisLikeClient
  readonly commandTimeoutMs: number
  private readonly states = new WeakMap<SerializableTokenCache, CacheState>()
  private conflictCount = 0

  /** @throws MsalError (kind ConfigurationError) for a client without get/eval/evalSha or a bad option. */
  constructor(client: RedisLikeClient, options: RedisPersistenceOptions = {}) {
    const c = client as unknown as Partial<Record<keyof RedisLikeClient, unknown>> | null | undefined
    if (typeof c !== 'object' || c === null || typeof c.get !== 'function' || typeof c.eval !== 'function' || typeof c.evalSha !== 'function') {
      throw configurationError('client', 'expected a Redis client with get, eval and evalSha (a node-redis client, or an adapter)')
    }
    const { partition, keyPrefix = DEFAULT_KEY_PREFIX, ttlSeconds, maxConflictRetries = DEFAULT_MAX_CONFLICT_RETRIES, commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS } = options
    if (partition !== undefined && typeof partition !== 'function') throw configurationError('partition', 'expected a function of the access context')
    if (typeof keyPrefix !== 'string') throw configurationError('keyPrefix', 'expected a string')
    if (ttlSeconds !== undefined && !(Number.isInteger(ttlSeconds) && ttlSeconds > 0)) {
      throw configurationError('ttlSeconds', 'expected a positive whole number of seconds')
    }
    if (!(Number.isInteger(maxConflictRetries) && maxConflictRetries >= 0)) {
      throw configurationError('maxConflictRetries', 'expected a whole number, 0 or more')
    }
    if (!(typeof commandTimeoutMs === 'number' && commandTimeoutMs > 0 && commandTimeoutMs <= 600_000)) {
      throw configurationError('commandTimeoutMs', 'expected a number of milliseconds above 0 and at most 600,000')
    }
    this.client = timedClient(client, commandTimeoutMs)
    this.commandTimeoutMs = commandTimeoutMs
    // The client may print its connection options, a password among them.
    conceal(this, ['client'])
    this.partition = partition ?? defaultPartition
    this.keyPrefix = keyPrefix
    this.ttl = ttlSeconds === undefined ? '' : String(ttlSeconds)
    this.maxConflictRetries = maxConflictRetries
  }

  /** What the persistence prints as (JSON.stringify, console.log): its key prefix and timeout, never the client. */
  toJSON(): { readonly keyPrefix: string; readonly commandTimeoutMs: number } {
    return { keyPrefix: this.keyPrefix, commandTimeoutMs: this.commandTimeoutMs }
  }

  [NODE_INSPECT](_depth: number, options: unknown, inspect: unknown): string {
    return printed('RedisPersistence', this.toJSON(), options, inspect)
  }

  [DENO_INSPECT](inspect: unknown, options: unknown): string {
    return printed('RedisPersistence', this.toJSON(), options, inspect)
  }

  /** How many writes found the partition changed by another writer, and merged and retried. */
  get conflicts(): number {
    return this.conflictCount
  }

  /** The Redis key of an operation's partition. */
  keyFor(context: CacheAccessContext): string {
    const name = this.partition(context)
    if (typeof name !== 'string' || name === '') {
      throw configurationError('partition', `must return a non-empty string; it returned ${JSON.stringify(name)}`)
    }
    return this.keyPrefix + name
  }

  async beforeCacheAccess(cache: SerializableTokenCache, context: CacheAccessContext): Promise<void> {
    const state = this.stateOf(cache)
    state.inFlight++
    try {
      const key = this.keyFor(context)
      const text = await this.get(key)
      // Unchanged since this cache loaded or wrote it, and the cache changed since only by its
      // own journaled updates: it already holds exactly what a merge would give, so a cache hit
      // costs one GET and a hash, not a parse.
      const loaded = state.loaded
      if (loaded !== undefined && loaded.key === key && loaded.etag === sha1Hex(text ?? '') && onlyJournaledSince(cache, loaded)) return
      this.load(cache, state, key, text)
    } catch (error) {
      // The application does not call afterCacheAccess when this fails.
      state.inFlight = Math.max(0, state.inFlight - 1)
      throw error
    }
  }

  async afterCacheAccess(cache: SerializableTokenCache, context: CacheAccessContext): Promise<void> {
    const state = this.stateOf(cache)
    try {
      if (cache.pendingChangeCount > 0) await this.write(cache, state, this.keyFor(context), context)
    } finally {
      state.inFlight = Math.max(0, state.inFlight - 1)
    }
  }

  private async write(cache: SerializableTokenCache, state: CacheState, key: string, context: CacheAccessContext): Promise<void> {
    // The write is based on what the cache last loaded, if that was this partition and the
    // cache has changed since only by this instance's own updates; else load it afresh.
    const loaded = state.loaded
    let etag: string
    if (loaded !== undefined && loaded.key === key && onlyJournaledSince(cache, loaded)) etag = loaded.etag
    else etag = this.load(cache, state, key, await this.get(key))

    const belongs = (entry: unknown): boolean => this.keyFor(contextOfEntry(entry, context)) === key
    for (let attempt = 0; ; attempt++) {
      const before = mark(cache)
      const text = cache.serialize(belongs)
      // Never store what a load would refuse: the key keeps its last loadable state.
      if (text.length > MAX_CACHE_TEXT_LENGTH) throw cacheError(`Redis key "${key}" was not written: ${tooLongCacheText(text.length)}`)
      const written = sha1Hex(text)
      const current = written === etag ? undefined : await this.compareAndSet(key, etag, text)
      if (current === undefined) {
        const untouched = onlyJournaledSince(cache, before)
        // Forget the journal only when nothing else is in flight on this cache (another
        // operation's changes are in it too, not yet stored) and nothing changed meanwhile.
        // Entries of other partitions in memory came from the journal: file them again.
        if (state.inFlight <= 1 && cache.stateVersion === before.stateVersion) {
          const elsewhere = cache.entriesOutside(belongs)
          cache.markPersisted()
          if (elsewhere.length > 0) {
            // Out and back in: two changes of state, so both are journaled (a put of an entry
            // already there changes nothing). Replayed on the other partition, they file ours.
            const deletes = elsewhere.map(({ type, key: entryKey }) => ({ type, key: entryKey }))
            cache.apply({ puts: [], deletes })
            cache.apply({ puts: elsewhere, deletes: [] })
          }
        }
        state.loaded = untouched ? { key, etag: written, ...mark(cache) } : undefined
        return
      }
      this.conflictCount++
      if (attempt >= this.maxConflictRetries) {
        throw cacheError(`Redis key "${key}" kept changing under concurrent writers: gave up after ${attempt + 1} conflicting writes; try again`)
      }
      if (attempt === 0) {
        // The script answered what the key holds: merge it and try again at once.
        etag = this.load(cache, state, key, current)
      } else {
        // Contended: wait a random, growing while (so writers spread out), then read afresh.
        await delay(Math.random() * Math.min(MAX_BACKOFF_MS, 5 * 2 ** attempt))
        etag = this.load(cache, state, key, await this.get(key))
      }
    }
  }

  /** Merges stored text into the cache (keeping its pending changes); returns its etag. */
  private load(cache: SerializableTokenCache, state: CacheState, key: string, text: string | null): string {
    try {
      cache.mergeFrom(text)
    } catch (error) {
      state.loaded = undefined
      const problem = error instanceof MsalError ? withoutPrefix(error.message) : String(error)
      throw cacheError(`the data in Redis at "${key}" is not a token cache (${problem}); it was left as it is`)
    }
    const etag = sha1Hex(text ?? '')
    state.loaded = { key, etag, ...mark(cache) }
    return etag
  }

  private async get(key: string): Promise<string | null> {
    try {
      return asText(await this.client.get(key))
    } catch (error) {
      throw redisFailure('GET', key, error)
    }
  }

  /** undefined when written; else the key's current text (the write lost a race). */
  private async compareAndSet(key: string, expectedEtag: string, text: string): Promise<string | undefined> {
    const reply = await COMPARE_AND_SET.run(this.client, { keys: [key], arguments: [expectedEtag, text, this.ttl] })
    const [status, current] = Array.isArray(reply) ? (reply as unknown[]) : []
    if (Number(status) === 1) return undefined
    if (Number(status) === 0) return asText(current) ?? ''
    throw redisFailure('EVALSHA', key, `unexpected reply from the compare-and-set script: ${JSON.stringify(reply)}`)
  }

  private stateOf(cache: SerializableTokenCache): CacheState {
    let state = this.states.get(cache)
    if (state === undefined) {
      state = { inFlight: 0, loaded: undefined }
      this.states.set(cache, state)
    }
    return state
  }
}
