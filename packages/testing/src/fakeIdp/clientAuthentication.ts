import type { ClientAuthenticationLedger } from './clientAuthentications.js'
import { checkClientCredential, isRefusal, type CredentialRefusal } from './clientCredentialCheck.js'
import { entraError, roundTripDate, type ErrorContext } from './entraErrors.js'
import { tenantIdOf } from './ids.js'
import { namedClientId, presentedCredential } from './presentedCredentials.js'
import type { IdpAnswer, IdpRequest, RegisteredApp } from './types.js'

export interface ClientAuthenticationContext extends ErrorContext {
  readonly tenant: string
  readonly apps: ReadonlyMap<string, RegisteredApp>
  readonly clientAuthentications: ClientAuthenticationLedger
  /** Entra's token issuer for a tenant id: also an audience client assertions may name. */
  readonly issuer: (tid: string) => string
}

/** Whether the app was registered with any credential to authenticate with. */
export const hasCredential = (app: RegisteredApp): boolean =>
  app.clientSecret !== undefined || (app.certificates?.length ?? 0) > 0 || app.subjectNameIssuer !== undefined

/** Public clients (desktop, mobile, CLI) hold no credential; an app registered without one is public. */
export const isPublicClient = (app: RegisteredApp): boolean => app.isPublicClient ?? !hasCredential(app)

/**
 * Finds the app a token request names and checks how it authenticates, as Entra does: a
 * confidential client sends exactly one credential: its secret in the form or in a Basic
 * Authorization header, or a client assertion signed with a registered certificate's key (or
 * a certificate chain trusted for its subject name); a public client sends none (user grants
 * only: the confidential grants pass `allowPublic: false`). Answers the app, or Entra's error.
 */
export const authenticateClient = async (
  request: IdpRequest,
  ctx: ClientAuthenticationContext,
  { allowPublic }: { readonly allowPublic: boolean },
): Promise<RegisteredApp | IdpAnswer> => {
  const presented = presentedCredential(request)
  const clientId = namedClientId(request, presented)
  const app = ctx.apps.get(clientId.toLowerCase())
  if (app === undefined) {
    return entraError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${ctx.tenant}'.`, ctx)
  }
  if (allowPublic && isPublicClient(app)) {
    if (presented.method === 'none') {
      ctx.clientAuthentications.record({ clientId: app.clientId, method: 'none', grantType: request.form['grant_type'] ?? '', at: ctx.nowMs })
      return app
    }
    if (!hasCredential(app)) {
      return entraError(401, 'invalid_client', 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.", ctx)
    }
  }
  const checked = await checkClientCredential(request, app, presented, {
    audiences: tokenEndpointAudiences(request, ctx),
    nowMs: ctx.nowMs,
    ledger: ctx.clientAuthentications,
  })
  return isRefusal(checked) ? entraRefusal(checked, app, ctx) : app
}

/**
 * What a client assertion's `aud` may be at this endpoint: the URL the request went to (with or
 * without its query), the tenant's token endpoint on the central host by tenant name or id
 * (MSAL names it when it goes to a regional host), or the tenant's issuer (Entra accepts it too).
 */
const tokenEndpointAudiences = (request: IdpRequest, ctx: ClientAuthenticationContext): string[] => {
  const tid = tenantIdOf(ctx.tenant)
  const issuer = ctx.issuer(tid)
  const origins = [request.url.origin, new URL(issuer).origin]
  return [
    request.url.toString(),
    `${request.url.origin}${request.url.pathname}`,
    ...origins.flatMap((origin) => [ctx.tenant, tid].map((tenant) => `${origin}/${tenant}/oauth2/v2.0/token`)),
    issuer,
  ]
}

const CERTIFICATE_DOCS = 'Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .'

/** Entra's words for each refusal: 401 invalid_client, and the AADSTS code Entra uses for it. */
const entraRefusal = (refusal: CredentialRefusal, app: RegisteredApp, ctx: ErrorContext): IdpAnswer => {
  const invalidClient = (code: number, text: string): IdpAnswer => entraError(401, 'invalid_client', code, text, ctx)
  switch (refusal.reason) {
    case 'missing':
    case 'unsupported_method':
      return invalidClient(7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
    case 'several':
      // RFC 6749 §2.3: one method per request. Entra's generic authentication failure code.
      return invalidClient(50012, `Authentication failed. The request presented more than one client credential (${refusal.methods.join(', ')}); present exactly one.`)
    case 'malformed_basic':
      return invalidClient(50012, "Authentication failed. The 'Authorization' header's Basic credentials are not base64 of 'client_id:client_secret'.")
    case 'client_id_mismatch':
      return invalidClient(50012, `Authentication failed. The client id '${refusal.basicClientId}' of the 'Authorization' header does not match the 'client_id' parameter.`)
    case 'wrong_secret':
      return invalidClient(7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`)
    case 'assertion_type':
      // Entra answers this one as a malformed request, not a failed authentication.
      return entraError(400, 'invalid_request', 90011, 'Unexpected client assertion type.', ctx)
    case 'malformed_assertion':
      return invalidClient(50027, `JWT token is invalid or malformed. ${refusal.detail}`)
    case 'missing_jti':
      return invalidClient(50027, "JWT token is invalid or malformed. The 'jti' claim is missing.")
    case 'unsupported_algorithm':
      return invalidClient(700027, `Client assertion failed signature validation. [Reason - The signature algorithm '${refusal.alg}' is not supported; use RS256 or PS256.]`)
    case 'unknown_key': {
      const thumbprint = refusal.thumbprintHex !== '' ? `, Thumbprint of key used by client: '${refusal.thumbprintHex}'` : ''
      return invalidClient(
        700027,
        `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found.${thumbprint}, Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/${app.clientId}']`,
      )
    }
    case 'bad_signature':
      return invalidClient(700027, 'Client assertion failed signature validation.')
    case 'untrusted_chain':
      return invalidClient(700027, 'Client assertion failed signature validation. [Reason - The certificate chain in x5c is not issued by a trusted issuer of the subject name configured on the application.]')
    case 'wrong_issuer':
      return invalidClient(700021, `Client assertion application identifier doesn't match 'client_id' parameter. ${CERTIFICATE_DOCS}`)
    case 'wrong_audience':
      return invalidClient(700023, `Client assertion audience claim does not match Realm issuer. ${CERTIFICATE_DOCS}`)
    case 'expired':
      return invalidClient(700024, `Client assertion is not within its valid time range. Current time: ${roundTripDate(ctx.nowMs)}, expiry time of assertion ${roundTripDate(refusal.expMs)}.`)
    case 'not_yet_valid':
      return invalidClient(700024, `Client assertion is not within its valid time range. Current time: ${roundTripDate(ctx.nowMs)}, assertion valid from ${roundTripDate(refusal.nbfMs)}.`)
    case 'replayed':
      // Entra itself accepts a replay (rejectReplayedAssertions turns this on).
      return invalidClient(700024, `Client assertion was replayed: its jti '${refusal.jti}' was already used at ${roundTripDate(refusal.firstUseMs)}. Send a new assertion with each request.`)
  }
}

/** Narrows `authenticateClient`'s answer: an app, or an error to send back. */
export const isAnswer = (value: RegisteredApp | IdpAnswer): value is IdpAnswer => 'kind' in value
