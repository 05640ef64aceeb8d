import { canonicalOfWritten, keyFor } from './keys.js'
import type { CredentialType, EntityOf } from './schema.js'
import { lastOwnerKey } from './tokenStore.js'

/** The fields an entry's key is built from (see keys.ts), of every kind an account repeats. */
interface KeyFields {
  readonly home_account_id?: unknown
  readonly environment?: unknown
  readonly client_id?: unknown
  readonly realm?: unknown
  readonly target?: unknown
}

/**
 * Whether two entries of a kind have the same key fields, field by field (named reads, not a
 * loop over names: each entry filed asks this of four kinds, and keyed reads of varied objects
 * are slow).
 */
const SAME_KEY_FIELDS: { readonly [K in Exclude<CredentialType, 'AccessToken'>]: (a: KeyFields, b: KeyFields) => boolean } = {
  RefreshToken: (a, b) => a.home_account_id === b.home_account_id && a.environment === b.environment && a.client_id === b.client_id && a.target === b.target,
  IdToken: (a, b) => a.home_account_id === b.home_account_id && a.environment === b.environment && a.client_id === b.client_id && a.realm === b.realm,
  Account: (a, b) => a.home_account_id === b.home_account_id && a.environment === b.environment && a.realm === b.realm,
  AppMetadata: (a, b) => a.environment === b.environment && a.client_id === b.client_id,
}

/** A key kept with the entry it was built from. */
export interface Kept {
  /** The entry the key was built from: an entry with the same key fields (SAME_KEY_FIELDS) has the same keys. */
  readonly entry: KeyFields
  /** The key the entry is written under (keyFor). */
  readonly key: string
  /** Which token it is (canonicalKey): the key, app metadata's lower-cased. */
  readonly canonical: string
}

/**
 * The key (and canonical key) each kind of entry was last filed under, with the fields they were
 * built from. Every response for a user files the same refresh token, ID token, account and app
 * metadata keys again; a kept key is neither built again nor hashed again when it is looked up
 * (a Map hashes each new 100–200-character string in full, and filing is a hot path). A memo
 * only: every key it gives is the one keyFor builds. Access tokens' keys differ by target and
 * are not kept. A TokenCache (a server's store, which files responses all day) has one; a
 * browser page's store files a few and builds each key (filing.ts), without this code.
 */
export class KeptKeys {
  private readonly kept: { [K in CredentialType]?: Kept } = {}
  /** ownerKey, kept for the last owner asked. */
  readonly ownerKey = lastOwnerKey()

  /** The key an entry is written under (keyFor) and the token it is (for these kinds, the key; app metadata's lower-cased). */
  keysOf<K extends Exclude<CredentialType, 'AccessToken'>>(type: K, entity: EntityOf[K]): Kept {
    const entry = entity as KeyFields
    const kept = this.kept[type]
    if (kept !== undefined && SAME_KEY_FIELDS[type](kept.entry, entry)) return kept
    const key = keyFor(type, entity)
    // The entry itself is kept (entries are replaced, never changed): no copy of its values.
    const made: Kept = { entry, key, canonical: canonicalOfWritten(type, key) }
    this.kept[type] = made
    return made
  }
}
