/**
 * User realm discovery: before a username/password sign-in, Entra is asked whether the user's
 * domain is managed (Entra checks the password itself) or federated (the password goes to the
 * domain's own federation server, over WS-Trust). As MSAL Python's `user_realm_discovery`.
 */
import * as E from '../../util/either.js'
import * as t from '../../util/decoder.js'
import type { HttpRequest, HttpResponse } from '../../effects/effect.js'
import { type MsalError } from '../../errors.js'
import { invalidResponseError } from '../../wireErrors.js'
import { decodeOr } from '../../util/decode.js'
import { processJsonResponse, type ResponseContext } from '../tokenResponse.js'
import { MICROSOFT_ONLINE_AUDIENCE } from './namespaces.js'

export type AccountType = 'Managed' | 'Federated' | 'Unknown'

export interface UserRealm {
  /** "Managed" (the password grant), "Federated" (WS-Trust to the federation server) or "Unknown" (no user realm discovery: the password grant). */
  readonly accountType: AccountType
  /** 'WSTrust' for a domain federated with AD FS (WS-Trust is what the username/password flow speaks). */
  readonly federationProtocol?: string | undefined
  /** Where the federation server's metadata exchange (MEX) is published. */
  readonly federationMetadataUrl?: string | undefined
  /** A WS-Trust endpoint to use without MEX (AD FS's 2005 usernamemixed, typically). */
  readonly federationActiveAuthUrl?: string | undefined
  /** The relying party the federation server issues the assertion for; default urn:federation:MicrosoftOnline. */
  readonly cloudAudienceUrn: string
  /** The cloud's name as user realm discovery answers it (cloud_instance_name), e.g. "microsoftonline.com". */
  readonly cloudInstanceName?: string | undefined
  /** The user's domain as user realm discovery answers it (domain_name). */
  readonly domainName?: string | undefined
}

/** `GET {scheme}://{host}/common/userrealm/{username}?api-version=1.0`: the authority's scheme (http only for a loopback authority). */
export const buildUserRealmRequest = (
  authorityHost: string,
  username: string,
  headers: Readonly<Record<string, string>> = {},
  scheme: 'https' | 'http' = 'https',
): HttpRequest => ({
  method: 'GET',
  url: `${scheme}://${authorityHost}/common/userrealm/${encodeURIComponent(username)}?api-version=1.0`,
  headers: { ...headers, accept: 'application/json' },
})

const UserRealmResponse = t.partial(
  {
    account_type: t.string,
    federation_protocol: t.string,
    federation_metadata_url: t.string,
    federation_active_auth_url: t.string,
    cloud_audience_urn: t.string,
    cloud_instance_name: t.string,
    domain_name: t.string,
  },
  'a user realm response',
)

const accountTypeOf = (accountType: string | undefined): AccountType => {
  const lower = accountType?.toLowerCase()
  return lower === 'managed' ? 'Managed' : lower === 'federated' ? 'Federated' : 'Unknown'
}

const isHttps = (url: string): boolean => /^https:\/\/[^/?#]+/i.test(url)

/**
 * The realm, or an MsalError. A 404 means this host does not do user realm discovery (a
 * sovereign or private cloud): 'Unknown', so the caller goes on with the managed password grant,
 * as MSAL Python does. A federated realm must name its endpoints with https (the password goes there).
 */
export const processUserRealmResponse = (response: HttpResponse, ctx: ResponseContext): E.Either<MsalError, UserRealm> => {
  if (response.status === 404) return E.right({ accountType: 'Unknown', cloudAudienceUrn: MICROSOFT_ONLINE_AUDIENCE })
  const body = processJsonResponse(response, ctx)
  if (E.isLeft(body)) return body
  const decoded = decodeOr(UserRealmResponse, body.right, (problem): MsalError => invalidResponseError(ctx.url, response.status, problem, response.body))
  if (E.isLeft(decoded)) return decoded
  const realm = decoded.right
  for (const [field, url] of [
    ['federation_metadata_url', realm.federation_metadata_url],
    ['federation_active_auth_url', realm.federation_active_auth_url],
  ] as const) {
    if (url !== undefined && url !== '' && !isHttps(url)) {
      return E.left(invalidResponseError(ctx.url, response.status, `${field}: expected an https URL`, response.body))
    }
  }
  const present = (value: string | undefined): string | undefined => (value === '' ? undefined : value)
  return E.right({
    accountType: accountTypeOf(realm.account_type),
    federationProtocol: present(realm.federation_protocol),
    federationMetadataUrl: present(realm.federation_metadata_url),
    federationActiveAuthUrl: present(realm.federation_active_auth_url),
    cloudAudienceUrn: present(realm.cloud_audience_urn) ?? MICROSOFT_ONLINE_AUDIENCE,
    cloudInstanceName: present(realm.cloud_instance_name),
    domainName: present(realm.domain_name),
  })
}
