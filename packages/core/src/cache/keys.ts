import { preferredNetwork } from '../authority/aliases.js'
import { scopesToTarget, targetToScopes } from '../protocol/scopes.js'
import { userAssertionHashOf } from './schema.js'
import type { AccessTokenEntity, AccountEntity, AppMetadataEntity, CredentialType, EntityOf, IdTokenEntity, RefreshTokenEntity } from './schema.js'

/**
 * Cache keys as MSAL Python 1.31 writes them: parts joined by "-", lower-cased (app metadata
 * keeps its case). A loaded file may use other forms (MSAL for Node appends "-{scheme}", MSAL
 * Python 1.21 did not sort targets); entries stay under the key they came with, and
 * `canonicalKey` tells which entries are the same token.
 */

const none = (value: string | null | undefined): string => value ?? ''

/**
 * `{home}-{env}-accesstoken-{client_id}-{realm}-{target}` (a null client id, as a system-assigned
 * managed identity's, is "", as MSAL Python writes it), plus `-{key_id}` for key-bound tokens,
 * `-{ext_cache_key}` for FMI tokens and `-{user_assertion_hash}` for on-behalf-of tokens.
 */
export const accessTokenKey = (at: Pick<AccessTokenEntity, 'environment' | 'client_id' | 'realm' | 'target'> & {
  readonly home_account_id?: string | null | undefined
  readonly key_id?: string | undefined
  readonly ext_cache_key?: string | undefined
  readonly user_assertion_hash?: string | undefined
}): string =>
  // MSAL Python leaves key_id out, so a PoP token overwrites a bearer one; ours can coexist.
  `${none(at.home_account_id)}-${at.environment}-accesstoken-${none(at.client_id)}-${at.realm}-${at.target}${at.key_id ? `-${at.key_id}` : ''}${
    at.ext_cache_key ? `-${at.ext_cache_key}` : ''
  }${at.user_assertion_hash ? `-${at.user_assertion_hash}` : ''}`.toLowerCase()

/** `{home}-{env}-refreshtoken-{client_id}--{target}`: refresh tokens are realm-independent. */
export const refreshTokenKey = (rt: Pick<RefreshTokenEntity, 'home_account_id' | 'environment' | 'client_id' | 'target'>): string =>
  `${none(rt.home_account_id)}-${rt.environment}-refreshtoken-${rt.client_id}--${none(rt.target)}`.toLowerCase()

/** `{home}-{env}-idtoken-{client_id}-{realm}-` */
export const idTokenKey = (idt: Pick<IdTokenEntity, 'home_account_id' | 'environment' | 'client_id' | 'realm'>): string =>
  `${none(idt.home_account_id)}-${idt.environment}-idtoken-${idt.client_id}-${none(idt.realm)}-`.toLowerCase()

/** `{home}-{env}-{realm}` */
export const accountKey = (account: Pick<AccountEntity, 'home_account_id' | 'environment' | 'realm'>): string =>
  `${account.home_account_id}-${account.environment}-${none(account.realm)}`.toLowerCase()

/** `appmetadata-{env}-{client_id}`, not lower-cased (as MSAL Python writes it; no client id, as for a system-assigned managed identity, is ""). */
export const appMetadataKey = (metadata: Pick<AppMetadataEntity, 'environment' | 'client_id'>): string =>
  `appmetadata-${metadata.environment}-${none(metadata.client_id)}`

/** A target in sorted order; one scope (the common case) needs no work. */
const sortedTarget = (target: string | null | undefined): string => {
  const value = none(target)
  return value.includes(' ') ? scopesToTarget(targetToScopes(value)) : value
}

/**
 * The key a new entry is written under: MSAL Python 1.31's, from the entry's own fields (targets
 * sorted; app metadata keeps its case).
 */
export const keyFor = <K extends CredentialType>(type: K, entity: EntityOf[K]): string => {
  switch (type) {
    case 'AccessToken': {
      const at = entity as AccessTokenEntity
      return accessTokenKey({
        home_account_id: at.home_account_id,
        environment: at.environment,
        client_id: at.client_id,
        realm: at.realm,
        target: sortedTarget(at.target),
        key_id: at.key_id,
        ext_cache_key: at.ext_cache_key,
        user_assertion_hash: at.user_assertion_hash,
      })
    }
    case 'RefreshToken': {
      const rt = entity as RefreshTokenEntity
      return refreshTokenKey({ home_account_id: rt.home_account_id, environment: rt.environment, client_id: rt.client_id, target: sortedTarget(rt.target) })
    }
    case 'IdToken':
      return idTokenKey(entity as IdTokenEntity)
    case 'Account':
      return accountKey(entity as AccountEntity)
    case 'AppMetadata':
      return appMetadataKey(entity as AppMetadataEntity)
  }
  return ''
}

