import type { DeviceCodeStore } from './deviceCodes.js'
import { DEVICE_LOGIN_URI } from './deviceCodes.js'
import { entraError, JSON_HEADERS, type ErrorContext } from './entraErrors.js'
import { parseScopes } from './scopes.js'
import type { IdpAnswer, IdpRequest, RegisteredApp } from './types.js'

export interface DeviceAuthorizationContext extends ErrorContext {
  readonly tenant: string
  readonly apps: ReadonlyMap<string, RegisteredApp>
  readonly deviceCodes: DeviceCodeStore
}

/**
 * The device authorization endpoint (`POST /{tenant}/oauth2/v2.0/devicecode`): starts a device
 * code flow and answers as Entra does, with the code to show the user and how often to poll.
 */
export const deviceAuthorization = (request: IdpRequest, ctx: DeviceAuthorizationContext): IdpAnswer => {
  const { form } = request
  const clientId = form['client_id'] ?? ''
  if (clientId === '') return entraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.", ctx)
  const app = ctx.apps.get(clientId.toLowerCase())
  if (app === undefined) {
    return entraError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${ctx.tenant}'.`, ctx)
  }
  const scopes = parseScopes(form['scope'])
  if (scopes.length === 0) return entraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.", ctx)
  const record = ctx.deviceCodes.issue({ clientId: app.clientId, scopes, nowMs: ctx.nowMs })
  return {
    kind: 'response',
    status: 200,
    headers: { ...JSON_HEADERS, 'x-ms-request-id': ctx.traceId, 'client-request-id': ctx.correlationId },
    body: JSON.stringify({
      user_code: record.userCode,
      device_code: record.deviceCode,
      verification_uri: DEVICE_LOGIN_URI,
      expires_in: Math.round((record.expiresAtMs - record.issuedAtMs) / 1000),
      interval: record.intervalSeconds,
      message: `To sign in, use a web browser to open the page ${DEVICE_LOGIN_URI} and enter the code ${record.userCode} to authenticate.`,
    }),
  }
}
