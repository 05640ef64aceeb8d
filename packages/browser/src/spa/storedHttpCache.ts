import { HttpCache, type HttpResponse } from '@msal-ts/core/spa'
import type { KeyValueStorage } from './storageCache.js'

/**
 * A browser app's http cache (discovery answers and throttling decisions, each with its
 * lifetime), kept in Web Storage under one key as well as in memory: the page load that
 * completes a redirect does not ask for discovery again. A stored copy that cannot be read is
 * dropped (it is asked for again).
 */
export class StoredHttpCache extends HttpCache {
  private loaded = false

  constructor(
    private readonly storage: KeyValueStorage | undefined,
    /** The storage key ("msal-ts.<client id>.http"). */
    private readonly key: string,
  ) {
    super()
    try {
      const text = storage?.getItem(key)
      if (text != null) this.deserialize(text)
    } catch {
      storage?.removeItem(key)
    }
    this.loaded = true
  }

  override set(key: string, response: HttpResponse, expiresAtMs: number): void {
    super.set(key, response, expiresAtMs)
    this.save()
  }

  override delete(key: string): void {
    super.delete(key)
    this.save()
  }

  private save(): void {
    if (!this.loaded) return
    try {
      this.storage?.setItem(this.key, this.serialize())
    } catch {
      // A full storage keeps the answers in this page.
    }
  }
}
