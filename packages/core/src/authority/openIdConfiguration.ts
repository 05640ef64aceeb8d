import * as E from '../util/either.js'
import * as t from '../util/decoder.js'
import type { HttpResponse } from '../effects/effect.js'
import { type MsalError } from '../errors.js'
import { invalidResponseError } from '../wireErrors.js'
import { processJsonResponse, type ResponseContext } from '../protocol/tokenResponse.js'
import { decodeOr } from '../util/decode.js'
import type { Authority } from './authority.js'
import type { AuthorityEndpoints } from './endpoints.js'
import { isLoopbackHostname } from './knownHosts.js'

const OpenIdConfiguration = t.intersection(
  [
    t.type({ token_endpoint: t.string, authorization_endpoint: t.string }),
    t.partial({ device_authorization_endpoint: t.string, end_session_endpoint: t.string, issuer: t.string }),
  ],
  'an OpenID configuration',
)

/** An endpoint must be an absolute https URL; http only where the authority itself is loopback. */
const checkEndpoint = (name: string, value: string, authority: Authority): string | undefined => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return `${name}: expected an absolute URL, got ${JSON.stringify(value)}`
  }
  const allowHttp = authority.isLoopback && isLoopbackHostname(url.hostname)
  if (url.protocol === 'https:' || (allowHttp && url.protocol === 'http:')) return undefined
  return `${name}: expected an https URL, got ${url.protocol.slice(0, -1)}`
}

/** Tenant discovery's answer, as endpoints; refuses a document that would downgrade to http. */
export const processOpenIdConfiguration = (
  response: HttpResponse,
  authority: Authority,
  ctx: ResponseContext,
): E.Either<MsalError, AuthorityEndpoints> => {
  const body = processJsonResponse(response, ctx)
  if (E.isLeft(body)) return body
  const decoded = decodeOr(OpenIdConfiguration, body.right, (problem): MsalError =>
    invalidResponseError(ctx.url, response.status, problem, response.body),
  )
  if (E.isLeft(decoded)) return decoded
  const doc = decoded.right
  const endpoints: AuthorityEndpoints = {
    tokenEndpoint: doc.token_endpoint,
    authorizationEndpoint: doc.authorization_endpoint,
    deviceCodeEndpoint: doc.device_authorization_endpoint,
    endSessionEndpoint: doc.end_session_endpoint,
    issuer: doc.issuer,
  }
  for (const [name, value] of Object.entries(endpoints)) {
    const problem = typeof value === 'string' ? checkEndpoint(name, value, authority) : undefined
    if (problem !== undefined) return E.left(invalidResponseError(ctx.url, response.status, problem, response.body))
  }
  return E.right(endpoints)
}
