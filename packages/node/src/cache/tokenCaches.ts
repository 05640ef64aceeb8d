import { SerializableTokenCache as CoreSerializableTokenCache, TokenCache as CoreTokenCache, type SerializableTokenCacheOptions, type TokenCacheOptions } from '@msal-ts/core'

/** Epoch seconds from the system clock: what `add()` files tokens at when given no `now`. */
const systemClock = (): number => Math.floor(Date.now() / 1000)

/** MSAL Python's TokenCache, on the system clock. */
export class TokenCache extends CoreTokenCache {
  constructor(options: TokenCacheOptions = {}) {
    super({ clock: systemClock, ...options })
  }
}

/** MSAL Python's SerializableTokenCache, on the system clock; give it a `persistence` to keep it in a file or Redis. */
export class SerializableTokenCache extends CoreSerializableTokenCache {
  constructor(options: SerializableTokenCacheOptions = {}) {
    super({ clock: systemClock, ...options })
  }
}
