import { createHash } from 'node:crypto'
import type { MsalError } from '@msal-ts/core';
import { cacheError } from '@msal-ts/core'
import { timerDelay } from '@msal-ts/browser'

/** Keys and arguments of a Lua script call, in node-redis's shape (`EVAL script numkeys ...`). */
export interface RedisScriptOptions {
  /** The keys the script touches (KEYS[1..n] in Lua; numkeys is their count). */
  keys: string[]
  /** The other arguments (ARGV[1..n] in Lua). */
  arguments: string[]
}

/**
 * The few Redis commands RedisPersistence uses. A node-redis v4, v5 or v6 client
 * (`createClient()`, connected) is one as it is: pass it directly.
 *
 * Every write goes through a Lua script (a compare-and-set), so no `set` is needed.
 *
 * ioredis names the commands differently; adapt it in three lines:
 *
 * ```ts
 * const redis = new Redis()
 * const client: RedisLikeClient = {
 *   get: (key) => redis.get(key),
 *   eval: (script, { keys, arguments: args }) => redis.eval(script, keys.length, ...keys, ...args),
 *   evalSha: (sha1, { keys, arguments: args }) => redis.evalsha(sha1, keys.length, ...keys, ...args),
 * }
 * ```
 */
export interface RedisLikeClient {
  /** The string at `key`, or null when there is none. */
  get(key: string): Promise<string | null>
  /** Runs a script the server has cached by its SHA-1; rejects with a NOSCRIPT error when it has not. */
  evalSha(sha1: string, options: RedisScriptOptions): Promise<unknown>
  /** Runs (and caches) a script. */
  eval(script: string, options: RedisScriptOptions): Promise<unknown>
}

export const sha1Hex = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex')

/** A Redis command that did not answer in time: the server is stalled (stopped, overloaded) or unreachable. */
export class RedisTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms (commandTimeoutMs): is Redis stalled or unreachable?`)
  }
}

/** Settles as `pending`, or rejects with a RedisTimeout after `timeoutMs`; a late answer is dropped. */
const withinTime = <T>(pending: Promise<T>, timeoutMs: number): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTimeout(timeoutMs)), timerDelay(timeoutMs))
  })
  pending.catch(() => undefined) // a command that fails after its timeout is nobody's to report
  return Promise.race([pending, late]).finally(() => clearTimeout(timer))
}

/**
 * The client with a timeout on every command: a stalled Redis (stopped, a network partition, a
 * client that queues commands while disconnected) fails a call with a clear error instead of
 * hanging it. A command that times out may still run later; the persistence's compare-and-set
 * and its journal make that harmless (nothing is lost, nothing is written twice).
 */
export const timedClient = (client: RedisLikeClient, timeoutMs: number): RedisLikeClient => ({
  get: (key) => withinTime(Promise.resolve().then(() => client.get(key)), timeoutMs),
  evalSha: (sha1, options) => withinTime(Promise.resolve().then(() => client.evalSha(sha1, options)), timeoutMs),
  eval: (script, options) => withinTime(Promise.resolve().then(() => client.eval(script, options)), timeoutMs),
})

const describe = (error: unknown): string => (error instanceof Error ? error.message || error.name : String(error))

/** A failed Redis call as an MsalError (kind CacheError) that names Redis, the command and the key. */
export const redisFailure = (command: string, key: string, problem: unknown): MsalError =>
  cacheError(`Redis ${command} of "${key}" failed: ${describe(problem)}`)

/** A client may hand back Buffers (node-redis with returnBuffers, ioredis' *Buffer calls). */
export const asText = (value: unknown): string | null => {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return value
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8')
  return String(value)
}

/** A Lua script run by EVALSHA, falling back to EVAL (which caches it) when the server lacks it. */
export class RedisScript {
  readonly sha1: string

  constructor(readonly source: string) {
    this.sha1 = sha1Hex(source)
  }

  async run(client: RedisLikeClient, options: RedisScriptOptions): Promise<unknown> {
    const key = options.keys[0] ?? ''
    try {
      return await client.evalSha(this.sha1, options)
    } catch (error) {
      if (!describe(error).includes('NOSCRIPT')) throw redisFailure('EVALSHA', key, error)
    }
    try {
      return await client.eval(this.source, options)
    } catch (error) {
      throw redisFailure('EVAL', key, error)
    }
  }
}
