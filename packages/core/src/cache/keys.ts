import { preferredNetwork } from '../authority/aliases.js'
import { scopesToTarget, targetToScopes } from '../protocol/scopes.js'
import type { AccessTokenEntity, AccountEntity, AppMetadataEntity, CredentialType, EntityOf, IdTokenEntity, RefreshTokenEntity } from './schema.js'

/**
 * Cache keys as MSAL Python 1.31 writes them: parts joined by "-", lower-cased (app metadata
 * keeps its case). A loaded file may use other forms (MSAL for Node appends "-{scheme}", MSAL
 * Python 1.21 did not sort targets); entries stay under the key they came with, and
 * `canonicalKey` tells which entries are the same token.
 */

const none = (value: string | null | undefined): string => value ?? ''

/** `{home}-{env}-accesstoken-{client_id}-{realm}-{target}`, plus `-{key_id}` for key-bound tokens. */
export const accessTokenKey = (at: Pick<AccessTokenEntity, 'environment' | 'client_id' | 'realm' | 'target'> & {
  readonly home_account_id?: string | null | undefined
  readonly key_id?: string | undefined
}): string =>
  // MSAL Python leaves key_id out, so a PoP token overwrites a bearer one; ours can coexist.
  `${none(at.home_account_id)}-${at.environment}-accesstoken-${at.client_id}-${at.realm}-${at.target}${at.key_id ? `-${at.key_id}` : ''}`.toLowerCase()

/** `{home}-{env}-refreshtoken-{client_id}--{target}`: refresh tokens are realm-independent. */
export const refreshTokenKey = (rt: Pick<RefreshTokenEntity, 'home_account_id' | 'environment' | 'client_id' | 'target'>): string =>
  `${none(rt.home_account_id)}-${rt.environment}-refreshtoken-${rt.client_id}--${none(rt.target)}`.toLowerCase()

/** `{home}-{env}-idtoken-{client_id}-{realm}-` */
export const idTokenKey = (idt: Pick<IdTokenEntity, 'home_account_id' | 'environment' | 'client_id' | 'realm'>): string =>
  `${none(idt.home_account_id)}-${idt.environment}-idtoken-${idt.client_id}-${none(idt.realm)}-`.toLowerCase()

/** `{home}-{env}-{realm}` */
export const accountKey = (account: Pick<AccountEntity, 'home_account_id' | 'environment' | 'realm'>): string =>
  `${account.home_account_id}-${account.environment}-${none(account.realm)}`.toLowerCase()

/** `appmetadata-{env}-{client_id}`, not lower-cased (as MSAL Python writes it). */
export const appMetadataKey = (metadata: Pick<AppMetadataEntity, 'environment' | 'client_id'>): string =>
  `appmetadata-${metadata.environment}-${metadata.client_id}`

const sortedTarget = (target: string | null | undefined): string => scopesToTarget(targetToScopes(none(target)))

/**
 * The key a new entry is written under: MSAL Python 1.31's, from the entry's own fields (targets
 * sorted; app metadata keeps its case).
 */
export const keyFor = <K extends CredentialType>(type: K, entity: EntityOf[K]): string => {
  switch (type) {
    case 'AccessToken': {
      const at = entity as AccessTokenEntity
      return accessTokenKey({ ...at, target: sortedTarget(at.target) })
    }
    case 'RefreshToken': {
      const rt = entity as RefreshTokenEntity
      return refreshTokenKey({ ...rt, target: sortedTarget(rt.target) })
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
 * Which token an entry is, whatever key it is stored under and whichever alias of its cloud it
 * names: equal canonical keys are the same token (MSAL for Node and MSAL Python may each have
 * filed it, under login.windows.net and login.microsoftonline.com).
 */
export const canonicalKey = <K extends CredentialType>(type: K, entity: EntityOf[K]): string =>
  keyFor(type, { ...entity, environment: preferredNetwork((entity as { environment: string }).environment) }).toLowerCase()