/**
 * Which token a new entry other than an access token is, from the key it is written under
 * (keyFor): the key itself, but for app metadata, whose key keeps its case and whose identity
 * does not (see canonicalKey).
 */
export const canonicalOfWritten = (type: Exclude<CredentialType, 'AccessToken'>, key: string): string => (type === 'AppMetadata' ? key.toLowerCase() : key)

/**
 * Which token an entry is, whatever key it is stored under: equal canonical keys are the same
 * token. An app's own access token counts as one token under every alias of its cloud, because
 * it is written twice, once per library's convention (MSAL Python: login.microsoftonline.com,
 * MSAL for Node: login.windows.net). Other entries keep their environment: each library finds
 * users' tokens only under the host it expects, so both copies are kept.
 */
export const canonicalKey = <K extends CredentialType>(type: K, entity: EntityOf[K]): string => {
  // Built from the fields directly (no copy of the entry): loading a large cache computes one per entry.
  const given = (entity as { environment: string }).environment
  const home = (entity as { home_account_id?: string | null }).home_account_id
  const environment = type === 'AccessToken' && (home === null || home === '' || home === undefined) ? preferredNetwork(given) : given
  switch (type) {
    case 'AccessToken': {
      const at = entity as AccessTokenEntity
      return accessTokenKey({ home_account_id: at.home_account_id, environment, client_id: at.client_id, realm: at.realm, target: sortedTarget(at.target), key_id: at.key_id, ext_cache_key: at.ext_cache_key, user_assertion_hash: userAssertionHashOf(at) })
    }
    case 'RefreshToken': {
      const rt = entity as RefreshTokenEntity
      return refreshTokenKey({ home_account_id: rt.home_account_id, environment, client_id: rt.client_id, target: sortedTarget(rt.target) })
    }
    case 'IdToken': {
      const idt = entity as IdTokenEntity
      return idTokenKey({ home_account_id: idt.home_account_id, environment, client_id: idt.client_id, realm: idt.realm })
    }
    case 'Account': {
      const account = entity as AccountEntity
      return accountKey({ home_account_id: account.home_account_id, environment, realm: account.realm })
    }
    case 'AppMetadata':
      return appMetadataKey({ environment, client_id: (entity as AppMetadataEntity).client_id }).toLowerCase()
  }
  return ''
}

/**
 * Whether an access token's stored key is its canonical key (see canonicalKey), compared in
 * place: loading a large cache asks this of every entry, and building each canonical key would
 * make a 200-character string per token only to compare it. Undefined when it cannot tell
 * cheaply (an app token, whose environment is normalised; a target of several scopes; text
 * that is not ASCII): build the key then. The unified-cache tests hold it to canonicalKey.
 */
export const isCanonicalAccessTokenKey = (key: string, at: AccessTokenEntity): boolean | undefined => {
  const home = at.home_account_id
  if (home === null || home === undefined || home === '' || at.target.includes(' ')) return undefined
  let at0 = matchLower(key, 0, home)
  at0 = matchLower(key, matchLower(key, at0, '-'), at.environment)
  at0 = matchLower(key, matchLower(key, at0, '-accesstoken-'), none(at.client_id))
  at0 = matchLower(key, matchLower(key, at0, '-'), at.realm)
  at0 = matchLower(key, matchLower(key, at0, '-'), at.target)
  if (at.key_id) at0 = matchLower(key, matchLower(key, at0, '-'), at.key_id)
  if (at.ext_cache_key) at0 = matchLower(key, matchLower(key, at0, '-'), at.ext_cache_key)
  const hash = userAssertionHashOf(at)
  if (hash) at0 = matchLower(key, matchLower(key, at0, '-'), hash)
  return at0 === CANNOT_TELL ? undefined : at0 === key.length
}

const MISMATCH = -1
const CANNOT_TELL = -2

/**
 * Where `part`, lower-cased, ends in `key` read from `at`; MISMATCH when it is not there,
 * CANNOT_TELL for a character whose lower case is not ASCII arithmetic.
 */
const matchLower = (key: string, at: number, part: string): number => {
  if (at < 0) return at
  if (at + part.length > key.length) return MISMATCH
  for (let i = 0; i < part.length; i++) {
    let code = part.charCodeAt(i)
    if (code > 127) return CANNOT_TELL
    if (code >= 65 && code <= 90) code += 32
    if (key.charCodeAt(at + i) !== code) return MISMATCH
  }
  return at + part.length
}

/**
 * An entry's canonical key: its own key when it is one (checked in place for access tokens, a
 * large cache's entries, with no key built), else built. For loading serialized caches.
 */
export const canonicalKeyOfStored = (type: CredentialType, key: string, entity: EntityOf[CredentialType]): string =>
  type === 'AccessToken' && isCanonicalAccessTokenKey(key, entity as AccessTokenEntity) === true ? key : canonicalKey(type, entity as never)
