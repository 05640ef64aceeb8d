import * as E from '../util/either.js'
import { usageError, type UsageError } from '../errors.js'
import { isJsonObject as isObject, parseJson } from '../util/decode.js'


/** The usual answer (no capabilities, no challenge), shared: every call asks, cache hits included. */
const NO_CLAIMS: E.Either<UsageError, string | undefined> = E.right(undefined)

/**
 * The `claims` request parameter: the caller's claims challenge (a JSON object, as a resource
 * sends it in WWW-Authenticate) with the app's client capabilities merged into
 * `access_token.xms_cc`. Undefined when there is neither.
 */
export const mergeClaimsAndCapabilities = (
  capabilities: readonly string[],
  claimsChallenge: string | undefined,
): E.Either<UsageError, string | undefined> => {
  let claims: Record<string, unknown> = {}
  if (claimsChallenge !== undefined && claimsChallenge !== '') {
    const parsed = parseJson(claimsChallenge)
    if (E.isLeft(parsed) || !isObject(parsed.right)) {
      return E.left(usageError('claimsChallenge', 'expected a JSON object such as {"access_token":{"nbf":{"essential":true}}}'))
    }
    claims = parsed.right
  }
  if (capabilities.length === 0) return claimsChallenge === '' || claimsChallenge === undefined ? NO_CLAIMS : E.right(claimsChallenge)
  const accessToken = isObject(claims['access_token']) ? claims['access_token'] : {}
  return E.right(JSON.stringify(Object.assign({}, claims, { access_token: Object.assign({}, accessToken, { xms_cc: { values: capabilities } }) })))
}
