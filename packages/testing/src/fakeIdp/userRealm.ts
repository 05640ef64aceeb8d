import { jsonAnswer } from './entraErrors.js'
import { MEX_PATH, wsTrustPath, type AdfsServer } from './federation.js'
import type { IdpAnswer } from './types.js'
import { domainOf, type UserDirectory } from './users.js'

/** Every user of the fake lives in Microsoft's public cloud. */
const PUBLIC_CLOUD = { cloud_instance_name: 'microsoftonline.com', cloud_audience_urn: 'urn:federation:MicrosoftOnline' }

/** A federated domain's realm: its AD FS's MEX and (as AD FS farms are set up) its WS-Trust 2005 endpoint. */
const federatedRealm = (domain: string, server: AdfsServer) => ({
  ver: '1.0',
  account_type: 'Federated',
  domain_name: domain,
  federation_protocol: 'WSTrust',
  federation_metadata_url: `https://${server.host}${MEX_PATH}`,
  federation_active_auth_url: `https://${server.host}${wsTrustPath(server.protocols.includes('2005') ? '2005' : '1.3')}`,
  ...PUBLIC_CLOUD,
})

/**
 * User realm discovery (`GET /common/userrealm/{username}?api-version=1.0`), which MSAL Python's
 * password grant asks first to tell managed users from federated ones (who sign in at their
 * own ADFS). A domain registered with `registerFederatedDomain` is 'Federated'; other users are
 * managed; a domain with no users is 'Unknown', as Entra answers for a domain no tenant has
 * verified. Entra answers 200 either way.
 */
export const userRealm = (username: string, users: UserDirectory): IdpAnswer => {
  const domain = domainOf(username)
  const adfs = users.federation.serverOfDomain(domain)
  if (adfs !== undefined) return jsonAnswer(federatedRealm(domain, adfs))
  return jsonAnswer(
    users.knowsDomain(domain)
      ? { ver: '1.0', account_type: 'Managed', domain_name: domain, ...PUBLIC_CLOUD }
      : { ver: '1.0', account_type: 'Unknown', ...PUBLIC_CLOUD },
  )
}
