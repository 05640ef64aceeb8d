import { capabilitiesOf } from './claimsRequest.js'
import { authenticateClient, isAnswer } from './clientAuthentication.js'
import type { ClientAuthenticationLedger } from './clientAuthentications.js'
import { entraError, JSON_HEADERS, type ErrorContext } from './entraErrors.js'
import { guidFor, isMultiTenantAlias, tenantIdOf } from './ids.js'
import { azpacrOf } from './presentedCredentials.js'
import type { TokenSigner } from './tokens.js'
import type { IdpAnswer, IdpRequest, RegisteredApp } from './types.js'
import { boundAccessToken, isIdpAnswer, keyBindingOf } from './keyBoundTokens.js'

export interface GrantContext extends ErrorContext {
  readonly tenant: string
  readonly apps: ReadonlyMap<string, RegisteredApp>
  /** Records how each request authenticated, and which client assertions were seen. */
  readonly clientAuthentications: ClientAuthenticationLedger
  readonly signer: TokenSigner
  readonly tokenLifetimeSeconds: number
  readonly refreshInSeconds: number | undefined
  /** A fresh random id (for `uti`, `aio`). */
  readonly randomId: () => string
  /** Entra's token issuer for a tenant id, on the central host of the one asked (a regional host's is its cloud's). */
  readonly issuer: (tid: string) => string
}

/**
 * The client-credentials grant, checked and answered as Entra does: the app authenticates with
 * its secret or a client assertion, for one `{resource}/.default`. An `fmi_path` (a federated
 * managed identity path, which MSAL sends for agent identities) comes back as the token's
 * `fmi_path` claim, so tokens of different paths differ.
 */
export const clientCredentialsGrant = async (request: IdpRequest, ctx: GrantContext): Promise<IdpAnswer> => {
  const { form } = request
  if (isMultiTenantAlias(ctx.tenant)) {
    return entraError(400, 'invalid_request', 50059, 'No tenant-identifying information found in either the request or implied by any provided credentials.', ctx)
  }
  const app = await authenticateClient(request, ctx, { allowPublic: false })
  if (isAnswer(app)) return app
  const scope = form['scope']
  if (scope === undefined || scope.trim() === '') {
    return entraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.", ctx)
  }
  const scopes = scope.split(' ').filter((s) => s !== '')
  if (scopes.length !== 1) {
    return entraError(400, 'invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`, ctx)
  }
  if (!scopes[0]!.endsWith('/.default')) {
    return entraError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`, ctx)
  }
  let capabilities: string[] | undefined
  try {
    capabilities = capabilitiesOf(form['claims'])
  } catch {
    return entraError(400, 'invalid_request', 90014, "The request parameter 'claims' is not valid JSON.", ctx)
  }

  const binding = keyBindingOf(form, ctx)
  if (isIdpAnswer(binding)) return binding
  const fmiPath = form['fmi_path'] !== undefined && form['fmi_path'] !== '' ? form['fmi_path'] : undefined
  // As registered: the form need not name it (Basic authentication, an assertion's sub).
  const clientId = app.clientId
  const tid = tenantIdOf(ctx.tenant)
  const oid = guidFor(`service-principal:${tid}:${clientId}`)
  const iat = Math.floor(ctx.nowMs / 1000)
  const claims = {
    aud: scopes[0]!.slice(0, -'/.default'.length),
    iss: ctx.issuer(tid),
    iat,
    nbf: iat,
    exp: iat + ctx.tokenLifetimeSeconds,
    aio: ctx.randomId(),
    azp: clientId,
    azpacr: azpacrOf(request),
    idtyp: 'app',
    oid,
    sub: oid,
    tid,
    uti: ctx.randomId(),
    ver: '2.0',
    ...(app.roles !== undefined && app.roles.length > 0 ? { roles: app.roles } : {}),
    ...(capabilities !== undefined ? { xms_cc: capabilities } : {}),
    ...(fmiPath !== undefined ? { fmi_path: fmiPath } : {}),
  }
  const accessToken = await boundAccessToken(binding, {
    claims,
    principal: clientId,
    nowMs: ctx.nowMs,
    lifetimeSeconds: ctx.tokenLifetimeSeconds,
    sign: (signed) => ctx.signer.sign(signed),
  })
  return {
    kind: 'response',
    status: 200,
    headers: { ...JSON_HEADERS, 'x-ms-request-id': ctx.traceId, 'client-request-id': ctx.correlationId },
    body: JSON.stringify({
      token_type: accessToken.token_type,
      expires_in: ctx.tokenLifetimeSeconds,
      ext_expires_in: ctx.tokenLifetimeSeconds,
      ...(ctx.refreshInSeconds !== undefined ? { refresh_in: ctx.refreshInSeconds } : {}),
      access_token: accessToken.access_token,
    }),
  }
}
