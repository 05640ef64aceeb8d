/**
 * The entry fields whose values repeat across a cache's entries: one account's, one app's, one
 * tenant's, one scope's, one caller's assertion. A large cache holds each distinct value many
 * times over (100 tokens of an account repeat its home account id, environment, client id and
 * realm); shared, they are one string each.
 */
const REPEATED_FIELDS = [
  'credential_type',
  'home_account_id',
  'environment',
  'client_id',
  'realm',
  'target',
  'token_type',
  'authority_type',
  'family_id',
  'key_id',
  'ext_cache_key',
  'user_assertion_hash',
  'userAssertionHash',
] as const

/** How many distinct values are kept before the table starts over (sharing is only a saving). */
const LIMIT = 1 << 16

/**
 * Replaces an entry's repeated fields by the first equal string the store has seen, so each
 * distinct value is kept once. An entry is the store's from the moment it is filed (entries are
 * replaced, never changed), and an equal string in place of another is not observable; a frozen
 * entry (or one with a read-only field) is left as it is.
 */
export class SharedStrings {
  private readonly byValue = new Map<string, string>()
  /** The value each field had last: consecutive entries mostly share them, and comparing costs less than hashing. */
  private readonly last: string[] = REPEATED_FIELDS.map(() => '')

  share(entity: object): void {
    if (Object.isFrozen(entity)) return
    try {
      this.shareFields(entity as Record<string, unknown>)
    } catch {
      // An entry with a read-only field (one a caller built so, through apply) keeps its strings.
    }
  }

  private shareFields(fields: Record<string, unknown>): void {
    for (let i = 0; i < REPEATED_FIELDS.length; i++) {
      const name = REPEATED_FIELDS[i]!
      const value = fields[name]
      if (typeof value !== 'string') continue
      const last = this.last[i]!
      if (value === last) {
        fields[name] = last
        continue
      }
      let shared = this.byValue.get(value)
      if (shared === undefined) {
        if (this.byValue.size >= LIMIT) this.byValue.clear()
        this.byValue.set(value, (shared = value))
      }
      fields[name] = shared
      this.last[i] = shared
    }
  }

  /** The shared copy of a value (for strings derived from entries, such as target keys). */
  of(value: string): string {
    let shared = this.byValue.get(value)
    if (shared === undefined) {
      if (this.byValue.size >= LIMIT) this.byValue.clear()
      this.byValue.set(value, (shared = value))
    }
    return shared
  }
}
