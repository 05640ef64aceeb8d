import { entraError, type ErrorContext } from './entraErrors.js'
import type { IdpAnswer, RegisteredApp } from './types.js'

export interface ClientAuthenticationContext extends ErrorContext {
  readonly tenant: string
  readonly apps: ReadonlyMap<string, RegisteredApp>
}

/** Public clients (desktop, mobile, CLI) hold no secret; an app registered without one is public. */
export const isPublicClient = (app: RegisteredApp): boolean => app.isPublicClient ?? app.clientSecret === undefined

/**
 * Finds the app a token request names and checks how it authenticates, as Entra does: a
 * confidential client must send its secret; a public client must send none (user grants only;
 * the client-credentials grant passes `allowPublic: false`). Answers the app, or Entra's error.
 */
export const authenticateClient = (
  form: Readonly<Record<string, string>>,
  ctx: ClientAuthenticationContext,
  { allowPublic }: { readonly allowPublic: boolean },
): RegisteredApp | IdpAnswer => {
  const clientId = form['client_id'] ?? ''
  const app = ctx.apps.get(clientId.toLowerCase())
  if (app === undefined) {
    return entraError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${ctx.tenant}'.`, ctx)
  }
  const secret = form['client_secret']
  if (allowPublic && isPublicClient(app)) {
    if (secret === undefined || secret === app.clientSecret) return app
    if (app.clientSecret === undefined) {
      return entraError(401, 'invalid_client', 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.", ctx)
    }
  }
  if (secret === undefined) {
    return entraError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", ctx)
  }
  if (secret !== app.clientSecret) {
    return entraError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`, ctx)
  }
  return app
}

/** Narrows `authenticateClient`'s answer: an app, or an error to send back. */
export const isAnswer = (value: RegisteredApp | IdpAnswer): value is IdpAnswer => 'kind' in value
