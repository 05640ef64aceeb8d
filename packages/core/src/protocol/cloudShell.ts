import * as E from '../util/either.js'
import type { ClientInfo, IdTokenClaims } from '../cache/accountOf.js'
import { decodeIdTokenClaims } from '../cache/accountOf.js'
import type { HttpRequest, HttpResponse } from '../effects/effect.js'
import { type MsalError } from '../errors.js'
import { invalidResponseError, serverError } from '../wireErrors.js'
import { bytesToBase64Url, utf8Encode } from '../util/base64url.js'
import { isJsonObject as isObject, parseJson } from '../util/decode.js'
import type { TokenSuccessResponse } from './tokenResponse.js'

/** Cloud Shell's token endpoint (fixed, as in MSAL Python's cloudshell.py). */
export const CLOUD_SHELL_TOKEN_ENDPOINT = 'http://localhost:50342/oauth2/token'

/** The environment variable Azure Cloud Shell sets; its value starts with "cloud-shell". */
export const CLOUD_SHELL_VARIABLE = 'AZUREPS_HOST_ENVIRONMENT'

/** MSAL Python's _is_running_in_cloud_shell, given AZUREPS_HOST_ENVIRONMENT's value. */
export const isCloudShell = (hostEnvironment: string | undefined): boolean => (hostEnvironment ?? '').startsWith('cloud-shell')

/** Audiences Cloud Shell takes whole (MSAL Python's list): a scope starting with one asks for it. */
const WHOLE_AUDIENCES = ['https://analysis.windows.net/powerbi/api', 'https://pas.windows.net/CheckMyAccess/Linux/.default']

/**
 * The resource a scope asks Cloud Shell for (MSAL Python's _scope_to_resource): a known audience
 * whole; a URL as scheme://host (so "https://management.core.windows.net//.default" asks for
 * "https://management.core.windows.net"); anything else as it is.
 */
export const scopeToResource = (scope: string): string => {
  const whole = WHOLE_AUDIENCES.find((audience) => scope.startsWith(audience))
  if (whole !== undefined) return whole
  const url = /^([A-Za-z][A-Za-z0-9+.-]*):(?:\/\/([^/?#]*))?/.exec(scope)
  return url === null ? scope : `${url[1]!.toLowerCase()}://${url[2] ?? ''}`
}

/** The token request: a POST of the scopes' resources, space-separated, with `Metadata: true`. */
export const buildCloudShellRequest = (scopes: readonly string[]): HttpRequest => ({
  method: 'POST',
  url: CLOUD_SHELL_TOKEN_ENDPOINT,
  headers: { Metadata: 'true' },
  form: { resource: scopes.map(scopeToResource).join(' ') },
})

/** What Cloud Shell's answer files in the cache: the token, and the account it stands for. */
export interface CloudShellTokens {
  /** Cloud Shell's token as a token response (RFC 6749 §5.1), filed like any other. */
  readonly response: TokenSuccessResponse
  /** The account's ids: the token's oid and tid, else "user" in "cloudshell" (MSAL Python's defaults). */
  readonly clientInfo: ClientInfo
  /** MSAL Python's synthetic ID token claims (iss, sub, aud, exp, iat, preferred_username, tid). */
  readonly idTokenClaims: IdTokenClaims
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

/** Standard base64 (MSAL Python encodes Cloud Shell's client_info so, not base64url). */
const base64 = (value: string): string => {
  const url = bytesToBase64Url(utf8Encode(value)).replace(/-/g, '+').replace(/_/g, '/')
  return url + '='.repeat((4 - (url.length % 4)) % 4)
}

/** The account a token stands for, from its claims when it is a JWT (MSAL Python's derivation). */
const accountOfToken = (accessToken: string, clientId: string, nowSec: number): { clientInfo: ClientInfo; claims: IdTokenClaims } => {
  const fallback = {
    clientInfo: { uid: 'user', utid: 'cloudshell' },
    claims: { iss: 'cloudshell', sub: 'user', aud: clientId, exp: nowSec + 3600, iat: nowSec, preferred_username: 'currentuser@cloudshell' },
  }
  if (accessToken.split('.').length !== 3) return fallback
  const decoded = decodeIdTokenClaims(accessToken)
  if (E.isLeft(decoded)) return fallback
  const payload = decoded.right
  const claims = {
    iss: text(payload['iss']) ?? fallback.claims.iss,
    sub: text(payload['sub']) ?? fallback.claims.sub,
    aud: clientId,
    exp: typeof payload['exp'] === 'number' ? payload['exp'] : fallback.claims.exp,
    iat: typeof payload['iat'] === 'number' ? payload['iat'] : fallback.claims.iat,
    preferred_username: text(payload['preferred_username']) ?? text(payload['unique_name']) ?? fallback.claims.preferred_username,
  }
  return { clientInfo: { uid: text(payload['oid']) ?? 'user', utid: text(payload['tid']) ?? 'cloudshell' }, claims }
}

/**
 * Cloud Shell's answer (MSAL Python's cloudshell._obtain_token): a token with `expires_in`, its
 * account derived from the token's claims; or its `{"error": {"code", "message"}}` as a
 * ServerError. A token type other than Bearer is MSAL Python's broker_error.
 */
export const processCloudShellResponse = (response: HttpResponse, clientId: string, nowSec: number): E.Either<MsalError, CloudShellTokens> => {
  const json = parseJson(response.body)
  const body = E.isRight(json) && isObject(json.right) ? json.right : undefined
  if (body === undefined) return E.left(invalidResponseError(CLOUD_SHELL_TOKEN_ENDPOINT, response.status, 'expected a JSON object from Cloud Shell', response.body))
  if (response.status >= 300) {
    const error = isObject(body['error']) ? body['error'] : {}
    return E.left(serverError(response.status, { error: text(error['code']), errorDescription: text(error['message']) }))
  }
  const accessToken = text(body['access_token'])
  const expiresIn = typeof body['expires_in'] === 'number' ? Math.floor(body['expires_in']) : /^\d+$/.test(String(body['expires_in'] ?? '')) ? Number(body['expires_in']) : undefined
  if (accessToken === undefined || expiresIn === undefined) {
    return E.left(invalidResponseError(CLOUD_SHELL_TOKEN_ENDPOINT, response.status, 'expected access_token and expires_in from Cloud Shell', response.body))
  }
  const tokenType = text(body['token_type']) ?? 'Bearer'
  if (tokenType !== 'Bearer') {
    return E.left(serverError(response.status, { error: 'broker_error', errorDescription: `token_type ${tokenType} is not supported by this version of Azure Portal (Bearer was asked for)` }))
  }
  const { clientInfo, claims } = accountOfToken(accessToken, clientId, nowSec)
  const refreshToken = text(body['refresh_token'])
  return E.right({
    response: {
      access_token: accessToken,
      expires_in: expiresIn,
      token_type: tokenType,
      client_info: base64(JSON.stringify(clientInfo)),
      ...(refreshToken !== undefined ? { refresh_token: refreshToken } : {}),
    },
    clientInfo,
    idTokenClaims: { ...claims, tid: clientInfo.utid },
  })
}
