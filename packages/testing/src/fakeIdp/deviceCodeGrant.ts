import { authenticateClient, isAnswer } from './clientAuthentication.js'
import type { DeviceCodeRecord } from './deviceCodes.js'
import { entraError } from './entraErrors.js'
import { parseScopes } from './scopes.js'
import type { IdpAnswer, IdpRequest } from './types.js'
import { answerUserSignIn, type UserGrantContext } from './userTokens.js'

export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code'

/** Timers are not exact: a poll up to this much early still counts as waiting the interval. */
const POLL_TOLERANCE_MS = 100

/**
 * The device code grant: the device polls with its device code until the user approves it
 * (the tokens, once), declines it, or it expires; polling faster than the interval gets
 * slow_down. Time is the provider's clock.
 */
export const deviceCodeGrant = async (request: IdpRequest, ctx: UserGrantContext): Promise<IdpAnswer> => {
  const { form } = request
  const app = await authenticateClient(request, ctx, { allowPublic: true })
  if (isAnswer(app)) return app
  // Entra's v1 endpoint called it `code`; MSAL Python still sends both.
  const deviceCode = form['device_code'] ?? form['code']
  if (deviceCode === undefined || deviceCode === '') {
    return entraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'device_code'.", ctx)
  }
  const record = ctx.deviceCodes.findByDeviceCode(deviceCode)
  if (record === undefined || record.clientId.toLowerCase() !== app.clientId.toLowerCase() || record.status.kind === 'redeemed') {
    return entraError(400, 'bad_verification_code', 70018, "The provided value for the input parameter 'device_code' is not valid.", ctx)
  }
  if (ctx.nowMs >= record.expiresAtMs) {
    return entraError(400, 'expired_token', 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.", ctx)
  }
  const tooSoon = record.lastPollMs !== undefined && ctx.nowMs - record.lastPollMs < record.intervalSeconds * 1000 - POLL_TOLERANCE_MS
  record.lastPollMs = ctx.nowMs
  if (tooSoon) {
    // RFC 8628's variant of authorization_pending: the client must add 5 s to its interval.
    return entraError(400, 'slow_down', 70016, 'The client is polling too frequently. Wait for the interval before polling again.', ctx)
  }
  record.polls += 1
  autoApprove(record, ctx)
  const { status } = record
  switch (status.kind) {
    case 'pending':
      return entraError(400, 'authorization_pending', 70016, 'The provided request has not yet been authorized by the user. The user must input their code.', ctx)
    case 'declined':
      return entraError(400, 'authorization_declined', 70000, 'The user has declined the authorization request.', ctx)
    case 'approved': {
      record.status = { kind: 'redeemed' }
      const user = ctx.users.find(status.username)
      if (user === undefined) throw new Error(`device code approved for unknown user ${status.username}`) // checked at approval
      const asked = parseScopes(form['scope'])
      return answerUserSignIn(request, ctx, {
        user,
        app,
        scopes: asked.length > 0 ? asked : record.scopes,
        alwaysIssueRefreshToken: record.scopes.some((scope) => scope.toLowerCase() === 'offline_access'),
      })
    }
  }
}

/** The provider's `autoApproveDeviceCodes` option: pending for the first `afterPolls` polls, then approved. */
const autoApprove = (record: DeviceCodeRecord, ctx: UserGrantContext): void => {
  const auto = ctx.deviceCodes.settings.autoApprove
  if (auto === undefined || record.status.kind !== 'pending' || record.polls <= (auto.afterPolls ?? 0)) return
  if (ctx.users.find(auto.user) === undefined) throw new Error(`FakeIdentityProvider: autoApproveDeviceCodes user '${auto.user}' is not registered`)
  record.status = { kind: 'approved', username: auto.user, authTimeMs: ctx.nowMs }
}
