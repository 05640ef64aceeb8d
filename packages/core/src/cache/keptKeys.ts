import { canonicalOfWritten, keyFor } from './keys.js'
import type { CredentialType, EntityOf } from './schema.js'
import { lastOwnerKey } from './tokenStore.js'

/** The fields each kind of entry's key is built from (see keys.ts), for the kinds an account repeats. */
const KEY_FIELDS: { readonly [K in Exclude<CredentialType, 'AccessToken'>]: readonly string[] } = {
  RefreshToken: ['home_account_id', 'environment', 'client_id', 'target'],
  IdToken: ['home_account_id', 'environment', 'client_id', 'realm'],
  Account: ['home_account_id', 'environment', 'realm'],
  AppMetadata: ['environment', 'client_id'],
}

/** Whether `record`'s `fields` hold `values` (a loop, not `every`: no closure per entry filed). */
const sameValues = (values: readonly unknown[], fields: readonly string[], record: Record<string, unknown>): boolean => {
  for (let i = 0; i < fields.length; i++) if (values[i] !== record[fields[i]!]) return false
  return true
}

/** A key kept with the field values it was built from. */
export interface Kept {
  /** The values of the kind's key fields (KEY_FIELDS), in order. */
  readonly values: readonly unknown[]
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
    const fields = KEY_FIELDS[type]
    const record = entity as unknown as Record<string, unknown>
    const kept = this.kept[type]
    if (kept !== undefined && sameValues(kept.values, fields, record)) return kept
    const key = keyFor(type, entity)
    const values: unknown[] = []
    for (const field of fields) values.push(record[field])
    const made: Kept = { values, key, canonical: canonicalOfWritten(type, key) }
    this.kept[type] = made
    return made
  }
}
