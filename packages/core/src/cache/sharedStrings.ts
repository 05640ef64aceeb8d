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
  /** The values seen last, field by field: consecutive entries mostly share them, and comparing costs less than hashing. */
  private lastHome = ''
  private lastEnvironment = ''
  private lastClient = ''
  private lastRealm = ''
  private lastTarget = ''

  share(entity: object): void {
    if (Object.isFrozen(entity)) return
    try {
      this.shareFields(entity as Fields)
    } catch {
      // An entry with a read-only field (one a caller built so, through apply) keeps its strings.
    }
  }

  /**
   * The fields whose values repeat across entries: one account's (home account id), one app's
   * (client id), one cloud's and tenant's (environment, realm), one scope's (target), one kind's
   * (credential and token type, authority type, family), one caller's assertion (its hash).
   * Each by name (a loop over names would be a slow keyed access per field, per entry).
   */
  private shareFields(e: Fields): void {
    const home = e.home_account_id
    if (typeof home === 'string') e.home_account_id = home === this.lastHome ? this.lastHome : (this.lastHome = this.of(home))
    const environment = e.environment
    if (typeof environment === 'string') e.environment = environment === this.lastEnvironment ? this.lastEnvironment : (this.lastEnvironment = this.of(environment))
    const client = e.client_id
    if (typeof client === 'string') e.client_id = client === this.lastClient ? this.lastClient : (this.lastClient = this.of(client))
    const realm = e.realm
    if (typeof realm === 'string') e.realm = realm === this.lastRealm ? this.lastRealm : (this.lastRealm = this.of(realm))
    const target = e.target
    if (typeof target === 'string') e.target = target === this.lastTarget ? this.lastTarget : (this.lastTarget = this.of(target))
    if (typeof e.credential_type === 'string') e.credential_type = this.of(e.credential_type)
    if (typeof e.token_type === 'string') e.token_type = this.of(e.token_type)
    if (typeof e.authority_type === 'string') e.authority_type = this.of(e.authority_type)
    if (typeof e.family_id === 'string') e.family_id = this.of(e.family_id)
    if (typeof e.user_assertion_hash === 'string') e.user_assertion_hash = this.of(e.user_assertion_hash)
    if (typeof e.userAssertionHash === 'string') e.userAssertionHash = this.of(e.userAssertionHash)
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

/** The fields SharedStrings reads, as an entry of any kind may have them. */
interface Fields {
  home_account_id?: unknown
  environment?: unknown
  client_id?: unknown
  realm?: unknown
  target?: unknown
  credential_type?: unknown
  token_type?: unknown
  authority_type?: unknown
  family_id?: unknown
  user_assertion_hash?: unknown
  userAssertionHash?: unknown
}
