import type { ClientAuthenticationMethod } from './clientAuthentications.js'
import { checkClientCredential, isRefusal, type CredentialRefusal } from './clientCredentialCheck.js'
import { JSON_HEADERS, type ErrorContext } from './entraErrors.js'
import type { GrantContext } from './clientCredentialsGrant.js'
import { namedClientId, presentedCredential } from './presentedCredentials.js'
import type { IdpAnswer, IdpRequest, RegisteredApp } from './types.js'

/** Why a client-credentials request is refused, whatever words a provider has for it. */
export type ClientCredentialsRefusal =
  | { readonly refusal: 'unsupported_grant_type'; readonly grantType: string }
  | { readonly refusal: 'unknown_client'; readonly clientId: string }
  | { readonly refusal: 'missing_secret'; readonly clientId: string }
  | { readonly refusal: 'wrong_secret'; readonly clientId: string }
  /** Any other failed client authentication: a method the provider does not take, a bad assertion… */
  | { readonly refusal: 'invalid_client_authentication'; readonly clientId: string; readonly reason: CredentialRefusal }
  | { readonly refusal: 'missing_scope' }
  | { readonly refusal: 'invalid_scope'; readonly scope: string }

/** A request that passed the checks: the app, and the one resource it wants a token for. */
export interface ClientCredentialsGrantee {
  readonly app: RegisteredApp
  /** The scope without its "/.default": the access token's audience. */
  readonly resource: string
}

/**
 * The checks every provider makes on a client-credentials request (RFC 6749 §4.4): the grant
 * type, a registered confidential app authenticating by one of the provider's `methods`, and
 * exactly one `{resource}/.default` scope. A client assertion's `aud` is the URL it was sent to.
 */
export const checkClientCredentials = async (
  request: IdpRequest,
  ctx: GrantContext,
  methods: readonly ClientAuthenticationMethod[],
): Promise<ClientCredentialsGrantee | ClientCredentialsRefusal> => {
  const { form } = request
  const grantType = form['grant_type'] ?? ''
  if (grantType !== 'client_credentials') return { refusal: 'unsupported_grant_type', grantType }
  const presented = presentedCredential(request)
  const clientId = namedClientId(request, presented)
  const app = ctx.apps.get(clientId.toLowerCase())
  if (app === undefined) return { refusal: 'unknown_client', clientId }
  const checked = await checkClientCredential(request, app, presented, {
    audiences: [request.url.toString(), `${request.url.origin}${request.url.pathname}`],
    nowMs: ctx.nowMs,
    ledger: ctx.clientAuthentications,
    methods,
  })
  if (isRefusal(checked)) {
    if (checked.reason === 'missing') return { refusal: 'missing_secret', clientId }
    if (checked.reason === 'wrong_secret') return { refusal: 'wrong_secret', clientId }
    return { refusal: 'invalid_client_authentication', clientId, reason: checked }
  }
  const scope = (form['scope'] ?? '').trim()
  if (scope === '') return { refusal: 'missing_scope' }
  const scopes = scope.split(' ').filter((s) => s !== '')
  if (scopes.length !== 1 || !scopes[0]!.endsWith('/.default')) return { refusal: 'invalid_scope', scope }
  return { app, resource: scopes[0]!.slice(0, -'/.default'.length) }
}

/** How one provider authenticates clients, words refusals and shapes its tokens. */
export interface ClientCredentialsDialect {
  /** The client authentication methods its token endpoint takes (its token_endpoint_auth_methods_supported). */
  readonly methods: readonly ClientAuthenticationMethod[]
  readonly refuse: (refusal: ClientCredentialsRefusal, ctx: ErrorContext) => IdpAnswer
  readonly issue: (grantee: ClientCredentialsGrantee, ctx: GrantContext) => Promise<IdpAnswer>
}

/** The client-credentials grant in a provider's dialect. */
export const dialectClientCredentialsGrant = async (request: IdpRequest, ctx: GrantContext, dialect: ClientCredentialsDialect): Promise<IdpAnswer> => {
  const checked = await checkClientCredentials(request, ctx, dialect.methods)
  return 'refusal' in checked ? dialect.refuse(checked, ctx) : dialect.issue(checked, ctx)
}

/** A plain OAuth2 error (RFC 6749 §5.2): `error` and `error_description`, nothing else. */
export const oauthError = (status: number, error: string, description: string): IdpAnswer => ({
  kind: 'response',
  status,
  headers: JSON_HEADERS,
  body: JSON.stringify({ error, error_description: description }),
})

/** A 200 token response with exactly these fields. */
export const tokenAnswer = (body: Readonly<Record<string, unknown>>, headers: Readonly<Record<string, string>> = JSON_HEADERS): IdpAnswer => ({
  kind: 'response',
  status: 200,
  headers,
  body: JSON.stringify(body),
})
