/** Microsoft Graph's application id: the resource of bare scopes such as 'User.Read'. */
export const GRAPH_RESOURCE_ID = '00000003-0000-0000-c000-000000000000'

const GRAPH_RESOURCES = new Set(['https://graph.microsoft.com', GRAPH_RESOURCE_ID])

/** Scopes about the sign-in itself (OpenID Connect), which no access token carries. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access'])

/**
 * What a user grant gets for `.default` (all the permissions consented to). The provider does
 * not model consent, so it grants what a new app registration has by default: Graph's
 * User.Read, and `user_impersonation`, the scope the portal suggests when exposing an API.
 */
const DEFAULT_PERMISSION = { graph: 'User.Read', api: 'user_impersonation' }

export const parseScopes = (scope: string | undefined): string[] => (scope ?? '').split(' ').filter((s) => s !== '')

/**
 * Whether `.default` (every consented permission of its resource) is asked beside another
 * resource scope: Entra refuses that mix (AADSTS70011).
 */
export const mixesDefaultScope = (requested: readonly string[]): boolean => {
  const resourceScopes = requested.filter((scope) => !isOidcScope(scope))
  return resourceScopes.length > 1 && resourceScopes.some((scope) => /(?:^|\/)\.default$/i.test(scope))
}

export const isOidcScope = (scope: string): boolean => OIDC_SCOPES.has(scope.toLowerCase())

interface ResourceScope {
  /** The access token's `aud`. */
  readonly resource: string
  /** The permission's name, as in the `scp` claim. */
  readonly name: string
  /** The scope as the response's `scope` reports it: Graph's by name, others in full. */
  readonly granted: string
}

/** 'User.Read' and 'https://graph.microsoft.com/User.Read' are Graph's; 'api://x/read' is api://x's. */
const resourceScopeOf = (scope: string): ResourceScope => {
  const slash = scope.lastIndexOf('/')
  const resource = slash < 0 ? GRAPH_RESOURCE_ID : scope.slice(0, slash)
  const isGraph = GRAPH_RESOURCES.has(resource.toLowerCase())
  const asked = scope.slice(slash + 1)
  const name = asked.toLowerCase() === '.default' ? (isGraph ? DEFAULT_PERMISSION.graph : DEFAULT_PERMISSION.api) : asked
  return isGraph ? { resource: GRAPH_RESOURCE_ID, name, granted: name } : { resource, name, granted: `${resource}/${name}` }
}

export interface ScopeGrant {
  /** The access token's audience. */
  readonly audience: string
  /** The access token's `scp`: permission names, space-joined. */
  readonly scp: string
  /** The response's `scope`: the granted resource scopes, then the OpenID ones asked for. */
  readonly scope: string
  readonly openid: boolean
  readonly offlineAccess: boolean
}

/**
 * Decides what a user grant grants for the scopes asked. One access token has one audience,
 * so scopes of two resources are an error (`undefined`); only OpenID scopes get Graph's
 * User.Read, as Entra does.
 */
export const grantScopes = (requested: readonly string[]): ScopeGrant | undefined => {
  const asked = new Set(requested.map((s) => s.toLowerCase()))
  const resourceScopes = requested.filter((s) => !isOidcScope(s)).map(resourceScopeOf)
  const granted = resourceScopes.length > 0 ? resourceScopes : [resourceScopeOf(DEFAULT_PERMISSION.graph)]
  const audiences = new Set(granted.map((s) => s.resource.toLowerCase()))
  if (audiences.size > 1) return undefined
  const oidc = requested.filter((s) => isOidcScope(s) && s.toLowerCase() !== 'offline_access')
  return {
    audience: granted[0]!.resource,
    scp: unique(granted.map((s) => s.name)).join(' '),
    scope: unique([...granted.map((s) => s.granted), ...oidc]).join(' '),
    openid: asked.has('openid'),
    offlineAccess: asked.has('offline_access'),
  }
}

const unique = (values: readonly string[]): string[] => [...new Set(values)]
