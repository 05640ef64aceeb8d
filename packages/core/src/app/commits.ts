import type { StateChange } from './stateChange.js'

/** The commit every cache hit makes: one shared value, so a hit allocates none. */
export const CACHE_HIT: StateChange = { _tag: 'CacheHit' }
