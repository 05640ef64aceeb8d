import { JSON_HEADERS, type ErrorContext } from './entraErrors.js'
import type { GrantContext } from './clientCredentialsGrant.js'
import type { IdpAnswer, IdpRequest, RegisteredApp } from './types.js'

/** Why a client-credentials request is refused, whatever words a provider has for it. */
export type ClientCredentialsRefusal =
  | { readonly refusal: 'unsupported_grant_type'; readonly grantType: string }
  | { readonly refusal: 'unknown_client'; readonly clientId: string }
  | { readonly refusal: 'missing_secret'; readonly clientId: string }
  | { readonly refusal: 'wrong_secret'; readonly clientId: string }
  | { readonly refusal: 'missing_scope' }
  | { readonly refusal: 'invalid_scope'; readonly scope: string }

/** A request that passed the checks: the app, and the one resource it wants a token for. */
export interface ClientCredentialsGrantee {
  readonly app: RegisteredApp
  /** The scope without its "/.default": the access token's audience. */
  readonly resource: string
}

/**
 * The checks every provider makes on a client-credentials request sent with a client secret
 * (RFC 6749 §4.4): the grant type, a registered confidential app, its secret, and exactly one
 * `{resource}/.default` scope.
 */
export const checkClientCredentials = (
  form: Readonly<Record<string, string>>,
  apps: ReadonlyMap<string, RegisteredApp>,
): ClientCredentialsGrantee | ClientCredentialsRefusal => {
  const grantType = form['grant_type'] ?? ''
  if (grantType !== 'client_credentials') return { refusal: 'unsupported_grant_type', grantType }
  const clientId = form['client_id'] ?? ''
  const app = apps.get(clientId.toLowerCase())
  if (app === undefined) return { refusal: 'unknown_client', clientId }
  const secret = form['client_secret']
  if (secret === undefined || secret === '') return { refusal: 'missing_secret', clientId }
  if (app.clientSecret === undefined || secret !== app.clientSecret) return { refusal: 'wrong_secret', clientId }
  const scope = (form['scope'] ?? '').trim()
  if (scope === '') return { refusal: 'missing_scope' }
  const scopes = scope.split(' ').filter((s) => s !== '')
  if (scopes.length !== 1 || !scopes[0]!.endsWith('/.default')) return { refusal: 'invalid_scope', scope }
  return { app, resource: scopes[0]!.slice(0, -'/.default'.length) }
}

/** How one provider words refusals and shapes its tokens. */
export interface ClientCredentialsDialect {
  readonly refuse: (refusal: ClientCredentialsRefusal, ctx: ErrorContext) => IdpAnswer
  readonly issue: (grantee: ClientCredentialsGrantee, ctx: GrantContext) => Promise<IdpAnswer>
}

/** The client-credentials grant in a provider's dialect. */
export const dialectClientCredentialsGrant = (request: IdpRequest, ctx: GrantContext, dialect: ClientCredentialsDialect): Promise<IdpAnswer> => {
  const checked = checkClientCredentials(request.form, ctx.apps)
  return 'refusal' in checked ? Promise.resolve(dialect.refuse(checked, ctx)) : dialect.issue(checked, ctx)
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
