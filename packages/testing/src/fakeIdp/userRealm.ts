import { jsonAnswer } from './entraErrors.js'
import type { IdpAnswer } from './types.js'
import { domainOf, type UserDirectory } from './users.js'

/** Every user of the fake lives in Microsoft's public cloud. */
const PUBLIC_CLOUD = { cloud_instance_name: 'microsoftonline.com', cloud_audience_urn: 'urn:federation:MicrosoftOnline' }

/**
 * User realm discovery (`GET /common/userrealm/{username}?api-version=1.0`), which MSAL Python's
 * password grant asks first to tell managed users from federated ones (who sign in at their
 * own ADFS). Every user of the fake is managed; a domain with no users is 'Unknown', as Entra
 * answers for a domain no tenant has verified. Entra answers 200 either way.
 */
export const userRealm = (username: string, users: UserDirectory): IdpAnswer => {
  const domain = domainOf(username)
  return jsonAnswer(
    users.knowsDomain(domain)
      ? { ver: '1.0', account_type: 'Managed', domain_name: domain, ...PUBLIC_CLOUD }
      : { ver: '1.0', account_type: 'Unknown', ...PUBLIC_CLOUD },
  )
}
